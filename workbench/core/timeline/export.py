"""Timeline exports: JSON Lines (one event per line, messages decoded) and a text transcript.

A JSON Lines export has one object per row, in order::

    {"v": 1, "id": 0, "kind": "started", "dir": "control", "t": 0.0, "dt": null,
     "method": "pkg.Service/Method", "target": "host:port", "at": "2025-...Z", ...}
    {"v": 1, "id": 3, "kind": "received", "dir": "received", "t": 0.0012, "dt": 0.0001,
     "index": 0, "size": 42, "type": "pkg.Reply", "message": {...protobuf JSON...}}

``t`` is seconds since the call started and ``dt`` seconds since the previous event. A
message that does not decode carries ``raw`` (base64 wire bytes) and ``error`` instead of
``message``. When the cap dropped rows, the first line is ``{"v": 1, "kind": "dropped",
"count": N}``. :func:`parse_jsonl` reads an export back, re-parsing every message with a
schema's descriptor pool.

Exports are generators of lines, so a GUI can write a long timeline a chunk at a time;
rows dropped by the cap while an export runs are skipped, not misread.
"""

from __future__ import annotations

import base64
import enum
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf import descriptor_pool
from google.protobuf.message import Message

from workbench.core.calls.events import (
    CallEvent,
    Finished,
    HeadersReceived,
    Started,
    TrailersReceived,
)
from workbench.core.calls.metadata import Metadata, format_value
from workbench.core.errors import (
    FileFormatError,
    MessageFormatError,
    RequestParseError,
    ResponseDecodeError,
)
from workbench.core.messages.codec import parse_value, to_dict
from workbench.core.store.atomic import write_error
from workbench.core.timeline import text
from workbench.core.timeline.rows import EventKind, TimelineEntry
from workbench.core.timeline.store import TimelineStore

FORMAT_VERSION = 1
_KIND_BY_LABEL = {k.label: k for k in EventKind}


class ExportFormat(enum.Enum):
    """The formats a timeline exports to."""

    JSONL = "jsonl"
    TEXT = "text"

    @property
    def suffix(self) -> str:
        """The usual file name suffix."""
        return ".jsonl" if self is ExportFormat.JSONL else ".txt"


def _metadata(metadata: Metadata) -> list[list[str]]:
    return [[key, format_value(value)] for key, value in metadata]


def _control_fields(event: CallEvent, store: TimelineStore | None) -> dict[str, Any]:
    if isinstance(event, Started):
        return {
            "method": event.method,
            "target": event.target,
            "call": event.kind.value,
            "timeout": event.timeout,
            "at": store.wall_clock_iso(event.t) if store is not None else None,
            "metadata": _metadata(event.metadata),
        }
    if isinstance(event, HeadersReceived | TrailersReceived):
        return {"metadata": _metadata(event.metadata)}
    if isinstance(event, Finished):
        return {
            "code": event.code_name,
            "message": event.message,
            "details": [
                {"type": d.type_name, "text": [line.strip() for line in d.lines()]}
                for d in event.details
            ],
            "error": event.error.user_text() if event.error is not None else None,
            "elapsed": event.elapsed,
        }
    return {}


def entry_record(store: TimelineStore | None, entry: TimelineEntry) -> dict[str, Any]:
    """The JSON Lines object of one row (see the module documentation).

    ``store`` gives the started row its wall-clock time (``at``); without it ``at`` is null.
    """
    record: dict[str, Any] = {
        "v": FORMAT_VERSION,
        "id": entry.event_id,
        "kind": entry.kind.label,
        "dir": entry.direction.name.lower(),
        "t": entry.since_start,
        "dt": entry.since_previous,
    }
    if entry.event is not None:
        record.update(_control_fields(entry.event, store))
        return record
    record.update(index=entry.index, size=entry.size, type=entry.type_name)
    try:
        record["message"] = to_dict(entry.decode())
    except (ResponseDecodeError, MessageFormatError) as exc:
        record["raw"] = base64.b64encode(entry.data).decode("ascii")
        record["error"] = exc.message
    return record


def _entries(store: TimelineStore) -> Iterator[TimelineEntry]:
    """Every row to export; rows dropped by the cap meanwhile are skipped.

    Reads the store by event id through :meth:`TimelineStore.entry_by_id`, so an export may
    run in a worker thread while the GUI thread keeps appending.
    """
    generation = store.generation
    for event_id in range(store.dropped, store.end_id):
        if store.generation != generation:
            return
        entry = store.entry_by_id(event_id)
        if entry is not None:
            yield entry


def jsonl_lines(store: TimelineStore) -> Iterator[str]:
    """The JSON Lines export, one line (with its newline) per row."""
    if store.dropped:
        yield json.dumps({"v": FORMAT_VERSION, "kind": "dropped", "count": store.dropped}) + "\n"
    for entry in _entries(store):
        yield json.dumps(entry_record(store, entry), ensure_ascii=False) + "\n"


def transcript_lines(store: TimelineStore) -> Iterator[str]:
    """A plain-text transcript: one line per event (full compact JSON), details indented."""
    if store.started is not None:
        yield f"# {store.started.method} on {store.started.target}\n"
    if store.dropped:
        yield f"# {store.dropped:,} earlier rows were dropped (keep-last cap)\n"
    for entry in _entries(store):
        index = entry.index
        head = (
            f"{entry.event_id + 1:>8} {entry.direction.symbol} "
            f"{'' if index is None else index + 1:>7} {entry.since_start:>12.6f} "
            f"{text.format_delta(entry.since_previous):>11}"
        )
        event = entry.event
        if event is not None:
            yield f"{head} {'':>9}  {text.control_summary(event)}\n"
            if isinstance(event, Finished | Started):
                yield from (f"{'':>52}{line}\n" for line in text.control_lines(event)[1:])
            continue
        try:
            body = text.compact_json(entry.decode())
        except ResponseDecodeError as exc:
            raw = base64.b64encode(entry.data).decode("ascii")
            body = f"⚠ {exc.message}; raw bytes (base64): {raw}"
        yield f"{head} {text.format_size(entry.size):>9}  {body}\n"


def export_lines(store: TimelineStore, fmt: ExportFormat) -> Iterator[str]:
    """The lines of ``store`` in ``fmt``."""
    return jsonl_lines(store) if fmt is ExportFormat.JSONL else transcript_lines(store)


def write_export(store: TimelineStore, path: Path, fmt: ExportFormat) -> int:
    """Write ``store`` to ``path`` atomically (temporary file, fsync, rename); returns lines.

    Raises:
        StoreWriteError: the file could not be written; an existing file is unchanged.
    """
    return write_lines(path, export_lines(store, fmt))


def write_lines(path: Path, lines: Iterable[str]) -> int:
    """Write ``lines`` to ``path`` atomically; returns how many were written.

    Raises:
        StoreWriteError: the file could not be written; an existing file is unchanged.
    """
    count = 0
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
                for line in lines:
                    out.write(line)
                    count += 1
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise write_error(exc, path, f"the timeline export {path}") from exc
    return count


@dataclass(frozen=True)
class TimelineRecord:
    """One row read back from a JSON Lines export.

    Attributes:
        kind: what the row records.
        event_id: the row's event id in the exported call.
        t: seconds since the call started.
        index: a message's position in its direction (``None`` for control rows).
        type_name: the message type ('' for control rows).
        message: the message, parsed from its JSON (``None`` for control rows and for
            messages that did not decode when exported).
        raw: the wire bytes of a message that did not decode, else ``None``.
        fields: the whole JSON object of the line.
    """

    kind: EventKind
    event_id: int
    t: float
    index: int | None
    type_name: str
    message: Message | None
    raw: bytes | None
    fields: dict[str, Any] = field(repr=False)


def parse_jsonl(
    lines: Iterable[str], pool: descriptor_pool.DescriptorPool
) -> tuple[list[TimelineRecord], int]:
    """Read a JSON Lines export back; returns the records and the count of dropped rows.

    Args:
        lines: the lines of the export (blank lines are skipped).
        pool: the descriptor pool that knows the message types (a schema's pool).

    Raises:
        FileFormatError: a line is not JSON, not a timeline record, from a newer version, or
            holds a message the pool does not know or that does not fit its type; the error
            names the line.
    """
    records: list[TimelineRecord] = []
    dropped = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict) or obj.get("v") != FORMAT_VERSION:
                raise ValueError(f"not a version {FORMAT_VERSION} timeline record")
            if obj.get("kind") == "dropped":
                dropped = int(obj["count"])
                continue
            records.append(_record(obj, pool))
        except (ValueError, KeyError, TypeError, RequestParseError) as exc:
            raise FileFormatError(
                f"line {number} of the timeline export is not valid: {exc}",
                hint="export the timeline again, or load the schema the call used",
            ) from None
    return records, dropped


def _record(obj: dict[str, Any], pool: descriptor_pool.DescriptorPool) -> TimelineRecord:
    kind = _KIND_BY_LABEL[obj["kind"]]
    message: Message | None = None
    raw: bytes | None = None
    type_name = ""
    if kind in (EventKind.SENT, EventKind.RECEIVED):
        type_name = str(obj["type"])
        if "message" in obj:
            message = parse_value(obj["message"], pool.FindMessageTypeByName(type_name), pool)
        else:
            raw = base64.b64decode(obj["raw"], validate=True)
    index = obj.get("index")
    return TimelineRecord(
        kind,
        int(obj["id"]),
        float(obj["t"]),
        None if index is None else int(index),
        type_name,
        message,
        raw,
        obj,
    )

"""How timeline rows read as text: durations, sizes, one-line summaries, previews, hex dumps.

Everything here is pure formatting over call events and messages; the store caches what it
produces for the rows a view shows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from google.protobuf import text_format
from google.protobuf.message import Message

from workbench.core.calls.events import (
    CallEvent,
    Finished,
    HalfClosed,
    HeadersReceived,
    Started,
    TrailersReceived,
)
from workbench.core.calls.metadata import Metadata, format_metadata
from workbench.core.calls.status import format_details
from workbench.core.errors import WorkbenchError
from workbench.core.messages.codec import to_dict
from workbench.core.timeline.rows import TimelineCounters

#: Characters of a one-line preview; longer ones end in an ellipsis.
PREVIEW_CHARS = 200
#: Messages larger than this are not decoded for a preview (the detail pane shows them).
PREVIEW_DECODE_LIMIT = 1024 * 1024
ELLIPSIS = "…"

_KIB = 1024
_MIB = 1024 * 1024


def format_delta(seconds: float | None) -> str:
    """A time since the previous event, e.g. ``+85 µs``, ``+1.25 ms``, ``+2.500 s``."""
    if seconds is None:
        return ""
    if seconds < 0.001:
        return f"+{seconds * 1e6:.0f} µs"
    if seconds < 1.0:
        return f"+{seconds * 1e3:.2f} ms"
    return f"+{seconds:.3f} s"


def format_size(size: int) -> str:
    """A byte count for people: ``64 B``, ``1.5 KiB``, ``6.0 MiB``."""
    if size < _KIB:
        return f"{size} B"
    if size < _MIB:
        return f"{size / _KIB:.1f} KiB"
    return f"{size / _MIB:.1f} MiB"


def truncate(text: str, limit: int = PREVIEW_CHARS) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    if "\n" in text:
        text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def compact_json(message: Message) -> str:
    """The message as one line of JSON; protobuf text format when JSON cannot be written.

    JSON fails only for an ``Any`` whose type the message's pool does not know; the text
    format then still shows the rest of the message (with the ``Any`` as raw bytes).
    """
    try:
        return json.dumps(to_dict(message), ensure_ascii=False, separators=(",", ":"))
    except WorkbenchError:
        return text_format.MessageToString(message, as_one_line=True)


def message_preview(message: Message, limit: int = PREVIEW_CHARS) -> str:
    """A one-line preview: compact JSON cut to ``limit`` characters."""
    return truncate(compact_json(message), limit)


def _metadata_line(label: str, metadata: Metadata) -> str:
    if not metadata:
        return f"{label} (none)"
    return f"{label}: " + "; ".join(format_metadata(metadata))


def status_text(event: Finished) -> str:
    """``CODE: message``; a failure on our side of the wire speaks instead of the status."""
    message = event.error.message if event.error is not None else event.message
    return f"{event.code_name}: {message}" if message else event.code_name


def control_summary(event: CallEvent) -> str:
    """The one-line text of a control row (headers, half-close, trailers, status...)."""
    if isinstance(event, Started):
        deadline = f", deadline {event.timeout:g} s" if event.timeout is not None else ""
        return f"started {event.method} on {event.target}{deadline}"
    if isinstance(event, HeadersReceived):
        return _metadata_line("headers", event.metadata)
    if isinstance(event, HalfClosed):
        return "half-closed: the client is done sending"
    if isinstance(event, TrailersReceived):
        return _metadata_line("trailers", event.metadata)
    if isinstance(event, Finished):
        details = "; ".join(_detail_summary(d.lines()) for d in event.details)
        extra = f" — {details}" if details else ""
        return f"status {status_text(event)}{extra} (after {event.elapsed:.3f} s)"
    return type(event).__name__  # pragma: no cover - every event kind is handled above


def _detail_summary(lines: Sequence[str]) -> str:
    """One detail on one line: ``bad request: a: x, b: y``."""
    if len(lines) > 1 and lines[0].endswith(":"):
        return f"{lines[0]} " + ", ".join(line.strip() for line in lines[1:])
    return ", ".join(line.strip() for line in lines)


def control_lines(event: CallEvent) -> list[str]:
    """The full text of a control row, for the detail pane and the transcript."""
    if isinstance(event, Started):
        lines = [
            f"method: {event.method}",
            f"target: {event.target}",
            f"kind: {event.kind.value}",
            f"deadline: {f'{event.timeout:g} s' if event.timeout is not None else 'none'}",
        ]
        return lines + _indented("request metadata", format_metadata(event.metadata))
    if isinstance(event, HeadersReceived | TrailersReceived):
        name = "headers" if isinstance(event, HeadersReceived) else "trailers"
        return _indented(name, format_metadata(event.metadata))
    if isinstance(event, Finished):
        lines = [f"status: {event.code_name} ({event.code.value[0]})"]
        if event.message:
            lines.append(f"message: {event.message}")
        if event.error is not None:
            lines.append(f"error: {event.error.message}")
            if event.error.hint:
                lines.append(f"hint: {event.error.hint}")
        lines.extend(format_details(event.details))
        lines.append(f"elapsed: {event.elapsed:.6f} s")
        return lines
    return [control_summary(event)]


def _indented(title: str, lines: Sequence[str]) -> list[str]:
    if not lines:
        return [f"{title}: (none)"]
    return [f"{title}:", *(f"  {line}" for line in lines)]


def hexdump(data: bytes, limit: int = 64 * 1024) -> str:
    """Offset, hex and ASCII columns, 16 bytes a line; at most ``limit`` bytes are shown."""
    shown = memoryview(data)[:limit]
    lines = []
    for offset in range(0, len(shown), 16):
        chunk = bytes(shown[offset : offset + 16])
        hexes = " ".join(f"{b:02x}" for b in chunk)
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{offset:08x}  {hexes:<47}  {text}")
    if len(data) > limit:
        lines.append(f"… {len(data) - limit:,} more bytes not shown")
    return "\n".join(lines)


def format_counters(counters: TimelineCounters) -> str:
    """The live counters on one line: messages and bytes each way, the rate, dropped rows."""
    parts = [
        f"↑ {counters.sent:,} sent ({format_size(counters.bytes_sent)})",
        f"↓ {counters.received:,} received ({format_size(counters.bytes_received)})",
        f"{counters.rate:,.0f} msg/s" + ("" if counters.running else " average"),
    ]
    if counters.dropped:
        parts.append(f"{counters.dropped:,} oldest rows dropped")
    return " · ".join(parts)

"""The call history: every call recorded in a local SQLite database, newest first, searchable.

The database lives in the user data directory (:func:`workbench.core.paths.history_path`),
never in a workspace: it is this machine's log, not something to share. It runs in WAL mode
(readers never block the writer), carries a ``schema_version`` table (a newer version is
refused, not damaged), and is capped at :attr:`History.max_entries` entries, the oldest
deleted first. Search uses FTS5 when this SQLite has it, else ``LIKE``.

A request is recorded as the user wrote it, *before* variables are substituted, with the
environment's name: the recorded request holds ``{{token}}``, never the secret's value, and
replaying an entry uses the environment's current values. (A response is recorded as it
arrived; a server that echoes a secret back puts it there itself.)
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from google.protobuf.descriptor_pool import DescriptorPool

from workbench.core import paths
from workbench.core.calls.events import CallResult
from workbench.core.errors import StoreError, UsageError, WorkbenchError
from workbench.core.messages.codec import to_dict
from workbench.core.messages.jsontext import JsonNumber
from workbench.core.store.documents import dump_json
from workbench.core.store.requests import SavedRequest, request_body, request_from_body

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_MAX_ENTRIES", "SCHEMA_VERSION", "History", "HistoryEntry", "fts5_available"]

SCHEMA_VERSION = 1
DEFAULT_MAX_ENTRIES = 1000

_COLUMNS = (
    "id, started_at, method, address, status, status_message, elapsed, environment, "
    "request, first_response, response_count"
)
_SCHEMA = """
CREATE TABLE entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at REAL NOT NULL,
    method TEXT NOT NULL,
    address TEXT NOT NULL,
    status TEXT NOT NULL,
    status_message TEXT NOT NULL DEFAULT '',
    elapsed REAL NOT NULL,
    environment TEXT,
    request TEXT NOT NULL,
    first_response TEXT,
    response_count INTEGER NOT NULL DEFAULT 0,
    search_text TEXT NOT NULL DEFAULT ''
);
CREATE INDEX entries_newest ON entries (started_at DESC, id DESC);
"""


def fts5_available() -> bool:
    """Whether this Python's SQLite was built with the FTS5 full-text search module."""
    try:
        with sqlite3.connect(":memory:") as db:
            db.execute("CREATE VIRTUAL TABLE probe USING fts5(text)")
    except sqlite3.OperationalError:
        return False
    return True


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded call.

    Attributes:
        id: the entry's id.
        started_at: when the call started, in seconds since the epoch.
        method: ``pkg.Service/Method``.
        address: the address called (after substitution).
        status: the status name, e.g. ``OK`` or ``NOT_FOUND``.
        status_message: the status message.
        elapsed: the call's duration in seconds.
        environment: the environment used, if any.
        request: the request as saved (placeholders not substituted).
        first_response: the first response as a JSON value (``None`` when there was none).
        response_count: how many responses arrived.
    """

    id: int
    started_at: float
    method: str
    address: str
    status: str
    status_message: str
    elapsed: float
    environment: str | None
    request: SavedRequest
    first_response: Any
    response_count: int

    @property
    def started(self) -> datetime:
        """:attr:`started_at` as an aware UTC datetime."""
        return datetime.fromtimestamp(self.started_at, UTC)

    def to_request(self) -> SavedRequest:
        """The request, ready to open in an editor or save (unnamed)."""
        return self.request.renamed("")


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text, parse_float=JsonNumber)


class History:
    """The history database. Use as a context manager or call :meth:`close`."""

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        use_fts: bool | None = None,
    ) -> None:
        """Open (creating if needed) the history database.

        Args:
            path: the database file (default: the user data directory's).
            max_entries: keep at most this many entries (0 records nothing).
            use_fts: force FTS5 on/off; ``None`` uses it when available.

        Raises:
            StoreError: the file is not a usable database, or from a newer version.
        """
        self.path = Path(path) if path is not None else paths.history_path()
        if max_entries < 0:
            raise UsageError("the history size must be 0 or more entries")
        self._max = max_entries
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                f"cannot open the history {self.path}: {exc}", path=self.path
            ) from None
        try:
            self._fts = self._setup(fts5_available() if use_fts is None else use_fts)
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StoreError(
                f"the history database {self.path} is damaged: {exc}",
                path=self.path,
                hint="move the file away; a new, empty history is then started",
            ) from None
        except WorkbenchError:
            self._db.close()
            raise

    def _setup(self, want_fts: bool) -> bool:
        db = self._db
        db.execute("PRAGMA busy_timeout = 3000")
        db.execute("PRAGMA journal_mode = WAL")
        with db:
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = db.execute("SELECT version FROM schema_version").fetchone()
            if row is None:
                db.executescript(_SCHEMA)
                db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
            elif row[0] > SCHEMA_VERSION:
                raise StoreError(
                    f"the history {self.path} was written by a newer grpc-workbench "
                    f"(schema version {row[0]}; this version reads {SCHEMA_VERSION})",
                    path=self.path,
                    hint="update grpc-workbench; the history is left as it is",
                )
        if not want_fts:
            return False
        with db:
            db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS entries_fts USING fts5(text)")
            (entries,) = db.execute("SELECT count(*) FROM entries").fetchone()
            (indexed,) = db.execute("SELECT count(*) FROM entries_fts").fetchone()
            (missing,) = db.execute(
                "SELECT count(*) FROM entries e WHERE NOT EXISTS "
                "(SELECT 1 FROM entries_fts f WHERE f.rowid = e.id)"
            ).fetchone()
            if entries != indexed or missing:  # written by a build without FTS5: reindex
                db.execute("DELETE FROM entries_fts")
                db.execute(
                    "INSERT INTO entries_fts (rowid, text) SELECT id, search_text FROM entries"
                )
        return True

    # -- settings ---------------------------------------------------------------------------

    @property
    def max_entries(self) -> int:
        """The cap; setting it deletes the oldest entries beyond it at once."""
        return self._max

    @max_entries.setter
    def max_entries(self, value: int) -> None:
        if value < 0:
            raise UsageError("the history size must be 0 or more entries")
        self._max = value
        with self._db:
            self._apply_cap()

    @property
    def uses_fts(self) -> bool:
        """Whether search uses FTS5 (else ``LIKE``)."""
        return self._fts

    # -- writing ------------------------------------------------------------------------------

    def record(
        self,
        request: SavedRequest,
        result: CallResult,
        *,
        pool: DescriptorPool | None = None,
        environment: str | None = None,
        address: str | None = None,
        started_at: float | None = None,
    ) -> int | None:
        """Record a finished call; returns the entry id (``None`` when the cap is 0).

        Args:
            request: the request as the user wrote it (before substitution).
            result: the call's result.
            pool: decodes ``Any`` values in the first response.
            environment: the environment used.
            address: the address actually called (default: the request's).
            started_at: wall-clock start (default: now minus the call's duration).
        """
        if self._max == 0:
            return None
        first: Any = None
        if result.received:
            try:
                first = to_dict(result.received[0].decode(), pool=pool)
            except WorkbenchError as exc:
                logger.info("first response not recorded: %s", exc)
        finished = result.finished
        row = {
            "started_at": started_at if started_at is not None else time.time() - finished.elapsed,
            "method": request.method,
            "address": address or request.target.address,
            "status": finished.code_name,
            "status_message": finished.message,
            "elapsed": finished.elapsed,
            "environment": environment,
            "request": dump_json({"name": request.name, **request_body(request)}),
            "first_response": None if first is None else dump_json(first),
            "response_count": len(result.received),
        }
        row["search_text"] = " ".join(
            str(row[k] or "")
            for k in (
                "method",
                "address",
                "status",
                "status_message",
                "environment",
                "request",
                "first_response",
            )
        )
        try:
            with self._db:
                cur = self._db.execute(
                    f"INSERT INTO entries ({', '.join(row)}) "
                    f"VALUES ({', '.join('?' for _ in row)})",
                    tuple(row.values()),
                )
                entry_id = cur.lastrowid
                if self._fts:
                    self._db.execute(
                        "INSERT INTO entries_fts (rowid, text) VALUES (?, ?)",
                        (entry_id, row["search_text"]),
                    )
                self._apply_cap()
        except sqlite3.Error as exc:
            raise StoreError(
                f"cannot write the history {self.path}: {exc}", path=self.path
            ) from None
        return entry_id

    def _apply_cap(self) -> None:
        self._db.execute(
            "DELETE FROM entries WHERE id IN (SELECT id FROM entries "
            "ORDER BY started_at DESC, id DESC LIMIT -1 OFFSET ?)",
            (self._max,),
        )
        if self._fts:
            self._db.execute("DELETE FROM entries_fts WHERE rowid NOT IN (SELECT id FROM entries)")

    def delete(self, entry_id: int) -> None:
        """Delete one entry (no error when it does not exist)."""
        with self._db:
            self._db.execute("DELETE FROM entries WHERE id = ?", (entry_id,))
            if self._fts:
                self._db.execute("DELETE FROM entries_fts WHERE rowid = ?", (entry_id,))

    def clear(self) -> None:
        """Delete every entry."""
        with self._db:
            self._db.execute("DELETE FROM entries")
            if self._fts:
                self._db.execute("DELETE FROM entries_fts")

    # -- reading ------------------------------------------------------------------------------

    def count(self) -> int:
        """How many entries there are."""
        (n,) = self._db.execute("SELECT count(*) FROM entries").fetchone()
        return int(n)

    def entries(self, limit: int = 100, offset: int = 0) -> list[HistoryEntry]:
        """Entries, newest first."""
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM entries ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?",
            (limit, offset),
        ).fetchall()
        return [self._entry(r) for r in rows]

    def get(self, entry_id: int) -> HistoryEntry:
        """One entry.

        Raises:
            StoreError: there is no such entry (it may have been capped away).
        """
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM entries WHERE id = ?", (entry_id,)
        ).fetchone()
        if row is None:
            raise StoreError(f"history entry {entry_id} does not exist", path=self.path)
        return self._entry(row)

    def search(self, text: str, limit: int = 100) -> list[HistoryEntry]:
        """Entries matching every word of ``text`` (as word prefixes), newest first.

        Words are matched in the method, address, status, environment, request and first
        response. An empty query returns the newest entries.
        """
        words = re.findall(r"\w+", text)
        if not words:
            return self.entries(limit)
        cols = ", ".join(f"e.{c.strip()}" for c in _COLUMNS.split(","))
        if self._fts:
            query = " AND ".join(f'"{w}"*' for w in words)
            sql = (
                f"SELECT {cols} FROM entries e JOIN entries_fts f ON f.rowid = e.id "
                "WHERE entries_fts MATCH ? ORDER BY e.started_at DESC, e.id DESC LIMIT ?"
            )
            params: tuple[Any, ...] = (query, limit)
        else:
            where = " AND ".join("e.search_text LIKE ? ESCAPE '\\'" for _ in words)
            sql = (
                f"SELECT {cols} FROM entries e WHERE {where} "
                "ORDER BY e.started_at DESC, e.id DESC LIMIT ?"
            )
            params = (*(f"%{_escape_like(w)}%" for w in words), limit)
        return [self._entry(r) for r in self._db.execute(sql, params).fetchall()]

    def _entry(self, row: tuple[Any, ...]) -> HistoryEntry:
        doc = _loads(row[8])
        request = request_from_body(doc, name=doc.get("name") or "")
        return HistoryEntry(
            id=row[0],
            started_at=row[1],
            method=row[2],
            address=row[3],
            status=row[4],
            status_message=row[5],
            elapsed=row[6],
            environment=row[7],
            request=request,
            first_response=_loads(row[9]),
            response_count=row[10],
        )

    # -- lifetime ------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

"""The columns behind a timeline: rows as arrays and one payload buffer, not objects.

A stream can bring a million messages, so :class:`EventColumns` keeps:

========================  =====================  =================
column                    type                   bytes per row
========================  =====================  =================
time (perf_counter)       ``array('d')``         8
kind                      ``array('B')``         1
payload offset            ``array('q')``         8
payload size              ``array('I')``         4
message index / control   ``array('i')``         4
message class id          ``array('H')``         2
payload                   one ``bytearray``      the wire size
========================  =====================  =================

That is 27 bytes per row plus the serialized message (plus the arrays' and the buffer's
growth slack, about 1/16 and 1/8). Received messages are stored as the bytes they arrived
as; sent messages are serialized once when they are appended. No Python object is kept per
message row: the event passed to :meth:`EventColumns.append_event` can be dropped. The few
control rows (started, headers, half-close, trailers, status) keep their event objects.

Rows are addressed two ways. A *row* is a position among the rows kept now (0 is the
oldest kept row). An *event id* is a position since the call started and never changes;
with a cap (``max_rows``) the oldest rows are dropped and ``event id = row + dropped``.
Dropped rows stay in the arrays until they are as many as the kept ones, then one
compaction moves the kept rows to the front (each row moves at most once on average).
"""

from __future__ import annotations

import logging
from array import array

from google.protobuf.message import Message

from workbench.core.calls.events import (
    CallEvent,
    Finished,
    MessageReceived,
    MessageSent,
    Started,
)
from workbench.core.timeline.rows import CONTROL_KINDS, DIRECTIONS, KINDS, Direction, EventKind

logger = logging.getLogger(__name__)

_COMPACT_MIN = 65_536
_NO_LIMIT = 2**62
_SENT = EventKind.SENT.value
_RECEIVED = EventKind.RECEIVED.value


class EventColumns:
    """The columns of a timeline: appending, capping, and reading single fields of a row.

    :class:`~workbench.core.timeline.store.TimelineStore` adds decoding, previews, search
    and counters on top; use that.

    Attributes:
        generation: bumped by :meth:`clear`, so that views notice a new call.
        layout_version: bumped before and after rows are dropped (odd meanwhile), so that a
            reader in another thread can tell that rows moved under it.
        started: the call's Started event, once recorded.
        finished: the call's Finished event, once recorded.
        sent: request messages recorded (dropped ones included).
        received: response messages recorded (dropped ones included).
        bytes_sent: their serialized bytes.
        bytes_received: likewise for responses.
    """

    def __init__(self, max_rows: int | None = None) -> None:
        """Create empty columns keeping at most ``max_rows`` rows (``None``: all of them)."""
        self._limit = _NO_LIMIT
        self.generation = 0
        self.layout_version = 0
        self._reset()
        self.set_max_rows(max_rows)

    def _reset(self) -> None:
        self._t = array("d")
        self._kind = array("B")
        self._ref = array("q")
        self._size = array("I")
        self._index = array("i")
        self._cls = array("H")
        self._payload = bytearray()
        self._pbase = 0  # payload offset of _payload[0]
        self._pend = 0  # payload offset just past the last byte
        self._classes: list[type[Message]] = []
        self._last_class: type[Message] | None = None
        self._last_class_id = 0
        self._controls: list[CallEvent] = []
        self._control_ids: list[int] = []  # event id of each control row
        self._start = 0  # physical position of row 0
        self._dropped = 0
        self._last_dropped_t: float | None = None
        self._t0: float | None = None
        self.started: Started | None = None
        self.finished: Finished | None = None
        self.sent = self.received = self.bytes_sent = self.bytes_received = 0

    # -- appending -------------------------------------------------------------------------

    def append_event(self, event: CallEvent) -> None:
        """Record one call event as a row (O(1); the event object is not kept for messages)."""
        # type() identity, not isinstance: this runs once per message of a flood.
        if type(event) is MessageReceived:
            data = event.data
            self.received += 1
            self.bytes_received += len(data)
            self._append(event.t, _RECEIVED, event.index, data, event.message_class)
        elif type(event) is MessageSent:
            data = event.message.SerializeToString()
            self.sent += 1
            self.bytes_sent += len(data)
            self._append(event.t, _SENT, event.index, data, type(event.message))
        else:
            self._append_control(event)

    def _append(self, t: float, kind: int, index: int, data: bytes, cls: type[Message]) -> None:
        if cls is not self._last_class:
            self._set_class(cls)
        if self._t0 is None:
            self._t0 = t
        self._t.append(t)
        self._kind.append(kind)
        self._ref.append(self._pend)
        self._size.append(len(data))
        self._index.append(index)
        self._cls.append(self._last_class_id)
        self._payload += data
        self._pend += len(data)
        if len(self._t) - self._start > self._limit:
            self._drop(1)

    def _set_class(self, cls: type[Message]) -> None:
        try:
            class_id = self._classes.index(cls)
        except ValueError:
            class_id = len(self._classes)
            self._classes.append(cls)
        self._last_class, self._last_class_id = cls, class_id

    def _append_control(self, event: CallEvent) -> None:
        kind = CONTROL_KINDS[type(event)]
        if isinstance(event, Started):
            self.started = event
            self._t0 = event.t
        elif isinstance(event, Finished):
            self.finished = event
        if self._t0 is None:
            self._t0 = event.t
        self._t.append(event.t)
        self._kind.append(kind)
        self._ref.append(self._pend)
        self._size.append(0)
        self._index.append(len(self._controls))
        self._cls.append(0)
        self._control_ids.append(self.end_id - 1)
        self._controls.append(event)
        if len(self._t) - self._start > self._limit:
            self._drop(1)

    # -- capping ---------------------------------------------------------------------------

    @property
    def max_rows(self) -> int | None:
        """The cap on kept rows (``None``: unlimited)."""
        return None if self._limit == _NO_LIMIT else self._limit

    def set_max_rows(self, max_rows: int | None) -> None:
        """Keep at most ``max_rows`` rows from now on, dropping the oldest beyond it now.

        Raises:
            ValueError: ``max_rows`` is less than 1.
        """
        if max_rows is not None and max_rows < 1:
            raise ValueError(f"max_rows must be at least 1, got {max_rows}")
        self._limit = _NO_LIMIT if max_rows is None else max_rows
        excess = len(self) - self._limit
        if excess > 0:
            self._drop(excess)

    @property
    def dropped(self) -> int:
        """How many of the oldest rows the cap has dropped (the event id of row 0)."""
        return self._dropped

    def _drop(self, count: int) -> None:
        self.layout_version += 1
        last = self._start + count - 1
        self._last_dropped_t = self._t[last]
        self._start += count
        self._dropped += count
        if self._start >= _COMPACT_MIN and self._start >= len(self._t) - self._start:
            self._compact()
        self.layout_version += 1

    def _compact(self) -> None:
        start = self._start
        keep_from = self._ref[start] if start < len(self._ref) else self._pend
        for column in (self._t, self._kind, self._ref, self._size, self._index, self._cls):
            del column[:start]
        del self._payload[: keep_from - self._pbase]
        self._pbase = keep_from
        self._start = 0
        logger.debug("timeline compacted: %d rows kept, %d dropped", len(self), self._dropped)

    def clear(self) -> None:
        """Remove every row and reset the counters (for a new call); bumps :attr:`generation`."""
        self._reset()
        self.generation += 1

    # -- reading rows ----------------------------------------------------------------------

    def __len__(self) -> int:
        """The number of rows kept."""
        return len(self._t) - self._start

    @property
    def end_id(self) -> int:
        """The event id the next appended row will get (``dropped + len(store)``)."""
        return len(self._t) - self._start + self._dropped

    def kind(self, row: int) -> EventKind:
        """What ``row`` records."""
        return KINDS[self._kind[row + self._start]]

    def direction(self, row: int) -> Direction:
        """Which way ``row`` went."""
        return DIRECTIONS[self._kind[row + self._start]]

    def time(self, row: int) -> float:
        """The perf_counter timestamp of ``row``."""
        return self._t[row + self._start]

    def since_start(self, row: int) -> float:
        """Seconds from the call's start to ``row``."""
        return self._t[row + self._start] - (self._t0 or 0.0)

    def since_previous(self, row: int) -> float | None:
        """Seconds from the previous event (dropped or not) to ``row``; ``None`` for the first."""
        p = row + self._start
        if p > 0:
            return self._t[p] - self._t[p - 1]
        return None if self._last_dropped_t is None else self._t[p] - self._last_dropped_t

    def size(self, row: int) -> int:
        """The serialized size of a message row (0 for control rows)."""
        return self._size[row + self._start]

    def index(self, row: int) -> int | None:
        """A message's 0-based position among the messages of its direction (``None``: control)."""
        p = row + self._start
        return None if DIRECTIONS[self._kind[p]] is Direction.CONTROL else self._index[p]

    def payload(self, row: int) -> bytes:
        """The wire bytes of a message row (``b''`` for control rows)."""
        p = row + self._start
        offset = self._ref[p] - self._pbase
        return bytes(self._payload[offset : offset + self._size[p]])

    def message_class(self, row: int) -> type[Message] | None:
        """The type of a message row (``None`` for control rows)."""
        p = row + self._start
        if DIRECTIONS[self._kind[p]] is Direction.CONTROL:
            return None
        return self._classes[self._cls[p]]

    def control_event(self, row: int) -> CallEvent | None:
        """The event of a control row (``None`` for message rows)."""
        p = row + self._start
        if DIRECTIONS[self._kind[p]] is not Direction.CONTROL:
            return None
        return self._controls[self._index[p]]

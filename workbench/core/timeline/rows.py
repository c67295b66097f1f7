"""The vocabulary of timeline rows: kinds, directions, and the snapshots handed to views."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from google.protobuf.message import DecodeError, Message

from workbench.core.calls.events import (
    CallEvent,
    Finished,
    HalfClosed,
    HeadersReceived,
    Started,
    TrailersReceived,
)
from workbench.core.errors import ResponseDecodeError


class Direction(enum.IntEnum):
    """Which way a row went: a request, a response, or neither (headers, status...)."""

    SENT = 0
    RECEIVED = 1
    CONTROL = 2

    @property
    def symbol(self) -> str:
        """``↑`` sent, ``↓`` received, ``●`` control."""
        return ("↑", "↓", "●")[self.value]


class EventKind(enum.IntEnum):
    """What a row records; one per call event type."""

    STARTED = 0
    HEADERS = 1
    SENT = 2
    RECEIVED = 3
    HALF_CLOSED = 4
    TRAILERS = 5
    FINISHED = 6

    @property
    def direction(self) -> Direction:
        """The row's direction."""
        return DIRECTIONS[self.value]

    @property
    def label(self) -> str:
        """A lower-case name for exports: ``started``, ``headers``, ``sent``..."""
        return self.name.lower().replace("_", "-")


#: Kinds by value (``KINDS[code]`` is cheaper than ``EventKind(code)`` in hot paths).
KINDS = tuple(EventKind)
#: Directions by kind value.
DIRECTIONS = tuple(
    Direction.SENT if k is EventKind.SENT
    else Direction.RECEIVED if k is EventKind.RECEIVED
    else Direction.CONTROL
    for k in EventKind
)  # fmt: skip
#: The row kind of each control event type.
CONTROL_KINDS: dict[type, EventKind] = {
    Started: EventKind.STARTED,
    HeadersReceived: EventKind.HEADERS,
    HalfClosed: EventKind.HALF_CLOSED,
    TrailersReceived: EventKind.TRAILERS,
    Finished: EventKind.FINISHED,
}
#: Every direction: the default of filters.
ALL_DIRECTIONS = frozenset(Direction)


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """A snapshot of one row, made on request (views and exports; never stored).

    Attributes:
        event_id: position since the call started (stable across dropped rows).
        kind: what the row records.
        t: perf_counter timestamp.
        since_start: seconds since the call started.
        since_previous: seconds since the previous event (``None`` for the first).
        index: the message's 0-based position in its direction; ``None`` for control rows.
        size: the serialized size (0 for control rows).
        message_class: the message type (``None`` for control rows).
        data: the wire bytes (``b''`` for control rows).
        event: the event of a control row (``None`` for messages).
    """

    event_id: int
    kind: EventKind
    t: float
    since_start: float
    since_previous: float | None
    index: int | None
    size: int
    message_class: type[Message] | None
    data: bytes
    event: CallEvent | None

    @property
    def direction(self) -> Direction:
        """The row's direction."""
        return self.kind.direction

    @property
    def type_name(self) -> str:
        """The message type's full name ('' for control rows)."""
        return self.message_class.DESCRIPTOR.full_name if self.message_class else ""

    def decode(self) -> Message:
        """Parse the message (a new object on each call).

        Raises:
            ResponseDecodeError: the bytes are not a valid message of the row's type.
            ValueError: this is a control row.
        """
        if self.message_class is None:
            raise ValueError(f"event {self.event_id} is a {self.kind.label} row, not a message")
        return decode_message(self.message_class, self.data, self.kind, self.index)


def decode_message(cls: type[Message], data: bytes, kind: EventKind, index: int | None) -> Message:
    """Parse the wire bytes of a message row.

    Raises:
        ResponseDecodeError: the bytes are not a valid ``cls``; the text names the row.
    """
    try:
        return cls.FromString(data)
    except DecodeError as exc:
        which = "request" if kind is EventKind.SENT else "response"
        raise ResponseDecodeError(
            f"{which} message {index} is not a valid {cls.DESCRIPTOR.full_name}: {exc}",
            hint="the schema may not match the server; reload it from the server",
        ) from None


@dataclass(frozen=True, slots=True)
class TimelineCounters:
    """Live totals of a timeline (dropped rows included).

    Attributes:
        sent: request messages.
        received: response messages.
        bytes_sent: serialized bytes of the requests.
        bytes_received: serialized bytes of the responses.
        rows: rows kept now.
        dropped: rows dropped by the cap.
        rate: messages per second: over the last second while the call runs, over the
            whole call once it has finished.
        running: whether the call has started and not finished yet.
    """

    sent: int
    received: int
    bytes_sent: int
    bytes_received: int
    rows: int
    dropped: int
    rate: float
    running: bool

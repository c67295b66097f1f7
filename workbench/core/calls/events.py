"""The events a call produces, and a grpcurl-style handler adapter over them.

A call is a stream of events, in this order::

    Started  MessageSent*  [HalfClosed]  HeadersReceived  MessageReceived*  TrailersReceived
    Finished

For client and bidi streaming, ``MessageSent``, ``HalfClosed``, ``HeadersReceived`` and
``MessageReceived`` interleave as they happen. ``Finished`` is always last and always
present: a non-OK status, a cancel, a deadline and a transport failure are all results.
``HeadersReceived`` is left out for a trailers-only response (a server failing before it
sends anything), both it and ``TrailersReceived`` when the server was never reached or the
call was cancelled. For a unary call grpc delivers headers, response and status together,
so ``HeadersReceived`` arrives just before the response.

Every event carries ``t``, a :func:`time.perf_counter` timestamp. Events are frozen, slotted
dataclasses: a long stream keeps one small object per message, and received messages keep
their wire bytes and decode only on demand.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import grpc
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import DecodeError, Message

from workbench.core.calls.metadata import Metadata
from workbench.core.calls.status import StatusDetail, code_name, exit_code_for
from workbench.core.errors import ConnectionFailed, ResponseDecodeError, WorkbenchError
from workbench.core.schema.schema import MethodKind


@dataclass(frozen=True, slots=True)
class Started:
    """The call was created: headers are on their way to the server.

    Attributes:
        t: perf_counter timestamp.
        method: full method name, ``pkg.Service.Method``.
        path: the HTTP/2 path, ``/pkg.Service/Method``.
        kind: the call shape.
        target: the address called.
        metadata: the request headers sent.
        timeout: the deadline in seconds from now, ``None`` for none.
    """

    t: float
    method: str
    path: str
    kind: MethodKind
    target: str
    metadata: Metadata
    timeout: float | None


@dataclass(frozen=True, slots=True)
class HeadersReceived:
    """The server's response headers (initial metadata) arrived."""

    t: float
    metadata: Metadata


@dataclass(frozen=True, slots=True)
class MessageSent:
    """A request message was handed to the transport.

    Attributes:
        index: 0-based position in the request stream.
        size: serialized size in bytes (before compression).
        message: the message as given.
    """

    t: float
    index: int
    size: int
    message: Message


@dataclass(frozen=True, slots=True)
class MessageReceived:
    """A response message arrived; ``data`` holds its wire bytes, :meth:`decode` parses them.

    Attributes:
        index: 0-based position in the response stream.
        data: the serialized message.
    """

    t: float
    index: int
    data: bytes
    message_class: type[Message] = field(repr=False, compare=False)

    @property
    def size(self) -> int:
        """Serialized size in bytes (after decompression)."""
        return len(self.data)

    def decode(self) -> Message:
        """Parse the message with the method's output type (a new object on each call).

        Raises:
            ResponseDecodeError: the bytes are not a valid message of that type.
        """
        try:
            return self.message_class.FromString(self.data)
        except DecodeError as exc:
            name = self.message_class.DESCRIPTOR.full_name
            raise ResponseDecodeError(
                f"response message {self.index} is not a valid {name}: {exc}",
                hint="the schema may not match the server; reload it from the server",
            ) from None


@dataclass(frozen=True, slots=True)
class HalfClosed:
    """The client finished sending (END_STREAM on its side)."""

    t: float


@dataclass(frozen=True, slots=True)
class TrailersReceived:
    """The server's trailing metadata arrived (with the status)."""

    t: float
    metadata: Metadata


@dataclass(frozen=True, slots=True)
class Finished:
    """The call is over. Always the last event.

    Attributes:
        code: the status; ``CANCELLED`` after :meth:`Call.cancel`, ``DEADLINE_EXCEEDED`` on
            timeout, ``UNAVAILABLE`` (usually) when the server could not be reached.
        message: the status message.
        details: rich error details decoded from ``grpc-status-details-bin``.
        elapsed: seconds from ``Started`` to here.
        error: set when the call failed on our side of the wire: a transport failure
            (:class:`ConnectionFailed`/:class:`TlsError`), a local limit
            (:class:`MessageTooLarge`) or a request source that failed. Its text and hint
            explain the failure better than the status does.
    """

    t: float
    code: grpc.StatusCode
    message: str
    details: tuple[StatusDetail, ...]
    elapsed: float
    error: WorkbenchError | None = None

    @property
    def ok(self) -> bool:
        """Whether the status is OK."""
        return self.code is grpc.StatusCode.OK

    @property
    def code_name(self) -> str:
        """The status name, e.g. ``NOT_FOUND``."""
        return code_name(self.code)

    @property
    def exit_code(self) -> int:
        """The CLI exit status for this result (see :data:`status.EXIT_CODE_BASE`)."""
        if self.error is not None:
            return self.error.exit_code
        return exit_code_for(self.code)

    def raise_for_transport(self) -> None:
        """Raise :attr:`error` if the server could not be reached (TLS included).

        Raises:
            ConnectionFailed: the classified transport failure.
        """
        if isinstance(self.error, ConnectionFailed):
            raise self.error


CallEvent = (
    Started
    | HeadersReceived
    | MessageSent
    | MessageReceived
    | HalfClosed
    | TrailersReceived
    | Finished
)


@dataclass(frozen=True, slots=True)
class CallResult:
    """All events of a finished call, with the parts most consumers want.

    Attributes:
        events: every event, in order.
        started: the first event.
        finished: the last event.
        headers: the response headers (empty when none arrived).
        trailers: the response trailers (empty when none arrived).
        sent: the request messages sent.
        received: the response messages received (``.decode()`` each, or :meth:`responses`).
    """

    events: tuple[CallEvent, ...]
    started: Started
    finished: Finished
    headers: Metadata
    trailers: Metadata
    sent: tuple[MessageSent, ...]
    received: tuple[MessageReceived, ...]

    @classmethod
    def from_events(cls, events: Sequence[CallEvent]) -> CallResult:
        """Collect a complete event sequence (Started first, Finished last)."""
        started, finished = events[0], events[-1]
        if not isinstance(started, Started) or not isinstance(finished, Finished):
            raise ValueError("a call's events run from Started to Finished")
        headers: Metadata = ()
        trailers: Metadata = ()
        for ev in events:
            if isinstance(ev, HeadersReceived):
                headers = ev.metadata
            elif isinstance(ev, TrailersReceived):
                trailers = ev.metadata
        return cls(
            tuple(events),
            started,
            finished,
            headers,
            trailers,
            tuple(ev for ev in events if isinstance(ev, MessageSent)),
            tuple(ev for ev in events if isinstance(ev, MessageReceived)),
        )

    @property
    def code(self) -> grpc.StatusCode:
        """The final status code."""
        return self.finished.code

    @property
    def ok(self) -> bool:
        """Whether the status is OK."""
        return self.finished.ok

    @property
    def message(self) -> str:
        """The status message."""
        return self.finished.message

    @property
    def details(self) -> tuple[StatusDetail, ...]:
        """The decoded rich error details."""
        return self.finished.details

    @property
    def error(self) -> WorkbenchError | None:
        """The classified failure, if the call failed on our side of the wire."""
        return self.finished.error

    def responses(self) -> list[Message]:
        """Every response message, decoded."""
        return [ev.decode() for ev in self.received]

    def response(self) -> Message | None:
        """The single response of a unary/client-streaming call (``None`` when there is none)."""
        return self.received[0].decode() if self.received else None

    def raise_for_transport(self) -> None:
        """Raise the transport failure, if any (see :meth:`Finished.raise_for_transport`)."""
        self.finished.raise_for_transport()


class CallEventHandler(Protocol):
    """grpcurl's ``InvocationEventHandler`` shape, for consumers that prefer callbacks.

    A non-OK status is a result delivered to :meth:`on_receive_trailers`, never an exception.
    """

    def on_resolve_method(self, method: MethodDescriptor) -> None:
        """The method the call will invoke."""

    def on_send_headers(self, metadata: Metadata) -> None:
        """The request headers, just sent."""

    def on_receive_headers(self, metadata: Metadata) -> None:
        """The response headers."""

    def on_receive_response(self, event: MessageReceived) -> None:
        """One response message (``event.decode()`` parses it)."""

    def on_receive_trailers(self, finished: Finished, trailers: Metadata) -> None:
        """The final status and the trailers (empty when the server was never reached)."""


async def drive_handler(
    events: AsyncIterable[CallEvent], method: MethodDescriptor, handler: CallEventHandler
) -> Finished:
    """Feed a call's events to ``handler``; returns the :class:`Finished` event."""
    handler.on_resolve_method(method)
    trailers: Metadata = ()
    async for ev in events:
        if isinstance(ev, MessageReceived):
            handler.on_receive_response(ev)
        elif isinstance(ev, Started):
            handler.on_send_headers(ev.metadata)
        elif isinstance(ev, HeadersReceived):
            handler.on_receive_headers(ev.metadata)
        elif isinstance(ev, TrailersReceived):
            trailers = ev.metadata
        elif isinstance(ev, Finished):
            handler.on_receive_trailers(ev, trailers)
            return ev
    raise RuntimeError("call event stream ended without a Finished event")  # pragma: no cover

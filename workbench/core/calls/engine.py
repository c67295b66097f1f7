"""The call engine: any method of a schema, any of the four shapes, as a stream of events.

One :class:`Call` drives one RPC over ``grpc.aio`` and yields :mod:`events`. Requests are
serialized once, by us, and handed to grpc as bytes (no serializer); responses stay bytes
(no deserializer) and are decoded on demand, so a long stream costs one small event object
per message.

Unary and server-streaming calls have nothing to send after the start, so their events are
produced directly in the consumer's ``async for``: no task, no queue. Client and bidi
streaming read and write at once; :mod:`streaming` does that with one reader task.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Collection, Iterable
from time import perf_counter
from types import TracebackType
from typing import Any

import grpc
import grpc.aio
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message

from workbench.core.calls.channels import ChannelManager, Compression, Target, grpc_compression
from workbench.core.calls.diagnose import connect_timeout, diagnose_status
from workbench.core.calls.events import (
    CallEvent,
    CallResult,
    Finished,
    HalfClosed,
    HeadersReceived,
    MessageReceived,
    MessageSent,
    Started,
    TrailersReceived,
)
from workbench.core.calls.metadata import MetadataValue, from_grpc, normalize_metadata
from workbench.core.calls.method import (
    RequestSource,
    StreamSource,
    method_info,
    multicallable,
)
from workbench.core.calls.status import details_from_trailers
from workbench.core.calls.streaming import StreamDriver
from workbench.core.cancellation import cancel_requested
from workbench.core.errors import ConnectionFailed, UsageError, WorkbenchError
from workbench.core.schema.schema import MethodKind

__all__ = ["SETTLE_TIMEOUT", "Call", "RequestSource", "invoke"]

#: Seconds to wait for grpc to record the status of a cancelled call.
SETTLE_TIMEOUT = 1.0


class Call:
    """One RPC: create it, then iterate its events (``async for event in call``).

    Use it as an async context manager so that the RPC and its tasks end even when the
    consumer stops early::

        async with Call(channels, target, method, request) as call:
            async for event in call:
                ...

    Only usage errors raise (bad metadata, a wrong message type, a missing certificate
    file); every outcome of the RPC itself, transport failures included, is a
    :class:`Finished` event.
    """

    def __init__(
        self,
        channels: ChannelManager | grpc.aio.Channel,
        target: Target,
        method: MethodDescriptor,
        requests: RequestSource = None,
        *,
        metadata: Iterable[tuple[str, MetadataValue]] = (),
        timeout: float | None = None,
        compression: Compression | None = None,
    ) -> None:
        """Prepare a call; nothing is sent until the events are iterated (or :meth:`start`).

        Args:
            channels: the channel manager (its channel for ``target`` is used) or a channel.
            target: the server; it names the server in errors and shapes their hints.
            method: the method to call.
            requests: the request messages (see :data:`RequestSource`). Unary and
                server-streaming methods take exactly one message.
            metadata: request headers; ``-bin`` keys take bytes.
            timeout: deadline in seconds from the start, ``None`` for none.
            compression: per-call compression overriding the target's.

        Raises:
            UsageError: invalid metadata, timeout, or requests for this method.
        """
        info = self._info = method_info(method)
        self.method = method
        self.target = target
        self.kind = info.kind
        self.path = info.path
        self._channels = channels
        self._output_cls = info.output_cls
        self._metadata = normalize_metadata(metadata) if metadata else ()
        if timeout is not None and timeout <= 0:
            raise UsageError(f"the timeout must be positive, got {timeout}")
        self._timeout = timeout
        self._compression = None if compression is None else grpc_compression(compression)
        self._single: Message | None = None
        self._request = b""
        self._source: StreamSource = None
        if method.client_streaming:
            self._source = info.stream_source(requests)
        else:
            self._single = info.single_request(requests)
        self._grpc_call: Any = None
        self._channel: grpc.aio.Channel | None = None
        self._started: Started | None = None
        self._finished: Finished | None = None
        self._start_error: WorkbenchError | None = None
        self._starting: asyncio.Future[None] | None = None
        self._cancel_requested = False
        self._events: AsyncIterator[CallEvent] | None = None
        self._stream = StreamDriver(self, self._source) if method.client_streaming else None

    # -- public API -----------------------------------------------------------------------

    @property
    def interactive(self) -> bool:
        """Whether requests are fed with :meth:`send` and :meth:`half_close`."""
        return bool(self.method.client_streaming) and self._source is None

    @property
    def finished(self) -> Finished | None:
        """The final event, once the call is over."""
        return self._finished

    def events(self) -> AsyncIterator[CallEvent]:
        """The call's events, :class:`Started` to :class:`Finished`; iterate them once.

        Raises:
            UsageError: the events were already asked for.
        """
        if self._events is not None:
            raise UsageError("the events of a call can be iterated only once")
        self._events = self._stream.events() if self._stream else self._direct_events()
        return self._events

    def __aiter__(self) -> AsyncIterator[CallEvent]:
        return self.events()

    async def __aenter__(self) -> Call:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._finished is None:
            self.cancel()
        if self._events is not None:
            # RuntimeError: another task is iterating them right now; having cancelled
            # the call, it will see Finished by itself.
            with contextlib.suppress(RuntimeError):
                await self._events.aclose()  # type: ignore[attr-defined]
        if self._stream is not None:
            await self._stream.stop()
        await self._settle()

    async def start(self) -> None:
        """Open the channel and start the RPC; idempotent, iterating the events does it.

        Raises:
            FileAccessError, UsageError: the channel cannot be set up with the user's
                settings. A failure to reach the server becomes a Finished event instead.
        """
        if self._started is not None:
            return
        if self._start_error is not None:
            raise self._start_error
        if self._starting is not None:  # another task is starting it (send() and events())
            await asyncio.shield(self._starting)
            return await self.start()
        if self._stream is not None:
            self._starting = asyncio.get_running_loop().create_future()
        try:
            if isinstance(self._channels, ChannelManager):
                channel = await self._channels.channel(self.target)
            else:
                channel = self._channels
        except ConnectionFailed as exc:
            # E.g. fetching the certificate for --insecure failed, or a client key does not
            # match its certificate: a result, like any transport failure, so that every
            # consumer reports it the same way.
            self._begin(None)
            self._finish_early(grpc.StatusCode.UNAVAILABLE, str(exc), exc)
        except WorkbenchError as exc:
            self._start_error = exc
            raise
        else:
            self._begin(None if self._cancel_requested else channel)
            if self._cancel_requested:
                self._finish_early(grpc.StatusCode.CANCELLED, "cancelled before it started")
        finally:
            if self._starting is not None:
                self._starting.set_result(None)
                self._starting = None

    async def send(self, message: Message) -> None:
        """Send one request on an interactive client or bidi stream.

        Raises:
            UsageError: the call is not interactive, or the message has the wrong type.
            CallClosed: the call has already half-closed or finished.
        """
        if not self.interactive:
            raise UsageError(f"{self.method.full_name} does not take messages through send()")
        await self.start()
        assert self._stream is not None
        await self._stream.send(message)

    async def half_close(self) -> None:
        """Tell the server no more requests will come (idempotent).

        Raises:
            UsageError: the call is not interactive.
        """
        if not self.interactive:
            raise UsageError(f"{self.method.full_name} does not take half_close()")
        await self.start()
        assert self._stream is not None
        await self._stream.half_close()

    def cancel(self) -> None:
        """Cancel the call: its events end with ``Finished(CANCELLED)``.

        Safe at any time and any number of times; a no-op once the call has finished.
        """
        if self._finished is not None or self._cancel_requested:
            return
        self._cancel_requested = True
        if self._grpc_call is not None:
            self._grpc_call.cancel()

    # -- preparing and starting -----------------------------------------------------------

    def _check_request(self, message: object, index: int) -> None:
        self._info.check_request(message, index)

    def _begin(self, channel: grpc.aio.Channel | None) -> None:
        self._started = Started(
            perf_counter(),
            self.method.full_name,
            self.path,
            self.kind,
            self.target.address,
            self._metadata,
            self._timeout,
        )
        if self._stream is not None:
            self._stream.pipe.put(self._started)
        if channel is None:
            return
        self._channel = channel
        fn = multicallable(channel, self._info)
        kwargs: dict[str, Any] = {"timeout": self._timeout, "metadata": self._metadata}
        if self._compression is not None:
            kwargs["compression"] = self._compression
        if self._single is not None:
            self._request = self._single.SerializeToString()
            self._grpc_call = fn(self._request, **kwargs)
        else:
            self._grpc_call = fn(**kwargs)
            assert self._stream is not None
            self._stream.attach(self._grpc_call)

    def _finish_early(
        self, code: grpc.StatusCode, message: str, error: WorkbenchError | None = None
    ) -> None:
        assert self._started is not None
        t = perf_counter()
        self._finished = Finished(t, code, message, (), t - self._started.t, error)
        if self._stream is not None:
            self._stream.pipe.put(self._finished)

    async def _settle(self) -> None:
        """Cancel the RPC if still running and wait for grpc to record its status.

        grpc.aio finishes a call in a task of its own; waiting for the status lets that
        task end, so a cancelled call leaves nothing running behind it.
        """
        call = self._grpc_call
        if call is None or call.done():
            return
        call.cancel()
        try:
            await asyncio.wait_for(call.code(), SETTLE_TIMEOUT)
        except TimeoutError:
            pass  # grpc is stuck: nothing more to wait for
        except asyncio.CancelledError:
            if cancel_requested():
                raise  # our own task is being cancelled

    def _connect_timeout(self) -> WorkbenchError | None:
        """A deadline that passed before the channel connected is a connection failure."""
        channel = self._channel
        if channel is None:
            return None
        state = channel.get_state(try_to_connect=False)
        if state in (grpc.ChannelConnectivity.READY, grpc.ChannelConnectivity.IDLE):
            return None
        return connect_timeout(self.target, self._timeout)

    def _is_local_cancel(self) -> bool:
        """Whether a CancelledError comes from cancelling the RPC, not our own task.

        See :mod:`workbench.core.cancellation`.
        """
        return self._cancel_requested and not cancel_requested()

    # -- producing events -----------------------------------------------------------------

    async def _direct_events(self) -> AsyncIterator[CallEvent]:
        """Events of a unary or server-streaming call, produced in the consumer's task."""
        await self.start()
        assert self._started is not None
        yield self._started
        call = self._grpc_call
        if call is None:
            assert self._finished is not None
            yield self._finished
            return
        cls = self._output_cls
        error: grpc.aio.AioRpcError | None = None
        headers_pending = True
        try:
            # The request went out with the headers and the half-close, in one batch.
            t = perf_counter()
            yield MessageSent(t, 0, len(self._request), self._single)  # type: ignore[arg-type]
            yield HalfClosed(t)
            try:
                if self.kind is MethodKind.UNARY:
                    # grpc receives the headers, message and status of a unary call in one
                    # batch: the headers are only known together with the response.
                    data = await call
                    if not self._cancel_requested:
                        headers_pending = False
                        headers = from_grpc(await call.initial_metadata())
                        yield HeadersReceived(perf_counter(), headers)
                        yield MessageReceived(perf_counter(), 0, data, cls)
                else:
                    headers = await call.initial_metadata()
                    # Still running, or headers present: the server sent headers of its own
                    # rather than a trailers-only response (which has no headers to show).
                    if headers or not call.done():
                        headers_pending = False
                        yield HeadersReceived(perf_counter(), from_grpc(headers))
                    received = 0
                    async for data in call:
                        if self._cancel_requested:
                            break
                        if headers_pending:
                            headers_pending = False
                            yield HeadersReceived(perf_counter(), ())
                        yield MessageReceived(perf_counter(), received, data, cls)
                        received += 1
            except grpc.aio.AioRpcError as exc:
                error = exc
            except asyncio.CancelledError:
                if not self._is_local_cancel():
                    raise
            for ev in await self._conclude(error, headers_pending):
                yield ev
        finally:
            if self._finished is None:
                await self._settle()

    def _unmask_deadline(
        self,
        code: grpc.StatusCode,
        message: str,
        elapsed: float,
        trailers: tuple[tuple[str, MetadataValue], ...],
    ) -> tuple[grpc.StatusCode, str]:
        """DEADLINE_EXCEEDED where grpc.aio reported its own write race as INTERNAL.

        A write that races the end of a stream (grpc/grpc#36066) fails locally with
        INTERNAL and hides the real status; once the deadline has passed (and no server
        trailers arrived to say otherwise), that real status is DEADLINE_EXCEEDED.
        """
        if (
            code is grpc.StatusCode.INTERNAL
            and self._timeout is not None
            and elapsed >= self._timeout
            and not trailers
        ):
            return grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded"
        return code, message

    async def _conclude(
        self,
        error: grpc.aio.AioRpcError | None,
        headers_pending: bool,
        *,
        sent_sizes: Collection[int] = (),
        source_error: WorkbenchError | None = None,
    ) -> list[CallEvent]:
        """The closing events (headers if still due, trailers) and Finished."""
        assert self._started is not None
        out: list[CallEvent] = []
        failure: WorkbenchError | None = source_error
        trailers: tuple[tuple[str, MetadataValue], ...] = ()
        if self._cancel_requested:
            await self._settle()
            code = grpc.StatusCode.CANCELLED
            message = f"cancelled: {failure}" if failure else "cancelled by the client"
        elif error is not None:
            code, message = error.code(), error.details() or ""
            if self._single is not None:
                sent_sizes = [self._single.ByteSize()]
            failure = diagnose_status(code, message, self.target, sent_sizes=sent_sizes)
            if failure is None and code is grpc.StatusCode.DEADLINE_EXCEEDED and headers_pending:
                failure = self._connect_timeout()
            # A transport failure never reached the server: no headers, no trailers.
            if not isinstance(failure, ConnectionFailed):
                headers = from_grpc(error.initial_metadata())
                if headers_pending and headers:
                    out.append(HeadersReceived(perf_counter(), headers))
                trailers = from_grpc(error.trailing_metadata())
                out.append(TrailersReceived(perf_counter(), trailers))
        else:
            call = self._grpc_call
            code, message = await call.code(), await call.details() or ""
            trailers = from_grpc(await call.trailing_metadata())
            out.append(TrailersReceived(perf_counter(), trailers))
        details = details_from_trailers(trailers, self._info.pool) if trailers else ()
        t = perf_counter()
        code, message = self._unmask_deadline(code, message, t - self._started.t, trailers)
        self._finished = Finished(t, code, message, details, t - self._started.t, failure)
        out.append(self._finished)
        return out


async def invoke(
    channels: ChannelManager | grpc.aio.Channel,
    target: Target,
    method: MethodDescriptor,
    requests: RequestSource,
    *,
    metadata: Iterable[tuple[str, MetadataValue]] = (),
    timeout: float | None = None,  # noqa: ASYNC109 - the gRPC deadline, sent to the server
    compression: Compression | None = None,
) -> CallResult:
    """Run a call to its end and collect its events (unary use, tests, scripts).

    Arguments as for :class:`Call`, except that ``requests`` is required.

    Raises:
        UsageError: as for :class:`Call`, or ``requests`` is ``None``.
    """
    if requests is None:
        raise UsageError(f"no request messages given for {method.full_name}")
    collected: list[CallEvent] = []
    async with Call(
        channels,
        target,
        method,
        requests,
        metadata=metadata,
        timeout=timeout,
        compression=compression,
    ) as call:
        async for event in call:
            collected.append(event)
    return CallResult.from_events(collected)

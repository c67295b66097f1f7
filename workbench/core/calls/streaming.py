"""Client- and bidi-streaming calls: a reader task, a writer, and an event pipe between.

Such a call must read and write at the same time: a server may answer only after reading
more, or stop reading until we read (HTTP/2 flow control then stalls our writes). So one
reader task per call pushes response events into an :class:`EventPipe`; requests come from
a writer task (a request iterable) or from :meth:`Call.send` in the caller's own task, and
push ``MessageSent`` into the same pipe. The consumer drains the pipe. No task or future is
created per message.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from time import perf_counter
from typing import TYPE_CHECKING, Any

import grpc
import grpc.aio
from google.protobuf.message import Message

from workbench.core.calls.events import (
    CallEvent,
    Finished,
    HalfClosed,
    HeadersReceived,
    MessageReceived,
    MessageSent,
)
from workbench.core.calls.metadata import from_grpc
from workbench.core.errors import CallClosed, WorkbenchError
from workbench.core.schema.schema import MethodKind

if TYPE_CHECKING:
    from workbench.core.calls.engine import Call

logger = logging.getLogger(__name__)

#: Pending events above which the reader of a bidi stream waits for the consumer.
PIPE_HIGH_WATER = 512
#: Seconds the tasks of a cancelled call get to end by themselves before being cancelled.
STOP_GRACE = 2.0


class EventPipe:
    """A single-consumer event buffer, lighter than an ``asyncio.Queue``.

    Producers append without awaiting; the consumer awaits only when it is empty. A reader
    producing faster than the consumer takes pauses at :data:`PIPE_HIGH_WATER` events.
    """

    __slots__ = ("_closed", "_drain_waiter", "_waiter", "items")

    def __init__(self) -> None:
        self.items: deque[CallEvent] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._drain_waiter: asyncio.Future[None] | None = None
        self._closed = False

    def put(self, event: CallEvent) -> None:
        """Append an event and wake the consumer."""
        self.items.append(event)
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    async def wait(self) -> None:
        """Wait until there is an event (consumer side)."""
        while not self.items:
            self._wake_producer()
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter

    @property
    def full(self) -> bool:
        """Whether a producer should wait for the consumer to catch up."""
        return len(self.items) >= PIPE_HIGH_WATER and not self._closed

    async def drained(self) -> None:
        """Wait until the consumer has taken everything (producer side)."""
        if self.full:
            self._drain_waiter = asyncio.get_running_loop().create_future()
            await self._drain_waiter

    def close(self) -> None:
        """Stop throttling producers: nobody will consume any more."""
        self._closed = True
        self._wake_producer()

    def _wake_producer(self) -> None:
        waiter = self._drain_waiter
        if waiter is not None:
            self._drain_waiter = None
            if not waiter.done():
                waiter.set_result(None)


class StreamDriver:
    """Drives the sending side and the reader of one client/bidi streaming :class:`Call`.

    The call owns the status; the driver reports through the call's private helpers
    (``_conclude``, ``_is_local_cancel``, ``_check_request``): they are one unit, split in
    two modules for size.
    """

    def __init__(
        self, call: Call, source: Iterable[Message] | AsyncIterable[Message] | None
    ) -> None:
        self._call = call
        self._source = source
        self._grpc_call: Any = None
        self.pipe = EventPipe()
        self._send_lock = asyncio.Lock()
        self._sent_sizes: list[int] = []
        self._half_closed = False
        self._source_error: BaseException | None = None
        self._reader: asyncio.Task[None] | None = None
        self._writer: asyncio.Task[None] | None = None

    def attach(self, grpc_call: Any) -> None:
        """Start reading (and writing, for a request iterable) on the started RPC."""
        self._grpc_call = grpc_call
        loop = asyncio.get_running_loop()
        self._reader = loop.create_task(self._read())
        if self._source is not None:
            self._writer = loop.create_task(self._write_source(self._source))

    async def events(self) -> AsyncIterator[CallEvent]:
        """The call's events, Started to Finished (starts the call)."""
        await self._call.start()
        pipe = self.pipe
        items = pipe.items
        try:
            while True:
                if not items:
                    await pipe.wait()
                ev = items.popleft()
                if type(ev) is Finished:
                    await self.stop()
                    bug = self._source_error
                    if bug is not None and not isinstance(bug, WorkbenchError):
                        raise bug
                    yield ev
                    return
                yield ev
        finally:
            if self._call.finished is None:
                self._call.cancel()
            await self.stop()

    async def send(self, message: Message) -> None:
        """Write one message from the caller's task (interactive calls)."""
        async with self._send_lock:
            if self._half_closed or self._call.finished is not None or self._grpc_call is None:
                raise CallClosed("cannot send: the call has already half-closed or finished")
            try:
                await self._write(message)
            except asyncio.CancelledError:
                if not self._call._is_local_cancel():
                    raise
                raise CallClosed("cannot send: the call was cancelled") from None

    async def half_close(self) -> None:
        """Half-close from the caller's task (idempotent)."""
        async with self._send_lock:
            await self._close_sending()

    async def stop(self) -> None:
        """End the reader and writer: cancel the RPC, give them a moment, then cancel them."""
        current = asyncio.current_task()
        tasks = [t for t in (self._reader, self._writer) if t is not None and not t.done()]
        tasks = [t for t in tasks if t is not current]
        if not tasks:
            return
        self._call.cancel()  # a no-op when it has finished
        self.pipe.close()
        # The reader notices the cancelled RPC at once and records the Finished event.
        _, pending = await asyncio.wait(tasks, timeout=STOP_GRACE)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    async def _read(self) -> None:
        call, pipe = self._grpc_call, self.pipe
        cls = self._call._output_cls
        error: grpc.aio.AioRpcError | None = None
        headers_pending = True
        try:
            headers = await call.initial_metadata()
            # Still running, or headers present: the server sent headers of its own rather
            # than a trailers-only response (which has no headers to show).
            if headers or not call.done():
                headers_pending = False
                pipe.put(HeadersReceived(perf_counter(), from_grpc(headers)))
            if self._call.kind is MethodKind.CLIENT_STREAMING:
                data = await call
                if headers_pending:
                    headers_pending = False
                    pipe.put(HeadersReceived(perf_counter(), ()))
                pipe.put(MessageReceived(perf_counter(), 0, data, cls))
            else:
                received = 0
                async for data in call:
                    if headers_pending:
                        headers_pending = False
                        pipe.put(HeadersReceived(perf_counter(), ()))
                    pipe.put(MessageReceived(perf_counter(), received, data, cls))
                    received += 1
                    if pipe.full:
                        await pipe.drained()
        except grpc.aio.AioRpcError as exc:
            error = exc
        except asyncio.CancelledError:
            if not self._call._is_local_cancel():
                raise
        # The server has answered: whatever is still being written is moot.
        writer = self._writer
        if writer is not None and not writer.done():
            writer.cancel()
            await asyncio.gather(writer, return_exceptions=True)
        source_error = self._source_error
        for ev in await self._call._conclude(
            error,
            headers_pending,
            sent_sizes=self._sent_sizes,
            source_error=source_error if isinstance(source_error, WorkbenchError) else None,
        ):
            pipe.put(ev)

    async def _write_source(self, source: Iterable[Message] | AsyncIterable[Message]) -> None:
        try:
            if isinstance(source, AsyncIterable):
                async for message in source:
                    await self._write(message)
            else:
                for message in source:
                    await self._write(message)
            await self._close_sending()
        except CallClosed:
            pass  # the server ended the call; the reader reports how
        except Exception as exc:  # a failing source ends the call
            # A WorkbenchError (e.g. a bad message in a request file) is reported in
            # Finished.error; anything else is a bug, re-raised from the events.
            self._source_error = exc
            logger.debug("the request source of %s failed: %r", self._call.method.full_name, exc)
            self._call.cancel()

    async def _write(self, message: Message) -> None:
        index = len(self._sent_sizes)
        self._call._check_request(message, index)
        call = self._grpc_call
        if call.done():
            raise CallClosed("cannot send: the call has already finished")
        data = message.SerializeToString()
        self._sent_sizes.append(len(data))
        # Recorded before the write: once it completes the server may already have answered,
        # and the reader must not get the reply into the pipe ahead of its request.
        self.pipe.put(MessageSent(perf_counter(), index, len(data), message))
        try:
            await call.write(data)
        except (asyncio.InvalidStateError, grpc.aio.AioRpcError):
            raise CallClosed("cannot send: the call has already finished") from None

    async def _close_sending(self) -> None:
        if self._half_closed or self._grpc_call is None:
            return
        self._half_closed = True
        if self._grpc_call.done():
            return
        self.pipe.put(HalfClosed(perf_counter()))  # before the await, as for MessageSent
        try:
            await self._grpc_call.done_writing()
        except (asyncio.InvalidStateError, grpc.aio.AioRpcError):
            return

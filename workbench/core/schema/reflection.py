"""Schema from server reflection, spoken over ``grpc.aio`` (never the sync descriptor database).

``grpc.reflection.v1`` and ``grpc.reflection.v1alpha`` share message layouts and field numbers,
so v1alpha's message classes serialize both; only the method path differs. We try v1 first,
fall back to v1alpha on UNIMPLEMENTED, and remember per target which one worked. The stream
protocol itself (pipelining, collecting files and imports) is in :mod:`.reflection_stream`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import grpc
import grpc.aio
from grpc_reflection.v1alpha import reflection_pb2

from workbench.core.calls.channels import ChannelManager, Target, open_channel
from workbench.core.calls.diagnose import diagnose_rpc_error, diagnose_status
from workbench.core.cancellation import cancel_requested
from workbench.core.errors import (
    ConnectionFailed,
    ReflectionFailed,
    ReflectionNotSupported,
    WorkbenchError,
)
from workbench.core.schema.reflection_stream import (
    FileFetcher,
    ReflectionStream,
    list_services,
    method_path,
)
from workbench.core.schema.schema import Schema

logger = logging.getLogger(__name__)

T = TypeVar("T")

VERSIONS = ("v1", "v1alpha")
_CODEC = {
    "request_serializer": reflection_pb2.ServerReflectionRequest.SerializeToString,
    "response_deserializer": reflection_pb2.ServerReflectionResponse.FromString,
}

#: The reflection version that worked, by target string: used first next time.
_preferred: dict[str, str] = {}


class ReflectionSource:
    """A :class:`~workbench.core.schema.sources.DescriptorSource` asking a server for its schema.

    Reflection runs with the same TLS settings and metadata as calls (servers often require
    credentials for it). With a :class:`ChannelManager` the manager's cached channel is used;
    otherwise a channel is opened for each operation and closed afterwards.

    Args:
        target: the server to ask.
        metadata: headers sent with the reflection stream, e.g. ``authorization``.
        channels: channel cache to use; ``None`` to open and close a private channel.
        timeout: deadline in seconds of each reflection call (``None``: no deadline).
            Connecting is always bounded by ``target.connect_timeout``.
    """

    def __init__(
        self,
        target: Target,
        *,
        metadata: Sequence[tuple[str, str | bytes]] = (),
        channels: ChannelManager | None = None,
        timeout: float | None = None,
    ) -> None:
        self.target = target
        self._metadata = tuple(metadata)
        self._channels = channels
        self._timeout = timeout

    def describe(self) -> str:
        """``reflection at ADDRESS``."""
        return f"reflection at {self.target.address}"

    async def list_services(self) -> list[str]:
        """Full names of the services the server lists (reflection services included), sorted."""
        services, _ = await self._run(list_services)
        return services

    async def load(self) -> Schema:
        """Every listed service's file plus its transitive imports, as one schema.

        Reflection services whose descriptors the server cannot provide are left out of the
        schema (they stay in :meth:`list_services`); any other service must resolve.
        """

        async def body(stream: ReflectionStream) -> tuple[FileFetcher, list[str]]:
            services = await list_services(stream)
            files = FileFetcher(stream, self.target.address)
            roots = await files.fetch_services(services)
            await files.complete()
            return files, roots

        (files, roots), version = await self._run(body)
        return files.schema(roots, origin=f"{self.describe()} ({version})")

    async def load_symbol(self, name: str) -> Schema:
        """The file declaring ``name`` (any fully-qualified symbol) plus its imports.

        Raises:
            SymbolNotFound: when the server knows no such symbol.
        """
        wanted = name.strip().lstrip(".")

        async def body(stream: ReflectionStream) -> tuple[FileFetcher, str, bool]:
            files = FileFetcher(stream, self.target.address)
            root, exact = await files.fetch_symbol(wanted.replace("/", "."))
            await files.complete()
            return files, root, exact

        (files, root, exact), version = await self._run(body)
        schema = files.schema([root], origin=f"{self.describe()} ({version})")
        if not exact:
            schema.find_symbol(wanted)  # only a parent resolved: is the symbol itself there?
        return schema

    # -- one reflection session -----------------------------------------------------------

    async def _run(self, body: Callable[[ReflectionStream], Awaitable[T]]) -> tuple[T, str]:
        """Run ``body`` on a reflection stream, negotiating the version; returns its result."""
        if self._channels is not None:
            channel, owned = await self._channels.channel(self.target), False
        else:
            channel, owned = await open_channel(self.target), True
        try:
            return await self._within_connect_timeout(channel, self._negotiate(channel, body))
        finally:
            if owned:
                await channel.close()

    async def _negotiate(
        self, channel: grpc.aio.Channel, body: Callable[[ReflectionStream], Awaitable[T]]
    ) -> tuple[T, str]:
        key = self.target.grpc_target
        version = _preferred.get(key)
        if version is not None:
            try:
                return await self._session(channel, version, body), version
            except _Refused:
                # The remembered version may be stale, or grpc#36066 hid the real status.
                _preferred.pop(key, None)
        version = await self._probe(channel)
        _preferred[key] = version
        try:
            return await self._session(channel, version, body), version
        except _Refused as refused:
            raise self._translate(refused.error, channel, answered=False) from refused.error

    async def _probe(self, channel: grpc.aio.Channel) -> str:
        """The reflection version the server speaks, trying v1 first.

        The probe is a one-request call (``unary_stream`` on the bidi method; the wire does
        not care): on a bidi call, a ``write()`` racing the server's immediate UNIMPLEMENTED
        can replace that status with a local "INTERNAL: Internal error from Core"
        (grpc/grpc#36066). A unary request goes out in one batch and keeps the real status.
        """
        request = reflection_pb2.ServerReflectionRequest(list_services="*")
        for version in VERSIONS:
            call = channel.unary_stream(method_path(version), **_CODEC)(
                request, metadata=self._metadata or None, timeout=self._timeout
            )
            try:
                async for _ in call:
                    pass
            except asyncio.CancelledError:
                await _note_stray_cancel(call, self.target)
                raise
            except grpc.aio.AioRpcError as exc:
                if exc.code() == grpc.StatusCode.UNIMPLEMENTED:
                    logger.debug("%s: reflection %s not served", self.target.address, version)
                    continue
                raise self._translate(exc, channel, answered=False) from exc
            logger.debug("%s: reflection %s works", self.target.address, version)
            return version
        raise ReflectionNotSupported(
            f"server at {self.target.address} does not support the reflection API",
            hint="use --proto or --protoset files instead",
        )

    async def _session(
        self,
        channel: grpc.aio.Channel,
        version: str,
        body: Callable[[ReflectionStream], Awaitable[T]],
    ) -> T:
        """Run ``body`` on one bidi reflection stream of ``version``.

        Raises:
            _Refused: the stream ended before any answer with UNIMPLEMENTED or INTERNAL.
        """
        call = channel.stream_stream(method_path(version), **_CODEC)(
            metadata=self._metadata or None, timeout=self._timeout
        )
        stream = ReflectionStream(call)
        try:
            result = await body(stream)
            await stream.finish()
        except asyncio.CancelledError:
            await _note_stray_cancel(call, self.target)
            raise
        except grpc.aio.AioRpcError as exc:
            refused = (grpc.StatusCode.UNIMPLEMENTED, grpc.StatusCode.INTERNAL)
            if stream.received == 0 and exc.code() in refused:
                raise _Refused(exc) from exc
            raise self._translate(exc, channel, answered=stream.received > 0) from exc
        finally:
            stream.cancel()
        return result

    async def _within_connect_timeout(self, channel: grpc.aio.Channel, work: Awaitable[T]) -> T:
        """Await ``work``, failing when the channel has not connected within the timeout.

        A fail-fast RPC fails at once when a connection attempt fails (refused, TLS), but waits
        while the channel is still CONNECTING, e.g. to an address that drops packets, for as
        long as gRPC's own 20 s connect deadline. So we look at the channel once the connect
        timeout has passed: connected means the work may take its time.

        We look at the state rather than race ``channel_ready()``: cancelling that leaves a
        connectivity watch inside gRPC core that completes later, possibly on a loop that has
        closed by then ("Event loop is closed" from the completion queue poller).
        """
        task = asyncio.ensure_future(work)
        try:
            done, _ = await asyncio.wait({task}, timeout=self.target.connect_timeout)
            if not done and channel.get_state() != grpc.ChannelConnectivity.READY:
                raise diagnose_status(
                    grpc.StatusCode.DEADLINE_EXCEEDED, "timed out waiting to connect", self.target
                ) or ConnectionFailed(f"timed out connecting to {self.target.address}")
            return await task
        finally:
            if not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    def _translate(
        self, exc: grpc.aio.AioRpcError, channel: grpc.aio.Channel, *, answered: bool
    ) -> WorkbenchError:
        """The user-facing error for a reflection stream that ended with ``exc``."""
        diagnosed = diagnose_rpc_error(exc, self.target)
        if diagnosed is not None:
            return diagnosed
        address = self.target.address
        code: grpc.StatusCode = exc.code()
        details = exc.details() or ""
        if code == grpc.StatusCode.UNAVAILABLE:
            return ConnectionFailed(
                f"{address} is unavailable: {details}",
                hint="check the address, and that the server is running",
            )
        if code == grpc.StatusCode.DEADLINE_EXCEEDED:
            connected = channel.get_state() == grpc.ChannelConnectivity.READY
            if not answered and not connected:
                return ConnectionFailed(f"timed out connecting to {address}")
            within = f" within {self._timeout:g} s" if self._timeout is not None else ""
            return ReflectionFailed(
                f"reflection at {address} did not finish{within}",
                status=code.name,
                hint="raise the timeout; the schema may be large or the server slow",
            )
        if code in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED):
            return ReflectionFailed(
                f"server at {address} refused the reflection request: {code.name}: {details}",
                status=code.name,
                hint="reflection usually needs the same credentials as calls; "
                "add them as metadata, e.g. -H 'authorization: Bearer TOKEN'",
            )
        return ReflectionFailed(
            f"reflection at {address} failed: {code.name}: {details}", status=code.name
        )


class _Refused(Exception):
    """A reflection stream ended before its first answer: maybe not served, maybe #36066."""

    def __init__(self, error: grpc.aio.AioRpcError) -> None:
        super().__init__(error)
        self.error = error


async def _note_stray_cancel(call: grpc.aio.Call, target: Target) -> None:
    """Log why ``call`` was cancelled when the task awaiting it was not asked to stop.

    grpc.aio raises ``CancelledError`` for a call cancelled locally by anyone (the channel
    closing, the call object collected, ``cancel()``); its details say which.
    """
    if cancel_requested() or not call.done():
        return
    logger.warning(
        "%s: a reflection call was cancelled under a load nobody cancelled: %s",
        target.address,
        await call.details(),
    )

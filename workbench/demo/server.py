"""Start the demo server: DemoService, InventoryService, health and reflection on one port.

Messages are dynamic classes built from the demo .proto files at startup (no generated
code), so what the server speaks is exactly what the shipped files describe.

Use :func:`start_demo_server` inside a running loop, :class:`DemoServerThread` to host the
server on its own loop in a daemon thread (the GUI's ``--demo`` and the test fixtures), or
:func:`serve_forever` for the ``demo-server`` command.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import grpc
import grpc.aio
from google.protobuf import descriptor_pb2
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from workbench.core.errors import ServerStartError
from workbench.core.schema.schema import Schema
from workbench.demo.demo_service import DemoService
from workbench.demo.inventory_service import InventoryService
from workbench.demo.protos import demo_file_descriptor_set, demo_proto_files

logger = logging.getLogger(__name__)

HEALTH_SERVICE = "grpc.health.v1.Health"
HEALTH_PROTO = "grpc/health/v1/health.proto"
_START_TIMEOUT = 30.0


@dataclass(frozen=True)
class ServerTls:
    """TLS settings of the demo server (PEM bytes).

    Attributes:
        cert_chain: the server certificate chain.
        private_key: the server's private key.
        client_ca: CA certificates that sign acceptable client certificates.
        require_client_auth: reject clients without a certificate (mutual TLS).
    """

    cert_chain: bytes
    private_key: bytes
    client_ca: bytes | None = None
    require_client_auth: bool = False

    def credentials(self) -> grpc.ServerCredentials:
        """The grpc server credentials for these settings."""
        return grpc.ssl_server_credentials(
            [(self.private_key, self.cert_chain)],
            root_certificates=self.client_ca,
            require_client_auth=self.require_client_auth,
        )


class DemoServer:
    """A running demo server.

    Attributes:
        server: the underlying ``grpc.aio`` server.
        host: the host it listens on.
        port: the bound port (the real one when 0 was asked for).
        schema: the demo services' schema, as a client loading the .proto files sees it.
        service_names: full names of every service served, health and reflection included.
        tls: the TLS settings, or ``None`` for plaintext.
    """

    def __init__(
        self,
        server: grpc.aio.Server,
        *,
        host: str,
        port: int,
        schema: Schema,
        health_servicer: health.aio.HealthServicer,
        service_names: Sequence[str],
        tls: ServerTls | None,
    ) -> None:
        self.server = server
        self.host = host
        self.port = port
        self.schema = schema
        self.service_names = list(service_names)
        self.tls = tls
        self._health = health_servicer

    @property
    def address(self) -> str:
        """``host:port`` to connect to, e.g. ``127.0.0.1:50051`` (IPv6 hosts in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    async def stop(self, grace: float | None = None) -> None:
        """Report NOT_SERVING to health watchers, then stop; calls get ``grace`` s to finish."""
        await self._health.enter_graceful_shutdown()
        await self.server.stop(grace)
        logger.info("demo server on %s stopped", self.address)

    async def wait_for_termination(self) -> None:
        """Wait until the server stops; cancelling the wait leaves the server running."""
        # grpc awaits its shutdown future unshielded here, so a cancelled wait would cancel
        # that shared future and make a later stop() raise CancelledError.
        await asyncio.shield(self.server.wait_for_termination())


def _served_pool_schema(fds: descriptor_pb2.FileDescriptorSet) -> Schema:
    """The demo files plus grpc/health/v1/health.proto: everything reflection describes."""
    served = descriptor_pb2.FileDescriptorSet()
    served.CopyFrom(fds)
    health_file = descriptor_pb2.FileDescriptorProto.FromString(health_pb2.DESCRIPTOR.serialized_pb)
    # grpcio's generated module calls it grpc_health/v1/health.proto; every other server
    # (and the grpc-proto repository) uses the canonical path, so reflection does too.
    health_file.name = HEALTH_PROTO
    served.file.append(health_file)
    return Schema.from_file_descriptor_set(served, origin="demo server")


def _add_reflection(
    server: grpc.aio.Server, schema: Schema, names: Sequence[str], versions: Sequence[str]
) -> bool:
    from workbench.demo.reflection_service import add_reflection_services

    add_reflection_services(
        server, schema.pool, names, versions=versions, source_files=schema.file_proto
    )
    return True


async def start_demo_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    reflection: bool = True,
    reflection_versions: Sequence[str] = ("v1", "v1alpha"),
    tls: ServerTls | None = None,
    max_message_size: int | None = None,
) -> DemoServer:
    """Start the demo server in the running event loop.

    Args:
        host: the interface to bind; loopback by default, so nothing is exposed.
        port: the port, or 0 for any free one (read it back from ``DemoServer.port``).
        reflection: also serve server reflection.
        reflection_versions: which reflection protocols to serve (``"v1"``, ``"v1alpha"``).
        tls: serve TLS (optionally requiring client certificates) instead of plaintext.
        max_message_size: the largest message, in bytes, the server sends or receives
            (gRPC's defaults otherwise: 4 MiB received, unlimited sent).

    Returns:
        The running server.

    Raises:
        ServerStartError: the address cannot be bound (e.g. the port is in use).
    """
    fds = demo_file_descriptor_set()
    schema = Schema.from_file_descriptor_set(fds, files=demo_proto_files(), origin="demo protos")
    served = _served_pool_schema(fds)
    # Without this, grpc sets SO_REUSEPORT and a second demo server on a taken port would
    # start "successfully" and share the connections with the first.
    options: list[tuple[str, Any]] = [("grpc.so_reuseport", 0)]
    if max_message_size is not None:
        options += [
            ("grpc.max_receive_message_length", max_message_size),
            ("grpc.max_send_message_length", max_message_size),
        ]
    server = grpc.aio.server(options=options)
    services = [DemoService(served.pool), InventoryService(served.pool)]
    server.add_generic_rpc_handlers([s.generic_handler() for s in services])
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = [s.service_name for s in services] + [HEALTH_SERVICE]
    for name in ("", *names):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    if (
        reflection
        and reflection_versions
        and _add_reflection(server, served, names, reflection_versions)
    ):
        names += [f"grpc.reflection.{v}.ServerReflection" for v in reflection_versions]

    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        bound = (
            server.add_secure_port(bind, tls.credentials())
            if tls is not None
            else server.add_insecure_port(bind)
        )
    except RuntimeError as exc:  # grpc raises RuntimeError("Failed to bind ...")
        bound = 0
        logger.debug("binding %s failed: %s", bind, exc)
    if not bound:
        raise ServerStartError(
            f"the demo server cannot listen on {bind}",
            hint="the port may be in use: choose another one with --port (0 picks a free one)",
        )
    await server.start()
    demo = DemoServer(
        server,
        host=host,
        port=bound,
        schema=schema,
        health_servicer=health_servicer,
        service_names=names,
        tls=tls,
    )
    logger.info("demo server listening on %s (%s)", demo.address, "TLS" if tls else "plaintext")
    return demo


async def serve_forever(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    on_ready: Callable[[DemoServer], None] | None = None,
    grace: float = 1.0,
    **kwargs: Any,
) -> str:
    """Run the demo server until the task is cancelled (Ctrl+C in the CLI).

    Args:
        host: the interface to bind.
        port: the port (0 for any free one).
        on_ready: called with the running server once it listens, e.g. to print its address.
        grace: seconds in-flight calls get to finish when stopping.
        **kwargs: passed to :func:`start_demo_server` (``reflection``, ``tls``, ...).

    Returns:
        The address the server listened on, once it has stopped.

    Raises:
        ServerStartError: the address cannot be bound.
    """
    demo = await start_demo_server(host, port, **kwargs)
    if on_ready is not None:
        on_ready(demo)
    try:
        await demo.wait_for_termination()
    finally:
        # Shielded so a cancelled serve_forever still shuts the server down cleanly.
        await asyncio.shield(demo.stop(grace))
    return demo.address


class DemoServerThread:
    """The demo server on its own event loop in a daemon thread.

    It works next to any other loop (Qt's, pytest-asyncio's), because the server never
    shares a loop with its clients. Use it as a context manager or call :meth:`start` and
    :meth:`stop`.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **kwargs: Any) -> None:
        """Prepare the server; ``kwargs`` are those of :func:`start_demo_server`."""
        self._host = host
        self._port = port
        self._kwargs = kwargs
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._demo: DemoServer | None = None

    @property
    def server(self) -> DemoServer:
        """The running server (only after :meth:`start`)."""
        if self._demo is None:
            raise RuntimeError("the demo server thread has not been started")
        return self._demo

    @property
    def port(self) -> int:
        """The bound port."""
        return self.server.port

    @property
    def address(self) -> str:
        """``host:port`` to connect to."""
        return self.server.address

    @property
    def schema(self) -> Schema:
        """The demo services' schema."""
        return self.server.schema

    def start(self, timeout: float = _START_TIMEOUT) -> Self:
        """Start the thread and block until the server listens.

        Raises:
            ServerStartError: the server could not start (the cause is chained).
        """
        if self._thread is not None:
            raise RuntimeError("the demo server thread was already started")
        self._thread = threading.Thread(target=self._run, name="demo-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise ServerStartError(f"the demo server did not start within {timeout:.0f} s")
        if self._error is not None:
            self._thread.join()
            if isinstance(self._error, ServerStartError):
                raise self._error
            raise ServerStartError(f"the demo server failed to start: {self._error}") from (
                self._error
            )
        return self

    def stop(self, grace: float | None = None, timeout: float = _START_TIMEOUT) -> None:
        """Stop the server and its thread; a no-op when not running."""
        loop, thread, demo = self._loop, self._thread, self._demo
        if loop is None or thread is None or demo is None or not thread.is_alive():
            return
        future = asyncio.run_coroutine_threadsafe(demo.stop(grace), loop)
        try:
            future.result(timeout)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout)

    def _run(self) -> None:
        # Not asyncio.new_event_loop(): under qasync.run on Python 3.11 the installed policy
        # would hand this thread a second QEventLoop. The stock policy gives a plain loop.
        loop = asyncio.DefaultEventLoopPolicy().new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            try:
                self._demo = loop.run_until_complete(
                    start_demo_server(self._host, self._port, **self._kwargs)
                )
            except BaseException as exc:  # handed to the starting thread
                self._error = exc
                return
            finally:
                self._ready.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            asyncio.set_event_loop(None)
            loop.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

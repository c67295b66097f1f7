"""ReflectionSource against real grpc.aio servers on loopback (no mocks).

The servers are built here, from a small .proto tree compiled at test time, so these tests do
not depend on the demo server; one last test compares against the demo server when it exists.
"""

from __future__ import annotations

import socket
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import grpc
import grpc.aio
import pytest
from google.protobuf import descriptor_pool, message_factory
from grpc_reflection.v1alpha import reflection

from tests.fixtures.servers import TlsFiles
from workbench.core.calls.channels import ChannelManager, Target, TlsConfig
from workbench.core.errors import (
    ConnectionFailed,
    ReflectionFailed,
    ReflectionNotSupported,
    SchemaError,
    SymbolNotFound,
    TlsError,
)
from workbench.core.schema import reflection as reflection_client
from workbench.core.schema.files import compile_proto_files
from workbench.core.schema.reflection import ReflectionSource, method_path
from workbench.core.schema.schema import MethodKind, Schema
from workbench.demo.reflection_service import add_reflection_services
from workbench.demo.server import DemoServerThread

PROTOS = {
    "shop/v1/common.proto": """
        syntax = "proto3";
        package shop.v1;
        import "google/protobuf/timestamp.proto";
        message Money { int64 units = 1; string currency = 2; }
        message Stamp { google.protobuf.Timestamp at = 1; string by = 2; }
    """,
    "shop/v1/orders.proto": """
        syntax = "proto3";
        package shop.v1;
        import "shop/v1/common.proto";
        message OrderRequest { string id = 1; Stamp placed = 2; }
        message Order { string id = 1; Money total = 2; Stamp placed = 3; }
        service Orders {
          rpc Get(OrderRequest) returns (Order);
          rpc Watch(OrderRequest) returns (stream Order);
        }
        service Admin { rpc Purge(OrderRequest) returns (Order); }
    """,
    "echo.proto": """
        syntax = "proto3";
        package echo;
        message Msg { string text = 1; }
        service Echo { rpc Say(Msg) returns (Msg); }
    """,
}
SERVICES = ["echo.Echo", "shop.v1.Admin", "shop.v1.Orders"]
V1 = "grpc.reflection.v1.ServerReflection"
V1ALPHA = "grpc.reflection.v1alpha.ServerReflection"
TOKEN = "Bearer x"


@pytest.fixture(autouse=True)
def remembered_versions(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A fresh memory of which version each target speaks (ports get reused)."""
    versions: dict[str, str] = {}
    monkeypatch.setattr(reflection_client, "_preferred", versions)
    return versions


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> descriptor_pool.DescriptorPool:
    root = tmp_path_factory.mktemp("protos")
    for name, text in PROTOS.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    fds = compile_proto_files(list(PROTOS), [str(root)])
    return Schema.from_file_descriptor_set(fds).pool


# -- test servers ---------------------------------------------------------------------------


def service_handlers(pool: descriptor_pool.DescriptorPool) -> list[grpc.GenericRpcHandler]:
    """Generic handlers answering every unary method with an empty response."""
    handlers = []
    for name in SERVICES:
        service = pool.FindServiceByName(name)
        methods = {}
        for method in service.methods:
            req = message_factory.GetMessageClass(method.input_type)
            resp = message_factory.GetMessageClass(method.output_type)

            async def unary(request: Any, context: Any, _resp: Any = resp) -> Any:
                return _resp()

            methods[method.name] = grpc.unary_unary_rpc_method_handler(
                unary,
                request_deserializer=req.FromString,
                response_serializer=resp.SerializeToString,
            )
        handlers.append(grpc.method_handlers_generic_handler(name, methods))
    return handlers


class ReflectionSpy(grpc.aio.ServerInterceptor):
    """Records reflection paths and requests; can make the server send one file per answer."""

    def __init__(self, *, one_file_per_answer: bool = False, hide: Sequence[str] = ()) -> None:
        self.paths: list[str] = []
        self.requests: list[Any] = []
        self.one_file = one_file_per_answer
        self.hide = set(hide)

    async def intercept_service(
        self, continuation: Callable[[Any], Awaitable[Any]], details: Any
    ) -> Any:
        if details.method.endswith("/ServerReflectionInfo"):
            self.paths.append(details.method)
        handler = await continuation(details)
        if handler is None or not details.method.endswith("/ServerReflectionInfo"):
            return handler
        inner = handler.stream_stream

        async def wrapped(requests: AsyncIterator[Any], context: Any) -> AsyncIterator[Any]:
            async def record() -> AsyncIterator[Any]:
                async for request in requests:
                    self.requests.append(request)
                    yield request

            async for answer in inner(record(), context):
                if self.one_file and answer.HasField("file_descriptor_response"):
                    # Like servers that leave imports to file_by_filename requests.
                    del answer.file_descriptor_response.file_descriptor_proto[1:]
                if answer.original_request.file_by_filename in self.hide:
                    answer.ClearField("file_descriptor_response")
                    answer.error_response.error_code = grpc.StatusCode.NOT_FOUND.value[0]
                    answer.error_response.error_message = "not found"
                yield answer

        return grpc.stream_stream_rpc_method_handler(
            wrapped,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )

    def count(self, kind: str) -> Counter[str]:
        return Counter(getattr(r, kind) for r in self.requests if r.HasField(kind))


class RequireToken(grpc.aio.ServerInterceptor):
    """Rejects every call without ``authorization: Bearer x``."""

    async def intercept_service(
        self, continuation: Callable[[Any], Awaitable[Any]], details: Any
    ) -> Any:
        handler = await continuation(details)
        metadata = dict(details.invocation_metadata or ())
        if handler is None or metadata.get("authorization") == TOKEN:
            return handler

        async def deny(requests: Any, context: grpc.aio.ServicerContext) -> None:
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or bad token")

        return grpc.stream_stream_rpc_method_handler(deny)


Starter = Callable[..., Awaitable[str]]


@pytest.fixture
async def start(pool: descriptor_pool.DescriptorPool) -> AsyncIterator[Starter]:
    """Start a server on 127.0.0.1:0 and return its address; stopped after the test."""
    servers: list[grpc.aio.Server] = []

    async def starter(
        *,
        versions: Sequence[str] | None = ("v1", "v1alpha"),
        stock_v1alpha: Sequence[str] | None = None,
        interceptors: Sequence[grpc.aio.ServerInterceptor] = (),
        credentials: grpc.ServerCredentials | None = None,
    ) -> str:
        server = grpc.aio.server(interceptors=list(interceptors))
        server.add_generic_rpc_handlers(service_handlers(pool))
        if versions:
            add_reflection_services(server, pool, SERVICES, versions=versions)
        if stock_v1alpha is not None:
            # grpcio-reflection's own helper, listing exactly the names given.
            reflection.enable_server_reflection(stock_v1alpha, server, pool=pool)
        if credentials is None:
            port = server.add_insecure_port("127.0.0.1:0")
        else:
            port = server.add_secure_port("127.0.0.1:0", credentials)
        await server.start()
        servers.append(server)
        return f"127.0.0.1:{port}"

    yield starter
    for server in servers:
        await server.stop(None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def method_names(schema: Schema, services: Sequence[str]) -> dict[str, list[str]]:
    return {s: sorted(m.name for m in schema.service(s).methods) for s in services}


# -- versions -------------------------------------------------------------------------------


async def test_v1_server_loads_every_service(start: Starter) -> None:
    spy = ReflectionSpy()
    address = await start(interceptors=[spy])
    source = ReflectionSource(Target(address))

    assert source.describe() == f"reflection at {address}"
    assert await source.list_services() == sorted([*SERVICES, V1, V1ALPHA])
    schema = await source.load()

    assert schema.origin == f"reflection at {address} (v1)"
    assert set(spy.paths) == {method_path("v1")}
    assert method_names(schema, SERVICES) == {
        "echo.Echo": ["Say"],
        "shop.v1.Admin": ["Purge"],
        "shop.v1.Orders": ["Get", "Watch"],
    }
    assert MethodKind.of(schema.method("shop.v1.Orders/Watch")) is MethodKind.SERVER_STREAMING
    # The reflection services describe themselves, as they do on a Go server.
    info = schema.method(f"{V1}/ServerReflectionInfo")
    assert MethodKind.of(info) is MethodKind.BIDI_STREAMING
    assert "shop/v1/orders.proto" in schema.files
    assert "google/protobuf/timestamp.proto" not in schema.files
    assert schema.message("google.protobuf.Timestamp").fields_by_name["seconds"]


async def test_v1alpha_only_server_falls_back(start: Starter) -> None:
    spy = ReflectionSpy()
    address = await start(versions=("v1alpha",), interceptors=[spy])
    source = ReflectionSource(Target(address))

    schema = await source.load()

    assert schema.origin == f"reflection at {address} (v1alpha)"
    assert spy.paths[:2] == [method_path("v1"), method_path("v1alpha")]
    assert method_names(schema, ["echo.Echo"]) == {"echo.Echo": ["Say"]}
    # The version that worked is remembered for this target: no second v1 probe.
    spy.paths.clear()
    assert V1ALPHA in await source.list_services()
    assert spy.paths == [method_path("v1alpha")]


async def test_stale_remembered_version(
    start: Starter, remembered_versions: dict[str, str]
) -> None:
    spy = ReflectionSpy()
    address = await start(versions=("v1alpha",), interceptors=[spy])
    remembered_versions[address] = "v1"  # e.g. the server was replaced by an older one

    schema = await ReflectionSource(Target(address)).load()

    assert schema.origin.endswith("(v1alpha)")
    assert remembered_versions[address] == "v1alpha"
    # The failed v1 stream, then the probe (v1, v1alpha), then the real v1alpha stream.
    assert spy.paths == [method_path(v) for v in ("v1", "v1", "v1alpha", "v1alpha")]


async def test_server_without_reflection(start: Starter) -> None:
    address = await start(versions=None)
    with pytest.raises(ReflectionNotSupported) as info:
        await ReflectionSource(Target(address)).load()
    assert str(info.value) == f"server at {address} does not support the reflection API"
    assert "--proto" in info.value.hint


# -- what gets fetched ----------------------------------------------------------------------


@pytest.mark.parametrize("one_file_per_answer", [False, True])
async def test_transitive_imports_fetched_once(
    start: Starter, *, one_file_per_answer: bool
) -> None:
    spy = ReflectionSpy(one_file_per_answer=one_file_per_answer)
    address = await start(interceptors=[spy])

    schema = await ReflectionSource(Target(address)).load()

    by_file = spy.count("file_by_filename")
    assert all(n == 1 for n in by_file.values()), by_file
    assert spy.count("file_containing_symbol") == Counter([*SERVICES, V1, V1ALPHA])
    if one_file_per_answer:
        # orders.proto -> common.proto -> timestamp.proto, one level per batch.
        assert set(by_file) == {"shop/v1/common.proto", "google/protobuf/timestamp.proto"}
    else:
        assert not by_file  # every answer carried the imports already
    placed = schema.message("shop.v1.Order").fields_by_name["placed"].message_type
    assert placed.fields_by_name["at"].message_type.full_name == "google.protobuf.Timestamp"


async def test_well_known_import_the_server_lacks_is_bundled(start: Starter) -> None:
    spy = ReflectionSpy(one_file_per_answer=True, hide=["google/protobuf/timestamp.proto"])
    address = await start(interceptors=[spy])

    schema = await ReflectionSource(Target(address)).load()
    assert schema.message("google.protobuf.Timestamp").fields_by_name["nanos"]


async def test_import_the_server_lacks(start: Starter) -> None:
    spy = ReflectionSpy(one_file_per_answer=True, hide=["shop/v1/common.proto"])
    address = await start(interceptors=[spy])

    with pytest.raises(SchemaError) as info:
        await ReflectionSource(Target(address)).load()
    assert str(info.value) == (
        f"shop/v1/orders.proto imports 'shop/v1/common.proto', which the server at {address} "
        "cannot provide (NOT_FOUND: not found)"
    )


async def test_server_not_listing_reflection_service(start: Starter) -> None:
    address = await start(versions=None, stock_v1alpha=SERVICES)
    source = ReflectionSource(Target(address))

    assert await source.list_services() == SERVICES
    schema = await source.load()
    assert sorted(s.full_name for s in schema.services()) == SERVICES
    assert schema.origin.endswith("(v1alpha)")


async def test_listed_reflection_service_without_descriptor(start: Starter) -> None:
    # grpcio-reflection lists itself but its descriptor is not in the pool it serves from.
    address = await start(versions=None, stock_v1alpha=[*SERVICES, V1ALPHA])
    source = ReflectionSource(Target(address))

    assert V1ALPHA in await source.list_services()
    schema = await source.load()
    assert sorted(s.full_name for s in schema.services()) == SERVICES


async def test_load_symbol(start: Starter) -> None:
    address = await start()
    source = ReflectionSource(Target(address))

    schema = await source.load_symbol("shop.v1.Orders/Get")
    assert schema.files == ["shop/v1/orders.proto"]
    assert schema.method("shop.v1.Orders/Get").input_type.full_name == "shop.v1.OrderRequest"

    schema = await source.load_symbol("shop.v1.Stamp")
    assert schema.files == ["shop/v1/common.proto"]
    assert schema.message("google.protobuf.Timestamp")

    with pytest.raises(SymbolNotFound, match=r"'shop\.v1\.Nope' not found"):
        await source.load_symbol("shop.v1.Nope")
    # The Python servicer resolves no methods: the client asks for the service instead.
    schema = await source.load_symbol("shop.v1.Orders.Watch")
    assert schema.find_symbol("shop.v1.Orders.Watch").full_name == "shop.v1.Orders.Watch"
    # The service resolves, the method does not: the error names the method.
    with pytest.raises(SymbolNotFound, match=r"'shop\.v1\.Orders/Gett' not found") as info:
        await source.load_symbol("shop.v1.Orders/Gett")
    assert info.value.suggestions == ["shop.v1.Orders/Get"]


async def test_listed_service_without_descriptor_is_an_error(start: Starter) -> None:
    address = await start(versions=None, stock_v1alpha=[*SERVICES, "ghost.Service"])
    with pytest.raises(SchemaError, match=r"lists service 'ghost\.Service' but cannot provide"):
        await ReflectionSource(Target(address)).load()


# -- transport, auth, TLS -------------------------------------------------------------------


async def test_refused_port_fails_fast() -> None:
    target = Target(f"127.0.0.1:{free_port()}", connect_timeout=10)
    began = time.monotonic()
    with pytest.raises(ConnectionFailed, match="refused"):
        await ReflectionSource(target).load()
    assert time.monotonic() - began < 5


async def test_silent_server_times_out_connecting() -> None:
    # A listening socket that never speaks HTTP/2: the channel stays CONNECTING.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        target = Target(f"127.0.0.1:{sock.getsockname()[1]}", connect_timeout=0.5)
        began = time.monotonic()
        with pytest.raises(ConnectionFailed, match="timed out connecting"):
            await ReflectionSource(target).list_services()
        assert time.monotonic() - began < 3


async def test_metadata_is_sent(start: Starter) -> None:
    address = await start(interceptors=[RequireToken()])

    with pytest.raises(ReflectionFailed) as info:
        await ReflectionSource(Target(address)).load()
    assert info.value.status == "UNAUTHENTICATED"
    assert "refused the reflection request: UNAUTHENTICATED: missing or bad token" in str(
        info.value
    )
    assert "authorization" in info.value.hint

    source = ReflectionSource(Target(address), metadata=[("authorization", TOKEN)])
    schema = await source.load()
    assert "shop.v1.Orders" in [s.full_name for s in schema.services()]


async def test_channel_manager_channel_is_reused(start: Starter) -> None:
    address = await start()
    target = Target(address)
    channels = ChannelManager()
    try:
        source = ReflectionSource(target, channels=channels, timeout=10)
        await source.load()
        channel = await channels.channel(target)
        assert channel.get_state() is grpc.ChannelConnectivity.READY  # not closed by us
        assert await source.list_services()
    finally:
        await channels.close()


async def test_reflection_over_tls(start: Starter, tls_files: TlsFiles) -> None:
    key_and_chain = (tls_files.read("server_key"), tls_files.read("server_cert"))
    address = await start(credentials=grpc.ssl_server_credentials([key_and_chain]))

    target = Target(address, tls=TlsConfig(ca_file=str(tls_files.ca)))
    schema = await ReflectionSource(target).load()
    assert "echo.Echo" in [s.full_name for s in schema.services()]

    with pytest.raises(TlsError, match="not trusted"):
        await ReflectionSource(Target(address, plaintext=False)).load()


# -- the demo server ------------------------------------------------------------------------


def services_and_methods(schema: Schema) -> dict[str, list[tuple[str, MethodKind]]]:
    return {
        svc.full_name: sorted((m.name, MethodKind.of(m)) for m in svc.methods)
        for svc in schema.services()
    }


async def test_demo_server_schema_matches_its_protos(
    demo_address: str, demo_schema: Schema
) -> None:
    source = ReflectionSource(Target(demo_address))
    schema = await source.load()

    assert schema.origin == f"reflection at {demo_address} (v1)"
    loaded = services_and_methods(schema)
    compiled = services_and_methods(demo_schema)
    assert {name: loaded.get(name) for name in compiled} == compiled
    extra = set(loaded) - set(compiled)
    assert extra == {"grpc.health.v1.Health", V1, V1ALPHA}
    assert set(await source.list_services()) == set(loaded)


async def test_demo_server_v1alpha_only(demo_server_v1alpha_only: DemoServerThread) -> None:
    schema = await ReflectionSource(Target(demo_server_v1alpha_only.address)).load()
    assert schema.origin.endswith("(v1alpha)")
    assert V1 not in services_and_methods(schema)


async def test_demo_server_without_reflection(
    demo_server_no_reflection: DemoServerThread,
) -> None:
    with pytest.raises(ReflectionNotSupported):
        await ReflectionSource(Target(demo_server_no_reflection.address)).list_services()

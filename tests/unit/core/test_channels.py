"""Targets and channels for real: unix sockets, multi-address targets, limits, compression."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
import pytest
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass

from workbench.core.calls.channels import (
    ChannelManager,
    Target,
    TlsConfig,
    is_local_address,
    parse_metadata,
)
from workbench.core.calls.diagnose import diagnose_status
from workbench.core.calls.engine import invoke
from workbench.core.calls.events import CallResult
from workbench.core.calls.metadata import format_metadata, metadata_get, normalize_metadata
from workbench.core.errors import ConnectionFailed, MessageTooLarge, UsageError
from workbench.core.schema.schema import Schema

PKG = "workbench.demo.v1"
DEMO = f"{PKG}.DemoService"
MIB = 1024 * 1024


@pytest.fixture
async def channels() -> AsyncIterator[ChannelManager]:
    manager = ChannelManager()
    yield manager
    await manager.close()


def make(schema: Schema, name: str, **fields: Any) -> Message:
    return GetMessageClass(schema.message(f"{PKG}.{name}"))(**fields)


async def echo(channels: ChannelManager, target: Target, schema: Schema, **kw: Any) -> CallResult:
    request = make(schema, "AllTypes", string_value="ping", **kw)
    return await invoke(channels, target, schema.method(f"{DEMO}/Echo"), request)


def dead_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class CountingServer:
    """A bare grpc.aio server answering DemoService/Echo with the request, counting calls."""

    def __init__(self) -> None:
        self.hits = 0
        self.server = grpc.aio.server()

        async def handle(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
            self.hits += 1
            return request

        self.server.add_generic_rpc_handlers(
            [
                grpc.method_handlers_generic_handler(
                    DEMO, {"Echo": grpc.unary_unary_rpc_method_handler(handle)}
                )
            ]
        )

    async def start(self, address: str = "127.0.0.1:0") -> int:
        port = int(self.server.add_insecure_port(address))
        await self.server.start()
        return port


@pytest.fixture
async def counting_servers() -> AsyncIterator[list[tuple[CountingServer, int]]]:
    servers = [CountingServer(), CountingServer()]
    ports = [await s.start() for s in servers]
    yield list(zip(servers, ports, strict=True))
    for s in servers:
        await s.server.stop(None)


# -- targets ------------------------------------------------------------------------------


def test_plaintext_is_the_default_only_for_local_addresses() -> None:
    assert not Target("127.0.0.1:1").uses_tls
    assert not Target("localhost:1").uses_tls
    assert not Target("[::1]:1").uses_tls
    assert not Target("unix:///tmp/x.sock").uses_tls
    assert not Target("ipv4:127.0.0.1:1,127.0.0.1:2").uses_tls
    assert Target("ipv4:127.0.0.1:1,10.0.0.1:2").uses_tls
    assert Target("example.com:443").uses_tls
    assert Target("dns:///example.com:443").uses_tls
    assert Target("127.0.0.1:1", tls=TlsConfig(ca_file="ca.pem")).uses_tls
    assert not Target("example.com:80", plaintext=True).uses_tls
    assert is_local_address("unix-abstract:name")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"address": " "}, "no server address"),
        ({"address": "h:1", "tls": TlsConfig(cert_file="c")}, "given together"),
        ({"address": "h:1", "plaintext": True, "tls": TlsConfig(insecure=True)}, "--plaintext"),
        ({"address": "h:1", "tls": TlsConfig(insecure=True, ca_file="c")}, "contradict"),
        ({"address": "h:1", "connect_timeout": 0}, "connect timeout"),
        ({"address": "h:1", "max_msg_size": 0}, "--max-msg-size"),
    ],
)
def test_contradictory_targets_are_usage_errors(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Target(**kwargs)


def test_channel_options() -> None:
    target = Target(
        "example.com:443",
        authority="api.example.com",
        max_msg_size=16 * MIB,
        keepalive_time=30,
        keepalive_timeout=5,
        lb_policy="round_robin",
        connect_timeout=3,
        options=(("grpc.primary_user_agent", "wb"),),
    )
    opts = dict(target.channel_options())
    assert opts["grpc.default_authority"] == "api.example.com"
    assert opts["grpc.ssl_target_name_override"] == "api.example.com"
    assert opts["grpc.max_receive_message_length"] == 16 * MIB
    assert opts["grpc.max_send_message_length"] == 16 * MIB
    assert opts["grpc.keepalive_time_ms"] == 30_000
    assert opts["grpc.keepalive_timeout_ms"] == 5_000
    assert opts["grpc.http2.max_pings_without_data"] == 0
    assert "grpc.keepalive_permit_without_calls" not in opts
    assert opts["grpc.lb_policy_name"] == "round_robin"
    assert opts["grpc.min_reconnect_backoff_ms"] == 3_000
    assert opts["grpc.primary_user_agent"] == "wb"
    plain = dict(Target("127.0.0.1:1", authority="x").channel_options())
    assert "grpc.ssl_target_name_override" not in plain


# -- channel manager ----------------------------------------------------------------------


async def test_channel_manager_caches_per_target(demo_address: str) -> None:
    manager = ChannelManager()
    a = await manager.channel(Target(demo_address))
    assert await manager.channel(Target(demo_address)) is a
    b = await manager.channel(Target(demo_address, compression="gzip"))
    assert b is not a
    await manager.forget(Target(demo_address))
    assert await manager.channel(Target(demo_address)) is not a
    await manager.close()


# -- transport behaviour ------------------------------------------------------------------


async def test_unreachable_target_fails_fast_with_a_clear_message(
    channels: ChannelManager, demo_schema: Schema
) -> None:
    address = f"127.0.0.1:{dead_port()}"
    result = await echo(channels, Target(address), demo_schema)
    assert result.code is grpc.StatusCode.UNAVAILABLE
    assert isinstance(result.error, ConnectionFailed)
    assert result.error.user_text() == (
        f"connection to {address} refused: nothing is listening there\n"
        "  hint: check the port, and that the server is running"
    )
    assert result.finished.exit_code == ConnectionFailed.exit_code
    # Never reached the server: no headers and no trailers to show.
    assert [type(e).__name__ for e in result.events][-1:] == ["Finished"]
    assert not result.headers and not result.trailers
    with pytest.raises(ConnectionFailed):
        result.raise_for_transport()


@pytest.fixture
def unanswered_address() -> Iterator[str]:
    """A loopback port whose listen backlog is full: connection attempts go unanswered."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    yield f"127.0.0.1:{port}"
    for sock in (*fillers, server):
        sock.close()


async def test_unanswered_connection_gives_up_at_the_connect_timeout(
    channels: ChannelManager, demo_schema: Schema, unanswered_address: str
) -> None:
    result = await echo(channels, Target(unanswered_address, connect_timeout=0.5), demo_schema)
    assert result.code is grpc.StatusCode.UNAVAILABLE
    assert isinstance(result.error, ConnectionFailed)
    assert str(result.error) == (
        f"timed out connecting to {unanswered_address} (no answer within 0.5 s)"
    )
    assert "--connect-timeout" in result.error.hint


async def test_deadline_passing_while_connecting_is_a_connection_failure(
    channels: ChannelManager, demo_schema: Schema, unanswered_address: str
) -> None:
    target = Target(unanswered_address, connect_timeout=60)
    request = make(demo_schema, "AllTypes")
    result = await invoke(
        channels, target, demo_schema.method(f"{DEMO}/Echo"), request, timeout=0.3
    )
    assert result.code is grpc.StatusCode.DEADLINE_EXCEEDED
    assert isinstance(result.error, ConnectionFailed)
    assert "no answer within 0.3 s" in str(result.error)


@pytest.mark.parametrize(
    ("code", "details", "expected"),
    [
        (
            grpc.StatusCode.UNAVAILABLE,
            "failed to connect to all addresses; last error: "
            "UNKNOWN: ipv4:127.0.0.1:9: tcp handshaker shutdown",
            "timed out connecting",
        ),
        (
            grpc.StatusCode.UNAVAILABLE,
            "errors resolving x.invalid:80: [field:hostname lookup "
            "error:address lookup failed: Domain name not found]",
            "cannot resolve",
        ),
        (
            grpc.StatusCode.UNAVAILABLE,
            "last error: UNKNOWN: ipv4:1.2.3.4:1: Tls handshake "
            "failed (TSI_PROTOCOL_FAILURE): SSL_ERROR_SSL: WRONG_VERSION_NUMBER",
            "speak TLS",
        ),
        (grpc.StatusCode.UNAVAILABLE, "something new and unexpected", None),
        (grpc.StatusCode.NOT_FOUND, "connection refused", None),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, "quota exceeded", None),
        (grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded", None),
    ],
)
def test_diagnose_status_texts(code: grpc.StatusCode, details: str, expected: str | None) -> None:
    error = diagnose_status(code, details, Target("h:1", plaintext=True))
    if expected is None:
        assert error is None
    else:
        assert error is not None and expected in str(error)


async def test_unknown_host_is_reported_as_such(
    channels: ChannelManager, demo_schema: Schema
) -> None:
    result = await echo(channels, Target("no-such-host.invalid:50051", plaintext=True), demo_schema)
    assert result.code is grpc.StatusCode.UNAVAILABLE
    assert isinstance(result.error, ConnectionFailed)
    assert "resolve" in str(result.error)


async def test_unix_socket_target(
    channels: ChannelManager, demo_schema: Schema, tmp_path: Path
) -> None:
    path = tmp_path / "wb.sock"
    server = CountingServer()
    await server.start(f"unix://{path}")
    try:
        for address in (f"unix://{path}", f"unix:{path}"):
            result = await echo(channels, Target(address), demo_schema)
            assert result.ok, result.message
        assert server.hits == 2
    finally:
        await server.server.stop(None)
    missing = await echo(channels, Target(f"unix://{tmp_path}/missing.sock"), demo_schema)
    assert isinstance(missing.error, ConnectionFailed)
    assert "missing.sock" in str(missing.error)


async def test_pick_first_fails_over_to_the_next_address(
    channels: ChannelManager, demo_schema: Schema, demo_server: Any
) -> None:
    target = Target(f"ipv4:127.0.0.1:{dead_port()},127.0.0.1:{demo_server.port}")
    for _ in range(3):
        assert (await echo(channels, target, demo_schema)).ok


async def test_round_robin_spreads_calls_over_backends(
    channels: ChannelManager,
    demo_schema: Schema,
    counting_servers: list[tuple[CountingServer, int]],
) -> None:
    (first, p1), (second, p2) = counting_servers
    target = Target(f"ipv4:127.0.0.1:{p1},127.0.0.1:{p2}", lb_policy="round_robin")
    calls = 0
    # Round robin uses a backend once it is connected; both connect right away, so a
    # handful of calls reaches both (the bound only guards against a hang).
    while calls < 10 or not (first.hits and second.hits):
        assert (await echo(channels, target, demo_schema)).ok
        calls += 1
        assert calls < 500
    assert first.hits + second.hits == calls


async def test_round_robin_skips_a_dead_backend(
    channels: ChannelManager,
    demo_schema: Schema,
    counting_servers: list[tuple[CountingServer, int]],
) -> None:
    (server, port), _ = counting_servers
    target = Target(f"ipv4:127.0.0.1:{dead_port()},127.0.0.1:{port}", lb_policy="round_robin")
    for _ in range(5):
        assert (await echo(channels, target, demo_schema)).ok
    assert server.hits == 5


async def test_keepalive_options_are_accepted(
    channels: ChannelManager, demo_schema: Schema, demo_address: str
) -> None:
    target = Target(demo_address, keepalive_time=10, keepalive_timeout=5)
    assert (await echo(channels, target, demo_schema)).ok


@pytest.mark.parametrize("compression", ["gzip", "deflate"])
async def test_compression(
    channels: ChannelManager, demo_schema: Schema, demo_address: str, compression: Any
) -> None:
    payload = b"compressible " * 100_000
    on_channel = Target(demo_address, compression=compression)
    result = await echo(channels, on_channel, demo_schema, bytes_value=payload)
    assert result.ok and result.response().bytes_value == payload  # type: ignore[union-attr]
    request = make(demo_schema, "AllTypes", bytes_value=payload)
    per_call = await invoke(
        channels,
        Target(demo_address),
        demo_schema.method(f"{DEMO}/Echo"),
        request,
        compression=compression,
    )
    assert per_call.ok


async def test_large_response_over_the_default_limit(
    channels: ChannelManager, demo_schema: Schema, demo_address: str
) -> None:
    large = demo_schema.method(f"{DEMO}/Large")
    request = make(demo_schema, "LargeRequest", size_bytes=5 * MIB)
    result = await invoke(channels, Target(demo_address), large, request)
    assert result.code is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert isinstance(result.error, MessageTooLarge)
    assert "exceeds the default receive limit of 4194304 bytes" in str(result.error)
    assert result.error.hint == "raise the limit with --max-msg-size 8388608"
    assert result.finished.exit_code == 64 + 8

    raised = Target(demo_address, max_msg_size=16 * MIB)
    result = await invoke(channels, raised, large, request)
    assert result.ok
    assert result.received[0].size > 5 * MIB
    assert result.response().size_bytes == 5 * MIB  # type: ignore[union-attr]


async def test_large_request_over_the_servers_limit(
    channels: ChannelManager, demo_schema: Schema, demo_address: str
) -> None:
    result = await echo(channels, Target(demo_address), demo_schema, bytes_value=b"x" * (5 * MIB))
    assert result.code is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert isinstance(result.error, MessageTooLarge)
    assert "the server rejected a request message" in str(result.error)


async def test_large_request_over_our_send_limit(
    channels: ChannelManager, demo_schema: Schema, demo_address: str
) -> None:
    target = Target(demo_address, max_msg_size=MIB)
    result = await echo(channels, target, demo_schema, bytes_value=b"x" * (2 * MIB))
    assert result.code is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert isinstance(result.error, MessageTooLarge)
    assert "exceeds the send limit of 1048576 bytes" in str(result.error)
    assert "--max-msg-size" in result.error.hint


# -- metadata -----------------------------------------------------------------------------


def test_parse_metadata() -> None:
    assert parse_metadata(["A: b", "x-bin: AAEC", "x-bin: AAE", "e:"]) == [
        ("a", "b"),
        ("x-bin", b"\x00\x01\x02"),
        ("x-bin", b"\x00\x01"),
        ("e", ""),
    ]
    for bad in ("nocolon", ": v", "sp ace: v", "x-bin: !!"):
        with pytest.raises(UsageError):
            parse_metadata([bad])


def test_normalize_and_format_metadata() -> None:
    md = normalize_metadata([("X-A", "1"), ("k-bin", "text"), ("k-bin", b"\xff")])
    assert md == (("x-a", "1"), ("k-bin", b"text"), ("k-bin", b"\xff"))
    assert format_metadata(md) == ["x-a: 1", "k-bin: dGV4dA==", "k-bin: /w=="]
    assert metadata_get(md, "k-bin") == [b"text", b"\xff"]
    for bad in ([("", "v")], [(":path", "/")], [("te", "x")], [("k", "é")], [("k", "a\nb")]):
        with pytest.raises(UsageError):
            normalize_metadata(bad)

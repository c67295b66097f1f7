"""The call engine against the real demo server: the four kinds, streams, metadata, errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message

from tests.unit.core.engine_support import DEMO, kinds, make, method, no_tasks_left
from workbench.core.calls.channels import ChannelManager, Target
from workbench.core.calls.engine import Call, invoke
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
from workbench.core.errors import CallClosed, UsageError
from workbench.core.schema.schema import MethodKind, Schema


async def test_unary(channels: ChannelManager, target: Target, demo_schema: Schema) -> None:
    request = make(demo_schema, "AllTypes", string_value="héllo", int64_value=-(2**63))
    result = await invoke(channels, target, method(demo_schema, "Echo"), request)
    assert kinds(result.events) == [
        "Started",
        "MessageSent",
        "HalfClosed",
        "HeadersReceived",
        "MessageReceived",
        "TrailersReceived",
        "Finished",
    ]
    assert result.ok and result.code is grpc.StatusCode.OK
    assert result.response() == request
    assert result.received[0].size == request.ByteSize() == result.sent[0].size
    assert result.sent[0].message is request
    started = result.started
    assert started.kind is MethodKind.UNARY
    assert started.path == f"/{DEMO}/Echo"
    assert started.method == f"{DEMO}.Echo"
    assert result.finished.elapsed >= 0
    times = [ev.t for ev in result.events]
    assert times == sorted(times)
    assert result.finished.exit_code == 0 and result.error is None


async def test_server_streaming(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    request = make(demo_schema, "CountdownRequest", count=5, label="x")
    result = await invoke(channels, target, method(demo_schema, "Countdown"), request)
    assert result.ok
    assert [ev.index for ev in result.received] == [0, 1, 2, 3, 4]
    ticks = result.responses()
    assert [t.remaining for t in ticks] == [4, 3, 2, 1, 0]  # type: ignore[attr-defined]
    assert {t.label for t in ticks} == {"x"}  # type: ignore[attr-defined]
    assert kinds(result.events)[:4] == ["Started", "MessageSent", "HalfClosed", "HeadersReceived"]
    assert kinds(result.events)[-2:] == ["TrailersReceived", "Finished"]


async def test_received_messages_keep_bytes_and_decode_lazily(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    request = make(demo_schema, "CountdownRequest", count=2, payload_size=10)
    result = await invoke(channels, target, method(demo_schema, "Countdown"), request)
    first = result.received[0]
    assert isinstance(first.data, bytes)
    assert first.decode() == first.decode()  # a fresh message each time
    assert first.decode() is not first.decode()
    assert first.decode().SerializeToString() == first.data


async def test_client_streaming_from_a_list(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    requests = [make(demo_schema, "SumRequest", value=v, tag="t") for v in (1, 2, 39)]
    result = await invoke(channels, target, method(demo_schema, "Sum"), requests)
    assert result.ok
    response = result.response()
    assert response is not None
    assert (response.total, response.count) == (42, 3)  # type: ignore[attr-defined]
    assert [ev.index for ev in result.sent] == [0, 1, 2]
    assert kinds(result.events).index("HalfClosed") > kinds(result.events).index("MessageSent")
    assert kinds(result.events)[-2:] == ["TrailersReceived", "Finished"]


async def test_client_streaming_from_an_async_source(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    async def source() -> AsyncIterator[Message]:
        for v in range(10):
            await asyncio.sleep(0)
            yield make(demo_schema, "SumRequest", value=v)

    result = await invoke(channels, target, method(demo_schema, "Sum"), source())
    assert result.response().total == 45  # type: ignore[union-attr]
    assert len(result.sent) == 10


async def test_bidi_from_an_iterable(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    requests = (make(demo_schema, "ChatMessage", text=t, repeat=2) for t in "abc")
    result = await invoke(channels, target, method(demo_schema, "Chat"), requests)
    assert result.ok
    replies = result.responses()
    assert [r.text for r in replies] == ["a", "a", "b", "b", "c", "c"]  # type: ignore[attr-defined]
    assert [ev.index for ev in result.received] == list(range(6))


async def test_interactive_bidi_interleaves_sends_and_replies(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    async with Call(channels, target, method(demo_schema, "Chat")) as call:
        assert call.interactive
        events = call.events()
        seen: list[CallEvent] = []

        async def until(kind: type[CallEvent]) -> CallEvent:
            async for ev in events:
                seen.append(ev)
                if isinstance(ev, kind):
                    return ev
            raise AssertionError(f"no {kind.__name__}")

        for text in ("one", "two", "three"):
            await call.send(make(demo_schema, "ChatMessage", text=text, sender="me"))
            reply = await until(MessageReceived)
            assert isinstance(reply, MessageReceived)
            assert reply.decode().text == text  # type: ignore[attr-defined]
        await call.half_close()
        await call.half_close()  # idempotent
        finished = await until(Finished)
    assert isinstance(finished, Finished) and finished.ok
    names = kinds(seen)
    # Each reply comes after its own send and before the next one.
    assert names[:2] == ["Started", "MessageSent"]
    sends = [i for i, n in enumerate(names) if n == "MessageSent"]
    replies = [i for i, n in enumerate(names) if n == "MessageReceived"]
    assert sends[0] < replies[0] < sends[1] < replies[1] < sends[2] < replies[2]
    assert names.index("HalfClosed") > replies[2]
    assert call.finished is finished
    with pytest.raises(CallClosed):
        await call.send(make(demo_schema, "ChatMessage", text="late"))
    assert await no_tasks_left() == []


async def test_interactive_client_streaming(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    call = Call(channels, target, method(demo_schema, "Sum"))
    for value in (5, 6):
        await call.send(make(demo_schema, "SumRequest", value=value))
    await call.half_close()
    with pytest.raises(CallClosed):
        await call.send(make(demo_schema, "SumRequest", value=1))
    events = [ev async for ev in call]
    assert kinds(events)[:4] == ["Started", "MessageSent", "MessageSent", "HalfClosed"]
    result = CallResult.from_events(events)
    assert result.response().total == 11  # type: ignore[union-attr]


async def test_metadata_round_trip_with_binary_headers(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    binary = bytes([0, 1, 2, 254, 255])
    metadata = [("x-text", "hello"), ("x-trace-bin", binary), ("X-Upper", "v")]
    result = await invoke(
        channels,
        target,
        method(demo_schema, "EchoMetadata"),
        make(demo_schema, "EchoMetadataRequest"),
        metadata=metadata,
    )
    assert result.ok
    sent = (("x-text", "hello"), ("x-trace-bin", binary), ("x-upper", "v"))
    assert result.started.metadata == sent
    assert set(sent) <= set(result.headers)
    assert {("trailer-x-text", "hello"), ("trailer-x-trace-bin", binary)} <= set(result.trailers)
    entries = result.response().entries  # type: ignore[union-attr]
    assert ("x-trace-bin", binary) in [(e.key, e.binary_value) for e in entries]


async def test_trailers_only_response_has_no_headers_event(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    result = await invoke(
        channels,
        target,
        method(demo_schema, "Fail"),
        make(demo_schema, "FailRequest", code=5, message="nope"),
    )
    assert kinds(result.events) == [
        "Started",
        "MessageSent",
        "HalfClosed",
        "TrailersReceived",
        "Finished",
    ]
    assert result.code is grpc.StatusCode.NOT_FOUND and result.message == "nope"
    assert result.finished.exit_code == 69 and result.error is None
    result.raise_for_transport()  # a status is not a transport failure


async def test_rich_error_details_are_decoded(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    request = make(demo_schema, "FailRequest", code=9, all_details=True)
    result = await invoke(channels, target, method(demo_schema, "Fail"), request)
    assert result.code is grpc.StatusCode.FAILED_PRECONDITION
    names = [d.type_name for d in result.details]
    assert names[:10] == [
        "google.rpc.BadRequest",
        "google.rpc.ErrorInfo",
        "google.rpc.RetryInfo",
        "google.rpc.DebugInfo",
        "google.rpc.QuotaFailure",
        "google.rpc.PreconditionFailure",
        "google.rpc.ResourceInfo",
        "google.rpc.Help",
        "google.rpc.LocalizedMessage",
        "workbench.demo.v1.CustomErrorDetail",
    ]
    custom, unknown = result.details[9], result.details[10]
    assert custom.message.reason  # type: ignore[attr-defined]  # decoded via the schema's pool
    assert unknown.message is None  # type: ignore[attr-defined]
    assert unknown.lines()[0].startswith("type.example.com/acme.secret.v1.Unpublished")


async def test_streams_failing_mid_way_keep_their_messages(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    request = make(demo_schema, "CountdownRequest", count=-1)
    result = await invoke(channels, target, method(demo_schema, "Countdown"), request)
    assert result.code is grpc.StatusCode.INVALID_ARGUMENT
    assert "negative" in result.message


def test_usage_errors_raise_before_the_call(demo_schema: Schema) -> None:
    channels, target = ChannelManager(), Target("127.0.0.1:1")
    echo, chat = method(demo_schema, "Echo"), method(demo_schema, "Chat")
    one = make(demo_schema, "AllTypes")
    with pytest.raises(UsageError, match="exactly one request message, got 2"):
        Call(channels, target, echo, [one, one])
    with pytest.raises(UsageError, match="exactly one"):
        Call(channels, target, echo)
    with pytest.raises(UsageError, match=r"is a workbench\.demo\.v1\.SumRequest"):
        Call(channels, target, echo, make(demo_schema, "SumRequest"))
    with pytest.raises(UsageError, match=r"request 1 .* expected workbench\.demo\.v1\.ChatMessage"):
        Call(channels, target, chat, [make(demo_schema, "ChatMessage"), one])
    with pytest.raises(UsageError, match="timeout"):
        Call(channels, target, echo, one, timeout=0)
    with pytest.raises(UsageError, match="reserved"):
        Call(channels, target, echo, one, metadata=[("grpc-timeout", "1S")])
    with pytest.raises(UsageError, match="binary value"):
        Call(channels, target, echo, one, metadata=[("x-key", b"\x00")])
    call = Call(channels, target, echo, one)
    call.events()
    with pytest.raises(UsageError, match="only once"):
        call.events()


async def test_send_is_only_for_interactive_streams(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    one = make(demo_schema, "AllTypes")
    echo = Call(channels, target, method(demo_schema, "Echo"), one)
    with pytest.raises(UsageError):
        await echo.send(one)
    with pytest.raises(UsageError):
        await echo.half_close()
    chat = Call(channels, target, method(demo_schema, "Chat"))
    with pytest.raises(UsageError, match=r"expected workbench\.demo\.v1\.ChatMessage"):
        await chat.send(one)
    await chat.half_close()
    events = [ev async for ev in chat]
    assert kinds(events) == [
        "Started",
        "HalfClosed",
        "HeadersReceived",
        "TrailersReceived",
        "Finished",
    ] or kinds(events) == ["Started", "HalfClosed", "TrailersReceived", "Finished"]


async def test_a_raw_channel_works_too(target: Target, demo_schema: Schema) -> None:
    async with grpc.aio.insecure_channel(target.address) as channel:
        result = await invoke(
            channel, target, method(demo_schema, "Echo"), make(demo_schema, "AllTypes")
        )
    assert result.ok


async def test_handler_adapter_gets_the_grpcurl_callbacks(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    from workbench.core.calls.events import drive_handler

    calls: list[str] = []

    class Recorder:
        def on_resolve_method(self, method: MethodDescriptor) -> None:
            calls.append(f"resolve {method.name}")

        def on_send_headers(self, metadata: Any) -> None:
            calls.append(f"send {metadata}")

        def on_receive_headers(self, metadata: Any) -> None:
            calls.append("headers")

        def on_receive_response(self, event: MessageReceived) -> None:
            calls.append(f"response {event.decode().remaining}")  # type: ignore[attr-defined]

        def on_receive_trailers(self, finished: Finished, trailers: Any) -> None:
            calls.append(f"trailers {finished.code_name}")

    countdown = method(demo_schema, "Countdown")
    request = make(demo_schema, "CountdownRequest", count=2)
    call = Call(channels, target, countdown, request, metadata=[("a", "b")])
    finished = await drive_handler(call, countdown, Recorder())
    assert finished.ok
    assert calls == [
        "resolve Countdown",
        "send (('a', 'b'),)",
        "headers",
        "response 1",
        "response 0",
        "trailers OK",
    ]


def test_event_types_are_slotted_and_frozen() -> None:
    for cls in (
        Started,
        HeadersReceived,
        MessageSent,
        MessageReceived,
        HalfClosed,
        TrailersReceived,
        Finished,
    ):
        assert hasattr(cls, "__slots__")
    ev = HalfClosed(1.0)
    with pytest.raises(AttributeError):
        ev.t = 2.0  # type: ignore[misc]

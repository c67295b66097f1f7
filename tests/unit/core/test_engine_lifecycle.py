"""The call engine's lifecycle against the demo server: cancel, deadlines, failing sources.

Every cancelled or failed call must end with a Finished event and leave no task behind.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message

from tests.unit.core.engine_support import kinds, make, method, no_tasks_left
from workbench.core.calls.channels import ChannelManager, Target
from workbench.core.calls.engine import Call, invoke
from workbench.core.calls.events import (
    CallEvent,
    Finished,
    MessageReceived,
    Started,
)
from workbench.core.calls.streaming import PIPE_HIGH_WATER
from workbench.core.errors import CallClosed, RequestParseError, UsageError
from workbench.core.schema.schema import Schema


async def test_deadline_exceeded_is_a_result(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    request = make(demo_schema, "SlowRequest")
    request.duration.FromSeconds(30)  # type: ignore[attr-defined]
    result = await invoke(channels, target, method(demo_schema, "Slow"), request, timeout=0.2)
    assert result.code is grpc.StatusCode.DEADLINE_EXCEEDED
    assert result.error is None  # the server was reached: a plain status
    assert result.finished.exit_code == 64 + 4
    assert result.started.timeout == 0.2


async def test_deadline_exceeded_mid_stream(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    request = make(demo_schema, "CountdownRequest", count=1000, interval_ms=20)
    result = await invoke(channels, target, method(demo_schema, "Countdown"), request, timeout=0.3)
    assert result.code is grpc.StatusCode.DEADLINE_EXCEEDED
    assert len(result.received) < 1000
    assert [type(e).__name__ for e in result.events][-2:] == ["TrailersReceived", "Finished"]


async def test_cancel_mid_server_stream(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    request = make(demo_schema, "CountdownRequest", count=1000, interval_ms=5)
    call = Call(channels, target, method(demo_schema, "Countdown"), request)
    events: list[CallEvent] = []
    async for ev in call:
        events.append(ev)
        if isinstance(ev, MessageReceived) and ev.index == 2:
            call.cancel()
            call.cancel()  # twice is harmless
    assert kinds(events)[-2:] == ["MessageReceived", "Finished"]
    finished = events[-1]
    assert isinstance(finished, Finished)
    assert finished.code is grpc.StatusCode.CANCELLED
    assert finished.error is None
    assert len([e for e in events if isinstance(e, MessageReceived)]) == 3
    assert await no_tasks_left() == []


async def test_cancel_from_another_task(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    request = make(demo_schema, "SlowRequest")
    request.duration.FromSeconds(30)  # type: ignore[attr-defined]
    call = Call(channels, target, method(demo_schema, "Slow"), request)

    async def consume() -> list[CallEvent]:
        return [ev async for ev in call]

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.1)
    call.cancel()
    events = await task
    assert kinds(events) == ["Started", "MessageSent", "HalfClosed", "Finished"]
    assert call.finished is not None and call.finished.code is grpc.StatusCode.CANCELLED
    assert await no_tasks_left() == []


async def test_cancel_mid_bidi_stream(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    call = Call(channels, target, method(demo_schema, "Chat"))
    await call.send(make(demo_schema, "ChatMessage", text="x", repeat=1000, delay_ms=5))
    events: list[CallEvent] = []
    async for ev in call:
        events.append(ev)
        if isinstance(ev, MessageReceived) and ev.index == 1:
            call.cancel()
    assert isinstance(events[-1], Finished)
    assert events[-1].code is grpc.StatusCode.CANCELLED
    with pytest.raises(CallClosed):
        await call.send(make(demo_schema, "ChatMessage", text="late"))
    assert await no_tasks_left() == []


async def test_cancel_interactive_call_waiting_for_input(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    call = Call(channels, target, method(demo_schema, "Sum"))
    task = asyncio.create_task(call.events().__anext__())
    assert isinstance(await task, Started)
    call.cancel()
    rest = [ev async for ev in call._events]  # type: ignore[union-attr]
    assert isinstance(rest[-1], Finished) and rest[-1].code is grpc.StatusCode.CANCELLED
    assert await no_tasks_left() == []


async def test_cancel_before_start(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    call = Call(channels, target, method(demo_schema, "Echo"), make(demo_schema, "AllTypes"))
    call.cancel()
    events = [ev async for ev in call]
    assert kinds(events) == ["Started", "Finished"]
    assert events[-1].code is grpc.StatusCode.CANCELLED  # type: ignore[union-attr]


async def test_consumer_stopping_early_ends_the_call(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    request = make(demo_schema, "CountdownRequest", count=1000, interval_ms=5)
    async with Call(channels, target, method(demo_schema, "Countdown"), request) as call:
        async for ev in call:
            if isinstance(ev, MessageReceived):
                break
    assert await no_tasks_left() == []
    chat = make(demo_schema, "ChatMessage", text="x", repeat=1000, delay_ms=5)
    async with Call(channels, target, method(demo_schema, "Chat"), [chat]) as call:
        async for ev in call:
            if isinstance(ev, MessageReceived):
                break
    assert await no_tasks_left() == []


async def test_consumer_task_cancelled_ends_the_call(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    chat = make(demo_schema, "ChatMessage", text="x", repeat=1000, delay_ms=5)

    async def consume() -> None:
        async with Call(channels, target, method(demo_schema, "Chat"), [chat]) as call:
            async for _ in call:
                pass

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await no_tasks_left() == []


async def test_endless_source_stops_when_the_call_ends(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    async def endless() -> AsyncIterator[Message]:
        while True:
            await asyncio.sleep(0.01)
            yield make(demo_schema, "ChatMessage", text="again")

    result = await invoke(channels, target, method(demo_schema, "Chat"), endless(), timeout=0.3)
    assert result.code is grpc.StatusCode.DEADLINE_EXCEEDED
    assert len(result.sent) > 0
    assert await no_tasks_left() == []


async def test_fast_bidi_stream_with_a_slow_consumer_keeps_every_message(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    chat = make(demo_schema, "ChatMessage", text="x", repeat=1000)
    received = []
    call = Call(channels, target, method(demo_schema, "Chat"), [chat])
    async for ev in call:
        if isinstance(ev, MessageReceived):
            received.append(ev.index)
            if ev.index == 0:
                await asyncio.sleep(0.5)  # the reader gets ahead, then waits for us
                assert call._stream is not None
                assert len(call._stream.pipe.items) <= PIPE_HIGH_WATER
    assert received == list(range(1000))


async def test_source_raising_a_workbench_error_ends_the_call(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    async def source() -> AsyncIterator[Message]:
        yield make(demo_schema, "SumRequest", value=1)
        raise RequestParseError("bad number", path="value", line=2)

    result = await invoke(channels, target, method(demo_schema, "Sum"), source())
    assert result.code is grpc.StatusCode.CANCELLED
    assert isinstance(result.error, RequestParseError)
    assert "bad number" in result.message
    assert result.finished.exit_code == RequestParseError.exit_code
    assert await no_tasks_left() == []


async def test_source_with_a_bug_raises_from_the_events(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    def source() -> Any:
        yield make(demo_schema, "SumRequest", value=1)
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        await invoke(channels, target, method(demo_schema, "Sum"), source())
    assert await no_tasks_left() == []


async def test_source_yielding_a_wrong_type_ends_the_call(
    channels: ChannelManager, target: Target, demo_schema: Schema
) -> None:
    def source() -> Any:
        yield make(demo_schema, "SumRequest", value=1)
        yield make(demo_schema, "ChatMessage")

    result = await invoke(channels, target, method(demo_schema, "Sum"), source())
    assert result.code is grpc.StatusCode.CANCELLED
    assert isinstance(result.error, UsageError)
    assert "request 1" in str(result.error) and "ChatMessage" in str(result.error)

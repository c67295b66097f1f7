"""The timeline fed by real calls to the demo server, on the qasync loop the app uses."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
import pytest
from google.protobuf.message_factory import GetMessageClass

from workbench.core.calls.channels import Target
from workbench.core.calls.engine import Call
from workbench.core.calls.events import Finished
from workbench.core.schema.schema import Schema
from workbench.core.timeline.export import ExportFormat, parse_jsonl
from workbench.core.timeline.rows import Direction, EventKind
from workbench.demo.server import DemoServerThread
from workbench.ui.models.timeline_model import Column, ErrorRole
from workbench.ui.timeline.timeline_view import TimelineView

PKG = "workbench.demo.v1"
RunAsync = Callable[..., Any]  # (coroutine, timeout=15.0) -> its result


@pytest.fixture
def view(qtbot: Any) -> TimelineView:
    """A shown timeline view."""
    widget = TimelineView()
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    return widget


async def until(predicate: Callable[[], bool]) -> None:
    """Poll ``predicate`` on the loop until it holds (for at most 10 s)."""
    for _ in range(1000):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out waiting")


def kinds(view: TimelineView) -> list[EventKind]:
    return [view.store.kind(r) for r in range(len(view.store))]


def shown(view: TimelineView, row: int, column: Column = Column.MESSAGE) -> str:
    model = view.model
    value: str = model.data(model.index(row, column))
    return value


async def consume(
    view: TimelineView, address: str, schema: Schema, method: str, request: Any
) -> Finished | None:
    desc = schema.method(f"{PKG}.DemoService/{method}")
    channel = grpc.aio.insecure_channel(address)
    try:
        async with Call(channel, Target(address), desc, request) as call:
            return await view.feeder.consume(call)
    finally:
        await channel.close()


def test_a_server_stream_fills_the_timeline(
    view: TimelineView, run_async: RunAsync, demo_address: str, demo_schema: Schema
) -> None:
    request_cls = GetMessageClass(demo_schema.method(f"{PKG}.DemoService/Countdown").input_type)
    request = request_cls(count=300, label="live")
    finished = run_async(consume(view, demo_address, demo_schema, "Countdown", request))
    assert finished is not None and finished.ok
    assert view.model.rowCount() == len(view.store) == 306
    assert kinds(view)[:4] == [
        EventKind.STARTED, EventKind.SENT, EventKind.HALF_CLOSED, EventKind.HEADERS,
    ]  # fmt: skip
    assert kinds(view)[-2:] == [EventKind.TRAILERS, EventKind.FINISHED]
    assert view.store.received == 300
    assert '"sequence":300' in shown(view, 303)
    assert shown(view, 305).startswith("status OK")
    assert view.table.following
    assert "↓ 300 received" in view.status.text()


def test_a_flood_is_shown_in_batches_not_row_by_row(
    view: TimelineView, run_async: RunAsync, demo_address: str, demo_schema: Schema
) -> None:
    inserts: list[int] = []
    view.model.rowsInserted.connect(lambda _p, first, last: inserts.append(last - first + 1))
    request_cls = GetMessageClass(demo_schema.method(f"{PKG}.DemoService/Countdown").input_type)
    request = request_cls(count=5_000, payload_size=16)
    coro = consume(view, demo_address, demo_schema, "Countdown", request)
    finished = run_async(coro, timeout=120)  # a busy machine streams slowly
    assert finished is not None and finished.ok
    assert sum(inserts) == view.model.rowCount() == 5_006
    # One insert per frame: thousands of messages a second arrive in far fewer batches.
    assert len(inserts) < 5_000 / 4
    assert view.model.pending == 0


def test_an_interactive_chat_interleaves_sent_and_received_rows(
    view: TimelineView, run_async: RunAsync, demo_address: str, demo_schema: Schema
) -> None:
    method = demo_schema.method(f"{PKG}.DemoService/Chat")
    message_cls = GetMessageClass(method.input_type)

    async def chat() -> Finished | None:
        channel = grpc.aio.insecure_channel(demo_address)
        try:
            async with Call(channel, Target(demo_address), method) as call:
                feeding = asyncio.ensure_future(view.feeder.consume(call))
                for i, word in enumerate(["one", "two", "three"]):
                    await call.send(message_cls(text=word, sender="test"))
                    await until(lambda i=i: view.store.received > i)  # the echo
                await call.half_close()
                return await feeding
        finally:
            await channel.close()

    finished = run_async(chat())
    assert finished is not None and finished.ok
    messages = [
        (view.store.direction(r), view.store.decode(r).text)  # type: ignore[attr-defined]
        for r in range(len(view.store))
        if view.store.direction(r) is not Direction.CONTROL
    ]
    assert messages == [
        (Direction.SENT, "one"), (Direction.RECEIVED, "one"),
        (Direction.SENT, "two"), (Direction.RECEIVED, "two"),
        (Direction.SENT, "three"), (Direction.RECEIVED, "three"),
    ]  # fmt: skip
    assert EventKind.HALF_CLOSED in kinds(view)
    assert shown(view, view.model.rowCount() - 1).startswith("status OK")
    symbols = [shown(view, r, Column.DIRECTION) for r in range(view.model.rowCount())]
    assert symbols.count("↑") == 3 and symbols.count("↓") == 3


def test_cancelling_mid_stream_keeps_every_row_and_says_cancelled(
    view: TimelineView, run_async: RunAsync, demo_address: str, demo_schema: Schema
) -> None:
    method = demo_schema.method(f"{PKG}.DemoService/Countdown")
    request = GetMessageClass(method.input_type)(count=100_000, interval_ms=2)

    async def cancel_after_20() -> Finished | None:
        channel = grpc.aio.insecure_channel(demo_address)
        try:
            async with Call(channel, Target(demo_address), method, request) as call:
                feeding = asyncio.ensure_future(view.feeder.consume(call))
                await until(lambda: view.store.received >= 20)
                call.cancel()
                return await feeding
        finally:
            await channel.close()

    finished = run_async(cancel_after_20())
    assert finished is not None and finished.code is grpc.StatusCode.CANCELLED
    received = view.store.received
    assert 20 <= received < 100_000
    assert view.model.rowCount() == len(view.store)
    last = view.model.rowCount() - 1
    assert shown(view, last).startswith("status CANCELLED: cancelled by the client")
    assert view.model.data(view.model.index(last, 0), ErrorRole) is True


def test_an_error_status_shows_its_rich_details(
    view: TimelineView, run_async: RunAsync, demo_address: str, demo_schema: Schema
) -> None:
    request_cls = GetMessageClass(demo_schema.method(f"{PKG}.DemoService/Fail").input_type)
    request = request_cls(code=5, message="no such chat", details=[1, 10])
    finished = run_async(consume(view, demo_address, demo_schema, "Fail", request))
    assert finished is not None and finished.code is grpc.StatusCode.NOT_FOUND
    row = view.model.rowCount() - 1
    status = shown(view, row)
    assert status.startswith("status NOT_FOUND: no such chat — bad request:")
    assert "CustomErrorDetail" in status
    view.table.select_row(row)
    detail = view.detail.json_text()
    assert '"code": "NOT_FOUND"' in detail and "google.rpc.BadRequest" in detail
    assert "the demo was asked to fail" in detail  # the custom detail, decoded by the schema


def test_a_server_that_disappears_mid_stream_ends_with_an_explaining_row(
    view: TimelineView, run_async: RunAsync, demo_schema: Schema
) -> None:
    server = DemoServerThread().start()
    method = demo_schema.method(f"{PKG}.DemoService/Countdown")
    request = GetMessageClass(method.input_type)(count=100_000, interval_ms=2)

    async def stream_until_the_server_stops() -> Finished | None:
        channel = grpc.aio.insecure_channel(server.address)
        try:
            async with Call(channel, Target(server.address), method, request) as call:
                feeding = asyncio.ensure_future(view.feeder.consume(call))
                await until(lambda: view.store.received >= 10)
                await asyncio.get_running_loop().run_in_executor(None, server.stop, 0)
                return await feeding
        finally:
            await channel.close()

    try:
        finished = run_async(stream_until_the_server_stops())
    finally:
        server.stop(0)
    assert finished is not None and not finished.ok
    assert view.store.received >= 10
    assert view.model.rowCount() == len(view.store)
    last = view.model.rowCount() - 1
    assert shown(view, last).startswith(f"status {finished.code_name}")
    assert view.store.is_error(last)


def test_export_runs_in_a_worker_thread_while_the_loop_runs(
    view: TimelineView,
    run_async: RunAsync,
    demo_address: str,
    demo_schema: Schema,
    tmp_path: Path,
) -> None:
    request_cls = GetMessageClass(demo_schema.method(f"{PKG}.DemoService/Countdown").input_type)
    request = request_cls(count=2_000, label="export")
    run_async(consume(view, demo_address, demo_schema, "Countdown", request))
    path = tmp_path / "stream.jsonl"
    exported: list[str] = []
    view.exported.connect(exported.append)

    async def export() -> None:
        view.export(path, ExportFormat.JSONL)
        assert view.status.text() == f"Exporting to {path}…"
        await until(lambda: bool(exported))

    run_async(export())
    assert exported == [str(path)]
    records, dropped = parse_jsonl(path.read_text(encoding="utf-8").splitlines(), demo_schema.pool)
    assert dropped == 0 and len(records) == len(view.store) == 2_006
    ticks = [r.message for r in records if r.message is not None and r.kind is EventKind.RECEIVED]
    assert [t.sequence for t in ticks] == list(range(1, 2_001))  # type: ignore[attr-defined]

"""The timeline model, feeder and view without a server: batching, caps, filters, follow mode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from workbench.core.calls.events import (
    CallEvent,
    Finished,
    HeadersReceived,
    MessageReceived,
    MessageSent,
    Started,
)
from workbench.core.calls.status import BadRequest, FieldViolation
from workbench.core.schema.schema import MethodKind, Schema
from workbench.core.timeline.export import ExportFormat, parse_jsonl
from workbench.core.timeline.rows import Direction, EventKind
from workbench.core.timeline.store import TimelineStore
from workbench.ui.models.timeline_feeder import MAX_FRAME_MS, TimelineFeeder
from workbench.ui.models.timeline_model import (
    Column,
    ErrorRole,
    EventIdRole,
    ItemRole,
    TimelineModel,
)
from workbench.ui.timeline.timeline_view import TimelineView

PKG = "workbench.demo.v1"
DISPLAY = Qt.ItemDataRole.DisplayRole


@pytest.fixture(scope="module")
def classes(demo_schema: Schema) -> tuple[type[Message], type[Message]]:
    """ChatMessage and ChatReply."""
    method = demo_schema.method(f"{PKG}.DemoService/Chat")
    return GetMessageClass(method.input_type), GetMessageClass(method.output_type)


def conversation(classes: tuple[type[Message], type[Message]], count: int) -> list[CallEvent]:
    """Started, headers, then ``count`` sent/received pairs (texts "say 0", "say 1", ...)."""
    msg_cls, reply_cls = classes
    events: list[CallEvent] = [
        Started(1.0, f"{PKG}.DemoService/Chat", "/x", MethodKind.BIDI_STREAMING, "h:1", (), None),
        HeadersReceived(1.001, ()),
    ]
    for i in range(count):
        t = 1.01 + i * 0.01
        events.append(MessageSent(t, i, 0, msg_cls(text=f"say {i}")))
        reply = reply_cls(sequence=i + 1, text=f"say {i}")
        events.append(MessageReceived(t + 0.005, i, reply.SerializeToString(), reply_cls))
    return events


def status(t: float, ok: bool = True) -> Finished:
    if ok:
        return Finished(t, grpc.StatusCode.OK, "", (), t - 1.0)
    details = (BadRequest((FieldViolation("text", "too loud"),)),)
    return Finished(t, grpc.StatusCode.INVALID_ARGUMENT, "bad chat", details, t - 1.0)


def text_at(model: TimelineModel, row: int, column: Column) -> Any:
    return model.data(model.index(row, column), DISPLAY)


def test_model_passes_the_model_tester(qtmodeltester: Any, classes: Any) -> None:
    store = TimelineStore()
    for ev in [*conversation(classes, 5), status(2.0, ok=False)]:
        store.append_event(ev)
    model = TimelineModel(store)
    qtmodeltester.check(model)
    model.set_filter("say 3")
    qtmodeltester.check(model)
    assert model.rowCount() == 2


def test_columns_show_direction_sequence_times_size_and_preview(classes: Any) -> None:
    store = TimelineStore()
    for ev in [*conversation(classes, 2), status(1.2)]:
        store.append_event(ev)
    model = TimelineModel(store)
    assert model.rowCount() == 7 and model.columnCount() == len(Column)
    row = [text_at(model, 3, c) for c in Column]
    assert row[:6] == ["4", "↓", "1", "0.015000", "+5.00 ms", "9 B"]
    assert row[6] == '{"sequence":"1","text":"say 0"}'
    assert text_at(model, 0, Column.SIZE) == "" and text_at(model, 0, Column.SEQUENCE) == ""
    assert text_at(model, 6, Column.MESSAGE).startswith("status OK")
    assert model.headerData(Column.DELTA, Qt.Orientation.Horizontal, DISPLAY) == "Δ"
    assert model.data(model.index(3, 0), EventIdRole) == 3
    entry = model.data(model.index(2, 0), ItemRole)
    assert entry.kind is EventKind.SENT and entry.decode().text == "say 0"
    assert model.data(model.index(3, Column.SIZE), Qt.ItemDataRole.TextAlignmentRole) == (
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    )


def test_events_within_one_frame_are_inserted_with_one_signal(qtbot: Any, classes: Any) -> None:
    model = TimelineModel()
    feeder = TimelineFeeder(model)
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    events = conversation(classes, 500)
    for ev in events:
        feeder.feed(ev)
    assert model.rowCount() == 0  # stored, not shown yet
    assert len(model.store) == len(events) and model.pending == len(events)
    qtbot.waitUntil(lambda: model.rowCount() == len(events))
    assert inserted == [(0, len(events) - 1)]
    feeder.feed_all(conversation(classes, 3)[2:])
    qtbot.waitUntil(lambda: model.rowCount() == len(events) + 6)
    assert inserted[1:] == [(len(events), len(events) + 5)]


def test_a_flood_stretches_the_frame_interval_and_a_trickle_does_not(
    qtbot: Any, classes: Any
) -> None:
    model = TimelineModel()
    feeder = TimelineFeeder(model)
    feeder.set_cost_probe(lambda: 0.005)  # a 5 ms repaint
    feeder.feed_all(conversation(classes, 100))
    feeder.flush()
    # Ten times what the frame cost: the 5 ms repaint plus the sync itself.
    assert 50 <= feeder.next_interval_ms <= MAX_FRAME_MS
    feeder.feed_all(conversation(classes, 1)[2:])
    feeder.flush()
    assert feeder.next_interval_ms == feeder.interval_ms == 16


def test_finished_is_signalled_once_its_row_is_shown(qtbot: Any, classes: Any) -> None:
    model = TimelineModel()
    feeder = TimelineFeeder(model)
    feeder.feed_all(conversation(classes, 1))
    end = status(2.0)
    with qtbot.waitSignal(feeder.finished) as blocker:
        feeder.feed(end)
    assert blocker.args == [end]
    assert model.rowCount() == 5


def test_cap_drops_the_oldest_rows_and_the_view_says_so(qtbot: Any, classes: Any) -> None:
    view = TimelineView(TimelineStore(max_rows=10))
    qtbot.addWidget(view)
    removed: list[tuple[int, int]] = []
    view.model.rowsRemoved.connect(lambda _p, first, last: removed.append((first, last)))
    view.feeder.feed_all(conversation(classes, 4))
    view.feeder.flush()
    assert view.model.rowCount() == 10 and removed == []
    view.feeder.feed_all(conversation(classes, 10)[2:])  # 20 more rows
    assert view.model.data(view.model.index(0, 0), DISPLAY) is None  # dropped, not synced
    view.feeder.flush()
    assert removed == [(0, 9)]  # one removal for the batch
    assert view.model.rowCount() == 10
    assert text_at(view.model, 0, Column.NUMBER) == "21"
    assert view.store.dropped == 20
    view.update_counters()  # a running call refreshes them every 250 ms
    assert "20 oldest rows dropped" in view.status.text()
    assert view.toolbar.max_rows == 10
    view.toolbar.set_max_rows(None)
    view.toolbar.cap_combo.setCurrentIndex(1)  # keep the last 1,000: nothing to drop
    assert view.store.max_rows == 1_000


def test_cap_chosen_in_the_toolbar_trims_the_rows(qtbot: Any, classes: Any) -> None:
    view = TimelineView()
    qtbot.addWidget(view)
    view.feeder.feed_all(conversation(classes, 800))
    view.feeder.flush()
    assert view.model.rowCount() == 1602
    view.toolbar.cap_combo.setCurrentIndex(view.toolbar.cap_combo.findData(1000))
    assert view.model.rowCount() == 1000 and view.store.dropped == 602


def test_text_and_direction_filters_apply_to_new_rows_too(qtbot: Any, classes: Any) -> None:
    view = TimelineView()
    qtbot.addWidget(view)
    view.feeder.feed_all(conversation(classes, 30))
    view.feeder.flush()
    qtbot.keyClicks(view.toolbar.filter_edit, "SAY 1")
    qtbot.waitUntil(lambda: view.model.filter_text == "SAY 1")
    # "say 1" and "say 10".."say 19", each sent and received
    assert view.model.rowCount() == 22
    qtbot.mouseClick(view.toolbar.toggles[Direction.RECEIVED], Qt.MouseButton.LeftButton)
    assert view.model.directions == {Direction.SENT, Direction.CONTROL}
    assert view.model.rowCount() == 11
    assert {text_at(view.model, r, Column.DIRECTION) for r in range(11)} == {"↑"}
    view.feeder.feed_all(conversation(classes, 40)[62:])  # say 30..39: no match
    view.feeder.feed(
        MessageSent(9.0, 40, 0, classes[0](text="say 1 more")),
    )
    view.feeder.flush()
    assert view.model.rowCount() == 12
    assert text_at(view.model, 11, Column.MESSAGE) == '{"text":"say 1 more"}'
    view.toolbar.filter_edit.clear()
    qtbot.waitUntil(lambda: view.model.filter_text == "")
    assert view.model.rowCount() == 43  # 41 sent, started and headers
    qtbot.mouseClick(view.toolbar.toggles[Direction.CONTROL], Qt.MouseButton.LeftButton)
    assert all(text_at(view.model, r, Column.DIRECTION) == "↑" for r in range(41))
    view.set_filter("say 2", frozenset({Direction.RECEIVED}))  # set by code: the toolbar shows it
    assert view.toolbar.filter_text == "say 2"
    assert view.toolbar.directions == {Direction.RECEIVED}
    assert view.model.rowCount() == 11


def test_follow_mode_sticks_to_the_end_until_the_user_scrolls_up(qtbot: Any, classes: Any) -> None:
    view = TimelineView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    table, bar = view.table, view.table.verticalScrollBar()
    view.feeder.feed_all(conversation(classes, 200))
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    assert table.following and not table._jump.isVisible()
    bar.setValue(10)  # the user scrolls up
    assert not table.following
    assert table._jump.isVisible()
    view.feeder.feed_all(conversation(classes, 5)[2:])
    view.feeder.flush()
    qtbot.waitUntil(lambda: table.new_rows == 10)
    assert bar.value() == 10  # stays where the user is reading
    assert table._jump.text() == "↓ Jump to latest (10 new)"
    qtbot.mouseClick(table._jump, Qt.MouseButton.LeftButton)
    assert table.following and table.new_rows == 0
    qtbot.waitUntil(lambda: bar.value() == bar.maximum())
    view.feeder.feed_all(conversation(classes, 50)[2:])
    qtbot.waitUntil(lambda: view.model.rowCount() == 512)
    qtbot.waitUntil(lambda: bar.value() == bar.maximum())
    assert table.following


def test_a_message_that_does_not_decode_shows_its_bytes_and_why(qtbot: Any, classes: Any) -> None:
    view = TimelineView()
    qtbot.addWidget(view)
    view.feeder.feed_all(conversation(classes, 1))
    view.feeder.feed(MessageReceived(2.0, 1, b"\x0a\xff\xff", classes[1]))
    view.feeder.flush()
    model, row = view.model, 4
    preview = text_at(model, row, Column.MESSAGE)
    assert preview.startswith("⚠ 3 bytes that do not decode")
    assert model.data(model.index(row, 0), ErrorRole) is True
    assert model.data(model.index(row, Column.MESSAGE), Qt.ItemDataRole.ForegroundRole) is not None
    assert "is not a valid workbench.demo.v1.ChatReply" in model.data(
        model.index(row, Column.MESSAGE), Qt.ItemDataRole.ToolTipRole
    )
    view.table.select_row(row)
    detail = view.detail
    assert detail.tabs.currentWidget() is detail.hex_view
    assert detail.hex_view.toPlainText().startswith("00000000  0a ff ff")
    assert "⚠" in detail.json_view.toPlainText()
    assert '"raw": "Cv//"' in detail.json_text()  # copied as the export writes it


def test_detail_pane_shows_json_tree_copies_and_resends(qtbot: Any, classes: Any) -> None:
    view = TimelineView()
    qtbot.addWidget(view)
    view.feeder.feed_all([*conversation(classes, 2), status(3.0, ok=False)])
    view.feeder.flush()
    view.table.select_row(4)  # the second sent message
    detail = view.detail
    title = detail.title.text()
    assert title.startswith("↑ sent · event #5 · message 2 · workbench.demo.v1.ChatMessage")
    assert detail.json_text() == '{\n  "text": "say 1"\n}'
    assert detail.tree.topLevelItem(0).text(0) == "text"
    assert detail.resend_button.isVisible() or not view.isVisible()
    detail.tabs.setCurrentWidget(detail.hex_view)
    assert detail.hex_view.toPlainText().startswith("00000000  0a 05 73 61 79 20 31")
    with qtbot.waitSignal(view.resendRequested) as blocker:
        detail.resend_button.click()
    assert blocker.args[0] == classes[0](text="say 1")
    detail.copy_button.click()
    assert QGuiApplication.clipboard().text() == detail.json_text()
    view.table.select_row(6)  # the error status
    assert detail.tabs.currentWidget() is detail.json_view
    assert '"code": "INVALID_ARGUMENT"' in detail.json_text()
    assert "too loud" in detail.json_text()
    assert not detail.resend_button.isEnabled()
    assert not detail.tabs.isTabEnabled(detail.tabs.indexOf(detail.hex_view))


def test_export_round_trips_through_jsonl(
    qtbot: Any, classes: Any, demo_schema: Schema, tmp_path: Path
) -> None:
    view = TimelineView()
    qtbot.addWidget(view)
    view.feeder.feed_all([*conversation(classes, 3), status(2.0)])
    view.feeder.flush()
    path = tmp_path / "chat.jsonl"
    with qtbot.waitSignal(view.exported):
        view.export(path, ExportFormat.JSONL)
    assert view.status.text() == f"Exported 9 lines to {path}"
    records, _ = parse_jsonl(path.read_text(encoding="utf-8").splitlines(), demo_schema.pool)
    messages = [r.message for r in records if r.message is not None]
    assert messages == [view.store.decode(r) for r in range(2, 8)]
    view.export(tmp_path / "missing" / "x.txt", ExportFormat.TEXT)
    assert view.status.text().startswith("⚠ cannot save the timeline export")


def test_a_new_store_generation_resets_the_model(qtbot: Any, classes: Any) -> None:
    view = TimelineView()
    qtbot.addWidget(view)
    view.feeder.feed_all(conversation(classes, 3))
    view.feeder.flush()
    view.table.select_row(2)
    with qtbot.waitSignal(view.model.modelReset):
        view.clear()
    assert view.model.rowCount() == 0
    assert view.detail.entry is None
    assert view.status.text() == "No events yet"
    other = TimelineStore()
    for ev in conversation(classes, 1):
        other.append_event(ev)
    view.model.set_store(other)
    assert view.model.rowCount() == 4

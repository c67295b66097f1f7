"""The history panel: calls recorded as they finish, newest first, searchable, reopenable."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from tests.unit.ui.calls_support import (
    click_method,
    connect,
    press_send,
    type_into,
    wait_finished,
)
from tests.unit.ui.workspace.conftest import binding_of, body, current_method_tab
from workbench.core.calls.events import CallResult, Finished, Started
from workbench.core.schema.schema import MethodKind
from workbench.core.store.history import History
from workbench.core.store.requests import SavedRequest, SavedTarget
from workbench.ui.models.history_model import PAGE_SIZE, Column, HistoryModel, short_method
from workbench.ui.views.main_window import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def connected(qtbot: QtBot, ws_window: MainWindow, demo_address: str) -> MainWindow:
    connect(qtbot, ws_window, demo_address)
    return ws_window


def send_echo(qtbot: QtBot, window: MainWindow, text: str) -> None:
    tab = click_method(qtbot, window, "Echo")
    type_into(qtbot, tab.editor, "string_value", text)
    previous = tab.response.finished
    press_send(qtbot, tab, tab.send_button)
    assert wait_finished(qtbot, tab, previous).ok


def rows(model: HistoryModel) -> list[tuple[str, str]]:
    return [
        (model.index(r, Column.METHOD).data(), model.index(r, Column.STATUS).data())
        for r in range(model.rowCount())
    ]


def fake_result(code: grpc.StatusCode = grpc.StatusCode.OK) -> CallResult:
    return CallResult.from_events(
        [
            Started(0.0, "a.B.C", "/a.B/C", MethodKind.UNARY, "h:1", (), None),
            Finished(0.01, code, "", (), 0.01),
        ]
    )


def test_calls_are_listed_newest_first_searchable_and_reopen_as_tabs(
    qtbot: QtBot, connected: MainWindow, demo_address: str
) -> None:
    send_echo(qtbot, connected, "first call")
    fail = click_method(qtbot, connected, "Fail")
    press_send(qtbot, fail, fail.send_button)
    wait_finished(qtbot, fail)
    send_echo(qtbot, connected, "third call")

    panel = connected.workspace_ui.history
    connected.left_tabs.setCurrentWidget(panel)
    assert rows(panel.model) == [
        ("DemoService/Echo", "OK"),
        ("DemoService/Fail", "UNKNOWN"),
        ("DemoService/Echo", "OK"),
    ]
    assert "3 calls kept" in panel.footer.text()
    tip = panel.model.index(0, Column.METHOD).data(Qt.ItemDataRole.ToolTipRole)
    assert demo_address in tip and "1 response" in tip

    qtbot.keyClicks(panel.search, "first")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    entry = panel.model.entry(0)
    assert entry is not None and entry.request.body == {"stringValue": "first call"}
    qtbot.keyClicks(panel.search, " nothing-like-this")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0)
    assert "No call matches" in panel.placeholder.text()
    panel.search.clear()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3)

    tabs_before = connected.tabs.count()
    index = panel.model.index(2, 0)
    rect = panel.view.visualRect(index)
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert connected.tabs.count() == tabs_before  # a click only selects
    qtbot.mouseDClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert connected.tabs.count() == tabs_before + 1
    reopened = current_method_tab(connected)
    assert reopened.full_name == "workbench.demo.v1.DemoService.Echo"
    assert body(reopened.request) == {"stringValue": "first call"}
    assert binding_of(connected).node is None  # a new, unsaved request
    assert binding_of(connected).bar.address_edit.text() == demo_address


def test_a_new_call_appears_at_the_top_while_the_panel_is_open(
    qtbot: QtBot, connected: MainWindow
) -> None:
    panel = connected.workspace_ui.history
    assert panel.model.rowCount() == 0
    assert "No calls yet" in panel.placeholder.text()
    send_echo(qtbot, connected, "one")
    send_echo(qtbot, connected, "two")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2)
    first = panel.model.entry(0)
    assert first is not None and first.request.body == {"stringValue": "two"}


def test_the_size_cap_is_applied_to_the_list(qtbot: QtBot, connected: MainWindow) -> None:
    connected.workspace.set_history_limit(2)
    for text in ("a", "b", "c"):
        send_echo(qtbot, connected, text)
    panel = connected.workspace_ui.history
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2)
    assert [e.request.body["stringValue"] for e in panel.model.entries()] == ["c", "b"]
    assert "at most 2" in panel.footer.text()


def test_history_model_pages_and_passes_the_model_tester(
    qtmodeltester: Any, tmp_path: Any, qtbot: QtBot
) -> None:
    with History(tmp_path / "h.sqlite3") as history:
        for i in range(PAGE_SIZE + 20):
            request = SavedRequest(f"pkg.Svc/M{i % 3}", SavedTarget("h:1"), ({"n": f"value{i}"},))
            history.record(request, fake_result(), started_at=1000.0 + i)
        model = HistoryModel()
        model.set_history(history)
        assert model.rowCount() == PAGE_SIZE
        assert model.canFetchMore(QModelIndex())
        qtmodeltester.check(model)
        model.fetchMore(QModelIndex())
        assert model.rowCount() == PAGE_SIZE + 20
        assert not model.canFetchMore(QModelIndex())
        newest = model.entry(0)
        assert newest is not None and newest.request.body == {"n": f"value{PAGE_SIZE + 19}"}
        model.set_query("value105")
        assert [e.request.body["n"] for e in model.entries()] == ["value105"]
        qtmodeltester.check(model)
        model.set_query("")
        model.remove(0)
        assert history.count() == PAGE_SIZE + 19
        assert short_method("a.b.v1.Service/Method") == "Service/Method"

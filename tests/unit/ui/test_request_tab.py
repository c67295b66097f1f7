"""Request tabs against the real demo server: fill the form, send, read the response."""

from __future__ import annotations

import json
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QPlainTextEdit,
    QTableView,
    QToolBar,
)
from pytestqt.qtbot import QtBot

from tests.unit.ui.calls_support import (
    WAIT_MS,
    activate,
    click_method,
    connect,
    press_send,
    type_into,
    wait_finished,
    wait_running,
)
from workbench.demo.protos import demo_proto_files, demo_proto_root
from workbench.ui.form.request_editor import EditorMode
from workbench.ui.state import UiState
from workbench.ui.views.connect import Phase
from workbench.ui.views.main_window import MainWindow
from workbench.ui.views.method_tab import MethodTab
from workbench.ui.views.request_tab import RequestTab

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot: QtBot, qasync_loop: Any, ui_state: UiState) -> MainWindow:
    win = MainWindow(state=ui_state)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    activate(qtbot, win)
    return win


@pytest.fixture
def connected(qtbot: QtBot, window: MainWindow, demo_address: str) -> MainWindow:
    connect(qtbot, window, demo_address)
    assert window.loader.state.phase is Phase.READY
    return window


def tree_rows(tab: RequestTab) -> dict[str, str]:
    """Top-level ``field: value`` rows of the response tree."""
    model = tab.response.message_view.model()
    return {model.index(r, 0).data(): model.index(r, 1).data() for r in range(model.rowCount())}


def set_json(qtbot: QtBot, tab: RequestTab, text: str) -> None:
    """Switch the editor to JSON and type ``text`` over what is there."""
    tab.editor.set_mode(EditorMode.JSON)
    editor = tab.editor.json_editor()
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, text)


def test_echo_from_the_form_with_ctrl_enter(qtbot: QtBot, connected: MainWindow) -> None:
    tab = click_method(qtbot, connected, "Echo")
    assert tab.response.status_text() == ""
    type_into(qtbot, tab.editor, "int32_value", "42")
    type_into(qtbot, tab.editor, "string_value", "hello workbench")
    type_into(qtbot, tab.editor, "color", "COLOR_GREEN")
    type_into(qtbot, tab.editor, "double_value", "2.5", enter=False)
    press_send(qtbot, tab)  # Ctrl+Enter while the cell is open commits it first
    finished = wait_finished(qtbot, tab)
    assert finished.ok
    assert tab.response.status_text() == "● OK"
    assert tab.response.error_text() == ""
    rows = tree_rows(tab)
    assert rows["int32_value"] == "42"
    assert rows["string_value"] == '"hello workbench"'
    assert rows["color"] == '"COLOR_GREEN"'
    assert rows["double_value"] == "2.5"
    json_text = tab.response.message_view.json_text()
    assert json.loads(json_text)["int32Value"] == 42
    tab.response.message_view.show_json()
    shown = tab.response.message_view.findChild(QPlainTextEdit, "responseJson")
    assert '"stringValue": "hello workbench"' in shown.toPlainText()
    timing = tab.response.timing.text()
    assert "total" in timing and "first response after" in timing and "1 response" in timing
    assert not tab.busy.isVisible() and not tab.cancel_button.isVisible()


def test_fail_shows_the_code_and_the_decoded_details(qtbot: QtBot, connected: MainWindow) -> None:
    tab = click_method(qtbot, connected, "Fail")
    set_json(
        qtbot,
        tab,
        '{"code": "INVALID_ARGUMENT", "message": "the item is broken",'
        ' "details": ["DETAIL_KIND_BAD_REQUEST", "DETAIL_KIND_RETRY_INFO"]}',
    )
    press_send(qtbot, tab, tab.editor.json_editor())  # before the typing pause ends
    finished = wait_finished(qtbot, tab)
    assert finished.code_name == "INVALID_ARGUMENT"
    assert tab.response.status_text() == "✕ INVALID_ARGUMENT (3)"
    error = tab.response.error_text()
    assert "The server answered INVALID_ARGUMENT: “the item is broken”." in error
    assert "hint: the error details below say more" in error
    assert "Traceback" not in error
    details = tab.response.details_text().splitlines()
    assert details == [
        "google.rpc.BadRequest",
        "  item.name: must not be empty",
        "  item.labels[1]: must be at most 20 characters long",
        "google.rpc.RetryInfo",
        "  retry after 1.5s",
    ]
    assert tab.response.tabs.currentWidget().objectName() == "errorDetails"
    assert "Error details (2)" in [
        tab.response.tabs.tabText(i) for i in range(tab.response.tabs.count())
    ]
    assert any(key == "grpc-status-details-bin" for key, _ in tab.response.trailers())


def test_a_short_deadline_ends_in_deadline_exceeded(qtbot: QtBot, connected: MainWindow) -> None:
    tab = click_method(qtbot, connected, "Slow")
    type_into(qtbot, tab.editor, "duration", "5s")
    qtbot.keyClicks(tab.deadline_edit, "0.2")
    press_send(qtbot, tab, tab.deadline_edit)
    finished = wait_finished(qtbot, tab)
    assert finished.code_name == "DEADLINE_EXCEEDED"
    assert tab.response.status_text() == "✕ DEADLINE_EXCEEDED (4)"
    error = tab.response.error_text()
    assert "The deadline of 0.2 s passed before the server answered." in error
    assert "hint: raise the deadline" in error


def test_escape_cancels_a_running_call_and_the_tab_keeps_working(
    qtbot: QtBot, connected: MainWindow
) -> None:
    tab = click_method(qtbot, connected, "Slow")
    type_into(qtbot, tab.editor, "duration", "60s")
    press_send(qtbot, tab)
    wait_running(qtbot, tab)
    assert tab.busy.isVisible() and tab.elapsed.text().endswith("s")
    assert tab.response.status_text() == "◐ Running…"
    assert not tab.send_button.isEnabled()
    qtbot.keyClick(tab.editor.form_view(), Qt.Key.Key_Escape)
    finished = wait_finished(qtbot, tab)
    assert finished.code_name == "CANCELLED"
    assert tab.response.status_text() == "✕ CANCELLED (1)"
    assert "You cancelled the call after" in tab.response.error_text()
    assert tab.send_button.isEnabled() and not tab.cancel_button.isVisible()

    type_into(qtbot, tab.editor, "duration", "0s")
    qtbot.mouseClick(tab.send_button, Qt.MouseButton.LeftButton)
    assert wait_finished(qtbot, tab, finished).ok
    assert tab.response.error_text() == ""


def test_an_unreachable_server_is_explained_with_a_hint(
    qtbot: QtBot, window: MainWindow, unused_port: int
) -> None:
    root = demo_proto_root()
    window.open_proto_files([str(root / name) for name in demo_proto_files()])
    qtbot.waitUntil(lambda: window.loader.state.phase is Phase.READY, timeout=WAIT_MS)
    address = f"127.0.0.1:{unused_port}"
    window.address_box.setEditText(address)  # the schema is from files: calls go here
    tab = click_method(qtbot, window, "Echo")
    press_send(qtbot, tab)
    finished = wait_finished(qtbot, tab)
    assert finished.code_name == "UNAVAILABLE"
    error = tab.response.error_text()
    assert f"connection to {address} refused: nothing is listening there" in error
    assert "hint: check the port, and that the server is running" in error
    assert "Traceback" not in error


def test_without_any_address_send_says_where_to_type_one(qtbot: QtBot, window: MainWindow) -> None:
    root = demo_proto_root()
    window.open_proto_files([str(root / name) for name in demo_proto_files()])
    qtbot.waitUntil(lambda: window.loader.state.phase is Phase.READY, timeout=WAIT_MS)
    tab = click_method(qtbot, window, "Echo")
    press_send(qtbot, tab)
    qtbot.waitUntil(lambda: tab.response.error_text() != "", timeout=WAIT_MS)
    assert tab.response.status_text() == "✕ Not sent"
    assert "no server to call" in tab.response.error_text()
    assert "hint: type the server's address in the address bar" in tab.response.error_text()


def test_an_out_of_range_value_disables_send_with_the_reason(
    qtbot: QtBot, connected: MainWindow
) -> None:
    tab = click_method(qtbot, connected, "Echo")
    type_into(qtbot, tab.editor, "int32_value", "3000000000")
    assert not tab.send_button.isEnabled()
    reason = "int32_value: 3000000000 is out of range for int32"
    assert reason in tab.send_button.toolTip()
    assert tab.reason.isVisible() and reason in tab.reason.text()
    press_send(qtbot, tab)  # nothing happens
    qtbot.wait(50)
    assert not tab.runner.running and tab.response.finished is None
    type_into(qtbot, tab.editor, "int32_value", "7")
    assert tab.send_button.isEnabled() and not tab.reason.isVisible()


def test_pasted_invalid_json_is_marked_and_blocks_send(qtbot: QtBot, connected: MainWindow) -> None:
    tab = click_method(qtbot, connected, "Echo")
    qtbot.mouseClick(
        tab.editor.findChild(QToolBar, "request-editor-toolbar").widgetForAction(
            tab.editor.json_action
        ),
        Qt.MouseButton.LeftButton,
    )
    text = tab.editor.json_editor()
    text.setFocus()
    text.selectAll()
    QApplication.clipboard().setText('{"int32Value": 1,\n "stringValue": }')
    qtbot.keyClick(text, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not tab.send_button.isEnabled(), timeout=3000)
    assert text.error() is not None and text.error()[0] == 2  # marked on line 2
    assert "line 2" in tab.send_button.toolTip()
    assert tab.reason.isVisible()
    press_send(qtbot, tab, text)
    qtbot.wait(50)
    assert tab.response.finished is None


def add_header(qtbot: QtBot, tab: RequestTab, key: str, value: str) -> None:
    """Click "Add header", type the key, Tab, type the value, Enter."""
    table = tab.metadata
    bar = table.findChild(QToolBar, "metadataToolbar")
    qtbot.mouseClick(bar.widgetForAction(table.add_action), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(QApplication.focusWidget(), key)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), value)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    view = table.view()
    qtbot.waitUntil(lambda: view.state() != QAbstractItemView.State.EditingState)


def test_metadata_round_trip_through_echo_metadata(qtbot: QtBot, connected: MainWindow) -> None:
    tab = click_method(qtbot, connected, "EchoMetadata")
    tab.side_tabs.setCurrentWidget(tab.metadata)
    activate(qtbot, tab)
    add_header(qtbot, tab, "x-user", "alice")
    add_header(qtbot, tab, "x-trace-bin", "not base64!")
    assert not tab.send_button.isEnabled()
    assert "x-trace-bin" in tab.reason.text() and "base64" in tab.reason.text()
    model = tab.metadata.model()
    model.setData(model.index(1, 1), "AAEC")  # as the table's editor commits it
    assert tab.send_button.isEnabled()
    add_header(qtbot, tab, "x-skipped", "off")
    box = model.index(2, 0)
    rect = tab.metadata.view().visualRect(box)
    check = rect.topLeft() + QPoint(10, rect.height() // 2)
    qtbot.mouseClick(tab.metadata.view().viewport(), Qt.MouseButton.LeftButton, pos=check)
    assert model.data(box, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert tab.side_tabs.tabText(tab.side_tabs.indexOf(tab.metadata)) == "Metadata (3)"

    press_send(qtbot, tab, tab.metadata.view())
    assert wait_finished(qtbot, tab).ok
    headers = dict(tab.response.headers())
    assert headers["x-user"] == "alice"
    assert headers["x-trace-bin"] == b"\x00\x01\x02"
    assert "x-skipped" not in headers
    trailers = dict(tab.response.trailers())
    assert trailers["trailer-x-user"] == "alice"
    table = tab.response.findChild(QTableView, "responseHeaders")
    shown = {table.model().index(r, 0).data(): table.model().index(r, 1).data() for r in range(2)}
    assert shown == {"x-user": "alice", "x-trace-bin": "AAEC"}
    entries = json.loads(tab.response.message_view.json_text())["entries"]
    assert {"key": "x-trace-bin", "binaryValue": "AAEC"} in entries


def test_server_streaming_lists_every_message(qtbot: QtBot, connected: MainWindow) -> None:
    tab = click_method(qtbot, connected, "Countdown")
    type_into(qtbot, tab.editor, "count", "5")
    type_into(qtbot, tab.editor, "label", "launch")
    press_send(qtbot, tab)
    assert wait_finished(qtbot, tab).ok
    stream = tab.response.stream_view
    assert stream is not None and tab.response.tabs.currentWidget() is stream
    assert not tab.response.tabs.isTabVisible(0)  # no single "Response" for a stream
    qtbot.waitUntil(lambda: stream.model.rowCount() == stream.store.end_id, timeout=WAIT_MS)
    assert stream.store.received == 5
    ticks = [
        stream.store.decode(row)
        for row in range(len(stream.store))
        if stream.store.message_class(row) is not None and stream.store.index(row) is not None
    ]
    received = [t for t in ticks if t.DESCRIPTOR.name == "Tick"]
    assert [t.sequence for t in received] == [1, 2, 3, 4, 5]
    assert {t.label for t in received} == {"launch"}
    assert "5 responses" in tab.response.timing.text()
    stream.table.selectRow(stream.model.rowCount() - 3)  # selecting a row shows it in full
    qtbot.waitUntil(lambda: '"label": "launch"' in stream.detail.json_text())


def test_interactive_chat(qtbot: QtBot, connected: MainWindow) -> None:
    tab = click_method(qtbot, connected, "Chat")
    assert tab.send_button.text() == "Send" and not tab.end_button.isVisible()
    type_into(qtbot, tab.editor, "sender", "ann")
    stream = tab.response.stream_view
    assert stream is not None
    for number, text in enumerate(("one", "two", "three"), 1):
        type_into(qtbot, tab.editor, "text", text)
        press_send(qtbot, tab)
        qtbot.waitUntil(lambda n=number: stream.store.received == n, timeout=WAIT_MS)
        assert tab.runner.running and tab.end_button.isVisible()
        assert tab.send_button.text() == "Send message" and tab.send_button.isEnabled()
    qtbot.mouseClick(tab.end_button, Qt.MouseButton.LeftButton)
    finished = wait_finished(qtbot, tab)
    assert finished.ok and tab.response.status_text() == "● OK"
    store = stream.store
    messages = [
        (store.kind(row).name, store.decode(row).text)
        for row in range(len(store))
        if store.message_class(row) is not None
    ]
    assert messages == [
        ("SENT", "one"),
        ("RECEIVED", "one"),
        ("SENT", "two"),
        ("RECEIVED", "two"),
        ("SENT", "three"),
        ("RECEIVED", "three"),
    ]
    assert "3 responses" in tab.response.timing.text() and "3 sent" in tab.response.timing.text()
    assert tab.send_button.text() == "Send" and not tab.end_button.isVisible()


def test_two_tabs_run_independently(qtbot: QtBot, connected: MainWindow) -> None:
    slow = click_method(qtbot, connected, "Slow")
    type_into(qtbot, slow.editor, "duration", "30s")
    press_send(qtbot, slow)
    wait_running(qtbot, slow)
    echo = click_method(qtbot, connected, "Echo")  # the Slow tab is kept: it has a call
    assert connected.tabs.titles() == ["Slow", "Echo"]
    type_into(qtbot, echo.editor, "string_value", "meanwhile")
    press_send(qtbot, echo)
    assert wait_finished(qtbot, echo).ok
    assert slow.runner.running and slow.response.finished is None
    connected.tabs.setCurrentIndex(0)
    qtbot.keyClick(slow.editor.form_view(), Qt.Key.Key_Escape)
    assert wait_finished(qtbot, slow).code_name == "CANCELLED"
    assert echo.response.finished is not None and echo.response.finished.ok


def test_ctrl_t_opens_another_tab_and_ctrl_w_closes_it(qtbot: QtBot, connected: MainWindow) -> None:
    first = click_method(qtbot, connected, "Echo")
    qtbot.keyClick(connected.browser.tree, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert connected.tabs.titles() == ["Echo", "Echo (2)"]
    second = connected.tabs.current_tab()
    assert isinstance(second, MethodTab) and second.request is not first
    type_into(qtbot, second.request.editor, "int32_value", "2")
    assert first.editor.message().int32_value == 0  # type: ignore[attr-defined]
    qtbot.keyClick(
        second.request.editor.form_view(), Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier
    )
    assert connected.tabs.titles() == ["Echo"]


def test_closing_a_tab_cancels_its_call(qtbot: QtBot, connected: MainWindow) -> None:
    tab = click_method(qtbot, connected, "Countdown")
    type_into(qtbot, tab.editor, "count", "1000")
    type_into(qtbot, tab.editor, "interval_ms", "20")
    press_send(qtbot, tab)
    wait_running(qtbot, tab)
    runner = tab.runner
    task = runner._task
    connected.tabs.close_tab(connected.tabs.currentIndex())
    qtbot.waitUntil(lambda: task is not None and task.done(), timeout=WAIT_MS)
    assert connected.welcome.isVisible()
    other = click_method(qtbot, connected, "Echo")  # the window keeps working
    press_send(qtbot, other)
    assert wait_finished(qtbot, other).ok


def test_a_large_response_is_formatted_off_the_ui_thread(
    qtbot: QtBot, connected: MainWindow
) -> None:
    tab = click_method(qtbot, connected, "Large")
    type_into(qtbot, tab.editor, "size_bytes", "400000")
    type_into(qtbot, tab.editor, "item_count", "3")
    press_send(qtbot, tab)
    assert wait_finished(qtbot, tab).ok
    rows = tree_rows(tab)
    assert rows["size_bytes"] == '"400000"' and rows["items"] == "[3 items]"
    assert rows["payload"].endswith("…") and len(rows["payload"]) == 300
    view = tab.response.message_view
    view.show_json()
    shown = view.findChild(QPlainTextEdit, "responseJson")
    qtbot.waitUntil(lambda: '"sizeBytes": "400000"' in shown.toPlainText(), timeout=WAIT_MS)


def test_a_response_over_the_limit_names_the_setting_to_raise(
    qtbot: QtBot, connected: MainWindow
) -> None:
    tab = click_method(qtbot, connected, "Large")  # 6 MiB by default: over gRPC's 4 MiB
    press_send(qtbot, tab)
    assert wait_finished(qtbot, tab).code_name == "RESOURCE_EXHAUSTED"
    error = tab.response.error_text()
    assert "exceeds the default receive limit of 4194304 bytes" in error
    assert "hint: raise “Max message size” to 8388608 (see Connection…" in error


def test_closing_the_window_ends_running_calls(qtbot: QtBot, connected: MainWindow) -> None:
    tab = click_method(qtbot, connected, "Chat")
    type_into(qtbot, tab.editor, "text", "still open")
    press_send(qtbot, tab)
    qtbot.waitUntil(lambda: tab.runner.can_send, timeout=WAIT_MS)
    task = tab.runner._task
    closed: list[bool] = []
    connected.closed.connect(lambda: closed.append(True))
    connected.close()
    qtbot.waitUntil(lambda: bool(closed), timeout=WAIT_MS)
    assert task is not None and task.done()


def test_editing_the_preview_tab_keeps_it(qtbot: QtBot, connected: MainWindow) -> None:
    echo = click_method(qtbot, connected, "Echo")
    click_method(qtbot, connected, "Slow")
    assert connected.tabs.titles() == ["Slow"]  # browsing replaced the untouched preview
    slow = connected.tabs.current_tab()
    assert slow is not None and slow.request is not echo
    type_into(qtbot, slow.request.editor, "duration", "1s")
    click_method(qtbot, connected, "Echo")
    assert connected.tabs.titles() == ["Slow", "Echo"]

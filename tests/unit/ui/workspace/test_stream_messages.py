"""Client and bidi streams keep their list of messages: saved, reopened, sent in order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.unit.ui.calls_support import WAIT_MS, click_method, connect, type_into, wait_finished
from tests.unit.ui.workspace.conftest import (
    answer_save_dialog,
    binding_of,
    body,
    click_node,
    current_method_tab,
    press_save,
)
from workbench.ui.views.main_window import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def connected(qtbot: QtBot, ws_window: MainWindow, demo_address: str) -> MainWindow:
    connect(qtbot, ws_window, demo_address)
    return ws_window


def test_a_stream_saves_its_messages_and_sends_them_all_in_order(
    qtbot: QtBot, connected: MainWindow, ws_dir: Path
) -> None:
    tab = click_method(qtbot, connected, "Sum")
    bar = binding_of(connected).bar
    assert bar.position.text() == "1 / 1" and not bar.remove_button.isEnabled()
    type_into(qtbot, tab.editor, "value", "1")
    for value in ("2", "3"):
        qtbot.mouseClick(bar.add_button, Qt.MouseButton.LeftButton)
        type_into(qtbot, tab.editor, "value", value)
    assert bar.position.text() == "3 / 3"
    assert bar.send_all_button.text() == "Send all (3)"
    press_save(qtbot, connected)
    answer_save_dialog(qtbot, connected, "Three numbers", "sums")
    qtbot.waitUntil(lambda: binding_of(connected).node is not None)
    path = ws_dir / "collections" / "sums" / "Three numbers.request.json"
    assert json.loads(path.read_text())["messages"] == [
        {"value": "1"},
        {"value": "2"},
        {"value": "3"},
    ]

    node = binding_of(connected).node
    assert node is not None
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    click_node(qtbot, connected, node)
    reopened = current_method_tab(connected).request
    bar = binding_of(connected).bar
    assert bar.position.text() == "1 / 3"
    assert body(reopened) == {"value": "1"}
    qtbot.mouseClick(bar.next_button, Qt.MouseButton.LeftButton)
    assert body(reopened) == {"value": "2"}
    assert connected.tabs.tabText(connected.tabs.currentIndex()) == "Three numbers"

    qtbot.mouseClick(bar.send_all_button, Qt.MouseButton.LeftButton)
    stream = reopened.response.stream_view
    assert stream is not None
    qtbot.waitUntil(lambda: stream.store.sent == 3, timeout=WAIT_MS)
    assert reopened.runner.running  # the stream stays open until End stream
    qtbot.waitUntil(lambda: not binding_of(connected).stream.busy, timeout=WAIT_MS)
    qtbot.mouseClick(reopened.end_button, Qt.MouseButton.LeftButton)
    assert wait_finished(qtbot, reopened).ok
    reply = json.loads(reopened.response.message_view.json_text())
    assert reply["total"] == "6" and reply["count"] == 3

    history = connected.workspace.history
    assert history is not None
    assert history.entries(1)[0].request.messages == (
        {"value": "1"},
        {"value": "2"},
        {"value": "3"},
    )


def test_send_on_an_open_stream_moves_to_the_next_message(
    qtbot: QtBot, connected: MainWindow
) -> None:
    tab = click_method(qtbot, connected, "Chat")
    binding = binding_of(connected)
    assert binding.stream is not None
    binding.stream.set_messages([{"text": "one"}, {"text": "two"}])
    assert binding.bar.position.text() == "1 / 2"
    qtbot.mouseClick(tab.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: binding.bar.position.text() == "2 / 2", timeout=WAIT_MS)
    assert body(tab) == {"text": "two"}
    qtbot.waitUntil(lambda: tab.runner.can_send, timeout=WAIT_MS)
    qtbot.mouseClick(tab.send_button, Qt.MouseButton.LeftButton)
    stream = tab.response.stream_view
    assert stream is not None
    qtbot.waitUntil(lambda: stream.store.received == 2, timeout=WAIT_MS)
    assert binding.bar.position.text() == "2 / 2"  # the last one stays
    qtbot.mouseClick(binding.bar.remove_button, Qt.MouseButton.LeftButton)
    assert binding.bar.position.text() == "1 / 1"
    assert body(tab) == {"text": "one"}
    qtbot.mouseClick(tab.end_button, Qt.MouseButton.LeftButton)
    assert wait_finished(qtbot, tab).ok

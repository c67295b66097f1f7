"""Window keys (Ctrl+L, Ctrl+F, Ctrl+P, Ctrl+Enter, Esc, Ctrl+O, F5) and a bug in a slot."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from tests.unit.ui.calls_support import (
    DEMO,
    WAIT_MS,
    activate,
    click_method,
    connect,
    type_into,
    wait_finished,
    wait_running,
)
from workbench.app.gui import CrashHandler
from workbench.core.errors import WorkbenchError
from workbench.demo.protos import demo_proto_files, demo_proto_root
from workbench.ui.bridges import CrashReport, MessageBridge, UserMessage
from workbench.ui.state import UiState
from workbench.ui.views import about_dialog
from workbench.ui.views.connect import Phase
from workbench.ui.views.main_window import MainWindow
from workbench.ui.views.method_tab import MethodTab
from workbench.ui.views.quick_open import QuickOpen


@pytest.fixture
def bridge() -> MessageBridge:
    bridge = MessageBridge()
    bridge.set_ready()
    return bridge


@pytest.fixture
def window(
    qtbot: QtBot,
    qasync_loop: asyncio.AbstractEventLoop,
    ui_state: UiState,
    bridge: MessageBridge,
) -> MainWindow:
    win = MainWindow(state=ui_state, bridge=bridge)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    activate(qtbot, win)
    return win


def ctrl(qtbot: QtBot, key: Qt.Key) -> None:
    """Press Ctrl+``key`` wherever the focus is."""
    target = QApplication.focusWidget()
    assert target is not None
    qtbot.keyClick(target, key, Qt.KeyboardModifier.ControlModifier)


def test_ctrl_l_and_ctrl_f_put_the_cursor_in_the_boxes(qtbot: QtBot, window: MainWindow) -> None:
    window.browser.tree.setFocus()
    window.address_box.setEditText("localhost:50051")
    ctrl(qtbot, Qt.Key.Key_L)
    line = window.address_box.lineEdit()
    assert window.address_box.hasFocus()  # the combo box hands its focus to its line edit
    assert line.selectedText() == "localhost:50051"  # typing replaces it
    qtbot.keyClicks(QApplication.focusWidget(), "example:443")
    assert window.address_box.currentText() == "example:443"
    ctrl(qtbot, Qt.Key.Key_F)
    assert QApplication.focusWidget() is window.browser.filter_edit
    ctrl(qtbot, Qt.Key.Key_L)
    assert window.address_box.hasFocus()


def test_ctrl_p_finds_a_method_and_enter_opens_its_tab(
    qtbot: QtBot, window: MainWindow, demo_address: str
) -> None:
    ctrl(qtbot, Qt.Key.Key_P)  # no schema yet: says what to do
    assert "first" in window.statusBar().currentMessage()
    assert window.findChild(QuickOpen) is None
    connect(qtbot, window, demo_address)
    activate(qtbot, window)
    window.browser.tree.setFocus()
    ctrl(qtbot, Qt.Key.Key_P)
    palette = window.findChild(QuickOpen)
    assert palette is not None
    qtbot.waitUntil(palette.isVisible)
    qtbot.keyClicks(palette.filter_edit, "dsecho")
    assert palette.current_name() == "DemoService/Echo"
    qtbot.keyClick(palette.filter_edit, Qt.Key.Key_Return)
    tab = window.tabs.current_tab()
    assert isinstance(tab, MethodTab) and tab.full_name == f"{DEMO}.Echo"
    assert window.tabs.preview is None  # opened to stay
    assert window.browser.current_full_name() == f"{DEMO}.Echo"


def test_ctrl_enter_sends_and_esc_cancels_only_while_running(
    qtbot: QtBot, window: MainWindow, demo_address: str
) -> None:
    connect(qtbot, window, demo_address)
    slow = click_method(qtbot, window, "Slow")
    assert not window.shortcuts.act_cancel.isEnabled()  # Esc is free for popups and editors
    type_into(qtbot, slow.editor, "duration", "60s")
    slow.editor.form_view().setFocus()
    ctrl(qtbot, Qt.Key.Key_Return)
    wait_running(qtbot, slow)
    assert window.shortcuts.act_cancel.isEnabled()
    qtbot.keyClick(slow.editor.form_view(), Qt.Key.Key_Escape)
    assert wait_finished(qtbot, slow).code_name == "CANCELLED"
    assert not window.shortcuts.act_cancel.isEnabled()


def test_ctrl_o_opens_proto_files_and_f5_reloads_them(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = demo_proto_root()
    files = [str(root / name) for name in demo_proto_files()]
    asked: list[str] = []

    def choose(_parent: object, title: str, *_args: object) -> tuple[list[str], str]:
        asked.append(title)
        return files, ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", choose)
    window.browser.tree.setFocus()
    ctrl(qtbot, Qt.Key.Key_O)
    qtbot.waitUntil(lambda: window.loader.state.phase is Phase.READY, timeout=WAIT_MS)
    assert asked == ["Open .proto files"]
    assert window.act_reload.isEnabled()
    phases: list[Phase] = []
    window.loader.stateChanged.connect(lambda state: phases.append(state.phase))
    qtbot.keyClick(window.browser.tree, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: phases == [Phase.LOADING, Phase.READY], timeout=WAIT_MS)
    assert window.indicator.full_text().startswith("● Loaded 4 .proto files — ")


def test_a_bug_in_a_slot_is_logged_and_shown_and_the_app_keeps_running(
    qtbot: QtBot,
    window: MainWindow,
    bridge: MessageBridge,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def report_error(exc: WorkbenchError) -> None:
        bridge.show(UserMessage.for_error(exc))

    handler = CrashHandler(lambda s, d: bridge.crash(CrashReport(s, d)), report_error)

    def broken() -> list[tuple[str, str]]:
        raise ZeroDivisionError("versions went missing")

    monkeypatch.setattr(about_dialog, "versions", broken)
    handler.install()
    try:
        window.help.act_about.trigger()  # a real action's slot raises
        qtbot.waitUntil(lambda: window.findChild(QMessageBox) is not None, timeout=WAIT_MS)
    finally:
        handler.uninstall()
    box = window.findChild(QMessageBox)
    assert box is not None and box.isVisible() and not box.isModal()
    assert box.informativeText() == "ZeroDivisionError: versions went missing"
    assert "show_about" in box.detailedText()
    assert "uncaught exception" in caplog.text
    assert "versions went missing" in caplog.text
    # The app keeps running: keys and typing still work.
    window.browser.tree.setFocus()
    ctrl(qtbot, Qt.Key.Key_F)
    qtbot.keyClicks(window.browser.filter_edit, "Echo")
    assert window.browser.filter_edit.text() == "Echo"


def test_a_bug_in_an_async_slot_is_shown_too(
    qtbot: QtBot,
    window: MainWindow,
    bridge: MessageBridge,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handler = CrashHandler(lambda s, d: bridge.crash(CrashReport(s, d)), lambda _e: None)

    def broken(_address: str) -> None:
        raise RuntimeError("the loader broke")

    monkeypatch.setattr(window.loader, "connect_to", broken)
    handler.install()
    try:
        window.address_box.setEditText("localhost:1")
        qtbot.mouseClick(window.connect_button, Qt.MouseButton.LeftButton)  # an asyncSlot
        qtbot.waitUntil(lambda: window.findChild(QMessageBox) is not None, timeout=WAIT_MS)
    finally:
        handler.uninstall()
    box = window.findChild(QMessageBox)
    assert box is not None
    assert box.informativeText() == "RuntimeError: the loader broke"
    assert window.isVisible()

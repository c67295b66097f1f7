"""The Help menu: the shortcuts list (made from the real actions), About, the log folder."""

from __future__ import annotations

import asyncio
from typing import Any

import google.protobuf
import grpc
import PySide6
import pytest
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices
from pytestqt.qtbot import QtBot

from tests.unit.ui.calls_support import activate
from workbench import __version__
from workbench.core.paths import log_dir
from workbench.ui.state import UiState
from workbench.ui.views.about_dialog import AboutDialog
from workbench.ui.views.main_window import MainWindow
from workbench.ui.views.shortcuts_dialog import ShortcutsDialog, window_shortcuts


@pytest.fixture
def window(qtbot: QtBot, qasync_loop: asyncio.AbstractEventLoop, ui_state: UiState) -> MainWindow:
    win = MainWindow(state=ui_state)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_shortcuts_dialog_lists_the_real_actions(qtbot: QtBot, window: MainWindow) -> None:
    activate(qtbot, window)
    qtbot.keyClick(window.browser.tree, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(ShortcutsDialog)
    assert dialog is not None and dialog.isVisible()
    rows = dict(dialog.rows())
    assert rows["Send"] == "Ctrl+Return or Ctrl+Enter"
    assert rows["Cancel call"] == "Esc"
    assert rows["Go to address bar"] == "Ctrl+L"
    assert rows["Find in schema"] == "Ctrl+F"
    assert rows["Go to method"] == "Ctrl+P"
    assert rows["Settings"] == "Ctrl+,"
    assert rows["New request tab"] == "Ctrl+T"
    assert rows["Close tab"] == "Ctrl+W"
    assert rows["Keyboard shortcuts"] == "Ctrl+/"
    # Generated, not typed in: a new action with a key shows up, and no key is listed twice.
    window.menuBar().actions()[0].menu().addAction("Frobnicate").setShortcut("Ctrl+Shift+K")
    assert ("Frobnicate", "Ctrl+Shift+K") in [
        (s.action, s.keys_text) for s in window_shortcuts(window)
    ]
    keys = [k for s in window_shortcuts(window) for k in s.keys]
    assert len(keys) == len(set(keys))


def test_about_shows_the_versions(qtbot: QtBot, window: MainWindow) -> None:
    window.help.act_about.trigger()
    dialog = window.findChild(AboutDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.version_of("gRPC Workbench") == __version__
    assert dialog.version_of("Qt") == qVersion()
    assert dialog.version_of("PySide6") == PySide6.__version__
    assert dialog.version_of("grpcio") == grpc.__version__
    assert dialog.version_of("protobuf") == google.protobuf.__version__
    assert dialog.version_of("Python")
    assert dialog.version_of("qasync")
    dialog.copy_button.click()
    from PySide6.QtGui import QGuiApplication

    assert f"grpcio: {grpc.__version__}" in QGuiApplication.clipboard().text()


def test_open_log_folder_opens_the_log_dir(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []

    def fake_open(url: QUrl) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", fake_open)
    window.help.act_log_folder.trigger()
    assert [u.toLocalFile() for u in opened] == [str(log_dir())]
    assert log_dir().is_dir()


def test_a_failed_open_says_where_the_logs_are(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda _url: False)
    window.help.act_log_folder.trigger()
    assert str(log_dir()) in window.statusBar().currentMessage()


def test_about_is_not_modal(qtbot: QtBot, window: MainWindow) -> None:
    dialog: Any = window.help.show_about()
    assert not dialog.isModal()
    qtbot.keyClicks(window.browser.filter_edit, "still works")
    assert window.browser.filter_edit.text() == "still works"

"""Settings… (Ctrl+,): changes apply live and are saved to settings.json."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.unit.ui.calls_support import DEMO, activate, click_method, connect
from workbench.core.settings import SettingsStore, autosave
from workbench.ui import preferences, theme
from workbench.ui.appearance import Appearance
from workbench.ui.state import UiState
from workbench.ui.views.main_window import MainWindow
from workbench.ui.views.settings_dialog import SettingsDialog

WAIT_MS = 15_000


@pytest.fixture
def app_style(qapp: QApplication) -> Iterator[QApplication]:
    """Put the application's style, palette and style sheet back after the test."""
    style, palette, sheet = qapp.style().name(), QPalette(qapp.palette()), qapp.styleSheet()
    try:
        yield qapp
    finally:
        theme.reset()
        qapp.setStyleSheet(sheet)
        qapp.setStyle(style)
        qapp.setPalette(palette)


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "settings.json"


@pytest.fixture
def store(settings_path: Path) -> SettingsStore:
    return SettingsStore.load(settings_path)


@pytest.fixture
def window(
    qtbot: QtBot,
    qasync_loop: asyncio.AbstractEventLoop,
    ui_state: UiState,
    store: SettingsStore,
    app_style: QApplication,
) -> Iterator[MainWindow]:
    appearance = Appearance(app_style, store)
    saver = autosave(store, loop=qasync_loop, delay=0.05)
    win = MainWindow(state=ui_state, settings=store)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    try:
        yield win
    finally:
        saver.close()
        appearance.close()


def saved(path: Path) -> dict[str, object]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def open_settings(qtbot: QtBot, window: MainWindow) -> SettingsDialog:
    """Press Ctrl+, in the window."""
    activate(qtbot, window)
    qtbot.keyClick(window.browser.tree, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def test_theme_changes_live_and_is_saved(
    qtbot: QtBot, window: MainWindow, app_style: QApplication, settings_path: Path
) -> None:
    dialog = open_settings(qtbot, window)
    assert dialog.theme_box.currentData() == "system"
    dialog.theme_box.setFocus()
    qtbot.keyClick(dialog.theme_box, Qt.Key.Key_End)  # the last entry: Dark
    assert dialog.theme_box.currentData() == "dark"
    window_color = app_style.palette().color(QPalette.ColorRole.Window)
    assert window_color.lightness() < 80  # dark, at once
    assert theme.is_dark()
    assert "#3b1518" in app_style.styleSheet()  # the dark banner colours
    qtbot.waitUntil(lambda: saved(settings_path).get("theme") == "dark", timeout=WAIT_MS)

    qtbot.keyClick(dialog.theme_box, Qt.Key.Key_Up)  # Light
    assert app_style.palette().color(QPalette.ColorRole.Window).lightness() > 180
    assert not theme.is_dark()
    qtbot.waitUntil(lambda: saved(settings_path).get("theme") == "light", timeout=WAIT_MS)


def test_editor_font_size_applies_to_open_and_new_editors(
    qtbot: QtBot, window: MainWindow, demo_address: str, settings_path: Path
) -> None:
    connect(qtbot, window, demo_address)
    echo = click_method(qtbot, window, "Echo", double=True)
    dialog = open_settings(qtbot, window)
    dialog.font_size.setFocus()
    dialog.font_size.selectAll()
    qtbot.keyClicks(dialog.font_size, "17")
    assert window.detail.font().pointSize() == 17
    assert echo.editor.json_editor().font().pointSize() == 17
    chat = click_method(qtbot, window, "Chat")  # a tab made after the change
    assert chat.editor.json_editor().font().pointSize() == 17
    qtbot.waitUntil(lambda: saved(settings_path).get("editor_font_size") == 17, timeout=WAIT_MS)
    assert f"{DEMO}.Chat" in [window.tabs.current_tab().full_name]  # type: ignore[union-attr]


def test_deadline_history_and_row_cap_reach_the_app(
    qtbot: QtBot, window: MainWindow, demo_address: str, store: SettingsStore
) -> None:
    connect(qtbot, window, demo_address)
    echo = click_method(qtbot, window, "Echo", double=True)
    dialog = open_settings(qtbot, window)
    dialog.deadline.setValue(7.5)
    assert store.settings.default_deadline_seconds == 7.5
    assert "7.5" in echo.deadline_edit.placeholderText()
    dialog.row_cap.setValue(50)
    assert preferences.current().timeline_row_cap == 50
    countdown = click_method(qtbot, window, "Countdown")
    assert countdown.response.stream_view is not None
    assert countdown.response.stream_view.store.max_rows == 50
    dialog.history.setValue(25)
    assert store.settings.history_max_entries == 25
    history = window.workspace.history
    assert history is not None and history.max_entries == 25
    dialog.deadline.setValue(0)  # "None"
    assert store.settings.default_deadline_seconds is None
    dialog.restore_defaults()
    assert store.settings.timeline_row_cap is None
    assert dialog.row_cap.text() == "Keep all"


def test_a_missing_theme_file_still_gives_a_working_app(
    qtbot: QtBot,
    *,
    qasync_loop: asyncio.AbstractEventLoop,
    ui_state: UiState,
    store: SettingsStore,
    app_style: QApplication,
    demo_address: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(theme, "STYLE_SHEET", "no-such-theme.qss")
    store.update(theme="dark")
    appearance = Appearance(app_style, store)
    try:
        win = MainWindow(state=ui_state, settings=store)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        assert "no-such-theme.qss" in caplog.text  # said why it looks plain
        assert app_style.palette().color(QPalette.ColorRole.Window).lightness() < 80
        assert "#messageBanner" not in app_style.styleSheet()
        assert "font-size: 11pt" in app_style.styleSheet()  # the editor font still applies
        connect(qtbot, win, demo_address)
        echo = click_method(qtbot, win, "Echo")
        assert echo.isVisible()
        assert win.detail.font().pointSize() == 11
    finally:
        appearance.close()

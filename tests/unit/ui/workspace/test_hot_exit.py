"""Tabs of saved requests survive a restart (and an undone delete) still bound to their file."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from tests.unit.ui.calls_support import WAIT_MS, click_method, connect, type_into
from tests.unit.ui.session_support import Profile
from tests.unit.ui.workspace.conftest import binding_of, body, current_method_tab, press_save
from tests.unit.ui.workspace.test_collections import request_file, save_new
from workbench.core.store.tree import RequestNode
from workbench.ui.views.main_window import MainWindow
from workbench.ui.views.request_tab import RequestTab

pytestmark = pytest.mark.gui


@pytest.fixture
def profile(tmp_path: Path, qasync_loop: asyncio.AbstractEventLoop) -> Profile:
    return Profile(tmp_path)


def start_with_saved_echo(
    qtbot: QtBot, profile: Profile, ws_dir: Path, address: str, name: str
) -> tuple[MainWindow, RequestTab, RequestNode]:
    """Start over ``ws_dir``, connect, and save an Echo request as ``demo/<name>``."""
    window = profile.window(qtbot, workspace=ws_dir)
    connect(qtbot, window, address)
    tab = click_method(qtbot, window, "Echo")
    type_into(qtbot, tab.editor, "string_value", "saved")
    return window, tab, save_new(qtbot, window, name, "demo")


def restart(qtbot: QtBot, profile: Profile, ws_dir: Path, tabs: int) -> MainWindow:
    """Start again over ``ws_dir``, reconnect, and wait for ``tabs`` tabs to reopen."""
    window = profile.window(qtbot, workspace=ws_dir)
    qtbot.mouseClick(window.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.tabs.count() == tabs, timeout=WAIT_MS)
    return window


def test_a_saved_request_with_unsaved_edits_comes_back_bound_and_unsaved(
    qtbot: QtBot, profile: Profile, ws_dir: Path, demo_address: str
) -> None:
    first, tab, _ = start_with_saved_echo(qtbot, profile, ws_dir, demo_address, "Edited")
    type_into(qtbot, tab.editor, "string_value", "typed after saving")
    assert first.tabs.titles() == ["Edited •"]
    tab = click_method(qtbot, first, "Countdown", double=True)
    type_into(qtbot, tab.editor, "label", "clean")
    save_new(qtbot, first, "Clean", "demo")
    tab = click_method(qtbot, first, "Fail", double=True)
    save_new(qtbot, first, "Deleted later", "demo")
    type_into(qtbot, tab.editor, "message", "still here")  # unsaved edits of a request...
    profile.quit(qtbot, first)
    (ws_dir / "collections" / "demo" / "Deleted later.request.json").unlink()  # ...gone

    second = restart(qtbot, profile, ws_dir, tabs=3)
    assert second.tabs.titles() == ["Edited •", "Clean", "Fail"]
    second.tabs.setCurrentIndex(0)
    binding = binding_of(second)
    assert binding.node is not None and binding.node.name == "Edited" and binding.dirty
    assert body(current_method_tab(second).request) == {"stringValue": "typed after saving"}
    assert request_file(ws_dir, "demo", "Edited")["messages"] == [{"stringValue": "saved"}]

    press_save(qtbot, second)  # Ctrl+S saves to the request, as before the restart
    qtbot.waitUntil(lambda: second.tabs.titles()[0] == "Edited", timeout=WAIT_MS)
    assert request_file(ws_dir, "demo", "Edited")["messages"] == [
        {"stringValue": "typed after saving"}
    ]
    assert second.workspace_ui.saver.save_dialog is None  # not asked where

    second.tabs.setCurrentIndex(1)
    assert binding_of(second).node is not None and not binding_of(second).dirty
    second.tabs.setCurrentIndex(2)
    assert binding_of(second).node is None  # its file is gone: a draft, saved nowhere
    assert body(current_method_tab(second).request) == {"message": "still here"}
    profile.quit(qtbot, second)


def test_a_file_changed_on_disk_since_the_edits_asks_before_it_is_overwritten(
    qtbot: QtBot, profile: Profile, ws_dir: Path, demo_address: str
) -> None:
    first, tab, _ = start_with_saved_echo(qtbot, profile, ws_dir, demo_address, "Shared")
    type_into(qtbot, tab.editor, "string_value", "mine")
    profile.quit(qtbot, first)
    path = ws_dir / "collections" / "demo" / "Shared.request.json"
    doc = json.loads(path.read_text())
    doc["messages"] = [{"stringValue": "theirs"}]  # e.g. a git pull
    path.write_text(json.dumps(doc))

    second = restart(qtbot, profile, ws_dir, tabs=1)
    assert second.tabs.titles() == ["Shared •"]
    assert "changed on disk" in binding_of(second).bar.warning.text()
    press_save(qtbot, second)
    saver = second.workspace_ui.saver
    qtbot.waitUntil(lambda: saver.conflict_box is not None and saver.conflict_box.isVisible())
    assert saver.conflict_box is not None
    saver.conflict_box.button(QMessageBox.StandardButton.Cancel).click()
    assert request_file(ws_dir, "demo", "Shared")["messages"] == [{"stringValue": "theirs"}]
    profile.quit(qtbot, second)


def test_undoing_the_delete_of_an_open_request_binds_its_tab_again(
    qtbot: QtBot, profile: Profile, ws_dir: Path, demo_address: str
) -> None:
    window, tab, node = start_with_saved_echo(qtbot, profile, ws_dir, demo_address, "Original")
    type_into(qtbot, tab.editor, "string_value", "edited")
    panel = window.workspace_ui.collections
    window.left_tabs.setCurrentWidget(panel)
    panel.select(node)
    panel.tree.setFocus()
    qtbot.keyClick(panel.tree, Qt.Key.Key_Delete)
    assert binding_of(window).node is None
    assert window.tabs.titles() == ["Echo"]

    qtbot.keyClick(panel.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    binding = binding_of(window)
    assert binding.node is not None and binding.node.name == "Original"
    assert binding.dirty and window.tabs.titles() == ["Original •"]
    assert body(tab) == {"stringValue": "edited"}  # the edits are kept
    press_save(qtbot, window)
    qtbot.waitUntil(lambda: window.tabs.titles() == ["Original"], timeout=WAIT_MS)
    assert request_file(ws_dir, "demo", "Original")["messages"] == [{"stringValue": "edited"}]
    profile.quit(qtbot, window)

"""Saving request tabs into collections and reopening them, against the real demo server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from tests.unit.ui.calls_support import activate, click_method, connect, type_into
from tests.unit.ui.workspace.conftest import (
    answer_save_dialog,
    binding_of,
    body,
    click_node,
    current_method_tab,
    press_save,
    tree_labels,
)
from workbench.core.store.requests import SavedRequest, SavedTarget
from workbench.core.store.tree import RequestNode
from workbench.ui.views.main_window import MainWindow
from workbench.ui.views.method_tab import MethodTab
from workbench.ui.views.unopened_request import UnopenedRequest

pytestmark = pytest.mark.gui


@pytest.fixture
def connected(qtbot: QtBot, ws_window: MainWindow, demo_address: str) -> MainWindow:
    connect(qtbot, ws_window, demo_address)
    return ws_window


def save_new(qtbot: QtBot, window: MainWindow, name: str, place: str) -> RequestNode:
    """Ctrl+S on a tab not saved yet: answer the dialog; returns the new node."""
    press_save(qtbot, window)
    answer_save_dialog(qtbot, window, name, place)
    binding = binding_of(window)
    qtbot.waitUntil(lambda: binding.node is not None)
    assert binding.node is not None
    return binding.node


def request_file(ws_dir: Path, *names: str) -> dict:
    path = ws_dir.joinpath("collections", *names[:-1], names[-1] + ".request.json")
    return json.loads(path.read_text())


def test_save_close_and_reopen_with_a_click(
    qtbot: QtBot, connected: MainWindow, ws_dir: Path, demo_address: str
) -> None:
    tab = click_method(qtbot, connected, "Echo")
    type_into(qtbot, tab.editor, "string_value", "hello collections")
    type_into(qtbot, tab.editor, "int64_value", "9007199254740993")
    tab.metadata.add_row("x-team", "payments")
    qtbot.keyClicks(tab.deadline_edit, "2.5")
    node = save_new(qtbot, connected, "Echo hello", "demo")

    saved = request_file(ws_dir, "demo", "Echo hello")
    assert saved["method"] == "workbench.demo.v1.DemoService/Echo"
    assert saved["target"]["address"] == demo_address
    assert saved["messages"] == [
        {"int64Value": "9007199254740993", "stringValue": "hello collections"}
    ]
    assert saved["metadata"] == [{"name": "x-team", "value": "payments"}]
    assert saved["timeout_seconds"] == 2.5
    panel = connected.workspace_ui.collections
    assert tree_labels(panel.model) == ["demo", "demo/Echo hello"]
    assert connected.tabs.tabText(connected.tabs.currentIndex()) == "Echo hello"

    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert connected.tabs.count() == 0
    click_node(qtbot, connected, node)
    reopened = current_method_tab(connected)
    assert reopened.full_name == "workbench.demo.v1.DemoService.Echo"
    assert body(reopened.request) == saved["messages"][0]
    assert reopened.request.metadata.entries() == [("x-team", "payments")]
    assert reopened.request.deadline_edit.text() == "2.5"
    assert binding_of(connected).bar.address_edit.text() == demo_address
    assert connected.tabs.tabText(connected.tabs.currentIndex()) == "Echo hello"
    # A second click goes to the same tab instead of opening another one.
    click_node(qtbot, connected, node)
    assert connected.tabs.count() == 1


def test_an_edit_shows_the_unsaved_marker_and_ctrl_s_clears_it(
    qtbot: QtBot, connected: MainWindow, ws_dir: Path
) -> None:
    tab = click_method(qtbot, connected, "Echo")
    type_into(qtbot, tab.editor, "string_value", "one")
    save_new(qtbot, connected, "Edited", "demo")
    first_dialog = connected.workspace_ui.saver.save_dialog
    tabs = connected.tabs
    assert tabs.tabText(tabs.currentIndex()) == "Edited"

    type_into(qtbot, tab.editor, "string_value", "two")
    assert tabs.tabText(tabs.currentIndex()) == "Edited •"
    assert "Unsaved changes" in tabs.tabToolTip(tabs.currentIndex())
    type_into(qtbot, tab.editor, "string_value", "one")  # back to what is saved
    assert tabs.tabText(tabs.currentIndex()) == "Edited"
    type_into(qtbot, tab.editor, "string_value", "three")
    assert tabs.tabText(tabs.currentIndex()) == "Edited •"

    press_save(qtbot, connected)  # saved before: no question
    assert tabs.tabText(tabs.currentIndex()) == "Edited"
    assert request_file(ws_dir, "demo", "Edited")["messages"] == [{"stringValue": "three"}]
    assert connected.workspace_ui.saver.save_dialog is first_dialog  # not asked again


def test_save_as_makes_a_copy_and_the_tab_follows_it(
    qtbot: QtBot, connected: MainWindow, ws_dir: Path
) -> None:
    tab = click_method(qtbot, connected, "Echo")
    type_into(qtbot, tab.editor, "string_value", "original")
    save_new(qtbot, connected, "Original", "demo")
    type_into(qtbot, tab.editor, "string_value", "variant")
    press_save(qtbot, connected, save_as=True)
    answer_save_dialog(qtbot, connected, "Variant", "demo")
    qtbot.waitUntil(lambda: binding_of(connected).node.name == "Variant")
    assert request_file(ws_dir, "demo", "Original")["messages"] == [{"stringValue": "original"}]
    assert request_file(ws_dir, "demo", "Variant")["messages"] == [{"stringValue": "variant"}]
    assert connected.tabs.tabText(connected.tabs.currentIndex()) == "Variant"


def test_a_name_that_is_taken_keeps_the_dialog_open_with_the_reason(
    qtbot: QtBot, connected: MainWindow
) -> None:
    click_method(qtbot, connected, "Echo")
    save_new(qtbot, connected, "Same", "demo")
    click_method(qtbot, connected, "Slow")
    press_save(qtbot, connected)
    answer_save_dialog(qtbot, connected, "same", "demo")
    dialog = connected.workspace_ui.saver.save_dialog
    assert dialog is not None and dialog.isVisible()
    assert "already exists" in dialog.error.text()
    dialog.reject()


def test_rename_inline_with_f2(qtbot: QtBot, connected: MainWindow, ws_dir: Path) -> None:
    click_method(qtbot, connected, "Echo")
    node = save_new(qtbot, connected, "Old name", "demo")
    panel = connected.workspace_ui.collections
    connected.left_tabs.setCurrentWidget(panel)
    panel.select(node)
    panel.tree.setFocus()
    qtbot.keyClick(panel.tree, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, "New name")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.tree.state() != QAbstractItemView.State.EditingState)
    assert tree_labels(panel.model) == ["demo", "demo/New name"]
    assert (ws_dir / "collections" / "demo" / "New name.request.json").exists()
    assert not (ws_dir / "collections" / "demo" / "Old name.request.json").exists()
    assert connected.tabs.tabText(connected.tabs.currentIndex()) == "New name"


def test_a_rename_to_an_invalid_name_is_refused_with_the_reason(
    qtbot: QtBot, connected: MainWindow
) -> None:
    click_method(qtbot, connected, "Echo")
    node = save_new(qtbot, connected, "Keep", "demo")
    model = connected.workspace_ui.collections.model
    assert not model.setData(model.index_of(node), "bad/name")
    assert "contains '/'" in connected.banner.text()
    assert node.name == "Keep"


def test_duplicate_delete_and_undo(qtbot: QtBot, connected: MainWindow, ws_dir: Path) -> None:
    click_method(qtbot, connected, "Echo")
    node = save_new(qtbot, connected, "Original", "demo")
    panel = connected.workspace_ui.collections
    connected.left_tabs.setCurrentWidget(panel)
    panel.select(node)
    panel.tree.setFocus()
    qtbot.keyClick(panel.tree, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert tree_labels(panel.model) == ["demo", "demo/Original", "demo/Original copy"]

    copy = panel.current_node()
    assert copy is not None and copy.name == "Original copy"
    qtbot.keyClick(panel.tree, Qt.Key.Key_Delete)
    assert tree_labels(panel.model) == ["demo", "demo/Original"]
    assert not (ws_dir / "collections" / "demo" / "Original copy.request.json").exists()
    assert "Deleted request" in connected.statusBar().currentMessage()

    qtbot.keyClick(panel.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert tree_labels(panel.model) == ["demo", "demo/Original", "demo/Original copy"]
    assert (ws_dir / "collections" / "demo" / "Original copy.request.json").exists()

    # Deleting the request open in a tab leaves the tab, no longer saved anywhere.
    panel.select(node)
    qtbot.keyClick(panel.tree, Qt.Key.Key_Delete)
    assert binding_of(connected).node is None
    assert connected.tabs.tabText(connected.tabs.currentIndex()) == "Echo"


def test_drag_and_drop_moves_into_another_folder(
    qtbot: QtBot, connected: MainWindow, ws_dir: Path
) -> None:
    click_method(qtbot, connected, "Echo")
    node = save_new(qtbot, connected, "Mover", "first")
    ws = connected.workspace.workspace
    assert ws is not None
    second = ws.collections.create_collection("second")
    folder = ws.collections.create_folder(second, "nested")
    model = connected.workspace_ui.collections.model
    data = model.mimeData([model.index_of(node)])
    target = model.index_of(folder)
    assert model.canDropMimeData(data, Qt.DropAction.MoveAction, -1, 0, target)
    assert not model.canDropMimeData(data, Qt.DropAction.MoveAction, -1, 0, model.index_of(None))
    assert model.dropMimeData(data, Qt.DropAction.MoveAction, -1, 0, target)
    assert tree_labels(model) == ["first", "second", "second/nested", "second/nested/Mover"]
    assert (ws_dir / "collections" / "second" / "nested" / "Mover.request.json").exists()
    # A folder cannot go into itself.
    folder_data = model.mimeData([model.index_of(folder)])
    assert not model.canDropMimeData(folder_data, Qt.DropAction.MoveAction, -1, 0, target)
    # The open tab follows the move: saving writes the new place.
    assert binding_of(connected).node is node
    assert node.path == ws_dir / "collections" / "second" / "nested" / "Mover.request.json"


def test_a_saved_request_whose_method_is_gone_opens_with_a_warning(
    qtbot: QtBot, connected: MainWindow, ws_dir: Path
) -> None:
    folder = ws_dir / "collections" / "old"
    folder.mkdir(parents=True)
    saved = {
        "format": "grpc-workbench/request",
        "version": 1,
        "method": "workbench.demo.v1.DemoService/Removed",
        "target": {"address": "127.0.0.1:1", "plaintext": None, "tls": None, "authority": None},
        "metadata": [],
        "messages": [{"keep": "this body"}],
        "timeout_seconds": None,
        "notes": "",
    }
    (folder / "Gone.request.json").write_text(json.dumps(saved))
    connected.workspace.rescan()
    ws = connected.workspace.workspace
    assert ws is not None
    node = ws.collections.find(["old", "Gone"])
    assert isinstance(node, RequestNode)
    click_node(qtbot, connected, node)
    widget = connected.tabs.currentWidget()
    assert isinstance(widget, UnopenedRequest)
    assert "Removed" in widget.banner.text() and "no longer exists" in widget.banner.text()
    assert '"keep": "this body"' in widget.text.toPlainText()
    press_save(qtbot, connected)  # nothing to save: the file is left as it is
    assert json.loads((folder / "Gone.request.json").read_text()) == saved


def test_conflict_on_save_asks_before_overwriting(
    qtbot: QtBot, connected: MainWindow, ws_dir: Path
) -> None:
    tab = click_method(qtbot, connected, "Echo")
    type_into(qtbot, tab.editor, "string_value", "mine")
    node = save_new(qtbot, connected, "Shared", "demo")
    type_into(qtbot, tab.editor, "string_value", "mine, edited")
    theirs = node.path.read_text().replace('"mine"', '"theirs"')
    node.path.write_text(theirs)

    press_save(qtbot, connected)
    saver = connected.workspace_ui.saver
    qtbot.waitUntil(lambda: saver.conflict_box is not None and saver.conflict_box.isVisible())
    box = saver.conflict_box
    assert box is not None
    assert "changed on disk" in box.text()
    assert node.path.read_text() == theirs  # nothing written while asking
    cancel = box.button(QMessageBox.StandardButton.Cancel)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert node.path.read_text() == theirs

    press_save(qtbot, connected)
    qtbot.waitUntil(lambda: saver.conflict_box is not None and saver.conflict_box.isVisible())
    box = saver.conflict_box
    overwrite = next(b for b in box.buttons() if b.text() == "Overwrite")
    qtbot.mouseClick(overwrite, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "mine, edited" in node.path.read_text())
    assert connected.tabs.tabText(connected.tabs.currentIndex()) == "Shared"
    activate(qtbot, connected)


def test_closing_a_tab_with_unsaved_edits_asks_first(qtbot: QtBot, connected: MainWindow) -> None:
    tab = click_method(qtbot, connected, "Echo")
    type_into(qtbot, tab.editor, "string_value", "kept")
    node = save_new(qtbot, connected, "Careful", "demo")
    type_into(qtbot, tab.editor, "string_value", "edited")
    saver = connected.workspace_ui.saver

    connected.tabs.close_current()
    qtbot.waitUntil(lambda: saver.close_box is not None and saver.close_box.isVisible())
    assert "Save the changes to Careful" in saver.close_box.text()
    cancel = saver.close_box.button(QMessageBox.StandardButton.Cancel)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert connected.tabs.count() == 1

    connected.tabs.close_current()
    qtbot.waitUntil(lambda: saver.close_box is not None and saver.close_box.isVisible())
    save = saver.close_box.button(QMessageBox.StandardButton.Save)
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: connected.tabs.count() == 0)
    assert json.loads(node.path.read_text())["messages"] == [{"stringValue": "edited"}]

    click_node(qtbot, connected, node)
    tab = current_method_tab(connected).request
    type_into(qtbot, tab.editor, "string_value", "thrown away")
    connected.tabs.close_current()
    qtbot.waitUntil(lambda: saver.close_box is not None and saver.close_box.isVisible())
    discard = saver.close_box.button(QMessageBox.StandardButton.Discard)
    qtbot.mouseClick(discard, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: connected.tabs.count() == 0)
    assert json.loads(node.path.read_text())["messages"] == [{"stringValue": "edited"}]


def test_without_a_schema_a_click_loads_it_from_the_request_server(
    qtbot: QtBot, ws_window: MainWindow, ws_dir: Path, demo_address: str
) -> None:
    ws = ws_window.workspace.workspace
    assert ws is not None
    collection = ws.collections.create_collection("demo")
    request = SavedRequest(
        "workbench.demo.v1.DemoService/Echo",
        SavedTarget(demo_address),
        ({"stringValue": "from the file"},),
    )
    node = ws.collections.save_as(collection, request, "Offline")
    assert ws_window.loader.schema is None
    click_node(qtbot, ws_window, node)
    qtbot.waitUntil(lambda: isinstance(ws_window.tabs.currentWidget(), MethodTab), timeout=30_000)
    tab = current_method_tab(ws_window)
    assert body(tab.request) == {"stringValue": "from the file"}
    assert ws_window.loader.target is not None
    assert ws_window.loader.target.address == demo_address

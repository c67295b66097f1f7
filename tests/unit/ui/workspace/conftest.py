"""Workspace UI tests: a window over a workspace in ``tmp_path``; saving; the collection tree."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from tests.unit.ui.calls_support import activate
from workbench.core.messages.codec import to_dict
from workbench.core.store.history import History
from workbench.core.store.secrets import FileSecretStore
from workbench.core.store.tree import Node
from workbench.ui.models.collection_model import CollectionModel
from workbench.ui.request_binding import RequestBinding
from workbench.ui.state import UiState
from workbench.ui.views.main_window import MainWindow
from workbench.ui.views.method_tab import MethodTab
from workbench.ui.views.request_tab import RequestTab
from workbench.ui.views.save_request_dialog import SaveRequestDialog
from workbench.ui.workspace_controller import WorkspaceController


@pytest.fixture
def ws_dir(tmp_path: Path) -> Path:
    """The workspace folder of the test."""
    return tmp_path / "repo" / "workspace"


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    """A history database of the test's own."""
    db = History(tmp_path / "history.sqlite3")
    yield db
    db.close()


@pytest.fixture
def controller(
    qasync_loop: Any, ui_state: UiState, history: History, ws_dir: Path
) -> Iterator[WorkspaceController]:
    """A controller with the test's workspace open (secrets in its local file)."""
    owner = WorkspaceController(state=ui_state, history=history, secrets=FileSecretStore(ws_dir))
    owner.open(ws_dir, create=True)
    yield owner
    owner.close()


@pytest.fixture
def ws_window(qtbot: QtBot, controller: WorkspaceController, ui_state: UiState) -> MainWindow:
    """A shown window over the test's workspace."""
    win = MainWindow(state=ui_state, workspace=controller)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    activate(qtbot, win)
    return win


def current_method_tab(window: MainWindow) -> MethodTab:
    """The method tab shown."""
    tab = window.tabs.currentWidget()
    assert isinstance(tab, MethodTab)
    return tab


def binding_of(window: MainWindow) -> RequestBinding:
    """The binding of the tab shown."""
    binding = window.workspace_ui.saved.binding(window.tabs.currentWidget())
    assert binding is not None
    return binding


def body(tab: RequestTab) -> Any:
    """The tab's request message as JSON."""
    schema = tab.editor.schema()
    return to_dict(tab.editor.message(), pool=schema.pool if schema else None)


def press_save(qtbot: QtBot, window: MainWindow, *, save_as: bool = False) -> None:
    """Ctrl+S (Ctrl+Shift+S) where the focus is."""
    activate(qtbot, window)
    target = QApplication.focusWidget() or window
    modifiers = Qt.KeyboardModifier.ControlModifier
    if save_as:
        modifiers |= Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(target, Qt.Key.Key_S, modifiers)


def answer_save_dialog(qtbot: QtBot, window: MainWindow, name: str, place: str) -> None:
    """Fill in the save dialog that Ctrl+S opened and press Save."""
    saver = window.workspace_ui.saver
    qtbot.waitUntil(lambda: saver.save_dialog is not None and saver.save_dialog.isVisible())
    dialog = saver.save_dialog
    assert isinstance(dialog, SaveRequestDialog)
    dialog.name_edit.selectAll()
    qtbot.keyClicks(dialog.name_edit, name)
    dialog.place_box.setEditText(place)
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton
    )


def tree_labels(model: CollectionModel, parent: QModelIndex | None = None) -> list[str]:
    """Every row of the collection tree as ``a/b/c``, depth first."""
    out: list[str] = []
    parent = parent or QModelIndex()
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        node = model.node(index)
        assert node is not None
        out.append("/".join(node.names))
        out.extend(tree_labels(model, index))
    return out


def click_node(qtbot: QtBot, window: MainWindow, node: Node) -> None:
    """Click ``node`` in the Collections page (switching to it first)."""
    panel = window.workspace_ui.collections
    window.left_tabs.setCurrentWidget(panel)
    index = panel.select(node)
    assert index.isValid()
    rect = panel.tree.visualRect(index)
    qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

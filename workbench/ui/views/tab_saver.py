"""Saving request tabs into collections: Ctrl+S, Save As, and closing tabs with edits.

The first save of a tab asks for a name and a collection (a non-blocking dialog); later
saves overwrite the saved file, unless it changed on disk since the tab loaded it (git, an
editor, another window): then a question asks before overwriting. Closing a tab with
unsaved edits asks whether to save them first.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from shiboken6 import isValid

from workbench.core.errors import ConflictError, WorkbenchError
from workbench.core.store.names import check_name, same_name
from workbench.core.store.requests import SavedRequest
from workbench.core.store.tree import FolderNode
from workbench.core.store.workspace import Workspace
from workbench.ui.request_binding import RequestBinding
from workbench.ui.views.save_request_dialog import SaveRequestDialog
from workbench.ui.views.saved_tabs import SavedTabs, in_tree
from workbench.ui.views.unopened_request import UnopenedRequest

if TYPE_CHECKING:
    from workbench.ui.views.main_window import MainWindow

__all__ = ["TabSaver"]

logger = logging.getLogger(__name__)


class TabSaver(QObject):
    """Saves the tab shown, asking where (the first time) and before overwriting changes.

    Attributes:
        save_dialog: the "save where?" dialog last shown (for tests and screenshots).
        conflict_box: the "changed on disk, overwrite?" question last shown.
        close_box: the "save before closing?" question last shown.

    The object emits no signals of its own.

    Args:
        window: the main window (its tabs and workspace controller).
        saved: the tabs' bindings.
    """

    def __init__(self, window: MainWindow, saved: SavedTabs) -> None:
        super().__init__(window)
        self._window = window
        self._saved = saved
        self._controller = window.workspace
        self._last_place: tuple[str, ...] | None = None
        self.save_dialog: SaveRequestDialog | None = None
        self.conflict_box: QMessageBox | None = None
        self.close_box: QMessageBox | None = None
        window.tabs.close_guard = self.may_close

    def save_current(self, *, save_as: bool = False) -> None:
        """Save the tab shown (Ctrl+S): over its saved request, else where the user says."""
        window = self._window
        tab = window.tabs.currentWidget()
        binding = self._saved.binding(tab)
        if binding is None:
            what = "this request" if isinstance(tab, UnopenedRequest) else "anything"
            window.statusBar().showMessage(f"Nothing to save: open {what} in a form first", 6000)
            return
        if self._controller.ensure_workspace() is None:
            return
        try:
            request = binding.snapshot(for_save=True)
        except WorkbenchError as exc:
            self._controller.report(exc)
            return
        node = binding.node
        if node is not None and not save_as and in_tree(node):
            self._overwrite(binding, request, force=False)
        else:
            self._ask_where(binding, request, save_as=save_as)

    def _overwrite(self, binding: RequestBinding, request: SavedRequest, *, force: bool) -> None:
        node = binding.node
        assert node is not None
        if binding.changed_on_disk() and not force:
            self._ask_conflict(binding, request, f"{node.path} changed on disk")
            return
        binding.saving = True
        try:
            self._controller.save(node, request, force=force)
        except ConflictError as exc:
            self._ask_conflict(binding, request, exc.message)
            return
        except WorkbenchError as exc:
            self._controller.report(exc)
            return
        finally:
            binding.saving = False
        binding.saved(node, node.request)
        self._controller.info(f"Saved {'/'.join(node.names)}")

    def _ask_conflict(self, binding: RequestBinding, request: SavedRequest, why: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning, "Saved request changed on disk", "", parent=self._window
        )
        box.setObjectName("conflictBox")
        box.setText(f"{why} since this tab loaded it (another editor, git, another window).")
        box.setInformativeText("Overwrite it with this tab's version?")
        overwrite = box.addButton("Overwrite", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_result: int) -> None:
            if box.clickedButton() is overwrite and isValid(binding) and binding.node is not None:
                self._overwrite(binding, request, force=True)

        box.finished.connect(answered)
        self.conflict_box = box
        box.open()

    def _ask_where(self, binding: RequestBinding, request: SavedRequest, *, save_as: bool) -> None:
        ws = self._controller.workspace
        assert ws is not None
        places = [n.names for n in ws.collections.root.walk() if isinstance(n, FolderNode)]
        node = binding.node
        current = node.parent.names if node is not None and node.parent is not None else None
        name = f"{node.name} copy" if node is not None else binding.tab.method.name
        dialog = SaveRequestDialog(
            "Save request as" if save_as else "Save request",
            name,
            places,
            current or self._last_place,
            self._window,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(
            lambda name, place: self._save_new(dialog, binding, request, name, place)
        )
        self.save_dialog = dialog
        dialog.open()

    def _save_new(
        self,
        dialog: SaveRequestDialog,
        binding: RequestBinding,
        request: SavedRequest,
        name: str,
        place: tuple[str, ...] | str,
    ) -> None:
        ws = self._controller.ensure_workspace()
        if ws is None or not isValid(binding):
            dialog.reject()
            return
        try:
            check_name(name, "request")
            folder = self._folder(ws, place)
            node = ws.collections.save_as(folder, request, name)
        except WorkbenchError as exc:
            dialog.show_error(exc.user_text())
            return
        dialog.accept()
        self._last_place = folder.names
        self._controller.rewatch()
        binding.saved(node, node.request)
        self._window.tabs.pin(binding.tab)
        self._saved.retitle(binding.tab)
        self._saved.tabShown.emit(binding.tab)
        self._controller.info(f"Saved {'/'.join(node.names)}")

    @staticmethod
    def _folder(ws: Workspace, place: tuple[str, ...] | str) -> FolderNode:
        """The collection or folder to save in; a new collection when ``place`` is a name."""
        if isinstance(place, tuple):
            found = ws.collections.find(place)
            if isinstance(found, FolderNode):
                return found
            place = place[0] if place else ""
        existing = next((c for c in ws.collections.collections() if same_name(c.name, place)), None)
        return existing or ws.collections.create_collection(place)

    def may_close(self, tab: QWidget) -> bool:
        """Close guard of the tabs: a tab with unsaved edits asks first (and stays open)."""
        binding = self._saved.binding(tab)
        if binding is None or not binding.dirty or binding.node is None:
            return True
        box = QMessageBox(QMessageBox.Icon.Question, "Unsaved changes", "", parent=self._window)
        box.setObjectName("closeBox")
        box.setText(f"Save the changes to {binding.node.name} before closing its tab?")
        box.setInformativeText("Closing without saving loses them.")
        box.setStandardButtons(
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_result: int) -> None:
            tabs = self._window.tabs
            if not isValid(binding) or tabs.indexOf(tab) < 0:
                return
            choice = box.standardButton(box.clickedButton())
            if choice == QMessageBox.StandardButton.Save:
                tabs.setCurrentWidget(tab)
                self.save_current()
                if binding.dirty:
                    return  # not saved (an error, or a question about a conflict): keep it
            elif choice != QMessageBox.StandardButton.Discard:
                return
            tabs.close_tab(tabs.indexOf(tab), force=True)

        box.finished.connect(answered)
        self.close_box = box
        box.open()
        return False

"""The workspace's part of the main window: menus, the environment picker, and the
Collections and History pages of the left pane.

=================  ================================================================
Ctrl+S             save the request tab shown (asks for a name the first time)
Ctrl+Shift+S       save it under another name or in another collection
Ctrl+Z             undo the last delete (in the Collections page; also Edit ▸ Undo)
=================  ================================================================
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QFileDialog, QLabel, QMenu, QToolBar

from workbench.core.errors import StoreError
from workbench.core.schema.schema import Schema
from workbench.core.store.history import HistoryEntry
from workbench.core.store.tree import RequestNode
from workbench.core.store.workspace import Workspace, WorkspaceChanges
from workbench.ui.models.environment_model import EnvironmentModel
from workbench.ui.views.collections_panel import CollectionsPanel
from workbench.ui.views.environments_dialog import EnvironmentsDialog
from workbench.ui.views.grpcurl_dialog import GrpcurlDialog
from workbench.ui.views.history_panel import HistoryPanel
from workbench.ui.views.saved_tabs import SavedTabs, method_icons
from workbench.ui.views.tab_saver import TabSaver

if TYPE_CHECKING:
    from workbench.ui.views.main_window import MainWindow

__all__ = ["WorkspaceActions"]

logger = logging.getLogger(__name__)


class WorkspaceActions(QObject):
    """Adds the workspace's menus, picker and panels to ``window`` and connects them.

    Parts (public attributes): :attr:`saved` (opening tabs), :attr:`saver` (saving them),
    :attr:`collections`
    and :attr:`history` (the left pane's pages), :attr:`env_box` over :attr:`env_model`,
    the actions :attr:`act_save`, :attr:`act_save_as`, :attr:`act_open_workspace`,
    :attr:`act_default_workspace`, :attr:`act_from_grpcurl`, :attr:`act_copy_grpcurl`,
    :attr:`act_environments`, :attr:`act_undo`, and the dialogs last opened
    (:attr:`grpcurl_dialog`, :attr:`environments_dialog`). It emits no signals of its own.

    Args:
        window: the main window; it must have its menus, toolbar, tabs and left pane.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.controller = controller = window.workspace
        self.saved = SavedTabs(window)
        self.saver = TabSaver(window, self.saved)
        self.grpcurl_dialog: GrpcurlDialog | None = None
        self.environments_dialog: EnvironmentsDialog | None = None
        self.collections = CollectionsPanel(controller, window)
        self.history = HistoryPanel(controller, window)
        window.left_tabs.addTab(self.collections, "Collections")
        window.left_tabs.addTab(self.history, "History")
        self._build_actions()
        self._build_menus()
        self._build_picker()

        controller.messageShown.connect(window.show_message)
        controller.workspaceChanged.connect(self._on_workspace)
        controller.environmentChanged.connect(self._show_environment)
        controller.rescanned.connect(self._on_rescanned)
        self.collections.openRequested.connect(self.saved.open_node)
        self.collections.copyRequested.connect(self._copy_node)
        self.history.openRequested.connect(self._open_entry)
        self.history.copyRequested.connect(self._copy_entry)
        window.loader.schemaChanged.connect(self._on_schema)
        window.tabs.currentChanged.connect(self._follow_tab)
        self.saved.tabShown.connect(self._follow_tab)
        if controller.workspace is not None:
            self._on_workspace(controller.workspace)
        self.history.load()

    # -- construction ---------------------------------------------------------------------

    def _build_actions(self) -> None:
        def action(
            text: str, slot: object, keys: QKeySequence.StandardKey | str | None = None
        ) -> QAction:
            act = QAction(text, self._window)
            if keys is not None:
                act.setShortcut(QKeySequence(keys))
            act.triggered.connect(slot)
            return act

        self.act_save = action(
            "Save request", self.saver.save_current, QKeySequence.StandardKey.Save
        )
        self.act_save.setToolTip("Save the request tab into a collection (Ctrl+S)")
        self.act_save_as = action(
            "Save request as…", lambda: self.saver.save_current(save_as=True), "Ctrl+Shift+S"
        )
        self.act_open_workspace = action("Open workspace…", self._choose_workspace)
        self.act_open_workspace.setToolTip(
            "Open a folder as a workspace (e.g. inside your repository); it is made one if needed"
        )
        self.act_default_workspace = action("Open default workspace", self._open_default)
        self.act_from_grpcurl = action("New request from grpcurl command…", self.paste_grpcurl)
        self.act_copy_grpcurl = action("Copy as grpcurl command", self._copy_current)
        self.act_environments = action("Environments…", self.open_environments)
        self.act_environments.setToolTip("Edit the environments: named sets of {{variables}}")
        self.act_undo = action("Undo", self.controller.undo, QKeySequence.StandardKey.Undo)
        # Only while the Collections page has the focus: elsewhere Ctrl+Z belongs to editors.
        self.act_undo.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.collections.addAction(self.act_undo)

    def _build_menus(self) -> None:
        window = self._window
        file_menu = window.file_menu
        before = window.act_quit
        self.recent_menu = QMenu("Recent workspaces", file_menu)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.insertActions(before, [self.act_save, self.act_save_as])
        file_menu.insertSeparator(before)
        file_menu.insertActions(before, [self.act_open_workspace])
        file_menu.insertMenu(before, self.recent_menu)
        file_menu.insertActions(
            before,
            [self.act_default_workspace, self.collections.act_import, self.collections.act_export],
        )
        file_menu.insertSeparator(before)
        edit = QMenu("&Edit", window.menuBar())
        after = self._menu_after(file_menu)
        if after is not None:
            window.menuBar().insertMenu(after, edit)
        else:
            window.menuBar().addMenu(edit)
        edit.addAction(self.act_undo)
        edit.addSeparator()
        edit.addActions([self.act_from_grpcurl, self.act_copy_grpcurl])
        edit.addSeparator()
        edit.addAction(self.act_environments)
        edit.aboutToShow.connect(self._update_undo)
        edit.aboutToHide.connect(lambda: self.act_undo.setEnabled(True))  # for Ctrl+Z
        self.edit_menu = edit

    def _menu_after(self, menu: QMenu) -> QAction | None:
        actions = self._window.menuBar().actions()
        index = next((i for i, a in enumerate(actions) if a.menu() is menu), len(actions) - 1)
        return actions[index + 1] if index + 1 < len(actions) else None

    def _build_picker(self) -> None:
        bar = self._window.findChild(QToolBar, "mainToolBar")
        self.env_model = EnvironmentModel(with_none=True, parent=self)
        self.env_box = QComboBox(bar)
        self.env_box.setObjectName("environmentBox")
        self.env_box.setModel(self.env_model)
        self.env_box.setToolTip("The environment whose {{variables}} fill in requests at send time")
        self.env_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.env_box.currentIndexChanged.connect(self._on_env_picked)
        if bar is not None:
            bar.addSeparator()
            bar.addWidget(QLabel(" Environment ", bar))
            bar.addWidget(self.env_box)
            bar.addAction(self.act_environments)

    # -- public ---------------------------------------------------------------------------

    def open_workspace(self, directory: Path | str) -> Workspace | None:
        """Open ``directory`` as the workspace (made one if it is not yet)."""
        try:
            ws = self.controller.open(directory, create=True)
        except StoreError as exc:
            self.controller.report(exc)
            return None
        self.controller.info(f"Opened workspace {ws.name} ({ws.directory})")
        return ws

    def paste_grpcurl(self) -> GrpcurlDialog:
        """Ask for a grpcurl command line and open it as a request (returns the dialog)."""
        dialog = GrpcurlDialog(self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.parsed.connect(self.saved.open_grpcurl)
        self.grpcurl_dialog = dialog
        dialog.open()
        return dialog

    def open_environments(self) -> EnvironmentsDialog | None:
        """Show the environments editor (returns it; ``None`` without a workspace)."""
        ws = self.controller.ensure_workspace()
        if ws is None:
            return None
        dialog = EnvironmentsDialog(ws, self.controller.environment, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.edited.connect(self.controller.environments_edited)
        self.environments_dialog = dialog
        dialog.open()
        return dialog

    # -- slots ----------------------------------------------------------------------------

    def _on_workspace(self, ws: Workspace) -> None:
        self.env_box.blockSignals(True)
        self.env_model.set_store(ws.environments)
        self.env_box.setCurrentIndex(self.env_model.row_of(self.controller.environment))
        self.env_box.blockSignals(False)

    def _on_env_picked(self, row: int) -> None:
        if row >= 0:
            self.controller.set_environment(self.env_model.name_at(row))

    def _show_environment(self, name: str | None) -> None:
        row = self.env_model.row_of(name)
        if row != self.env_box.currentIndex():
            self.env_box.blockSignals(True)
            self.env_box.setCurrentIndex(max(row, 0))
            self.env_box.blockSignals(False)

    def _follow_tab(self, _tab: object = None) -> None:
        """Select the saved request of the tab shown in the Collections page."""
        widget = self._window.tabs.currentWidget()
        binding = self.saved.binding(widget)
        node = binding.node if binding is not None else getattr(widget, "node", None)
        if isinstance(node, RequestNode):
            self.collections.select(node)

    def _on_schema(self, schema: Schema) -> None:
        self.collections.model.set_method_icons(method_icons(schema))

    def _on_rescanned(self, changes: WorkspaceChanges) -> None:
        parts = [
            f"{len(paths)} {what}"
            for paths, what in (
                (changes.added, "added"),
                (changes.changed, "changed"),
                (changes.removed, "removed"),
            )
            if paths
        ]
        if parts:
            self._window.statusBar().showMessage(
                f"Workspace changed on disk: {', '.join(parts)}", 6000
            )

    def _choose_workspace(self) -> None:
        ws = self.controller.workspace
        start = str(ws.directory) if ws is not None else str(Path.home())
        directory = QFileDialog.getExistingDirectory(self._window, "Open workspace", start)
        if directory:
            self.open_workspace(directory)

    def _open_default(self) -> None:
        try:
            self.controller.open_default()
        except StoreError as exc:
            self.controller.report(exc)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for directory in self.controller.recent_workspaces():
            act = self.recent_menu.addAction(directory)
            act.triggered.connect(lambda _=False, d=directory: self.open_workspace(d))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("No recent workspaces").setEnabled(False)

    def _update_undo(self) -> None:
        ws = self.controller.workspace
        description = ws.undo_description if ws is not None else None
        self.act_undo.setText(f"Undo {description}" if description else "Undo")
        self.act_undo.setEnabled(description is not None)

    def _open_entry(self, entry: HistoryEntry) -> None:
        self.saved.open_request(entry.to_request())

    def _copy_entry(self, entry: HistoryEntry) -> None:
        self.saved.copy_as_grpcurl(entry.to_request())

    def _copy_current(self) -> None:
        self.saved.copy_as_grpcurl()

    def _copy_node(self, node: RequestNode) -> None:
        self.saved.copy_as_grpcurl(node.request)

"""The Collections page of the left pane: the workspace's saved requests in a tree.

Click a request to open it (or go to its tab); F2 renames in place; drag and drop moves;
Delete deletes and Edit ▸ Undo (Ctrl+Z) brings it back. Files that could not be read are
listed in a banner above the tree, by path and problem; they are skipped, never rewritten.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QStackedWidget,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import WorkbenchError
from workbench.core.store.collection_io import import_collection, write_collection_file
from workbench.core.store.documents import FileProblem
from workbench.core.store.names import unique_name
from workbench.core.store.tree import CollectionNode, FolderNode, Node, RequestNode
from workbench.core.store.workspace import Workspace
from workbench.ui.bridges import Level, UserMessage
from workbench.ui.models.collection_model import CollectionModel
from workbench.ui.views.message_banner import MessageBanner
from workbench.ui.workspace_controller import WorkspaceController

__all__ = ["CollectionsPanel"]

logger = logging.getLogger(__name__)

_COLLECTION_FILTER = "gRPC Workbench collections (*.collection.json *.json);;All files (*)"
_EMPTY = (
    "No saved requests yet.\n\nOpen a method, fill in the request and press Ctrl+S to save it here."
)


class CollectionsPanel(QWidget):
    """A tree of collections, folders and saved requests with the actions on them.

    Parts (public attributes): :attr:`model`, :attr:`tree`, :attr:`banner` (unreadable
    files), :attr:`title` (the workspace), and the actions :attr:`act_new_collection`,
    :attr:`act_new_folder`, :attr:`act_rename`, :attr:`act_duplicate`, :attr:`act_delete`,
    :attr:`act_import`, :attr:`act_export`, :attr:`act_copy_grpcurl`.

    Signals:
        openRequested(object): open this saved :class:`RequestNode` in a tab.
        copyRequested(object): copy this saved :class:`RequestNode` as a grpcurl command.

    Args:
        controller: the workspace.
        parent: the parent widget.
    """

    openRequested = Signal(object)
    copyRequested = Signal(object)

    def __init__(self, controller: WorkspaceController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("collectionsPanel")
        self._controller = controller
        self._last_dir = str(Path.home())
        self.model = CollectionModel(self)
        self.title = QLabel(self)
        self.title.setObjectName("workspaceTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.banner = MessageBanner(self)
        self.tree = QTreeView(self)
        self.tree.setObjectName("collectionTree")
        self.tree.setModel(self.model)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.tree.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.tree.setDragEnabled(True)
        self.tree.setAcceptDrops(True)
        self.tree.setDropIndicatorShown(True)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.placeholder = QLabel(_EMPTY, self)
        self.placeholder.setObjectName("collectionsPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.tree)
        self._stack.addWidget(self.placeholder)
        self._build_actions()
        self._build_layout()

        self.tree.clicked.connect(self._on_clicked)
        self.tree.activated.connect(self._on_clicked)
        self.tree.customContextMenuRequested.connect(self._show_menu)
        self.tree.selectionModel().currentChanged.connect(self._update_actions)
        self.model.errorOccurred.connect(self._controller.report)
        self.model.rowsInserted.connect(self._update_placeholder)
        self.model.rowsRemoved.connect(self._update_placeholder)
        self.model.modelReset.connect(self._update_placeholder)
        controller.workspaceChanged.connect(self._on_workspace)
        controller.problemsChanged.connect(self.show_problems)
        if controller.workspace is not None:
            self._on_workspace(controller.workspace)
        else:
            self.title.setText("No workspace open")
        self._update_actions()
        self._update_placeholder()

    def _build_layout(self) -> None:
        header = QHBoxLayout()
        header.setSpacing(2)
        header.addWidget(self.title, 1)
        for action in (self.act_new_collection, self.act_new_folder):
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            header.addWidget(button)
        more = QToolButton(self)
        more.setText("⋯")
        more.setToolTip("Import, export")
        more.setAutoRaise(True)
        more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        more.setStyleSheet("QToolButton::menu-indicator { image: none; }")
        menu = QMenu(more)
        menu.addActions([self.act_import, self.act_export])
        more.setMenu(menu)
        header.addWidget(more)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addWidget(self.banner)
        layout.addWidget(self._stack, 1)

    def _build_actions(self) -> None:
        def action(text: str, slot: object, tip: str = "", keys: str = "") -> QAction:
            act = QAction(text, self)
            act.setToolTip(tip or text)
            if keys:
                act.setShortcut(QKeySequence(keys))
                act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.triggered.connect(slot)
            self.tree.addAction(act)
            return act

        self.act_new_collection = action(
            "New collection", self.new_collection, "Create a collection (a folder of requests)"
        )
        self.act_new_folder = action(
            "New folder", self.new_folder, "Create a folder in the selected collection"
        )
        self.act_rename = action("Rename", self._rename_current, keys="F2")
        self.act_duplicate = action("Duplicate", self._duplicate_current, keys="Ctrl+D")
        self.act_delete = action("Delete", self._delete_current, keys="Del")
        self.act_copy_grpcurl = action("Copy as grpcurl command", self._copy_current)
        self.act_import = action("Import collection…", self._on_import)
        self.act_export = action("Export collection…", self._on_export)

    # -- public ---------------------------------------------------------------------------

    def current_node(self) -> Node | None:
        """The node of the current row."""
        return self.model.node(self.tree.currentIndex())

    def select(self, node: Node) -> QModelIndex:
        """Make ``node`` the current row (its parents expanded); returns its index."""
        index = self.model.index_of(node)
        if index.isValid():
            parent = index.parent()
            while parent.isValid():
                self.tree.expand(parent)
                parent = parent.parent()
            self.tree.setCurrentIndex(index)
            self.tree.scrollTo(index)
        return index

    def show_problems(self, problems: list[FileProblem]) -> None:
        """List the unreadable files in the banner (hidden when there are none)."""
        if not problems:
            self.banner.clear()
            return
        count = len(problems)
        ws = self._controller.workspace
        lines = [f"{count} file{'' if count == 1 else 's'} skipped:"]
        lines += [f"{_shown(p.path, ws)}: {p.message}" for p in problems[:5]]
        if count > 5:
            lines.append(f"… and {count - 5} more")
        hint = "fix them by hand or restore them from git; they are never rewritten"
        self.banner.show_message(UserMessage(Level.WARNING, "\n".join(lines), hint))

    def new_collection(self) -> CollectionNode | None:
        """Create a collection and start typing its name."""
        ws = self._controller.ensure_workspace()
        if ws is None:
            return None
        taken = [c.name for c in ws.collections.collections()]
        name = unique_name("New collection", taken, suffix="")
        node = self._create(lambda: ws.collections.create_collection(name))
        return node if isinstance(node, CollectionNode) else None

    def new_folder(self) -> FolderNode | None:
        """Create a folder in the selected collection or folder and start typing its name."""
        ws = self._controller.workspace
        node = self.current_node()
        if isinstance(node, RequestNode):
            node = node.parent
        if ws is None or not isinstance(node, FolderNode):
            self._controller.info("Select a collection to create a folder in")
            return None
        parent = node
        name = unique_name("New folder", [c.name for c in parent.children], suffix="")
        return self._create(lambda: ws.collections.create_folder(parent, name))

    def export_collection(self, collection: CollectionNode, path: Path) -> bool:
        """Write ``collection`` into the file ``path``."""
        ws = self._controller.workspace
        if ws is None:
            return False
        try:
            write_collection_file(ws, collection, path)
        except WorkbenchError as exc:
            self._controller.report(exc)
            return False
        self._controller.info(f"Exported {collection.name} to {path}")
        return True

    def import_collection(self, path: Path) -> CollectionNode | None:
        """Import the collection file ``path`` as a new collection."""
        ws = self._controller.ensure_workspace()
        if ws is None:
            return None
        try:
            node, notes = import_collection(ws, path)
        except WorkbenchError as exc:
            self._controller.report(exc)
            return None
        self._controller.rewatch()
        self.select(node)
        self.tree.expand(self.model.index_of(node))
        self._controller.info("; ".join([f"Imported {node.name}", *notes]))
        return node

    # -- slots ----------------------------------------------------------------------------

    def _on_workspace(self, ws: Workspace) -> None:
        self.model.set_store(ws.collections)
        self.title.setText(ws.name)
        self.title.setToolTip(str(ws.directory))
        for collection in ws.collections.collections():
            self.tree.expand(self.model.index_of(collection))
        self._update_placeholder()

    def _on_clicked(self, index: QModelIndex) -> None:
        node = self.model.node(index)
        if isinstance(node, RequestNode):
            self.openRequested.emit(node)

    def _create(self, make: object) -> FolderNode | None:
        try:
            node = make()  # type: ignore[operator]
        except WorkbenchError as exc:
            self._controller.report(exc)
            return None
        self._controller.rewatch()
        index = self.select(node)
        self.tree.edit(index)
        return node  # type: ignore[no-any-return]

    def _rename_current(self) -> None:
        index = self.tree.currentIndex()
        if index.isValid():
            self.tree.edit(index)

    def _duplicate_current(self) -> None:
        node = self.current_node()
        ws = self._controller.workspace
        if node is None or ws is None:
            return
        try:
            copy = ws.collections.duplicate(node)
        except WorkbenchError as exc:
            self._controller.report(exc)
            return
        self._controller.rewatch()
        self.select(copy)

    def _delete_current(self) -> None:
        node = self.current_node()
        if node is not None:
            self._controller.delete(node)

    def _copy_current(self) -> None:
        node = self.current_node()
        if isinstance(node, RequestNode):
            self.copyRequested.emit(node)

    def _on_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import collection", self._last_dir, _COLLECTION_FILTER
        )
        if path:
            self._last_dir = str(Path(path).parent)
            self.import_collection(Path(path))

    def _on_export(self) -> None:
        node = self.current_node()
        collection = node.collection if node is not None else None
        if collection is None:
            self._controller.info("Select the collection to export")
            return
        suggested = str(Path(self._last_dir) / f"{collection.name}.collection.json")
        path, _ = QFileDialog.getSaveFileName(
            self, f"Export {collection.name}", suggested, _COLLECTION_FILTER
        )
        if path:
            self._last_dir = str(Path(path).parent)
            self.export_collection(collection, Path(path))

    def _show_menu(self, pos: QPoint) -> None:
        node = self.model.node(self.tree.indexAt(pos))
        menu = QMenu(self)
        if isinstance(node, RequestNode):
            menu.addAction("Open", lambda: self.openRequested.emit(node))
            menu.addAction(self.act_copy_grpcurl)
            menu.addSeparator()
        if node is not None:
            menu.addActions([self.act_rename, self.act_duplicate, self.act_delete])
            menu.addSeparator()
        menu.addActions([self.act_new_collection, self.act_new_folder])
        menu.addSeparator()
        menu.addActions([self.act_import, self.act_export])
        menu.popup(self.tree.viewport().mapToGlobal(pos))

    def _update_actions(self) -> None:
        node = self.current_node()
        for act in (self.act_rename, self.act_duplicate, self.act_delete):
            act.setEnabled(node is not None)
        self.act_copy_grpcurl.setEnabled(isinstance(node, RequestNode))
        self.act_export.setEnabled(node is not None)
        self.act_new_folder.setEnabled(node is not None)

    def _update_placeholder(self) -> None:
        empty = self.model.rowCount() == 0
        if self._controller.workspace is None:
            self.placeholder.setText("No workspace open.\n\nFile ▸ Open workspace… opens one.")
        else:
            self.placeholder.setText(_EMPTY)
        self._stack.setCurrentWidget(self.placeholder if empty else self.tree)
        self._update_actions()


def _shown(path: Path, ws: Workspace | None) -> str:
    """``path`` relative to the workspace folder when it is inside it."""
    if ws is not None and path.is_relative_to(ws.directory):
        return str(path.relative_to(ws.directory))
    return str(path)

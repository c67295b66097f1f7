"""The collections of a workspace as a tree: collections, folders and saved requests.

A thin adapter over the evented :class:`~workbench.core.store.collections.CollectionStore`:
the model keeps no rows of its own; each index points at a store node, and every tree event
becomes the matching ``begin*``/``end*`` pair (napari's ``_base_item_model.py``)::

    inserting/inserted -> beginInsertRows/endInsertRows
    removing/removed   -> beginRemoveRows/endRemoveRows
    moving/moved       -> beginMoveRows/endMoveRows
    changed            -> dataChanged

Renaming (``setData``) and drag and drop (``dropMimeData``) call the store, which changes
the disk first and then emits those events, so the view only ever shows what is saved. A
refused rename or move (a name taken, a read-only folder) is reported through
:attr:`CollectionModel.errorOccurred` and changes nothing.
"""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any, overload

from PySide6.QtCore import (
    QAbstractItemModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle

from workbench.core.errors import WorkbenchError
from workbench.core.store.collections import CollectionStore
from workbench.core.store.events import TreeEvent
from workbench.core.store.tree import CollectionNode, FolderNode, Node, RequestNode, RootNode
from workbench.ui import resources

__all__ = ["MIME_TYPE", "CollectionModel", "ItemRole", "KindRole", "NodeKind"]

logger = logging.getLogger(__name__)

ModelIndex = QModelIndex | QPersistentModelIndex
_NO_PARENT = QModelIndex()

#: The store :class:`~workbench.core.store.tree.Node` behind a row.
ItemRole = Qt.ItemDataRole.UserRole
#: The row's :class:`NodeKind`.
KindRole = Qt.ItemDataRole.UserRole + 1
#: What a drag carries: the dragged nodes' names from the collection down, as JSON.
MIME_TYPE = "application/x-grpc-workbench-collection-items"

#: Given a saved request's method (``pkg.Service/Method``), the icon name for its kind, or
#: ``None`` when the loaded schema does not know it.
MethodIconResolver = Callable[[str], str | None]


class NodeKind(enum.Enum):
    """What a row stands for."""

    COLLECTION = "collection"
    FOLDER = "folder"
    REQUEST = "request"

    @classmethod
    def of(cls, node: Node) -> NodeKind:
        """The kind of ``node``."""
        if isinstance(node, RequestNode):
            return cls.REQUEST
        return cls.COLLECTION if isinstance(node, CollectionNode) else cls.FOLDER


class CollectionModel(QAbstractItemModel):
    """One column: the name of each collection, folder and request, with an icon.

    Roles: ``DisplayRole``/``EditRole`` (the name), ``DecorationRole``, ``ToolTipRole``,
    :data:`ItemRole` (the node) and :data:`KindRole`.

    Signals:
        errorOccurred(object): a rename or drop was refused; the :class:`WorkbenchError`.
        nodeMoved(object): a node was moved by drag and drop (the node).
    """

    errorOccurred = Signal(object)
    nodeMoved = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store: CollectionStore | None = None
        self._method_icon: MethodIconResolver = lambda _method: None
        self._moving_ok = False

    # -- the store ------------------------------------------------------------------------

    @property
    def store(self) -> CollectionStore | None:
        """The collections shown (``None``: no workspace)."""
        return self._store

    def set_store(self, store: CollectionStore | None) -> None:
        """Show ``store`` (another workspace's collections) instead."""
        self.beginResetModel()
        if self._store is not None:
            self._store.events.disconnect(self._on_event)
        self._store = store
        if store is not None:
            store.events.connect(self._on_event)
        self.endResetModel()

    def set_method_icons(self, resolver: MethodIconResolver) -> None:
        """Decorate requests by their method's kind (after a schema was loaded)."""
        self._method_icon = resolver
        self._announce_requests(self._root(), [Qt.ItemDataRole.DecorationRole])

    def index_of(self, node: Node | None) -> QModelIndex:
        """The index of ``node`` (invalid for the root, ``None`` or a node not in the tree)."""
        if node is None or node.parent is None or isinstance(node, RootNode):
            return QModelIndex()
        try:
            return self.createIndex(node.row(), 0, node)
        except ValueError:  # no longer among its parent's children
            return QModelIndex()

    def node(self, index: ModelIndex) -> Node | None:
        """The node of ``index`` (``None`` for the invalid index)."""
        if not index.isValid():
            return None
        found: Node = index.internalPointer()
        return found

    # -- store events ---------------------------------------------------------------------

    def _on_event(self, event: TreeEvent) -> None:
        parent = self.index_of(event.parent)
        kind = event.kind
        if kind == "inserting":
            self.beginInsertRows(parent, event.index, event.index)
        elif kind == "inserted":
            self.endInsertRows()
        elif kind == "removing":
            self.beginRemoveRows(parent, event.index, event.index)
        elif kind == "removed":
            self.endRemoveRows()
        elif kind == "moving":
            destination = self.index_of(event.new_parent)
            self._moving_ok = self.beginMoveRows(
                parent, event.index, event.index, destination, event.qt_destination_row
            )
            if not self._moving_ok:  # Qt refuses no-op moves; the tree never sends those
                logger.warning("unexpected move %r; resetting the collection view", event)
                self.beginResetModel()
        elif kind == "moved":
            if self._moving_ok:
                self.endMoveRows()
            else:
                self.endResetModel()
        elif kind == "changed":
            index = self.index_of(event.node)
            self.dataChanged.emit(index, index, _CONTENT_ROLES)

    def _announce_requests(self, parent: QModelIndex, roles: Sequence[int]) -> None:
        """``dataChanged`` for every request row under ``parent`` (recursively)."""
        rows = self.rowCount(parent)
        if rows:
            self.dataChanged.emit(self.index(0, 0, parent), self.index(rows - 1, 0, parent), roles)
        for row in range(rows):
            child = self.index(row, 0, parent)
            if self.hasChildren(child):
                self._announce_requests(child, roles)

    # -- QAbstractItemModel ---------------------------------------------------------------

    def index(self, row: int, column: int, parent: ModelIndex = _NO_PARENT) -> QModelIndex:
        """Implements ``QAbstractItemModel.index``."""
        folder = self._folder(parent)
        if folder is None or column != 0 or not 0 <= row < len(folder.children):
            return QModelIndex()
        return self.createIndex(row, 0, folder.children[row])

    @overload
    def parent(self) -> QObject | None: ...
    @overload
    def parent(self, child: ModelIndex) -> QModelIndex: ...
    def parent(self, child: ModelIndex | None = None) -> QObject | QModelIndex | None:
        """Implements ``QAbstractItemModel.parent`` (and keeps ``QObject.parent()`` working)."""
        if child is None:
            return super().parent()
        node = self.node(child)
        if node is None:
            return QModelIndex()
        return self.index_of(node.parent)

    def rowCount(self, parent: ModelIndex = _NO_PARENT) -> int:
        """Implements ``QAbstractItemModel.rowCount``."""
        if parent.isValid() and parent.column() != 0:
            return 0
        folder = self._folder(parent)
        return len(folder.children) if folder is not None else 0

    def columnCount(self, parent: ModelIndex = _NO_PARENT) -> int:
        """Implements ``QAbstractItemModel.columnCount``: one column."""
        return 1

    def hasChildren(self, parent: ModelIndex = _NO_PARENT) -> bool:
        """Implements ``QAbstractItemModel.hasChildren``."""
        return self.rowCount(parent) > 0

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        """Implements ``QAbstractItemModel.flags``: names are editable; drag and drop moves."""
        node = self.node(index)
        if node is None:
            return Qt.ItemFlag.NoItemFlags  # the root: collections stay at the top level
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        flags |= Qt.ItemFlag.ItemIsEditable
        if not isinstance(node, CollectionNode):
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        if isinstance(node, FolderNode):
            flags |= Qt.ItemFlag.ItemIsDropEnabled
        else:
            flags |= Qt.ItemFlag.ItemNeverHasChildren
        return flags

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Implements ``QAbstractItemModel.data``."""
        node = self.node(index)
        if node is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return node.name
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(node)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(node)
        if role == ItemRole:
            return node
        if role == KindRole:
            return NodeKind.of(node)
        return None

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Implements ``QAbstractItemModel.setData``: a new name renames the file or folder."""
        node = self.node(index)
        if node is None or role != Qt.ItemDataRole.EditRole or self._store is None:
            return False
        name = str(value)
        if name == node.name:
            return False
        try:
            self._store.rename(node, name)
        except WorkbenchError as exc:
            logger.info("rename of %s refused: %s", node, exc)
            self.errorOccurred.emit(exc)
            return False
        return True  # the store's events have updated the views already

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        """Implements ``QAbstractItemModel.headerData``."""
        if (
            section == 0
            and orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
        ):
            return "Name"
        return None

    # -- drag and drop --------------------------------------------------------------------

    def supportedDropActions(self) -> Qt.DropAction:
        """Implements ``QAbstractItemModel.supportedDropActions``: items are moved."""
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        """Implements ``QAbstractItemModel.supportedDragActions``: items are moved."""
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        """Implements ``QAbstractItemModel.mimeTypes``."""
        return [MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        """Implements ``QAbstractItemModel.mimeData``: the dragged nodes, by their names."""
        names = []
        for index in indexes:
            node = self.node(index)
            if node is not None and not isinstance(node, CollectionNode):
                names.append(list(node.names))
        data = QMimeData()
        data.setData(MIME_TYPE, json.dumps(names).encode())
        return data

    def canDropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: ModelIndex,
    ) -> bool:
        """Implements ``QAbstractItemModel.canDropMimeData``: into another folder only."""
        if action != Qt.DropAction.MoveAction or not data.hasFormat(MIME_TYPE):
            return False
        target = self._drop_target(parent)
        if target is None:
            return False
        nodes = self._dropped_nodes(data)
        return bool(nodes) and all(_can_move(node, target) for node in nodes)

    def dropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: ModelIndex,
    ) -> bool:
        """Implements ``QAbstractItemModel.dropMimeData``: move the nodes into the folder.

        Dropping onto a request moves into the request's folder. The store moves the files,
        then its events move the rows; nothing is left for the view to remove afterwards
        (this model has no ``removeRows``).
        """
        if not self.canDropMimeData(data, action, row, column, parent) or self._store is None:
            return False
        target = self._drop_target(parent)
        assert target is not None
        moved = False
        for node in self._dropped_nodes(data):
            if node.parent is target:
                continue
            try:
                self._store.move(node, target)
            except WorkbenchError as exc:
                logger.info("move of %s refused: %s", node, exc)
                self.errorOccurred.emit(exc)
                continue
            moved = True
            self.nodeMoved.emit(node)
        return moved

    def _drop_target(self, parent: ModelIndex) -> FolderNode | None:
        node = self.node(parent)
        if isinstance(node, RequestNode):
            node = node.parent
        return node if isinstance(node, FolderNode) and not isinstance(node, RootNode) else None

    def _dropped_nodes(self, data: QMimeData) -> list[Node]:
        if self._store is None:
            return []
        try:
            names = json.loads(bytes(data.data(MIME_TYPE).data()).decode())
        except ValueError:
            return []
        found = [self._store.find(tuple(n)) for n in names if isinstance(n, list)]
        return [n for n in found if n is not None]

    # -- helpers --------------------------------------------------------------------------

    def _root(self) -> QModelIndex:
        return QModelIndex()

    def _folder(self, index: ModelIndex) -> FolderNode | None:
        if not index.isValid():
            return self._store.root if self._store is not None else None
        node = self.node(index)
        return node if isinstance(node, FolderNode) else None

    def _icon(self, node: Node) -> QIcon:
        if isinstance(node, RequestNode):
            name = self._method_icon(node.request.method)
            if name is not None:
                return resources.icon(name)
            return _standard_icon(QStyle.StandardPixmap.SP_FileIcon)
        return _standard_icon(QStyle.StandardPixmap.SP_DirIcon)


_CONTENT_ROLES = [
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.EditRole,
    Qt.ItemDataRole.DecorationRole,
    Qt.ItemDataRole.ToolTipRole,
]


def _standard_icon(pixmap: QStyle.StandardPixmap) -> QIcon:
    style = QApplication.style()
    return style.standardIcon(pixmap) if style is not None else QIcon()


def _can_move(node: Node, target: FolderNode) -> bool:
    if isinstance(node, CollectionNode):
        return False
    current: Node | None = target
    while current is not None:  # a folder cannot go into itself or below itself
        if current is node:
            return False
        current = current.parent
    return True


def _tooltip(node: Node) -> str:
    if isinstance(node, RequestNode):
        request = node.request
        lines = [request.method, request.target.address or "(no address)"]
        if request.notes:
            lines.append(request.notes)
        lines.append(str(node.path))
        return "\n".join(lines)
    what = NodeKind.of(node).value.capitalize()
    return f"{what}: {node.path}"

"""A read-only tree of one decoded message, for the response view.

The model shows the message's JSON value (from :func:`~workbench.core.messages.codec.to_dict`
with proto field names): objects and lists are rows with children, everything else a
leaf. Children are made when a view first asks for them, so a response with a hundred
thousand items costs one row object per row that is actually expanded.
"""

from __future__ import annotations

import enum
import json
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt

__all__ = ["Column", "ItemRole", "MessageTreeModel"]

Index = QModelIndex | QPersistentModelIndex
#: The row's JSON value (a dict, list, str, int, float, bool or ``None``).
ItemRole = Qt.ItemDataRole.UserRole
#: Characters of a value shown in a cell; the tooltip shows more.
CELL_CHARS = 300
TOOLTIP_CHARS = 4000


class Column(enum.IntEnum):
    """The columns, left to right."""

    FIELD = 0
    VALUE = 1


class _Node:
    """One row: a field, list element or map entry, and its value."""

    __slots__ = ("_children", "key", "parent", "row", "value")

    def __init__(self, key: str, value: Any, parent: _Node | None, row: int) -> None:
        self.key = key
        self.value = value
        self.parent = parent
        self.row = row
        self._children: list[_Node] | None = None

    def count(self) -> int:
        value = self.value
        return len(value) if isinstance(value, (dict, list)) else 0

    def child(self, row: int) -> _Node:
        if self._children is None:
            value = self.value
            if isinstance(value, dict):
                items = list(value.items())
                self._children = [_Node(str(k), v, self, i) for i, (k, v) in enumerate(items)]
            else:
                self._children = [_Node(f"[{i}]", v, self, i) for i, v in enumerate(value)]
        return self._children[row]


def value_text(value: Any, limit: int = CELL_CHARS) -> str:
    """How a JSON value reads in the value column: ``"text"``, ``42``, ``{3 fields}``."""
    if isinstance(value, dict):
        return f"{{{len(value)} field{'' if len(value) == 1 else 's'}}}"
    if isinstance(value, list):
        return f"[{len(value)} item{'' if len(value) == 1 else 's'}]"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class MessageTreeModel(QAbstractItemModel):
    """Field | Value rows of a JSON value; read-only.

    Roles: ``DisplayRole``, ``ToolTipRole`` (long values in full, up to a limit) and
    :data:`ItemRole`. The model emits no signals of its own.

    Args:
        parent: the owning object.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._root = _Node("", {}, None, 0)

    def set_value(self, value: Any) -> None:
        """Show ``value`` (a message's :func:`to_dict` result); ``None`` shows nothing."""
        self.beginResetModel()
        if value is None:
            value = {}
        elif not isinstance(value, dict):
            # Well-known types such as Timestamp have a scalar JSON form.
            value = {"value": value}
        self._root = _Node("", value, None, 0)
        self.endResetModel()

    def _node(self, index: Index) -> _Node:
        if not index.isValid():
            return self._root
        node = index.internalPointer()
        assert isinstance(node, _Node)
        return node

    # -- QAbstractItemModel ---------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        """Implements QAbstractItemModel.index."""
        node = self._node(parent)
        if not 0 <= row < node.count() or not 0 <= column < len(Column):
            return QModelIndex()
        return self.createIndex(row, column, node.child(row))

    def parent(self, child: Index) -> QModelIndex:  # type: ignore[override]
        """Implements QAbstractItemModel.parent."""
        if not child.isValid():
            return QModelIndex()
        parent = self._node(child).parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self.createIndex(parent.row, 0, parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Implements QAbstractItemModel.rowCount."""
        if parent.isValid() and parent.column() != 0:
            return 0
        return self._node(parent).count()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Implements QAbstractItemModel.columnCount."""
        return len(Column)

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        """Implements QAbstractItemModel.hasChildren."""
        return self.rowCount(parent) > 0

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Implements QAbstractItemModel.flags: selectable, never editable."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Implements QAbstractItemModel.headerData."""
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return ("Field", "Value")[section] if 0 <= section < len(Column) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Implements QAbstractItemModel.data."""
        if not index.isValid():
            return None
        node = self._node(index)
        if role == Qt.ItemDataRole.DisplayRole:
            return node.key if index.column() == Column.FIELD else value_text(node.value)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == Column.VALUE:
            if isinstance(node.value, (dict, list)):
                return None
            full = value_text(node.value, TOOLTIP_CHARS)
            return full if len(full) > CELL_CHARS else None
        if role == ItemRole:
            return node.value
        return None

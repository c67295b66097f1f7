"""The variables of one environment being edited: name, value and whether it is secret.

The rows are an edit buffer the environments dialog writes back with one save (an
environment is one file), so this is a plain table model over its own list. Secret values
are shown masked; they are written to the secret store, never into the environment file.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from workbench.core.store.variables import VARIABLE
from workbench.ui import theme

__all__ = ["MASK", "Column", "ItemRole", "VariableRow", "VariablesModel"]

ModelIndex = QModelIndex | QPersistentModelIndex
_NO_PARENT = QModelIndex()

#: The row's :class:`VariableRow`.
ItemRole = Qt.ItemDataRole.UserRole
#: What a secret value looks like in the table.
MASK = "●●●●●●"


class Column(enum.IntEnum):
    """The columns, left to right."""

    NAME = 0
    VALUE = 1
    SECRET = 2


_HEADERS = {
    Column.NAME: ("Variable", "Used as {{name}} in addresses, metadata and request strings"),
    Column.VALUE: ("Value", "May use other {{variables}}; secret values are used literally"),
    Column.SECRET: ("Secret", "Kept on this machine only, never in the workspace files"),
}


@dataclass
class VariableRow:
    """One variable as typed.

    Attributes:
        name: the variable's name.
        value: its value (a secret's real value, shown masked).
        secret: whether the value goes to the secret store instead of the file.
    """

    name: str = ""
    value: str = ""
    secret: bool = False

    def problem(self) -> str | None:
        """Why the name cannot be used (``None`` when it can)."""
        if not self.name.strip():
            return "the variable needs a name"
        if not VARIABLE.fullmatch(f"{{{{{self.name.strip()}}}}}"):
            return (
                f"{self.name!r} cannot be a variable name: start with a letter or _, "
                "then letters, digits, _, - or ."
            )
        return None


class VariablesModel(QAbstractTableModel):
    """An editable table of :class:`VariableRow` s.

    Signals:
        changed(): a row was added, removed or edited.
    """

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[VariableRow] = []

    # -- content --------------------------------------------------------------------------

    def rows(self) -> list[VariableRow]:
        """The rows (copies)."""
        return [VariableRow(r.name, r.value, r.secret) for r in self._rows]

    def set_rows(self, rows: list[VariableRow]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self._rows = [VariableRow(r.name, r.value, r.secret) for r in rows]
        self.endResetModel()

    def add_row(self, name: str = "", value: str = "", *, secret: bool = False) -> QModelIndex:
        """Append a row; returns the index of its name cell."""
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(VariableRow(name, value, secret))
        self.endInsertRows()
        self.changed.emit()
        return self.index(row, Column.NAME)

    def problems(self) -> list[str]:
        """Every reason the rows cannot be saved, one line each."""
        out = []
        seen: set[str] = set()
        for number, row in enumerate(self._rows, 1):
            if not row.name.strip() and not row.value:
                continue  # a blank row is dropped on save
            problem = row.problem()
            if problem is None and row.name.strip() in seen:
                problem = f"{row.name.strip()!r} is defined twice"
            seen.add(row.name.strip())
            if problem is not None:
                out.append(f"row {number}: {problem}")
        return out

    # -- QAbstractItemModel ---------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = _NO_PARENT) -> int:
        """Implements ``QAbstractItemModel.rowCount``."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = _NO_PARENT) -> int:
        """Implements ``QAbstractItemModel.columnCount``."""
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        """Implements ``QAbstractItemModel.headerData``."""
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        text, tip = _HEADERS[Column(section)]
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            return tip
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        """Implements ``QAbstractItemModel.flags``."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == Column.SECRET:
            return flags | Qt.ItemFlag.ItemIsUserCheckable
        return flags | Qt.ItemFlag.ItemIsEditable

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Implements ``QAbstractItemModel.data``."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = Column(index.column())
        if role == ItemRole:
            return VariableRow(row.name, row.value, row.secret)
        if column is Column.SECRET:
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if row.secret else Qt.CheckState.Unchecked
            return None
        if role == Qt.ItemDataRole.EditRole:
            return row.name if column is Column.NAME else row.value
        if role == Qt.ItemDataRole.DisplayRole:
            if column is Column.NAME:
                return row.name
            return MASK if row.secret and row.value else row.value
        problem = row.problem() if column is Column.NAME and (row.name or row.value) else None
        if role == Qt.ItemDataRole.ToolTipRole and problem:
            return problem
        if role == Qt.ItemDataRole.ForegroundRole and problem:
            return QColor(theme.colors().error)
        return None

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Implements ``QAbstractItemModel.setData``."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return False
        row = self._rows[index.row()]
        column = Column(index.column())
        if column is Column.SECRET and role == Qt.ItemDataRole.CheckStateRole:
            row.secret = _checked(value)
        elif column is Column.NAME and role == Qt.ItemDataRole.EditRole:
            row.name = str(value).strip()
        elif column is Column.VALUE and role == Qt.ItemDataRole.EditRole:
            row.value = str(value)
        else:
            return False
        first, last = self.index(index.row(), 0), self.index(index.row(), len(Column) - 1)
        self.dataChanged.emit(first, last, _ROLES)
        self.changed.emit()
        return True

    def removeRows(self, row: int, count: int, parent: ModelIndex = _NO_PARENT) -> bool:
        """Implements ``QAbstractItemModel.removeRows``."""
        if parent.isValid() or row < 0 or count < 1 or row + count > len(self._rows):
            return False
        self.beginRemoveRows(QModelIndex(), row, row + count - 1)
        del self._rows[row : row + count]
        self.endRemoveRows()
        self.changed.emit()
        return True


_ROLES = [
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.EditRole,
    Qt.ItemDataRole.CheckStateRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.ForegroundRole,
]


def _checked(value: Any) -> bool:
    if isinstance(value, Qt.CheckState):
        return value == Qt.CheckState.Checked
    return bool(value == Qt.CheckState.Checked.value or value is True)

"""Request metadata as an editable table: one row per header, each with an on/off switch.

Rows keep what the user typed; each row is checked with the core's metadata rules as it
changes (key characters, keys the transport reserves, base64 for ``-bin`` keys, printable
ASCII for the rest), and a bad row is marked where it is rather than refused, so nothing
typed is lost. :meth:`MetadataModel.entries` gives the enabled, valid rows in the engine's
form (bytes for ``-bin`` keys).
"""

from __future__ import annotations

import base64
import binascii
import enum
from collections.abc import Iterable
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

from workbench.core.calls.metadata import (
    MetadataValue,
    decode_binary_value,
    normalize_metadata,
)
from workbench.core.errors import UsageError
from workbench.ui.form.form_cells import error_color, muted_color

__all__ = ["Column", "ItemRole", "MetadataModel", "MetadataRow", "ProblemRole"]

Index = QModelIndex | QPersistentModelIndex
#: The row's :class:`MetadataRow`.
ItemRole = Qt.ItemDataRole.UserRole
#: Why the row cannot be sent (``None`` when it can).
ProblemRole = Qt.ItemDataRole.UserRole + 1


class Column(enum.IntEnum):
    """The columns, left to right (the key column carries the on/off check box)."""

    KEY = 0
    VALUE = 1


_HEADERS = {
    Column.KEY: ("Key", "Header name; untick to keep the row without sending it"),
    Column.VALUE: ("Value", "Text, or base64 for keys ending in -bin"),
}


@dataclass
class MetadataRow:
    """One header as typed.

    Attributes:
        key: the key as typed.
        value: the value as typed (base64 text for ``-bin`` keys).
        enabled: whether the row is sent.
    """

    key: str = ""
    value: str = ""
    enabled: bool = True

    @property
    def blank(self) -> bool:
        """Whether nothing was typed in the row (it is then ignored)."""
        return not self.key.strip() and not self.value.strip()

    def problem(self) -> str | None:
        """Why this row cannot be sent (``None`` when it can, or when it is blank)."""
        try:
            self.entry()
        except UsageError as exc:
            return f"{exc.message} ({exc.hint})" if exc.hint else exc.message
        return None

    def entry(self) -> tuple[str, MetadataValue] | None:
        """The row in the engine's form (``None`` for a blank row).

        Raises:
            UsageError: the key or the value breaks gRPC's rules.
        """
        if self.blank:
            return None
        key = self.key.strip()
        if not key:
            raise UsageError("the key is empty", hint="name the header, e.g. authorization")
        if ":" in key:
            raise UsageError(f"bad metadata key {key!r}", hint="keys cannot contain ':'")
        value = self.value.strip()
        if key.lower().endswith("-bin"):
            try:
                data = decode_binary_value(value)
            except (binascii.Error, ValueError):
                raise UsageError(
                    "the value is not base64", hint="keys ending in -bin take base64, e.g. AAEC"
                ) from None
            return normalize_metadata([(key, data)])[0]
        return normalize_metadata([(key, value)])[0]


class MetadataModel(QAbstractTableModel):
    """An editable table of :class:`MetadataRow` s.

    Roles: ``DisplayRole``/``EditRole`` (the text), ``CheckStateRole`` on the key (sent or
    not), ``ToolTipRole`` and ``ForegroundRole`` (problems in red), :data:`ItemRole`,
    :data:`ProblemRole`.

    Signals:
        changed(): a row was added, removed or edited.
    """

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[MetadataRow] = []

    # -- content --------------------------------------------------------------------------

    def rows(self) -> list[MetadataRow]:
        """The rows (copies)."""
        return [MetadataRow(r.key, r.value, r.enabled) for r in self._rows]

    def set_entries(self, entries: Iterable[tuple[str, MetadataValue]]) -> None:
        """Replace the rows with ``entries`` (enabled; bytes shown as base64)."""
        self.beginResetModel()
        self._rows = [
            MetadataRow(key, base64.b64encode(value).decode("ascii"))
            if isinstance(value, bytes)
            else MetadataRow(key, value)
            for key, value in entries
        ]
        self.endResetModel()
        self.changed.emit()

    def add_row(self, key: str = "", value: str = "", *, enabled: bool = True) -> QModelIndex:
        """Append a row; returns the index of its key cell."""
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(MetadataRow(key, value, enabled))
        self.endInsertRows()
        self.changed.emit()
        return self.index(row, Column.KEY)

    def entries(self) -> list[tuple[str, MetadataValue]]:
        """The enabled, valid rows in order, ready for a call."""
        out = []
        for row in self._rows:
            if row.enabled and row.problem() is None:
                entry = row.entry()
                if entry is not None:
                    out.append(entry)
        return out

    def problems(self) -> list[str]:
        """Why enabled rows cannot be sent: ``"row 2 (x-id): …"`` lines."""
        out = []
        for number, row in enumerate(self._rows, 1):
            problem = row.problem() if row.enabled else None
            if problem is not None:
                name = f" ({row.key.strip()})" if row.key.strip() else ""
                out.append(f"row {number}{name}: {problem}")
        return out

    # -- QAbstractItemModel ---------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Implements QAbstractItemModel.rowCount."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Implements QAbstractItemModel.columnCount."""
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Implements QAbstractItemModel.headerData."""
        if orientation is not Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        title, tip = _HEADERS[Column(section)]
        if role == Qt.ItemDataRole.DisplayRole:
            return title
        if role == Qt.ItemDataRole.ToolTipRole:
            return tip
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Implements QAbstractItemModel.flags: every cell edits; the key is checkable."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        flags |= Qt.ItemFlag.ItemIsEditable
        if index.column() == Column.KEY:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Implements QAbstractItemModel.data."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return row.key if column == Column.KEY else row.value
        if role == Qt.ItemDataRole.CheckStateRole:
            if column != Column.KEY:
                return None
            return Qt.CheckState.Checked if row.enabled else Qt.CheckState.Unchecked
        if role == ItemRole:
            return MetadataRow(row.key, row.value, row.enabled)
        if role in (ProblemRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.ForegroundRole):
            return self._problem_data(row, role)
        return None

    @staticmethod
    def _problem_data(row: MetadataRow, role: int) -> Any:
        problem = row.problem() if row.enabled else None
        if role == ProblemRole:
            return problem
        if role == Qt.ItemDataRole.ToolTipRole:
            return problem or (None if row.enabled else "Not sent (ticked rows are sent)")
        if problem:
            return error_color()
        return None if row.enabled else muted_color()

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Implements QAbstractItemModel.setData: edit a key, a value, or the check box."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return False
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == Column.KEY:
            enabled = _checked(value)
            if enabled == row.enabled:
                return False
            row.enabled = enabled
        elif role == Qt.ItemDataRole.EditRole:
            text = "" if value is None else str(value)
            if column == Column.KEY:
                row.key = text
            else:
                row.value = text
        else:
            return False
        # The other cell's problem may change with this one (a key becoming "-bin").
        self.dataChanged.emit(
            self.index(index.row(), Column.KEY),
            self.index(index.row(), Column.VALUE),
            [
                Qt.ItemDataRole.DisplayRole,
                Qt.ItemDataRole.EditRole,
                Qt.ItemDataRole.CheckStateRole,
                Qt.ItemDataRole.ToolTipRole,
                Qt.ItemDataRole.ForegroundRole,
            ],
        )
        self.changed.emit()
        return True

    def removeRows(self, row: int, count: int, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        """Implements QAbstractItemModel.removeRows."""
        if parent.isValid() or count <= 0 or row < 0 or row + count > len(self._rows):
            return False
        self.beginRemoveRows(QModelIndex(), row, row + count - 1)
        del self._rows[row : row + count]
        self.endRemoveRows()
        self.changed.emit()
        return True


def _checked(value: Any) -> bool:
    try:
        return Qt.CheckState(value) == Qt.CheckState.Checked
    except (TypeError, ValueError):
        return bool(value)

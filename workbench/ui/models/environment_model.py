"""The environments of a workspace as a list, for the toolbar's picker and the editor.

An adapter over the evented :class:`~workbench.core.store.environments.EnvironmentStore`
(kept sorted by name): its ``inserting/inserted/removing/removed/changed`` events become
``beginInsertRows``/``endInsertRows``/``beginRemoveRows``/``endRemoveRows``/``dataChanged``.
Optionally the first row is "No environment", so a combo box can offer it.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from workbench.core.store.environments import Environment, EnvironmentStore
from workbench.core.store.events import EnvironmentEvent

__all__ = ["NO_ENVIRONMENT", "EnvironmentModel", "ItemRole", "NameRole"]

logger = logging.getLogger(__name__)

ModelIndex = QModelIndex | QPersistentModelIndex
_NO_PARENT = QModelIndex()

#: The :class:`Environment` of a row (``None`` for "No environment").
ItemRole = Qt.ItemDataRole.UserRole
#: The environment's name (``None`` for "No environment").
NameRole = Qt.ItemDataRole.UserRole + 1
#: The label of the "no environment" row.
NO_ENVIRONMENT = "No environment"


class EnvironmentModel(QAbstractListModel):
    """Environment names, sorted as the store keeps them.

    Args:
        with_none: put a "No environment" row first.
        parent: the owning object.

    The model emits no signals beyond Qt's own.
    """

    def __init__(self, *, with_none: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store: EnvironmentStore | None = None
        self._offset = 1 if with_none else 0

    def set_store(self, store: EnvironmentStore | None) -> None:
        """Show the environments of ``store`` (another workspace)."""
        self.beginResetModel()
        if self._store is not None:
            self._store.events.disconnect(self._on_event)
        self._store = store
        if store is not None:
            store.events.connect(self._on_event)
        self.endResetModel()

    def row_of(self, name: str | None) -> int:
        """The row of environment ``name`` (``None``: the "No environment" row); -1 if none."""
        if name is None:
            return 0 if self._offset else -1
        names = self._names()
        return names.index(name) + self._offset if name in names else -1

    def name_at(self, row: int) -> str | None:
        """The environment name at ``row`` (``None`` for "No environment" or out of range)."""
        names = self._names()
        i = row - self._offset
        return names[i] if 0 <= i < len(names) else None

    # -- store events ---------------------------------------------------------------------

    def _on_event(self, event: EnvironmentEvent) -> None:
        row = event.index + self._offset
        if event.kind == "inserting":
            self.beginInsertRows(QModelIndex(), row, row)
        elif event.kind == "inserted":
            self.endInsertRows()
        elif event.kind == "removing":
            self.beginRemoveRows(QModelIndex(), row, row)
        elif event.kind == "removed":
            self.endRemoveRows()
        elif event.kind == "changed":
            index = self.index(row, 0)
            self.dataChanged.emit(
                index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole]
            )

    # -- QAbstractItemModel ---------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = _NO_PARENT) -> int:
        """Implements ``QAbstractItemModel.rowCount``."""
        if parent.isValid():
            return 0
        return self._offset + (len(self._store) if self._store is not None else 0)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Implements ``QAbstractItemModel.data``."""
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        env = self._environment(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            return env.name if env is not None else NO_ENVIRONMENT
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(env)
        if role == ItemRole:
            return env
        if role == NameRole:
            return env.name if env is not None else None
        return None

    def _environment(self, row: int) -> Environment | None:
        name = self.name_at(row)
        if name is None or self._store is None:
            return None
        return self._store.get(name)

    def _names(self) -> list[str]:
        return self._store.names() if self._store is not None else []


def _tooltip(env: Environment | None) -> str:
    if env is None:
        return "Send requests as they are: {{variables}} are not filled in"
    plain = [k for k in env.variables if k not in env.secrets]
    parts = [f"{len(plain)} variable{'' if len(plain) == 1 else 's'}"]
    if env.secrets:
        parts.append(f"{len(env.secrets)} secret{'' if len(env.secrets) == 1 else 's'}")
    text = ", ".join(parts)
    return f"{text}\n{env.notes}" if env.notes else text

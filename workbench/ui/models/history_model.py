"""The call history as a table, newest first, read from SQLite a page at a time.

An adapter over :class:`~workbench.core.store.history.History`: the model holds the entries a
view has scrolled to so far and asks for the next page only when the view reaches the end
(``canFetchMore``/``fetchMore``), so a history of thousands of calls opens at once. A search
replaces the rows with the matches (also paged); a newly recorded call is inserted at the
top when it belongs to what is shown.
"""

from __future__ import annotations

import enum
import logging
import sqlite3
import time
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QColor

from workbench.core.errors import StoreError
from workbench.core.store.history import History, HistoryEntry
from workbench.ui import theme

__all__ = ["PAGE_SIZE", "Column", "HistoryModel", "ItemRole"]

logger = logging.getLogger(__name__)

ModelIndex = QModelIndex | QPersistentModelIndex
_NO_PARENT = QModelIndex()

#: The :class:`HistoryEntry` of a row.
ItemRole = Qt.ItemDataRole.UserRole
#: Rows read from the database at a time.
PAGE_SIZE = 100


class Column(enum.IntEnum):
    """The columns, left to right."""

    METHOD = 0
    STATUS = 1
    WHEN = 2


_HEADERS = {Column.METHOD: "Method", Column.STATUS: "Status", Column.WHEN: "When"}


class HistoryModel(QAbstractTableModel):
    """Recorded calls, newest first; optionally only those matching a search.

    Roles: ``DisplayRole``, ``ToolTipRole``, ``ForegroundRole`` (status colour) and
    :data:`ItemRole`. The model emits no signals beyond Qt's own.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._history: History | None = None
        self._entries: list[HistoryEntry] = []
        self._query = ""
        self._exhausted = True
        self._resetting = False

    # -- content --------------------------------------------------------------------------

    @property
    def history(self) -> History | None:
        """The database shown (``None``: none)."""
        return self._history

    @property
    def query(self) -> str:
        """The search text ('' shows every entry)."""
        return self._query

    def set_history(self, history: History | None) -> None:
        """Show ``history`` (from its newest entry)."""
        self._history = history
        self.refresh()

    def set_query(self, text: str) -> None:
        """Show only the entries matching every word of ``text`` ('' for all)."""
        if text.strip() == self._query:
            return
        self._query = text.strip()
        self.refresh()

    def refresh(self) -> None:
        """Read the first page again (after the database changed under the model)."""
        self.beginResetModel()
        self._entries = []
        self._exhausted = self._history is None
        # The first page is part of the reset: views asking after it see it at once.
        self._entries = self._page()
        self._resetting = True
        try:
            self.endResetModel()
        finally:
            self._resetting = False

    def entry(self, row: int) -> HistoryEntry | None:
        """The entry at ``row``."""
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def entries(self) -> list[HistoryEntry]:
        """The entries loaded so far, newest first."""
        return list(self._entries)

    def add_recorded(self, entry_id: int) -> None:
        """A call was just recorded: show it at the top (or search again when filtering)."""
        if self._history is None:
            return
        if self._query:
            self.refresh()  # whether it matches is the database's business
            return
        try:
            entry = self._history.get(entry_id)
        except StoreError:
            return  # capped away at once (a limit of 0)
        self.beginInsertRows(QModelIndex(), 0, 0)
        self._entries.insert(0, entry)
        self.endInsertRows()
        excess = len(self._entries) - self._history.max_entries
        if excess > 0:  # the cap deleted the oldest: drop them here too
            first = len(self._entries) - excess
            self.beginRemoveRows(QModelIndex(), first, len(self._entries) - 1)
            del self._entries[first:]
            self.endRemoveRows()

    def remove(self, row: int) -> None:
        """Delete the entry at ``row`` from the history."""
        entry = self.entry(row)
        if entry is None or self._history is None:
            return
        self._history.delete(entry.id)
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._entries[row]
        self.endRemoveRows()

    def clear(self) -> None:
        """Delete every entry from the history."""
        if self._history is not None:
            self._history.clear()
        self.refresh()

    # -- QAbstractItemModel ---------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = _NO_PARENT) -> int:
        """Implements ``QAbstractItemModel.rowCount``."""
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: ModelIndex = _NO_PARENT) -> int:
        """Implements ``QAbstractItemModel.columnCount``."""
        return 0 if parent.isValid() else len(Column)

    def canFetchMore(self, parent: ModelIndex = _NO_PARENT) -> bool:
        """Implements ``QAbstractItemModel.canFetchMore``: until the last page was read."""
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: ModelIndex = _NO_PARENT) -> None:
        """Implements ``QAbstractItemModel.fetchMore``: append the next page."""
        if parent.isValid() or self._history is None or self._exhausted:
            return
        if self._resetting:
            # Asked from a modelReset handler: inserting rows before every handler has seen
            # the reset would confuse the others. Fetch right after instead.
            QTimer.singleShot(0, self.fetchMore)
            return
        have = len(self._entries)
        page = self._page()
        if not page:
            return
        self.beginInsertRows(QModelIndex(), have, have + len(page) - 1)
        self._entries.extend(page)
        self.endInsertRows()

    def _page(self) -> list[HistoryEntry]:
        """The entries after those loaded (at most a page); marks the end when reached."""
        if self._history is None:
            return []
        have = len(self._entries)
        try:
            if self._query:
                # search() has no offset: ask for one more page and keep what is new.
                page = self._history.search(self._query, limit=have + PAGE_SIZE)[have:]
            else:
                page = self._history.entries(limit=PAGE_SIZE, offset=have)
        except (StoreError, sqlite3.Error) as exc:
            logger.warning("cannot read the history: %s", exc)
            page = []
        self._exhausted = len(page) < PAGE_SIZE
        return page

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        """Implements ``QAbstractItemModel.flags``: rows are read-only."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Implements ``QAbstractItemModel.data``."""
        entry = self.entry(index.row()) if index.isValid() else None
        if entry is None:
            return None
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(entry, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(entry)
        if role == Qt.ItemDataRole.ForegroundRole and column is Column.STATUS:
            colors = theme.colors()
            return QColor(colors.ok if entry.status == "OK" else colors.error)
        if role == ItemRole:
            return entry
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        """Implements ``QAbstractItemModel.headerData``."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _HEADERS.get(Column(section)) if 0 <= section < len(Column) else None
        return None


def short_method(method: str) -> str:
    """``Service/Method`` without the package (``pkg.v1.Service/Method`` → ``Service/Method``)."""
    service, _, name = method.rpartition("/")
    return f"{service.rsplit('.', 1)[-1]}/{name}" if service else method


def when_text(started_at: float, now: float | None = None) -> str:
    """``14:03:07`` today, ``Mar 4 14:03`` before today."""
    local = time.localtime(started_at)
    today = time.localtime(now if now is not None else time.time())
    if local[:3] == today[:3]:
        return time.strftime("%H:%M:%S", local)
    return time.strftime("%b %d %H:%M", local)


def tooltip(entry: HistoryEntry) -> str:
    """Everything about an entry, one fact a line."""
    status = entry.status + (f": {entry.status_message}" if entry.status_message else "")
    lines = [
        entry.method,
        f"{entry.address} · {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(entry.started_at))}",
        f"{status} · {entry.elapsed * 1000:.0f} ms · "
        f"{entry.response_count} response{'' if entry.response_count == 1 else 's'}",
    ]
    if entry.environment:
        lines.append(f"environment {entry.environment}")
    return "\n".join(lines)


def _display(entry: HistoryEntry, column: Column) -> str:
    if column is Column.METHOD:
        return short_method(entry.method)
    if column is Column.STATUS:
        return entry.status
    return when_text(entry.started_at)

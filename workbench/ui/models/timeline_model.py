"""A call's timeline as a Qt table: one row per event, over a :class:`TimelineStore`.

The model holds no row data of its own. It maps its rows to the store's event ids: a
contiguous range without a filter, an ``array('q')`` of matching event ids with one
(built by :meth:`TimelineStore.find`, one pass over the payload bytes). That is how a
million rows filter in well under a second, where a ``QSortFilterProxyModel`` would call
a Python ``filterAcceptsRow`` a million times and then map every index through Python.

Rows appended to the store are not visible until :meth:`TimelineModel.sync`, which tells
views about all of them at once: one ``beginInsertRows``/``endInsertRows`` for the batch
(and one ``beginRemoveRows`` for rows the store's cap dropped). A
:class:`~workbench.ui.models.timeline_feeder.TimelineFeeder` calls it once per frame.

``data()`` is called for every visible cell and role on each repaint, so it does little:
a dict lookup of the role, integer arithmetic, and for the message column a preview the
store caches.
"""

from __future__ import annotations

import enum
from array import array
from bisect import bisect_left
from collections.abc import Callable, Collection
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont

from workbench.core.timeline import text
from workbench.core.timeline.rows import ALL_DIRECTIONS, Direction, TimelineEntry
from workbench.core.timeline.store import TimelineStore
from workbench.ui import theme

ModelIndex = QModelIndex | QPersistentModelIndex
_NO_PARENT = QModelIndex()

#: The row's :class:`TimelineEntry` (a snapshot made on request).
ItemRole = Qt.ItemDataRole.UserRole
#: The row's event id (``int``).
EventIdRole = Qt.ItemDataRole.UserRole + 1
#: Whether the row is an error (non-OK status, message that does not decode).
ErrorRole = Qt.ItemDataRole.UserRole + 2


class Column(enum.IntEnum):
    """The columns, left to right."""

    NUMBER = 0
    DIRECTION = 1
    SEQUENCE = 2
    TIME = 3
    DELTA = 4
    SIZE = 5
    MESSAGE = 6


_HEADERS = {
    Column.NUMBER: ("#", "Event number since the call started"),
    Column.DIRECTION: ("", "↑ sent, ↓ received, ● headers, trailers and status"),
    Column.SEQUENCE: ("Msg", "Message number in its direction"),
    Column.TIME: ("Time (s)", "Seconds since the call started"),
    Column.DELTA: ("Δ", "Time since the previous event"),
    Column.SIZE: ("Size", "Serialized message size"),
    Column.MESSAGE: ("Message", "The message as compact JSON, or the event's details"),
}
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_CENTER = Qt.AlignmentFlag.AlignCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_ALIGN = (_RIGHT, _CENTER, _RIGHT, _RIGHT, _RIGHT, _RIGHT, _LEFT)
_CONTROL = Direction.CONTROL


class TimelineModel(QAbstractTableModel):
    """Rows of a :class:`TimelineStore`, optionally filtered, appended in batches.

    Roles: ``DisplayRole``, ``TextAlignmentRole``, ``ForegroundRole`` (direction colours,
    control rows muted, errors in red), ``FontRole`` (bold direction symbols),
    ``ToolTipRole``, and :data:`ItemRole`, :data:`EventIdRole`, :data:`ErrorRole`.

    Signals:
        filterChanged(): the filter changed; the model was reset to the matching rows.
        synced(int, int): :meth:`sync` appended (first) and dropped (second) rows.
    """

    filterChanged = Signal()
    synced = Signal(int, int)

    def __init__(self, store: TimelineStore | None = None, parent: QObject | None = None) -> None:
        """Show ``store`` (a new, empty one by default); its current rows are shown at once."""
        super().__init__(parent)
        self._store = store if store is not None else TimelineStore()
        self._text = ""
        self._directions: frozenset[Direction] = ALL_DIRECTIONS
        self._filtered = False
        self._ids = array("q")  # event ids of the rows, when filtered
        self._first_id = 0  # event id of row 0, when not filtered
        self._count = 0
        self._synced_end = 0  # the store's end_id when last synced
        self._generation = -1
        colors = theme.colors()
        self._direction_colors = (
            QColor(colors.busy),
            QColor(colors.ok),
            self._muted_color(),
        )
        self._error_color = QColor(colors.error)
        self._muted = self._direction_colors[Direction.CONTROL]
        # Unset attributes of a FontRole font are taken from the view's font: this is bold.
        self._direction_font = QFont()
        self._direction_font.setBold(True)
        self._roles: dict[int, Callable[[int, int], Any]] = {
            Qt.ItemDataRole.DisplayRole: self._display,
            Qt.ItemDataRole.TextAlignmentRole: self._alignment,
            Qt.ItemDataRole.ForegroundRole: self._foreground,
            Qt.ItemDataRole.FontRole: self._font,
            Qt.ItemDataRole.ToolTipRole: self._tooltip,
            ItemRole: lambda row, _col: self._store.entry(row),
            EventIdRole: lambda row, _col: row + self._store.dropped,
            ErrorRole: lambda row, _col: self._store.is_error(row),
        }
        self._refill()

    @staticmethod
    def _muted_color() -> QColor:
        return QColor("#a1a1aa") if theme.is_dark() else QColor("#71717a")

    # -- the store and syncing -------------------------------------------------------------

    @property
    def store(self) -> TimelineStore:
        """The store shown."""
        return self._store

    def set_store(self, store: TimelineStore) -> None:
        """Show another store (e.g. for a new call); resets the model."""
        self.beginResetModel()
        self._store = store
        self._refill()
        self.endResetModel()

    def _refill(self) -> None:
        """Recompute the row mapping from the store (callers reset the model around it)."""
        store = self._store
        self._generation = store.generation
        self._synced_end = store.end_id
        self._filtered = bool(self._text) or self._directions != ALL_DIRECTIONS
        if self._filtered:
            self._ids = store.find(self._text, self._directions, store.dropped)
            self._count = len(self._ids)
        else:
            self._ids = array("q")
            self._first_id = store.dropped
            self._count = len(store)

    def sync(self) -> int:
        """Show the rows appended to the store since the last sync; drop the capped ones.

        One ``beginRemoveRows`` for the rows the store's cap dropped (always at the top),
        then one ``beginInsertRows`` for every new row (that passes the filter).

        Returns:
            How many rows were appended.
        """
        store = self._store
        if store.generation != self._generation:
            self.beginResetModel()
            self._refill()
            self.endResetModel()
            self.synced.emit(self._count, 0)
            return self._count
        end, dropped = store.end_id, store.dropped
        removed = self._remove_dropped(dropped)
        added = 0
        begin = max(self._synced_end, dropped)
        self._synced_end = end
        if end > begin:
            new = store.find(self._text, self._directions, begin) if self._filtered else None
            added = len(new) if new is not None else end - begin
            if added:
                first = self._count
                self.beginInsertRows(_NO_PARENT, first, first + added - 1)
                if new is not None:
                    self._ids.extend(new)
                elif first == 0:
                    self._first_id = begin
                self._count += added
                self.endInsertRows()
        if added or removed:
            self.synced.emit(added, removed)
        return added

    def _remove_dropped(self, dropped: int) -> int:
        if self._filtered:
            count = bisect_left(self._ids, dropped)
        else:
            count = min(max(0, dropped - self._first_id), self._count)
        if count:
            self.beginRemoveRows(_NO_PARENT, 0, count - 1)
            if self._filtered:
                del self._ids[:count]
            else:
                self._first_id += count
            self._count -= count
            self.endRemoveRows()
        return count

    @property
    def pending(self) -> int:
        """Rows in the store not shown yet (before the filter), until the next :meth:`sync`."""
        return self._store.end_id - max(self._synced_end, self._store.dropped)

    # -- filtering -------------------------------------------------------------------------

    @property
    def filter_text(self) -> str:
        """The text rows must contain ('' for none; see :meth:`TimelineStore.find`)."""
        return self._text

    @property
    def directions(self) -> frozenset[Direction]:
        """The directions shown."""
        return self._directions

    def set_filter(self, text: str = "", directions: Collection[Direction] | None = None) -> None:
        """Show only rows with ``text`` (see :meth:`TimelineStore.find`) in ``directions``.

        ``directions=None`` keeps the current ones. The model is reset once; new rows are
        filtered as they are appended.
        """
        dirs = self._directions if directions is None else frozenset(directions)
        if text == self._text and dirs == self._directions:
            return
        self.beginResetModel()
        self._text, self._directions = text, dirs
        self._refill()
        self.endResetModel()
        self.filterChanged.emit()

    # -- rows ------------------------------------------------------------------------------

    def event_id(self, row: int) -> int:
        """The store event id shown on ``row``."""
        return self._ids[row] if self._filtered else self._first_id + row

    def store_row(self, row: int) -> int | None:
        """The store row shown on ``row`` (``None`` if the cap dropped it since the last sync)."""
        srow = self.event_id(row) - self._store.dropped
        return srow if srow >= 0 else None

    def row_of_event(self, event_id: int) -> int | None:
        """The model row showing ``event_id``, if any."""
        if self._filtered:
            row = bisect_left(self._ids, event_id)
            return row if row < self._count and self._ids[row] == event_id else None
        row = event_id - self._first_id
        return row if 0 <= row < self._count else None

    def entry(self, row: int) -> TimelineEntry | None:
        """A snapshot of the row (``None`` if the cap dropped it since the last sync)."""
        srow = self.store_row(row)
        return None if srow is None else self._store.entry(srow)

    # -- Qt model interface ----------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = _NO_PARENT) -> int:
        """Implements ``QAbstractItemModel.rowCount``."""
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: ModelIndex = _NO_PARENT) -> int:
        """Implements ``QAbstractItemModel.columnCount``."""
        return 0 if parent.isValid() else len(Column)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Implements ``QAbstractItemModel.data``."""
        getter = self._roles.get(role)
        if getter is None:
            return None
        row = index.row()
        event_id = self._ids[row] if self._filtered else self._first_id + row
        srow = event_id - self._store.dropped
        if srow < 0:  # dropped by the cap; the next sync removes the row
            return None
        return getter(srow, index.column())

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Implements ``QAbstractItemModel.headerData``."""
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _HEADERS[Column(section)][0]
        if role == Qt.ItemDataRole.ToolTipRole:
            return _HEADERS[Column(section)][1]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _ALIGN[section]
        return None

    # -- cell values -----------------------------------------------------------------------

    def _display(self, row: int, column: int) -> str:
        store = self._store
        if column == Column.MESSAGE:
            return store.preview(row)
        if column == Column.NUMBER:
            return str(row + store.dropped + 1)
        if column == Column.DIRECTION:
            return store.direction(row).symbol
        if column == Column.SEQUENCE:
            index = store.index(row)
            return "" if index is None else str(index + 1)
        if column == Column.TIME:
            return f"{store.since_start(row):.6f}"
        if column == Column.DELTA:
            return text.format_delta(store.since_previous(row))
        size = store.size(row)
        return text.format_size(size) if store.direction(row) is not _CONTROL else ""

    def _alignment(self, _row: int, column: int) -> Qt.AlignmentFlag:
        return _ALIGN[column]

    def _foreground(self, row: int, column: int) -> QColor | None:
        if column not in (Column.DIRECTION, Column.MESSAGE):
            return None
        store = self._store
        if store.is_error(row):
            return self._error_color
        direction = store.direction(row)
        if column == Column.DIRECTION:
            return self._direction_colors[direction]
        return self._muted if direction is _CONTROL else None

    def _font(self, _row: int, column: int) -> QFont | None:
        return self._direction_font if column == Column.DIRECTION else None

    def set_direction_font(self, font: QFont) -> None:
        """The font of the direction symbols (attributes it leaves unset come from the view)."""
        self._direction_font = font
        if self._count:
            last = self.index(self._count - 1, Column.DIRECTION)
            first = self.index(0, Column.DIRECTION)
            self.dataChanged.emit(first, last, [Qt.ItemDataRole.FontRole])

    def _tooltip(self, row: int, column: int) -> str | None:
        if column != Column.MESSAGE:
            return None
        store = self._store
        event = store.control_event(row)
        if event is not None:
            return "\n".join(text.control_lines(event))
        problem = store.problem(row)
        if problem is not None:
            return problem
        cls = store.message_class(row)
        name = cls.DESCRIPTOR.full_name if cls is not None else ""
        return f"{name} · {text.format_size(store.size(row))}"

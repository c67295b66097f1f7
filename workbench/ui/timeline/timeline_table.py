"""The timeline's table: fixed-height rows, cheap to repaint, with follow mode.

Follow mode keeps the newest row in view while rows stream in. Scrolling away from the end
(wheel, scroll bar, keyboard) leaves it; a "Jump to latest (N new)" button then floats over
the bottom of the table and counts the rows that arrived since. Scrolling back to the end,
the button, or ``Ctrl+End`` resume following.

Everything that would make Qt look at every row is avoided: no ``ResizeToContents``
columns, no visible vertical header, no word wrap; rows have one fixed height.
"""

from __future__ import annotations

import logging
from time import perf_counter

from PySide6.QtCore import QAbstractItemModel, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QFocusEvent, QFont, QFontDatabase, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QPushButton, QTableView, QWidget

from workbench.ui.models.timeline_model import Column, TimelineModel

logger = logging.getLogger(__name__)

# Column widths in characters of the table's (fixed-pitch) font.
_WIDTHS = {
    Column.NUMBER: 8,
    Column.DIRECTION: 3,
    Column.SEQUENCE: 7,
    Column.TIME: 11,
    Column.DELTA: 11,
    Column.SIZE: 10,
}
_BUTTON_MARGIN = 10


class TimelineTable(QTableView):
    """A ``QTableView`` for a :class:`TimelineModel` with follow mode.

    Signals:
        followingChanged(bool): follow mode turned on or off.
        newRowsChanged(int): rows appended since follow mode was left (0 when following).
    """

    followingChanged = Signal(bool)
    newRowsChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        """Create an empty table; give it a model with ``setModel``."""
        super().__init__(parent)
        self._following = True
        self._new_rows = 0
        self._adjusting = False
        self._paint_seconds = 0.0
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setCornerButtonEnabled(False)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._jump = QPushButton(self.viewport())
        self._jump.setObjectName("timelineJumpButton")
        self._jump.setCursor(Qt.CursorShape.PointingHandCursor)
        self._jump.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # focus would move the table's cursor
        self._jump.setToolTip("Follow the newest rows again (Ctrl+End)")
        self._jump.clicked.connect(self.jump_to_latest)
        self._jump.hide()
        self._update_jump_text()
        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(self._on_range_changed)
        bar.valueChanged.connect(self._on_value_changed)

    # -- model -----------------------------------------------------------------------------

    def setModel(self, model: QAbstractItemModel | None) -> None:
        """Reimplements ``QAbstractItemView.setModel``: sizes the columns, tracks new rows."""
        old = self.model()
        if old is not None:
            old.rowsInserted.disconnect(self._on_rows_inserted)
            old.rowsAboutToBeRemoved.disconnect(self._on_rows_removed)
            old.modelReset.disconnect(self._on_reset)
        super().setModel(model)
        if model is None:
            return
        model.rowsInserted.connect(self._on_rows_inserted)
        model.rowsAboutToBeRemoved.connect(self._on_rows_removed)
        model.modelReset.connect(self._on_reset)
        if isinstance(model, TimelineModel):
            symbols = QFont()
            symbols.setBold(True)
            symbols.setPointSizeF(self.font().pointSizeF() * 1.25)
            model.set_direction_font(symbols)
        digit = self.fontMetrics().horizontalAdvance("0")
        for column, chars in _WIDTHS.items():
            self.setColumnWidth(column, digit * chars + 12)

    # -- follow mode -----------------------------------------------------------------------

    @property
    def following(self) -> bool:
        """Whether the view sticks to the newest row."""
        return self._following

    @property
    def new_rows(self) -> int:
        """Rows appended since follow mode was left."""
        return self._new_rows

    def set_following(self, following: bool) -> None:
        """Turn follow mode on (scrolling to the newest row) or off."""
        if following:
            self._scroll_to_end()
        if following == self._following:
            return
        self._following = following
        self._set_new_rows(0)
        self._place_jump_button()
        self._jump.setVisible(not following)
        self.followingChanged.emit(following)

    def jump_to_latest(self) -> None:
        """Scroll to the newest row and follow again."""
        self.set_following(True)

    def _scroll_to_end(self) -> None:
        bar = self.verticalScrollBar()
        self._adjusting = True
        try:
            bar.setValue(bar.maximum())
        finally:
            self._adjusting = False

    def _on_range_changed(self, _minimum: int, maximum: int) -> None:
        if self._following:
            self._scroll_to_end()

    def _on_value_changed(self, value: int) -> None:
        if self._adjusting:
            return
        at_end = value >= self.verticalScrollBar().maximum()
        if at_end != self._following:
            self.set_following(at_end)

    def _on_rows_inserted(self, _parent: QModelIndex, first: int, last: int) -> None:
        if not self._following:
            self._set_new_rows(self._new_rows + last - first + 1)

    def _on_rows_removed(self, _parent: QModelIndex, first: int, last: int) -> None:
        # The cap drops rows at the top: keep the rows being read where they are on screen.
        if not self._following and first == 0:
            bar = self.verticalScrollBar()
            self._adjusting = True
            try:
                bar.setValue(max(0, bar.value() - (last - first + 1)))
            finally:
                self._adjusting = False

    def _on_reset(self) -> None:
        self._set_new_rows(0)
        if self._following:
            self._scroll_to_end()

    def _set_new_rows(self, count: int) -> None:
        if count == self._new_rows:
            return
        self._new_rows = count
        self._update_jump_text()
        self.newRowsChanged.emit(count)

    def _update_jump_text(self) -> None:
        label = "↓ Jump to latest"
        count = self._new_rows
        self._jump.setText(f"{label} ({count:,} new)" if count else label)
        self._place_jump_button()

    def _place_jump_button(self) -> None:
        button = self._jump
        button.adjustSize()
        area = self.viewport().rect()
        button.move(
            area.right() - button.width() - _BUTTON_MARGIN,
            area.bottom() - button.height() - _BUTTON_MARGIN,
        )

    # -- events ----------------------------------------------------------------------------

    def paint_cost(self) -> float:
        """Seconds a repaint of the table takes (a moving average), for frame pacing."""
        return self._paint_seconds

    def paintEvent(self, event: QPaintEvent) -> None:
        """Reimplements ``QTableView.paintEvent``: measures what a repaint costs."""
        started = perf_counter()
        super().paintEvent(event)
        self._paint_seconds += (perf_counter() - started - self._paint_seconds) * 0.25

    def focusInEvent(self, event: QFocusEvent) -> None:
        """Reimplements ``QAbstractItemView.focusInEvent``.

        Without a current row, Qt makes the first row current on keyboard focus, which
        would scroll a following view to the top; the newest row is the right one here.
        """
        model = self.model()
        if self._following and model is not None and not self.currentIndex().isValid():
            rows = model.rowCount()
            if rows:
                self.selectionModel().setCurrentIndex(
                    model.index(rows - 1, 0), QItemSelectionModel.SelectionFlag.NoUpdate
                )
        super().focusInEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Reimplements ``QWidget.resizeEvent``: keeps the jump button in its corner."""
        super().resizeEvent(event)
        self._place_jump_button()
        if self._following:
            self._scroll_to_end()

    def select_row(self, row: int) -> None:
        """Select ``row`` and make it current (without changing follow mode by itself)."""
        model = self.model()
        if model is None or not 0 <= row < model.rowCount():
            return
        index = model.index(row, 0)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.selectionModel().setCurrentIndex(index, flags)

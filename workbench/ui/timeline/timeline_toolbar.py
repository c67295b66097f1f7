"""The controls above a timeline: text filter, direction toggles, keep-last cap, export."""

from __future__ import annotations

import logging

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QToolButton,
    QWidget,
)

from workbench.core.timeline.export import ExportFormat
from workbench.core.timeline.rows import Direction

logger = logging.getLogger(__name__)

#: Milliseconds the filter waits after the last keystroke (filtering a million rows
#: takes a moment; do it once per pause, not per key).
FILTER_DELAY_MS = 200
#: The caps offered, ``None`` for all rows.
CAP_CHOICES: tuple[int | None, ...] = (None, 1_000, 10_000, 100_000, 1_000_000)
_TOGGLES = (
    (Direction.SENT, "↑ Sent", "Show the messages sent"),
    (Direction.RECEIVED, "↓ Received", "Show the messages received"),
    (Direction.CONTROL, "● Events", "Show headers, half-close, trailers and the status"),
)


class TimelineToolbar(QWidget):
    """Filter box, direction toggles, "Keep" cap and "Export" menu of a timeline.

    Signals:
        filterChanged(str, object): the filter text and the ``frozenset`` of
            :class:`Direction` shown; text changes are debounced.
        maxRowsChanged(object): the keep-last cap chosen (``int``), or ``None`` for all.
        exportRequested(object): the :class:`ExportFormat` to export to.
    """

    filterChanged = Signal(str, object)
    maxRowsChanged = Signal(object)
    exportRequested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        """Create the controls: no filter, every direction, no cap."""
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Filter: text in messages, headers, status…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setToolTip(
            "Shows the rows containing this text (ASCII letters ignore case): text in any "
            "string field of a message, or in headers, trailers and the status"
        )
        layout.addWidget(self.filter_edit, 1)
        self._delay = QTimer(self)
        self._delay.setSingleShot(True)
        self._delay.setInterval(FILTER_DELAY_MS)
        self._delay.timeout.connect(self._emit_filter)
        self.filter_edit.textChanged.connect(lambda _text: self._delay.start())
        self.filter_edit.returnPressed.connect(self._emit_filter)

        self.toggles: dict[Direction, QToolButton] = {}
        for direction, label, tip in _TOGGLES:
            button = QToolButton(self)
            button.setText(label)
            button.setToolTip(tip)
            button.setCheckable(True)
            button.setChecked(True)
            button.toggled.connect(lambda _on: self._emit_filter())
            layout.addWidget(button)
            self.toggles[direction] = button

        layout.addSpacing(8)
        keep = QLabel("Keep", self)
        layout.addWidget(keep)
        self.cap_combo = QComboBox(self)
        for cap in CAP_CHOICES:
            self.cap_combo.addItem("all rows" if cap is None else f"last {cap:,}", cap)
        self.cap_combo.setToolTip("Keep only the newest rows of a long stream (saves memory)")
        self.cap_combo.currentIndexChanged.connect(
            lambda i: self.maxRowsChanged.emit(self.cap_combo.itemData(i))
        )
        keep.setBuddy(self.cap_combo)
        layout.addWidget(self.cap_combo)

        self.export_button = QPushButton("Export", self)
        self.export_button.setToolTip("Save the timeline as JSON Lines or as a text transcript")
        menu = QMenu(self.export_button)
        for fmt, label in (
            (ExportFormat.JSONL, "JSON Lines (one event per line)…"),
            (ExportFormat.TEXT, "Text transcript…"),
        ):
            action = QAction(label, menu)
            action.triggered.connect(lambda _checked=False, f=fmt: self.exportRequested.emit(f))
            menu.addAction(action)
        self.export_button.setMenu(menu)
        layout.addWidget(self.export_button)

    @property
    def filter_text(self) -> str:
        """The filter text as typed."""
        return self.filter_edit.text()

    @property
    def directions(self) -> frozenset[Direction]:
        """The directions whose toggle is on."""
        return frozenset(d for d, button in self.toggles.items() if button.isChecked())

    @property
    def max_rows(self) -> int | None:
        """The keep-last cap chosen (``None``: all rows)."""
        cap: int | None = self.cap_combo.currentData()
        return cap

    def set_max_rows(self, max_rows: int | None) -> None:
        """Choose a cap (added to the choices when it is not one of them)."""
        index = 0 if max_rows is None else self.cap_combo.findData(max_rows)
        if index < 0:
            self.cap_combo.addItem(f"last {max_rows:,}", max_rows)
            index = self.cap_combo.count() - 1
        self.cap_combo.setCurrentIndex(index)

    def set_filter(self, text: str, directions: frozenset[Direction]) -> None:
        """Show a filter set elsewhere, without emitting :attr:`filterChanged`."""
        widgets = [self.filter_edit, *self.toggles.values()]
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self.filter_edit.setText(text)
            for direction, button in self.toggles.items():
                button.setChecked(direction in directions)
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self._delay.stop()

    def _emit_filter(self) -> None:
        self._delay.stop()
        self.filterChanged.emit(self.filter_text, self.directions)

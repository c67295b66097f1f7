"""A date-time picker for ``google.protobuf.Timestamp`` values, with a "Now" button."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDateTime, QTimeZone, Signal
from PySide6.QtWidgets import QDateTimeEdit, QHBoxLayout, QToolButton, QWidget

from workbench.core.errors import RequestParseError
from workbench.core.messages.wkt_values import format_timestamp, parse_timestamp

__all__ = ["TimestampEditor"]


class TimestampEditor(QWidget):
    """Edit a Timestamp as a UTC date and time (millisecond precision), or set it to now.

    The value travels as RFC 3339 text. Text that was not touched is returned unchanged, so
    nanoseconds the picker cannot show are not lost by opening and closing the editor.

    Signals:
        committed(): "Now" was clicked; the delegate commits at once.
    """

    committed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._original = ""
        self._touched = False
        self._picker = QDateTimeEdit(self)
        self._picker.setCalendarPopup(True)
        self._picker.setTimeZone(QTimeZone.utc())
        self._picker.setDisplayFormat("yyyy-MM-dd HH:mm:ss.zzz 'UTC'")
        self._picker.dateTimeChanged.connect(self._on_changed)
        self._now = QToolButton(self)
        self._now.setText("Now")
        self._now.setToolTip("Set to the current time")
        self._now.clicked.connect(self.set_now)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self._picker, 1)
        layout.addWidget(self._now)
        self.setFocusProxy(self._picker)
        self.setAutoFillBackground(True)

    def picker(self) -> QDateTimeEdit:
        """The date-time field."""
        return self._picker

    def set_text(self, text: str) -> None:
        """Show the RFC 3339 time ``text`` (empty: the current time, not yet chosen)."""
        self._original = text
        try:
            seconds, nanos = parse_timestamp(text) if text.strip() else _now()
        except RequestParseError:
            seconds, nanos = _now()
        stamp = QDateTime.fromMSecsSinceEpoch(seconds * 1000 + nanos // 1_000_000, QTimeZone.utc())
        self._picker.blockSignals(True)
        self._picker.setDateTime(stamp)
        self._picker.blockSignals(False)
        self._touched = False

    def text(self) -> str:
        """The chosen time as RFC 3339 text (the original text when nothing was changed)."""
        if not self._touched:
            return self._original
        msecs = self._picker.dateTime().toMSecsSinceEpoch()
        seconds, millis = divmod(msecs, 1000)
        return format_timestamp(seconds, millis * 1_000_000)

    def set_now(self) -> None:
        """Set the current time and ask for it to be committed."""
        now = QDateTime.currentDateTimeUtc()
        self._picker.setDateTime(now)
        self._touched = True
        self.committed.emit()

    def _on_changed(self, _value: QDateTime) -> None:
        self._touched = True


def _now() -> tuple[int, int]:
    now = dt.datetime.now(dt.UTC)
    return int(now.timestamp()), now.microsecond * 1000

"""The row above a request: deadline, progress and elapsed time, Cancel, End stream, Send."""

from __future__ import annotations

import logging
from time import perf_counter

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import UsageError
from workbench.ui.form.form_cells import error_color

__all__ = ["CallControls"]

logger = logging.getLogger(__name__)

#: How often the elapsed time of a running call is refreshed (ms).
ELAPSED_MS = 100
_MAX_DEADLINE = 1e7


class CallControls(QWidget):
    """Buttons and state of one tab's call; the tab decides what they mean.

    Parts (public attributes): :attr:`deadline_edit`, :attr:`busy` (a busy bar),
    :attr:`elapsed`, :attr:`cancel_button`, :attr:`end_button`, :attr:`send_button` and
    :attr:`reason` (why Send is disabled, in words under the row).

    Signals:
        sendClicked(): Send (or "Send message" on an open stream) was clicked.
        cancelClicked(): Cancel was clicked.
        endClicked(): End stream was clicked.
        deadlineEdited(): the deadline text changed.

    Args:
        parent: the parent widget.
    """

    sendClicked = Signal()
    cancelClicked = Signal()
    endClicked = Signal()
    deadlineEdited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callControls")
        self._running = False
        self._waiting = False
        self._started_at = 0.0
        self.deadline_edit = QLineEdit(self)
        self.deadline_edit.setObjectName("deadlineEdit")
        self.deadline_edit.setMaximumWidth(110)
        self.deadline_edit.setClearButtonEnabled(True)
        self.deadline_edit.setToolTip(
            "Seconds the call may take before it fails with DEADLINE_EXCEEDED; "
            "empty for the connection's default"
        )
        self.busy = QProgressBar(self)
        self.busy.setObjectName("callBusy")
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(8)
        self.busy.setMaximumWidth(160)
        self.elapsed = QLabel(self)
        self.elapsed.setObjectName("callElapsed")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setToolTip("Cancel the call (Esc)")
        self.end_button = QPushButton("End stream", self)
        self.end_button.setObjectName("endStreamButton")
        self.end_button.setToolTip("Tell the server no more messages will come (half-close)")
        self.send_button = QPushButton("Send", self)
        self.send_button.setObjectName("sendButton")
        self.send_button.setDefault(True)
        self.reason = QLabel(self)
        self.reason.setObjectName("sendBlockedReason")
        self.reason.setWordWrap(True)
        self.reason.setTextFormat(Qt.TextFormat.PlainText)
        self._timer = QTimer(self)
        self._timer.setInterval(ELAPSED_MS)
        self._timer.timeout.connect(self._show_elapsed)

        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(QLabel("Deadline", self))
        row.addWidget(self.deadline_edit)
        row.addWidget(QLabel("s", self))
        row.addSpacing(12)
        row.addWidget(self.busy)
        row.addWidget(self.elapsed)
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.end_button)
        row.addWidget(self.send_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addLayout(row)
        column.addWidget(self.reason)

        self.send_button.clicked.connect(self.sendClicked)
        self.cancel_button.clicked.connect(self.cancelClicked)
        self.end_button.clicked.connect(self.endClicked)
        self.deadline_edit.textChanged.connect(self.deadlineEdited)
        self.show_state(running=False, interactive=False, can_send=False, reason="")

    def deadline(self) -> float | None:
        """The deadline typed, in seconds (``None`` when empty: the connection's default).

        Raises:
            UsageError: the text is not a positive number of seconds.
        """
        text = self.deadline_edit.text().strip()
        if not text:
            return None
        try:
            seconds = float(text)
        except ValueError:
            seconds = -1.0
        if not 0 < seconds <= _MAX_DEADLINE:
            raise UsageError(
                f"the deadline {text!r} is not a number of seconds, e.g. 5 or 0.5 "
                "(empty for the default)"
            )
        return seconds

    def set_default_deadline(self, seconds: float | None) -> None:
        """Show the deadline used when the field is left empty."""
        self.deadline_edit.setPlaceholderText(f"default {seconds:g}" if seconds else "none")

    def show_state(self, *, running: bool, interactive: bool, can_send: bool, reason: str) -> None:
        """Show the call's state.

        Args:
            running: a call is in flight.
            interactive: it is an open client or bidi stream.
            can_send: the stream takes messages (it has not half-closed).
            reason: why the request cannot be sent ('' when it can).
        """
        enabled = not reason and (can_send if running else True)
        self.send_button.setEnabled(enabled)
        self.send_button.setText("Send message" if interactive else "Send")
        if reason:
            tip = f"Cannot send: {reason}"
        elif interactive:
            tip = "Send the form's message on the open stream (Ctrl+Enter)"
        else:
            tip = "Send the request (Ctrl+Enter)"
        self.send_button.setToolTip(tip)
        self.show_reason(f"⚠ Cannot send: {reason}" if reason else "")
        self.reason.setVisible(bool(reason) and (not running or interactive))
        self.cancel_button.setVisible(running)
        self.end_button.setVisible(interactive)
        self.end_button.setEnabled(can_send)
        self.busy.setVisible(running)
        self.elapsed.setVisible(running)
        self.deadline_edit.setEnabled(not running)
        self._waiting = interactive and not can_send
        if running != self._running:
            self._running = running
            if running:
                self._started_at = perf_counter()
                self._timer.start()
            else:
                self._timer.stop()
        if running:
            self._show_elapsed()

    def show_reason(self, text: str) -> None:
        """Show ``text`` in red under the row ('' hides it)."""
        self.reason.setStyleSheet(f"color: {error_color().name()};")
        self.reason.setText(text)
        self.reason.setVisible(bool(text))

    def _show_elapsed(self) -> None:
        seconds = perf_counter() - self._started_at
        suffix = " · waiting for the server to finish" if self._waiting else ""
        self.elapsed.setText(f"{seconds:.1f} s{suffix}")

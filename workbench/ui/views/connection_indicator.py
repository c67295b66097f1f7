"""A one-line, coloured view of a :class:`LoadState` (next to the address bar, status bar)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from workbench.ui.views.connect import IDLE, LoadState, Phase

_SPINNER = "◐◓◑◒"
_MARKS = {Phase.IDLE: "○", Phase.READY: "●", Phase.FAILED: "✕"}


class ConnectionIndicator(QLabel):
    """Shows the phase as a mark (a spinner while loading) and the state's text, elided.

    The colour comes from the style sheet through the ``phase`` dynamic property; the tooltip
    always holds the full text (with the hint when failed), so an elided state can still be
    read. The widget emits no signals of its own.

    Args:
        parent: the owning widget.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectionIndicator")
        self.setTextFormat(Qt.TextFormat.PlainText)
        # Expanding: take the toolbar's spare room; the text is elided to whatever is left.
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setContentsMargins(6, 0, 6, 0)
        self.setAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
        self._state = IDLE
        self._frame = 0
        self._timer = QTimer(self)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self._tick)
        self.set_state(IDLE)

    @property
    def state(self) -> LoadState:
        """The state shown."""
        return self._state

    def full_text(self) -> str:
        """The text shown before eliding (mark included)."""
        mark = _SPINNER[self._frame] if self._state.phase is Phase.LOADING else ""
        mark = mark or _MARKS.get(self._state.phase, "")
        return f"{mark} {self._state.text}"

    def set_state(self, state: LoadState) -> None:
        """Show ``state``."""
        self._state = state
        self.setProperty("phase", state.phase.value)
        # The full text, whatever the eliding left: a failure's detail starts with it.
        detail = state.detail
        self.setToolTip(detail if detail.startswith(state.text) else f"{state.text}\n{detail}")
        # Re-polish so the style sheet's [phase=...] selectors apply to the new value.
        self.style().unpolish(self)
        self.style().polish(self)
        if state.phase is Phase.LOADING:
            self._timer.start()
        else:
            self._timer.stop()
            self._frame = 0
        self._refresh()
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        """Implements ``QWidget.sizeHint``: room for the whole text, up to a long status line.

        Capped so a long error does not make its neighbours in the toolbar give up room:
        the indicator expands into whatever is spare anyway, and elides the rest.
        """
        hint = super().sizeHint()
        margins = self.contentsMargins()
        metrics = self.fontMetrics()
        text = min(metrics.horizontalAdvance(self.full_text()), metrics.averageCharWidth() * 64)
        width = text + margins.left() + margins.right() + 2  # +2: no eliding on a rounding
        return QSize(width, hint.height())

    def minimumSizeHint(self) -> QSize:
        """Implements ``QWidget.minimumSizeHint``: the mark and a few letters."""
        return QSize(self.fontMetrics().horizontalAdvance("● Connected…") + 12, 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Implements ``QWidget.resizeEvent``: elide again for the new width."""
        super().resizeEvent(event)
        self._refresh()

    def _tick(self) -> None:
        self._frame = (self._frame + 1) % len(_SPINNER)
        self._refresh()

    def _refresh(self) -> None:
        text = self.fontMetrics().elidedText(
            self.full_text(), Qt.TextElideMode.ElideRight, max(self.contentsRect().width(), 0)
        )
        super().setText(text)

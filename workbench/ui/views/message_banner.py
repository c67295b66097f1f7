"""An inline message strip (red for errors) shown above the work area until dismissed."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from workbench.ui.bridges import Level, UserMessage


class MessageBanner(QFrame):
    """Shows one :class:`UserMessage`: the problem in bold, the hint below it.

    Hidden until :meth:`show_message`; the close button hides it again. Text is selectable so
    a user can copy an error into a bug report.

    Signals:
        dismissed(): the user closed the banner.
    """

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBanner")
        self._message: UserMessage | None = None
        self._text = QLabel(self)
        self._text.setObjectName("bannerText")
        self._text.setWordWrap(True)
        self._text.setTextFormat(Qt.TextFormat.PlainText)
        self._text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self._text.font()
        font.setBold(True)
        self._text.setFont(font)
        self._hint = QLabel(self)
        self._hint.setObjectName("bannerHint")
        self._hint.setWordWrap(True)
        self._hint.setTextFormat(Qt.TextFormat.PlainText)
        self._hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton(self)
        close.setObjectName("bannerClose")
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self._dismiss)

        texts = QVBoxLayout()
        texts.setSpacing(2)
        texts.addWidget(self._text)
        texts.addWidget(self._hint)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 4, 6)
        row.addLayout(texts, 1)
        row.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    @property
    def message(self) -> UserMessage | None:
        """The message shown (``None`` when hidden)."""
        return None if self.isHidden() else self._message

    def text(self) -> str:
        """The visible text: the problem, then the hint on its own line."""
        return self._message.full_text() if self._message is not None else ""

    def show_message(self, message: UserMessage) -> None:
        """Show ``message`` (replacing any shown)."""
        self._message = message
        self.setProperty("level", message.level.value)
        self.style().unpolish(self)
        self.style().polish(self)
        self._text.setText(message.text)
        self._hint.setText(f"Hint: {message.hint}" if message.hint else "")
        self._hint.setVisible(bool(message.hint))
        self.show()

    def show_error(self, text: str, hint: str = "") -> None:
        """Show an error."""
        self.show_message(UserMessage(Level.ERROR, text, hint))

    def clear(self) -> None:
        """Hide the banner without signalling."""
        self._message = None
        self.hide()

    def _dismiss(self) -> None:
        self.clear()
        self.dismissed.emit()

"""A line edit that says, while you type, why its text would be refused."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLineEdit, QWidget

__all__ = ["CheckedLineEdit"]

_INVALID_STYLE = "QLineEdit { border: 1px solid #d93025; }"


class CheckedLineEdit(QLineEdit):
    """A ``QLineEdit`` that checks its text with ``validate`` on every change.

    Invalid text stays editable (the model keeps it as a marked draft if committed); the
    editor only shows the problem: a red frame and the reason as tooltip.

    Args:
        validate: returns why a text is refused, or ``None`` when it is fine.
        parent: the parent widget.
    """

    def __init__(
        self, validate: Callable[[str], str | None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._validate = validate
        self._reason: str | None = None
        self.textChanged.connect(self._check)

    def reason(self) -> str | None:
        """Why the current text would be refused (``None`` when it is fine)."""
        return self._reason

    def recheck(self) -> None:
        """Check the text again (the rules changed, e.g. another bytes encoding)."""
        self._check(self.text())

    def _check(self, text: str) -> None:
        reason = self._validate(text)
        if reason == self._reason:
            return
        self._reason = reason
        self.setStyleSheet(_INVALID_STYLE if reason else "")
        self.setToolTip(reason or "")

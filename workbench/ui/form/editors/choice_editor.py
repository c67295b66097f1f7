"""A combo box for enum values, oneof cases and Any types."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

__all__ = ["ChoiceEditor"]

_POPUP_THRESHOLD = 30


class ChoiceEditor(QComboBox):
    """Pick one of ``choices``; when ``editable``, any text may be typed too.

    Editable choosers accept what the list lacks (an enum *number* the schema does not
    name, a type name typed in full) and complete on any part of a name.

    Signals:
        chosen(): the user picked an entry from the list; the delegate commits at once
            (Enter reaches the delegate as for any editor).

    Args:
        choices: the entries, in order.
        editable: whether free text is allowed.
        parent: the parent widget.
    """

    chosen = Signal()

    def __init__(
        self, choices: Sequence[str], *, editable: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.addItems(list(choices))
        self.setEditable(editable)
        self.setMaxVisibleItems(20)
        if editable:
            self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        if editable and len(choices) > _POPUP_THRESHOLD:
            # Long lists (Any types) complete on any part of a name, in a popup.
            completer = QCompleter(list(choices), self)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
            self.setCompleter(completer)
        self._from_popup = False
        self.activated.connect(self._on_activated)

    def showPopup(self) -> None:
        """Implements QComboBox.showPopup: a pick in the list commits at once."""
        self._from_popup = True
        super().showPopup()

    def hidePopup(self) -> None:
        """Implements QComboBox.hidePopup."""
        super().hidePopup()
        # activated() follows hidePopup() for a pick; forget the popup only after it.
        QTimer.singleShot(0, self._popup_closed)

    def _popup_closed(self) -> None:
        self._from_popup = False

    def _on_activated(self, _index: int) -> None:
        # Arrow keys on the closed box also "activate"; only a pick from the list commits
        # (Enter commits through the delegate).
        if self._from_popup:
            self.chosen.emit()

    def value(self) -> str:
        """The chosen or typed text."""
        return self.currentText()

    def set_value(self, text: str) -> None:
        """Select ``text`` (or, for editable choosers, type it when it is not listed)."""
        found = self.findText(text)
        if found >= 0:
            self.setCurrentIndex(found)
        elif self.isEditable():
            self.setEditText(text)

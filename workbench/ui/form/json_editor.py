"""A JSON text editor with syntax colours, line numbers and an error marker."""

from __future__ import annotations

import re

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from workbench.ui.form.json_highlighter import JsonHighlighter

__all__ = ["JsonEditor"]

_GUTTER_PADDING = 8


class _Gutter(QWidget):
    """Line numbers at the left of the editor."""

    def __init__(self, editor: JsonEditor) -> None:
        super().__init__(editor)
        self._editor = editor

    def sizeHint(self) -> QSize:
        """Implements QWidget.sizeHint."""
        return QSize(self._editor.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Implements QWidget.paintEvent."""
        self._editor.paint_gutter(self, event)


class JsonEditor(QPlainTextEdit):
    """Edits JSON text; shows where it is broken.

    Text set with :meth:`set_json` does not count as an edit; typing does.

    Signals:
        edited(): the user changed the text.
    """

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 2)
        self._highlighter = JsonHighlighter(self.document())
        self._error: tuple[int, int, str] | None = None
        self._setting = False
        self._gutter = _Gutter(self)
        self.blockCountChanged.connect(self._update_gutter_width)
        self.updateRequest.connect(self._update_gutter)
        self.textChanged.connect(self._on_text_changed)
        self._update_gutter_width()

    # -- content --------------------------------------------------------------------------

    def set_json(self, text: str) -> None:
        """Replace the text without it counting as an edit (clears the error mark)."""
        self._setting = True
        try:
            self.setPlainText(text)
        finally:
            self._setting = False
        self.clear_error()

    def json(self) -> str:
        """The current text."""
        return self.toPlainText()

    def highlighter(self) -> JsonHighlighter:
        """The syntax highlighter (re-colour it after a palette change)."""
        return self._highlighter

    def _on_text_changed(self) -> None:
        if not self._setting:
            self.edited.emit()

    # -- error mark -----------------------------------------------------------------------

    def set_error(self, line: int | None, column: int | None, message: str) -> None:
        """Mark a problem: a wavy underline at ``line``:``column`` (1-based) and a tint.

        Without a line the whole text is fine as JSON but not as the message; only the
        message is kept (the request editor shows it).
        """
        self._error = (line or 0, column or 0, message)
        selections: list[QTextEdit.ExtraSelection] = []
        if line is not None:
            block = self.document().findBlockByNumber(max(line - 1, 0))
            tint = QTextEdit.ExtraSelection()
            tint.format.setBackground(QColor(217, 48, 37, 40))
            tint.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            tint.cursor = QTextCursor(block)
            selections.append(tint)
            mark = QTextEdit.ExtraSelection()
            mark.format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            mark.format.setUnderlineColor(QColor("#d93025"))
            mark.format.setToolTip(message)
            cursor = QTextCursor(block)
            offset = min(max((column or 1) - 1, 0), max(block.length() - 1, 0))
            cursor.setPosition(block.position() + offset)
            if not cursor.atBlockEnd():
                cursor.movePosition(
                    QTextCursor.MoveOperation.NextCharacter, QTextCursor.MoveMode.KeepAnchor
                )
            else:
                cursor.movePosition(
                    QTextCursor.MoveOperation.PreviousCharacter, QTextCursor.MoveMode.KeepAnchor
                )
            mark.cursor = cursor
            selections.append(mark)
        self.setExtraSelections(selections)
        self._gutter.update()

    def clear_error(self) -> None:
        """Remove the error mark."""
        self._error = None
        self.setExtraSelections([])
        self._gutter.update()

    def error(self) -> tuple[int, int, str] | None:
        """The marked problem as ``(line, column, message)`` (0 when unknown), or ``None``."""
        return self._error

    def find_key(self, names: list[str]) -> tuple[int, int] | None:
        """Where the first object key spelled as one of ``names`` is (1-based line, column).

        Used to point at the value a path-only error names (the JSON text itself parsed).
        """
        if not names:
            return None
        pattern = re.compile("|".join(f'"{re.escape(n)}"\\s*:' for n in names))
        match = pattern.search(self.toPlainText())
        if match is None:
            return None
        block = self.document().findBlock(match.start())
        return block.blockNumber() + 1, match.start() - block.position() + 1

    def go_to(self, line: int, column: int) -> None:
        """Put the cursor at ``line``:``column`` (1-based) and show it."""
        block = self.document().findBlockByNumber(max(line - 1, 0))
        cursor = QTextCursor(block)
        cursor.setPosition(block.position() + min(max(column - 1, 0), max(block.length() - 1, 0)))
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    # -- gutter ---------------------------------------------------------------------------

    def gutter_width(self) -> int:
        """Width of the line-number gutter for the current line count."""
        digits = len(str(max(1, self.blockCount())))
        return _GUTTER_PADDING * 2 + self.fontMetrics().horizontalAdvance("9") * max(digits, 2)

    def _update_gutter_width(self, _count: int = 0) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _update_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())
        if rect.contains(self.viewport().rect()):
            self._update_gutter_width()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Implements QWidget.resizeEvent: keep the gutter beside the text."""
        super().resizeEvent(event)
        area = self.contentsRect()
        self._gutter.setGeometry(QRect(area.left(), area.top(), self.gutter_width(), area.height()))

    def paint_gutter(self, gutter: QWidget, event: QPaintEvent) -> None:
        """Paint the line numbers (called by the gutter); the error line in red."""
        painter = QPainter(gutter)
        palette = self.palette()
        painter.fillRect(event.rect(), palette.color(palette.ColorRole.AlternateBase))
        error_line = self._error[0] if self._error else 0
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            number = block.blockNumber() + 1
            if block.isVisible():
                colour = (
                    QColor("#d93025")
                    if number == error_line
                    else palette.color(palette.ColorRole.PlaceholderText)
                )
                painter.setPen(colour)
                painter.drawText(
                    0,
                    top,
                    gutter.width() - _GUTTER_PADDING,
                    height,
                    Qt.AlignmentFlag.AlignRight,
                    str(number),
                )
            top += round(self.blockBoundingRect(block).height())
            block = block.next()
        painter.end()

"""Syntax colours for JSON text: keys, strings, numbers, literals."""

from __future__ import annotations

import re
from typing import Final

from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QPalette,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)

__all__ = ["JsonHighlighter"]

# One pass over each line: the first group that matches names the token.
_TOKENS: Final = re.compile(
    r'(?P<key>"(?:[^"\\]|\\.)*"(?=\s*:))'
    r'|(?P<string>"(?:[^"\\]|\\.)*"?)'
    r"|(?P<number>-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)"
    r"|(?P<literal>\b(?:true|false|null)\b)"
    r"|(?P<punct>[{}\[\],:])"
)
_LIGHT: Final = {
    "key": "#0b57d0",
    "string": "#1e7c35",
    "number": "#a8440b",
    "literal": "#8e24aa",
    "punct": "#5f6368",
}
_DARK: Final = {
    "key": "#8ab4f8",
    "string": "#81c995",
    "number": "#fcad70",
    "literal": "#d7aefb",
    "punct": "#9aa0a6",
}


class JsonHighlighter(QSyntaxHighlighter):
    """Colours JSON tokens line by line, in colours that read on the current palette.

    Args:
        document: the document to colour.
    """

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._formats: dict[str, QTextCharFormat] = {}
        self.update_palette()

    def update_palette(self) -> None:
        """Pick light or dark colours for the application palette, and recolour."""
        base = QGuiApplication.palette().color(QPalette.ColorRole.Base)
        colours = _DARK if base.lightness() < 128 else _LIGHT
        self._formats = {}
        for name, colour in colours.items():
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(colour))
            if name == "key":
                fmt.setFontWeight(QFont.Weight.DemiBold)
            self._formats[name] = fmt
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        """Implements QSyntaxHighlighter.highlightBlock."""
        for match in _TOKENS.finditer(text):
            name = match.lastgroup
            if name is not None:
                self.setFormat(match.start(), match.end() - match.start(), self._formats[name])

"""Paste a grpcurl command line to make a request of it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import GrpcurlParseError
from workbench.core.store.grpcurl import GrpcurlCommand, parse_grpcurl
from workbench.ui import theme

__all__ = ["GrpcurlDialog"]

_EXAMPLE = (
    "grpcurl -plaintext -d '{\"name\": \"ann\"}' -H 'authorization: Bearer …' \\\n"
    "  localhost:50051 pkg.Service/Method"
)


class GrpcurlDialog(QDialog):
    """A text box for the command; OK parses it, and a command that does not parse says why.

    Signals:
        parsed(object): the command was understood; the :class:`GrpcurlCommand`.

    Args:
        parent: the parent widget.
    """

    parsed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("grpcurlDialog")
        self.setWindowTitle("New request from grpcurl command")
        intro = QLabel(
            "Paste a grpcurl command line. The address, method, -d data, -H headers, "
            "TLS flags and -max-time become a new request tab.",
            self,
        )
        intro.setWordWrap(True)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("grpcurlText")
        self.text.setPlaceholderText(_EXAMPLE)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.error = QLabel(self)
        self.error.setObjectName("grpcurlError")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Open in a tab")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        self.resize(640, 300)

    def show_error(self, text: str) -> None:
        """Say why the command cannot be used (the dialog stays open)."""
        self.error.setStyleSheet(f"color: {theme.colors().error};")
        self.error.setText(text)
        self.error.show()

    def _submit(self) -> None:
        try:
            command: GrpcurlCommand = parse_grpcurl(self.text.toPlainText())
        except GrpcurlParseError as exc:
            self.show_error(exc.user_text())
            return
        self.accept()
        self.parsed.emit(command)

"""An editor for bytes: text in a chosen encoding (base64, hex, UTF-8), or a file's content."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QToolButton, QWidget

from workbench.core.errors import RequestParseError
from workbench.core.messages.fieldvalues import BytesEncoding, format_bytes, parse_bytes
from workbench.ui.form.editors.checked_line_edit import CheckedLineEdit

__all__ = ["MAX_FILE_BYTES", "BytesEditor"]

logger = logging.getLogger(__name__)

#: Files larger than this are refused: a request that big belongs in a stream, not a form.
MAX_FILE_BYTES = 64 * 1024 * 1024


class BytesEditor(QWidget):
    """Bytes as text in an encoding the user picks, or loaded from a file.

    Switching the encoding re-spells the current value (when it is valid) instead of
    reinterpreting the text.

    Signals:
        committed(): a file was loaded; the delegate commits at once (Enter in the text
            reaches the delegate as for any editor).
        loadFailed(str): a file could not be used (the reason).

    Args:
        validate: returns why a text is refused in the current encoding, or ``None``.
        parent: the parent widget.
    """

    committed = Signal()
    loadFailed = Signal(str)

    def __init__(
        self,
        validate: Callable[[str], str | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._encoding = BytesEncoding.UTF8
        self._line = CheckedLineEdit(self._check if validate is None else validate, self)
        self._choice = QComboBox(self)
        self._choice.addItems([e.value for e in BytesEncoding])
        self._choice.setToolTip("How the bytes are written")
        self._choice.currentTextChanged.connect(self._on_encoding)
        self._load = QToolButton(self)
        self._load.setText("File…")
        self._load.setToolTip("Load the bytes from a file")
        self._load.clicked.connect(self._pick_file)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self._line, 1)
        layout.addWidget(self._choice)
        layout.addWidget(self._load)
        self.setFocusProxy(self._line)
        self.setAutoFillBackground(True)

    def line_edit(self) -> CheckedLineEdit:
        """The text field."""
        return self._line

    def text(self) -> str:
        """The value as text in :meth:`encoding`."""
        return self._line.text()

    def encoding(self) -> BytesEncoding:
        """The encoding the text is written in."""
        return self._encoding

    def set_value(self, text: str, encoding: BytesEncoding) -> None:
        """Show ``text``, written in ``encoding``."""
        self._encoding = encoding
        self._choice.blockSignals(True)
        self._choice.setCurrentText(encoding.value)
        self._choice.blockSignals(False)
        self._line.setText(text)

    def load_file(self, path: str | Path) -> bool:
        """Replace the value with the content of the file at ``path``.

        Returns:
            Whether the file was loaded (else :attr:`loadFailed` says why).
        """
        file = Path(path)
        try:
            size = file.stat().st_size
            if size > MAX_FILE_BYTES:
                raise ValueError(f"{file.name} is {size} bytes; at most {MAX_FILE_BYTES} fit")
            data = file.read_bytes()
        except (OSError, ValueError) as exc:
            logger.info("cannot load %s: %s", file, exc)
            self.loadFailed.emit(str(exc))
            return False
        encoding = self._encoding
        if encoding is BytesEncoding.UTF8:
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                encoding = BytesEncoding.BASE64  # binary content cannot be shown as text
        self.set_value(format_bytes(data, encoding), encoding)
        self.committed.emit()
        return True

    def _pick_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, "Load bytes from a file")
        if path:
            self.load_file(path)

    def _on_encoding(self, name: str) -> None:
        new = BytesEncoding(name)
        try:
            data = parse_bytes(self._line.text(), self._encoding)
        except RequestParseError:
            data = None
        self._encoding = new
        if data is not None and not (new is BytesEncoding.UTF8 and not _is_utf8(data)):
            self._line.setText(format_bytes(data, new))
        else:
            self._line.recheck()

    def _check(self, text: str) -> str | None:
        try:
            parse_bytes(text, self._encoding)
        except RequestParseError as exc:
            return exc.message
        return None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True

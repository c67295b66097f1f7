"""The strip above a request: its own server (with ``{{variables}}``) and, for client and
bidi streams, the list of messages to send."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.ui import theme

__all__ = ["RequestBar"]


class RequestBar(QWidget):
    """Shows and edits the parts of a request that live outside the form.

    Parts (public attributes): :attr:`address_edit` (the request's own server; empty to use
    the address bar's), :attr:`resolved` (the address after variables), :attr:`warning`
    (a problem with the saved request), :attr:`copy_button`, and the stream controls
    :attr:`position`,
    :attr:`previous_button`, :attr:`next_button`, :attr:`add_button`, :attr:`remove_button`
    and :attr:`send_all_button`.

    Signals:
        addressEdited(str): the server text changed.
        previousClicked(): show the previous stream message.
        nextClicked(): show the next stream message.
        addClicked(): add a stream message after the one shown (a copy of it).
        removeClicked(): remove the stream message shown.
        sendAllClicked(): send every stream message in order.
        copyRequested(): copy the request as a grpcurl command line.

    Args:
        streaming: whether the method takes a stream of requests (shows the list controls).
        parent: the parent widget.
    """

    addressEdited = Signal(str)
    previousClicked = Signal()
    nextClicked = Signal()
    addClicked = Signal()
    removeClicked = Signal()
    sendAllClicked = Signal()
    copyRequested = Signal()

    def __init__(self, *, streaming: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("requestBar")
        self.address_edit = QLineEdit(self)
        self.address_edit.setObjectName("requestAddress")
        self.address_edit.setClearButtonEnabled(True)
        self.address_edit.setToolTip(
            "The server this request is sent to; {{variables}} are filled in from the "
            "environment. Empty: the server in the address bar."
        )
        self.resolved = QLabel(self)
        self.resolved.setObjectName("resolvedAddress")
        self.resolved.setTextFormat(Qt.TextFormat.PlainText)
        self.position = QLabel(self)
        self.position.setObjectName("streamPosition")
        self.previous_button = _tool_button("‹", "Show the previous message", self)
        self.next_button = _tool_button("›", "Show the next message", self)
        self.add_button = _tool_button("+", "Add a message after this one (a copy of it)", self)
        self.remove_button = _tool_button("−", "Remove this message from the list", self)
        self.send_all_button = QPushButton("Send all", self)
        self.send_all_button.setObjectName("sendAllButton")
        self.send_all_button.setToolTip(
            "Open the stream if needed and send every message of the list in order"
        )
        self.copy_button = _tool_button(
            "Copy as grpcurl", "Copy the request as a grpcurl command", self
        )
        self.copy_button.setObjectName("copyGrpcurlButton")
        self.warning = QLabel(self)
        self.warning.setObjectName("requestWarning")
        self.warning.setWordWrap(True)
        self.warning.setTextFormat(Qt.TextFormat.PlainText)
        self.warning.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warning.hide()

        row = QHBoxLayout()
        row.setSpacing(6)
        row.addWidget(QLabel("Server", self))
        row.addWidget(self.address_edit, 2)
        row.addWidget(self.resolved, 1)
        self._stream_box = QWidget(self)
        stream_row = QHBoxLayout(self._stream_box)
        stream_row.setContentsMargins(12, 0, 0, 0)
        stream_row.setSpacing(2)
        stream_row.addWidget(QLabel("Messages", self._stream_box))
        for widget in (
            self.previous_button,
            self.position,
            self.next_button,
            self.add_button,
            self.remove_button,
        ):
            stream_row.addWidget(widget)
        stream_row.addSpacing(6)
        stream_row.addWidget(self.send_all_button)
        self._stream_box.setVisible(streaming)
        row.addWidget(self._stream_box)
        row.addWidget(self.copy_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addLayout(row)
        column.addWidget(self.warning)

        self.address_edit.textChanged.connect(self.addressEdited)
        self.previous_button.clicked.connect(self.previousClicked)
        self.next_button.clicked.connect(self.nextClicked)
        self.add_button.clicked.connect(self.addClicked)
        self.remove_button.clicked.connect(self.removeClicked)
        self.send_all_button.clicked.connect(self.sendAllClicked)
        self.copy_button.clicked.connect(self.copyRequested)

    def set_default_address(self, address: str) -> None:
        """Say which server an empty field means."""
        text = f"{address} (from the address bar)" if address else "the address bar's server"
        self.address_edit.setPlaceholderText(text)

    def set_resolved(self, text: str, *, error: bool = False) -> None:
        """Show the address as it will be called ('' hides it), in red when it cannot be."""
        colors = theme.colors()
        self.resolved.setStyleSheet(f"color: {colors.error};" if error else "")
        self.resolved.setText(text)
        self.resolved.setVisible(bool(text))

    def set_stream_position(self, index: int, count: int, *, busy: bool = False) -> None:
        """Show that message ``index`` (0-based) of ``count`` is in the form."""
        self.position.setText(f"{index + 1} / {count}")
        self.previous_button.setEnabled(index > 0 and not busy)
        self.next_button.setEnabled(index < count - 1 and not busy)
        self.add_button.setEnabled(not busy)
        self.remove_button.setEnabled(count > 1 and not busy)
        self.send_all_button.setEnabled(not busy)
        self.send_all_button.setText(f"Send all ({count})" if count > 1 else "Send all")

    def show_warning(self, text: str) -> None:
        """Show a warning about the request ('' hides it)."""
        colors = theme.colors()
        self.warning.setStyleSheet(
            f"color: {colors.warning_text}; background: {colors.warning_bg};"
            f" border: 1px solid {colors.warning}; border-radius: 3px; padding: 4px 6px;"
        )
        self.warning.setText(f"⚠ {text}" if text else "")
        self.warning.setVisible(bool(text))


def _tool_button(text: str, tip: str, parent: QWidget) -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    button.setToolTip(tip)
    button.setAutoRaise(True)
    return button

"""A saved request that cannot be shown in a form: its method is not in the loaded schema.

The request is never changed or dropped: the tab says why it cannot be edited, shows the
whole request as saved (method, target, metadata, messages) as JSON, and offers to load the
schema from the request's own server.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.core.store.documents import dump_json
from workbench.core.store.requests import SavedRequest, request_body
from workbench.core.store.tree import RequestNode
from workbench.ui.bridges import Level, UserMessage
from workbench.ui.views.message_banner import MessageBanner

__all__ = ["UnopenedRequest"]


class UnopenedRequest(QWidget):
    """A warning and the saved request as JSON, read-only.

    Parts (public attributes): :attr:`banner`, :attr:`text`, :attr:`connect_button`;
    :attr:`request` and :attr:`node` (where it is saved; ``None`` for a history entry).

    Signals:
        connectRequested(str): load the schema from this server (the request's address).

    Args:
        request: the request.
        node: where it is saved (``None``: a history entry or a pasted command).
        problem: why it cannot be opened in a form.
        hint: what to do about it.
        address: the server to offer loading the schema from ('' for none).
        parent: the parent widget.
    """

    connectRequested = Signal(str)

    def __init__(
        self,
        request: SavedRequest,
        node: RequestNode | None,
        problem: str,
        *,
        hint: str = "",
        address: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("unopenedRequest")
        self.request = request
        self.node = node
        self.banner = MessageBanner(self)
        self.banner.show_message(UserMessage(Level.WARNING, problem, hint))
        title = QLabel(f"{request.name or 'Request'} — {request.method}", self)
        title.setObjectName("methodSignature")
        where = QLabel(str(node.path) if node is not None else "Not saved", self)
        where.setObjectName("methodComments")
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("savedRequestJson")
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlainText(dump_json(request_body(request)))
        self.connect_button = QPushButton(f"Load the schema from {address}", self)
        self.connect_button.setObjectName("loadSchemaButton")
        self.connect_button.setVisible(bool(address))
        self.connect_button.clicked.connect(lambda: self.connectRequested.emit(address))
        buttons = QHBoxLayout()
        buttons.addWidget(self.connect_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.banner)
        layout.addWidget(title)
        layout.addWidget(where)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)

    @property
    def full_name(self) -> str:
        """The request's method (``pkg.Service/Method``)."""
        return self.request.method

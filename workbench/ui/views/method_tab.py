"""One request tab: a method's signature and comments above its request and response.

Under the signature sits the :class:`~workbench.ui.views.request_tab.RequestTab` (request
editor, metadata, Send, response); the definitions of the method and its messages in proto
syntax are a page beside the request editor.
"""

from __future__ import annotations

from google.protobuf.descriptor import MethodDescriptor
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from workbench.core.schema.describe import describe_symbol
from workbench.core.schema.schema import MethodKind, Schema
from workbench.ui import resources
from workbench.ui.models.schema_tree_model import method_icon_name, signature
from workbench.ui.views.request_tab import EndpointProvider, RequestTab

_KIND_TEXT = {
    MethodKind.UNARY: "Unary: one request, one response",
    MethodKind.SERVER_STREAMING: "Server streaming: one request, a stream of responses",
    MethodKind.CLIENT_STREAMING: "Client streaming: a stream of requests, one response",
    MethodKind.BIDI_STREAMING: "Bidirectional streaming: streams both ways",
}


class MethodTab(QWidget):
    """Shows one method of a schema; :meth:`rebind` follows the method into a new schema.

    The tab emits no signals of its own; its :attr:`request` part does.

    Args:
        schema: the schema the method belongs to (for comments and definitions).
        method: the method shown.
        parent: the owning widget.
        endpoint: where the tab's calls go (none: sending says "not connected").
    """

    def __init__(
        self,
        schema: Schema,
        method: MethodDescriptor,
        parent: QWidget | None = None,
        *,
        endpoint: EndpointProvider | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("methodTab")
        self._icon = QLabel(self)
        self._signature = QLabel(self)
        self._signature.setObjectName("methodSignature")
        self._signature.setWordWrap(True)
        self._signature.setTextFormat(Qt.TextFormat.PlainText)
        self._signature.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._kind = QLabel(self)
        self._kind.setObjectName("methodKind")
        self._kind.setTextFormat(Qt.TextFormat.PlainText)
        self._comments = QLabel(self)
        self._comments.setObjectName("methodComments")
        self._comments.setWordWrap(True)
        self._comments.setTextFormat(Qt.TextFormat.PlainText)
        self._comments.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._definitions = QPlainTextEdit(self)
        self._definitions.setObjectName("methodDefinitions")
        self._definitions.setReadOnly(True)
        self._definitions.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self._definitions.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))

        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setBold(True)
        self._signature.setFont(mono)

        header = QHBoxLayout()
        header.setSpacing(10)
        header.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(self._signature)
        titles.addWidget(self._kind)
        header.addLayout(titles, 1)
        if endpoint is None:
            self.request = RequestTab(schema, method, parent=self)
        else:
            self.request = RequestTab(schema, method, endpoint, parent=self)
        self.request.side_tabs.addTab(self._definitions, "Definition")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addWidget(self._comments)
        layout.addWidget(self.request, 1)

        self._schema = schema
        self._method = method
        self._show()

    @property
    def method(self) -> MethodDescriptor:
        """The method shown."""
        return self._method

    @property
    def full_name(self) -> str:
        """``pkg.Service.Method``."""
        return str(self._method.full_name)

    def insert_bar(self, widget: QWidget) -> None:
        """Show ``widget`` above the request, under the method's comments (e.g. its server)."""
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.request), widget)

    def signature_text(self) -> str:
        """The signature line shown."""
        return self._signature.text()

    def definitions_text(self) -> str:
        """The proto-syntax definitions shown."""
        return self._definitions.toPlainText()

    def rebind(self, schema: Schema) -> bool:
        """Show the same method from ``schema``; ``False`` when it is no longer there."""
        try:
            found = schema.pool.FindMethodByName(self.full_name)
        except KeyError:
            return False
        self._schema, self._method = schema, found
        self.request.rebind(schema, found)
        self._show()
        return True

    def _show(self) -> None:
        method = self._method
        kind_text = _KIND_TEXT[MethodKind.of(method)]
        self._icon.setPixmap(resources.icon(method_icon_name(method)).pixmap(QSize(32, 32)))
        self._signature.setText(signature(method))
        self._kind.setText(f"{kind_text} · {method.containing_service.full_name}")
        comments = self._schema.comments(method).text
        self._comments.setText(comments)
        self._comments.setVisible(bool(comments))
        parts = [describe_symbol(self._schema, method)]
        seen = set()
        for message in (method.input_type, method.output_type):
            if message.full_name not in seen:
                seen.add(message.full_name)
                parts.append(describe_symbol(self._schema, message))
        self._definitions.setPlainText("\n\n".join(p.rstrip() for p in parts))

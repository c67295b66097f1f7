"""One received message, read-only: as a tree of fields or as highlighted JSON."""

from __future__ import annotations

import asyncio
import logging

from google.protobuf import descriptor_pool
from google.protobuf.message import Message
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from workbench.core.errors import MessageFormatError
from workbench.core.messages.codec import to_dict, to_json
from workbench.ui.form.json_highlighter import JsonHighlighter
from workbench.ui.models.message_tree_model import MessageTreeModel

__all__ = ["MessageView"]

logger = logging.getLogger(__name__)

#: Characters of JSON put in the text view; "Copy JSON" copies all of it.
JSON_SHOW_LIMIT = 1_000_000
#: Messages larger than this are formatted in a worker thread.
EXECUTOR_BYTES = 256 * 1024


class MessageView(QWidget):
    """Shows one message as a tree (proto field names) or as JSON (the JSON mapping).

    JSON is made when first shown; a large message is formatted in a worker thread so the
    window stays responsive. The view emits no signals of its own.

    Args:
        parent: the parent widget.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._message: Message | None = None
        self._pool: descriptor_pool.DescriptorPool | None = None
        self._json: str | None = None
        self._json_job: asyncio.Future[str] | None = None

        self._model = MessageTreeModel(self)
        self._tree = QTreeView(self)
        self._tree.setObjectName("responseTree")
        self._tree.setModel(self._model)
        self._tree.setUniformRowHeights(True)
        self._tree.setAlternatingRowColors(True)
        self._tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self._tree.header().resizeSection(0, 200)
        self._tree.header().setStretchLastSection(True)
        self._text = QPlainTextEdit(self)
        self._text.setObjectName("responseJson")
        self._text.setReadOnly(True)
        self._text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self._text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self._highlighter = JsonHighlighter(self._text.document())
        self._empty = QLabel(self)
        self._empty.setObjectName("responsePlaceholder")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._stack = QStackedWidget(self)
        for page in (self._empty, self._tree, self._text):
            self._stack.addWidget(page)

        bar = QToolBar(self)
        bar.setObjectName("messageViewToolbar")
        group = QActionGroup(self)
        self.tree_action = QAction("Tree", group, checkable=True, checked=True)
        self.tree_action.setToolTip("Show the response as a tree of fields")
        self.json_action = QAction("JSON", group, checkable=True)
        self.json_action.setToolTip("Show the response as JSON")
        self.tree_action.triggered.connect(self._show_page)
        self.json_action.triggered.connect(self._show_page)
        bar.addActions([self.tree_action, self.json_action])
        spacer = QWidget(bar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        self.copy_action = bar.addAction("Copy JSON", self.copy_json)
        self.copy_action.setToolTip("Copy the whole response as JSON")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(bar)
        layout.addWidget(self._stack, 1)
        self.show_message(None)

    # -- public API -----------------------------------------------------------------------

    def tree(self) -> QTreeView:
        """The tree view."""
        return self._tree

    def model(self) -> MessageTreeModel:
        """The tree's model."""
        return self._model

    def message(self) -> Message | None:
        """The message shown."""
        return self._message

    def show_message(
        self,
        message: Message | None,
        pool: descriptor_pool.DescriptorPool | None = None,
        placeholder: str = "No response message.",
    ) -> None:
        """Show ``message`` (``None``: show ``placeholder`` instead)."""
        if self._json_job is not None:
            self._json_job.cancel()
            self._json_job = None
        self._message, self._pool, self._json = message, pool, None
        self._empty.setText(placeholder)
        self._text.setPlainText("")
        value = None
        if message is not None:
            try:
                value = to_dict(message, pool=pool, original_names=True)
            except MessageFormatError as exc:
                value = {"⚠": exc.user_text()}
        self._model.set_value(value)
        if message is not None:
            self._tree.expandToDepth(0)
        self.copy_action.setEnabled(message is not None)
        self._show_page()

    def json_text(self) -> str:
        """The message as JSON (made now if it was not yet)."""
        if self._json is None and self._message is not None:
            self._json = self._format(self._message, self._pool)
        return self._json or ""

    def show_json(self, json_mode: bool = True) -> None:
        """Switch to the JSON text (or back to the tree)."""
        (self.json_action if json_mode else self.tree_action).setChecked(True)
        self._show_page()

    def copy_json(self) -> None:
        """Put the whole message as JSON on the clipboard."""
        if self._message is not None:
            QGuiApplication.clipboard().setText(self.json_text())

    # -- internals ------------------------------------------------------------------------

    def _show_page(self) -> None:
        if self._message is None:
            self._stack.setCurrentWidget(self._empty)
            return
        if not self.json_action.isChecked():
            self._stack.setCurrentWidget(self._tree)
            return
        self._stack.setCurrentWidget(self._text)
        if self._json is not None:
            self._set_text(self._json)
        elif self._message.ByteSize() > EXECUTOR_BYTES and self._json_job is None:
            self._format_later(self._message)
        elif self._json_job is None:
            self._set_text(self.json_text())

    def _format_later(self, message: Message) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._set_text(self.json_text())
            return
        self._text.setPlainText("Formatting…")
        job = loop.run_in_executor(None, self._format, message, self._pool)
        self._json_job = job

        def done(future: asyncio.Future[str]) -> None:
            if future.cancelled() or not isValid(self) or self._json_job is not future:
                return
            self._json_job = None
            self._json = future.result()
            if self._message is message and self.json_action.isChecked():
                self._set_text(self._json)

        job.add_done_callback(done)

    @staticmethod
    def _format(message: Message, pool: descriptor_pool.DescriptorPool | None) -> str:
        # Runs in a worker thread for large messages: no widgets here.
        try:
            return to_json(message, pool=pool, indent=2)
        except MessageFormatError as exc:
            return f"// {exc.user_text()}"

    def _set_text(self, text: str) -> None:
        if len(text) > JSON_SHOW_LIMIT:
            cut = text[:JSON_SHOW_LIMIT]
            text = f"{cut}\n\n// … {len(text) - JSON_SHOW_LIMIT:,} more characters: use Copy JSON"
        if self._text.toPlainText() != text:
            self._text.setPlainText(text)

"""The selected timeline row in full: JSON, a field tree, raw bytes, copy and "send again"."""

from __future__ import annotations

import json
import logging
from typing import Any

from google.protobuf import text_format
from google.protobuf.message import Message
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import MessageFormatError, ResponseDecodeError
from workbench.core.messages.codec import to_dict
from workbench.core.timeline import text
from workbench.core.timeline.export import entry_record
from workbench.core.timeline.rows import EventKind, TimelineEntry
from workbench.core.timeline.store import TimelineStore

logger = logging.getLogger(__name__)

#: Characters of JSON shown at most; "Copy as JSON" still copies everything.
JSON_SHOW_LIMIT = 2_000_000
#: Tree items built at most (a huge message stays browsable without freezing the UI).
TREE_ITEM_LIMIT = 5_000
#: Bytes shown in the hex dump at most.
HEX_LIMIT = 256 * 1024
_RECORD_KEYS = ("v", "id", "kind", "dir", "t", "dt")


class TimelineDetailPane(QWidget):
    """Shows one timeline row: a summary line and tabs with JSON, a tree and the raw bytes.

    The hex dump is made only when its tab is opened. Messages that do not decode show
    why, and open on the raw bytes.

    Signals:
        resendRequested(object): "Send again" was clicked on a sent row; carries the message.
    """

    resendRequested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        """Create an empty pane ("Select a row...")."""
        super().__init__(parent)
        self._entry: TimelineEntry | None = None
        self._value: Any = None
        self._message: Message | None = None
        self._hex_done = False
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)

        self.title = QLabel("Select a row to see it in full.", self)
        self.title.setObjectName("timelineDetailTitle")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_button = QPushButton("Copy as JSON", self)
        self.copy_button.clicked.connect(self.copy_json)
        self.resend_button = QPushButton("Send again", self)
        self.resend_button.setToolTip("Send this message again")
        self.resend_button.clicked.connect(self._resend)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.copy_button)
        head.addWidget(self.resend_button)

        self.tabs = QTabWidget(self)
        self.json_view = QPlainTextEdit(self)
        self.json_view.setReadOnly(True)
        self.json_view.setFont(mono)
        self.json_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(["Field", "Value"])
        self.tree.setColumnWidth(0, 220)
        self.tree.setUniformRowHeights(True)
        self.hex_view = QPlainTextEdit(self)
        self.hex_view.setReadOnly(True)
        self.hex_view.setFont(mono)
        self.hex_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.tabs.addTab(self.json_view, "JSON")
        self.tabs.addTab(self.tree, "Tree")
        self.tabs.addTab(self.hex_view, "Raw bytes")
        self.tabs.currentChanged.connect(self._on_tab)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.tabs, 1)
        self._resend_allowed = True
        self.show_entry(None)

    # -- public API ------------------------------------------------------------------------

    @property
    def entry(self) -> TimelineEntry | None:
        """The row shown."""
        return self._entry

    @property
    def message(self) -> Message | None:
        """The decoded message of the row shown (``None`` for control rows and bad bytes)."""
        return self._message

    def json_text(self) -> str:
        """The row as indented JSON (what "Copy as JSON" copies; '' when nothing is shown)."""
        if self._entry is None or self._value is None:
            return ""
        if isinstance(self._value, str) and self._message is not None:
            return self._value  # text format: JSON could not be written
        return json.dumps(self._value, indent=2, ensure_ascii=False)

    def set_resend_enabled(self, enabled: bool) -> None:
        """Allow or forbid "Send again" (e.g. only while a stream can take messages)."""
        self._resend_allowed = enabled
        self._update_buttons()

    def show_entry(self, entry: TimelineEntry | None, store: TimelineStore | None = None) -> None:
        """Show a row (``None`` clears the pane); ``store`` adds wall-clock times."""
        self._entry, self._value, self._message, self._hex_done = entry, None, None, False
        self.tree.clear()
        self.hex_view.clear()
        if entry is None:
            self.title.setText("Select a row to see it in full.")
            self.json_view.clear()
            self._update_buttons()
            return
        self.title.setText(_title(entry))
        problem = self._load(entry, store)
        if problem is not None:
            self.json_view.setPlainText(f"⚠ {problem}\n\nThe raw bytes are in the next tab.")
            _fill_tree(self.tree, self._value)
            self.tabs.setCurrentWidget(self.hex_view)
        else:
            shown = self.json_text()
            if len(shown) > JSON_SHOW_LIMIT:
                cut = len(shown) - JSON_SHOW_LIMIT
                shown = f"{shown[:JSON_SHOW_LIMIT]}\n… {cut:,} more characters (Copy as JSON)"
            self.json_view.setPlainText(shown)
            _fill_tree(self.tree, self._value)
            if self.tabs.currentWidget() is self.hex_view and entry.event is not None:
                self.tabs.setCurrentWidget(self.json_view)
        self._on_tab(self.tabs.currentIndex())
        self._update_buttons()

    def copy_json(self) -> None:
        """Put the row's JSON on the clipboard."""
        data = self.json_text()
        if data:
            QGuiApplication.clipboard().setText(data)

    # -- internals -------------------------------------------------------------------------

    def _load(self, entry: TimelineEntry, store: TimelineStore | None) -> str | None:
        """Decode the row into ``_value``/``_message``; returns why it cannot be, if so."""
        if entry.event is not None:
            record = entry_record(store, entry)
            self._value = {k: v for k, v in record.items() if k not in _RECORD_KEYS}
            return None
        try:
            self._message = entry.decode()
        except ResponseDecodeError as exc:
            # What the JSON Lines export writes for it: the bytes and the reason.
            self._value = {
                k: v for k, v in entry_record(store, entry).items() if k not in _RECORD_KEYS
            }
            return exc.message
        try:
            self._value = to_dict(self._message)
        except MessageFormatError:
            self._value = text_format.MessageToString(self._message)
        return None

    def _update_buttons(self) -> None:
        entry = self._entry
        self.copy_button.setEnabled(self._value is not None)
        is_sent = entry is not None and entry.kind is EventKind.SENT
        self.resend_button.setVisible(is_sent)
        self.resend_button.setEnabled(is_sent and self._resend_allowed and bool(self._message))
        has_bytes = entry is not None and entry.event is None
        self.tabs.setTabEnabled(self.tabs.indexOf(self.hex_view), has_bytes)

    def _on_tab(self, index: int) -> None:
        if self.tabs.widget(index) is not self.hex_view or self._hex_done:
            return
        entry = self._entry
        if entry is None or entry.event is not None:
            return
        self._hex_done = True
        dump = text.hexdump(entry.data, HEX_LIMIT)
        self.hex_view.setPlainText(dump or "(no bytes: the message is empty)")

    def _resend(self) -> None:
        entry = self._entry
        if entry is not None and entry.kind is EventKind.SENT and entry.message_class:
            # A fresh copy: whoever sends it may change it.
            self.resendRequested.emit(entry.decode())


def _title(entry: TimelineEntry) -> str:
    parts = [f"{entry.direction.symbol} {entry.kind.label}", f"event #{entry.event_id + 1}"]
    if entry.index is not None:
        parts.append(f"message {entry.index + 1}")
    if entry.message_class is not None:
        parts.extend([entry.type_name, text.format_size(entry.size)])
    delta = text.format_delta(entry.since_previous)
    parts.append(f"at {entry.since_start:.6f} s" + (f" ({delta})" if delta else ""))
    return " · ".join(parts)


def _fill_tree(tree: QTreeWidget, value: Any) -> None:
    """Field/value items for a JSON value, breadth-limited to :data:`TREE_ITEM_LIMIT`."""
    budget = [TREE_ITEM_LIMIT]

    def add(parent: QTreeWidgetItem | QTreeWidget, key: str, item: Any) -> None:
        if budget[0] <= 0:
            return
        budget[0] -= 1
        if isinstance(item, dict):
            node = QTreeWidgetItem(parent, [key, f"{{{len(item)} fields}}"])
            for k, v in item.items():
                add(node, str(k), v)
        elif isinstance(item, list):
            node = QTreeWidgetItem(parent, [key, f"[{len(item)} items]"])
            for i, v in enumerate(item):
                add(node, f"[{i}]", v)
        else:
            shown = json.dumps(item, ensure_ascii=False) if not isinstance(item, str) else item
            QTreeWidgetItem(parent, [key, text.truncate(shown, 500)])

    if isinstance(value, dict):
        for key, item in value.items():
            add(tree, str(key), item)
    else:
        add(tree, "(value)", value)
    if budget[0] <= 0:
        QTreeWidgetItem(tree, ["…", f"only the first {TREE_ITEM_LIMIT:,} fields are shown"])
    tree.expandToDepth(0)

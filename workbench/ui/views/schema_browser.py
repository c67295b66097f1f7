"""The schema side panel: a filter box above the tree of services, methods and types."""

from __future__ import annotations

import logging

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from workbench.core.schema.schema import Schema
from workbench.ui.models.schema_filter_proxy import SchemaFilterProxy
from workbench.ui.models.schema_tree_model import ItemRole, KindRole, NodeKind, SchemaTreeModel

logger = logging.getLogger(__name__)

#: Below this many services the tree opens with every service expanded.
_EXPAND_SERVICES_UP_TO = 12
#: A filtered row opens when it has at most this many matching children.
_EXPAND_MATCHES_UP_TO = 200
#: Typing pauses this long (ms) before the filter runs: one pass per word, not per key.
_FILTER_DELAY_MS = 120


class SchemaBrowser(QWidget):
    """Filter-as-you-type over a :class:`SchemaTreeModel` shown in a tree view.

    Signals:
        symbolSelected(object, object): the current row changed; the descriptor (``None`` for
            the Messages/Enums headings or an empty tree) and its :class:`NodeKind`.
        symbolActivated(object, object): a row was double-clicked or Enter was pressed on it.
    """

    symbolSelected = Signal(object, object)
    symbolActivated = Signal(object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = SchemaTreeModel(self)
        self.proxy = SchemaFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("schemaFilter")
        self.filter_edit.setPlaceholderText("Filter services, methods, types…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setToolTip(
            "Show names containing every word typed (Ctrl+F); DemoService/Echo works too"
        )
        self.tree = QTreeView(self)
        self.tree.setObjectName("schemaTree")
        self.tree.setModel(self.proxy)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)  # lets Qt skip measuring thousands of rows
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Full names share long package prefixes: keep both ends, lose the middle.
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.placeholder = QLabel(self)
        self.placeholder.setObjectName("schemaPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.tree)
        self._stack.addWidget(self.placeholder)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self._stack, 1)

        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(_FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply_filter)
        self.filter_edit.textChanged.connect(self._filter_timer.start)
        self.filter_edit.returnPressed.connect(self._jump_to_first_match)
        self.tree.selectionModel().currentChanged.connect(self._on_current_changed)
        self.tree.activated.connect(self._on_activated)
        self._update_placeholder()

    # -- public ---------------------------------------------------------------------------

    def set_schema(self, schema: Schema | None) -> None:
        """Show ``schema``, keeping the filter text and, when it still exists, the selection."""
        current = self.current_full_name()
        self.model.set_schema(schema)
        self.apply_filter()
        if current and not self.select(current):
            self.symbolSelected.emit(None, None)

    def focus_filter(self) -> None:
        """Put the cursor in the filter box with its text selected."""
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def apply_filter(self) -> None:
        """Filter on the box's text now (typing waits a moment before filtering)."""
        self._filter_timer.stop()
        text = self.filter_edit.text()
        self.proxy.set_filter_text(text)
        if text.strip():
            # The tree is two levels deep; opening a heading with thousands of matches
            # would only bury the others.
            for row in range(self.proxy.rowCount()):
                index = self.proxy.index(row, 0)
                if self.proxy.rowCount(index) <= _EXPAND_MATCHES_UP_TO:
                    self.tree.expand(index)
        else:
            self.tree.collapseAll()
            self._expand_default()
        current = self.tree.currentIndex()
        if current.isValid():
            self.tree.scrollTo(current)
        self._update_placeholder()

    def select(self, full_name: str) -> bool:
        """Make the row of ``full_name`` current (clearing a filter that hides it)."""
        source = self.model.index_of(full_name)
        if not source.isValid():
            return False
        index = self.proxy.mapFromSource(source)
        if not index.isValid():
            self.filter_edit.clear()
            self.apply_filter()
            index = self.proxy.mapFromSource(source)
        self.tree.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self.tree.scrollTo(index)
        return True

    def current_full_name(self) -> str:
        """The full name of the current row ('' for none or a heading)."""
        desc = self.tree.currentIndex().data(ItemRole)
        return "" if desc is None else str(desc.full_name)

    def visible_names(self) -> list[str]:
        """Labels of every row the filter lets through (expanded or not), depth first."""
        out: list[str] = []

        def walk(parent: QModelIndex) -> None:
            for row in range(self.proxy.rowCount(parent)):
                index = self.proxy.index(row, 0, parent)
                out.append(str(index.data()))
                walk(index)

        walk(QModelIndex())
        return out

    # -- slots ----------------------------------------------------------------------------

    def _update_placeholder(self) -> None:
        """Say why the tree is empty instead of showing an empty box."""
        if self.model.rowCount() == 0:
            self.placeholder.setText("No schema loaded yet.")
        elif self.proxy.rowCount() == 0:
            self.placeholder.setText(f"Nothing matches “{self.filter_edit.text().strip()}”.")
        else:
            self._stack.setCurrentWidget(self.tree)
            return
        self._stack.setCurrentWidget(self.placeholder)

    def _expand_default(self) -> None:
        if self.model.rowCount() == 0:
            return
        services = [
            self.proxy.index(r, 0)
            for r in range(self.proxy.rowCount())
            if self.proxy.index(r, 0).data(KindRole) is NodeKind.SERVICE
        ]
        if len(services) <= _EXPAND_SERVICES_UP_TO:
            for index in services:
                self.tree.expand(index)

    def _jump_to_first_match(self) -> None:
        """Enter in the filter box: select the first row that matches by itself."""
        self.apply_filter()

        def first(parent: QModelIndex) -> QModelIndex:
            for row in range(self.proxy.rowCount(parent)):
                index = self.proxy.index(row, 0, parent)
                node = self.model.node_for(self.proxy.mapToSource(index))
                if node is not None and self.proxy.matches(node):
                    return index
                found = first(index)
                if found.isValid():
                    return found
            return QModelIndex()

        index = first(QModelIndex())
        if index.isValid():
            self.tree.setCurrentIndex(index)
            self.tree.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.symbolSelected.emit(current.data(ItemRole), current.data(KindRole))

    def _on_activated(self, index: QModelIndex) -> None:
        self.symbolActivated.emit(index.data(ItemRole), index.data(KindRole))

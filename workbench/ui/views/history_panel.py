"""The History page of the left pane: every call made, newest first, searchable.

Double-click (or Enter on) an entry to open its request in a new tab. The list reads the
local history database a page at a time, so a long history opens at once.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from workbench.core.store.history import History, HistoryEntry
from workbench.ui.models.history_model import Column, HistoryModel
from workbench.ui.workspace_controller import WorkspaceController

__all__ = ["HistoryPanel"]

logger = logging.getLogger(__name__)

#: Typing pauses this long (ms) before the search runs.
SEARCH_DELAY_MS = 200


class HistoryPanel(QWidget):
    """A search box over the list of recorded calls.

    Parts (public attributes): :attr:`search` (the box), :attr:`view`, :attr:`model`,
    :attr:`footer` (how many calls are kept).

    Signals:
        openRequested(object): open this :class:`HistoryEntry`'s request in a new tab.
        copyRequested(object): copy this :class:`HistoryEntry`'s request as grpcurl.

    Args:
        controller: owns the history database.
        parent: the parent widget.
    """

    openRequested = Signal(object)
    copyRequested = Signal(object)

    def __init__(self, controller: WorkspaceController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyPanel")
        self._controller = controller
        self.model = HistoryModel(self)
        self.search = QLineEdit(self)
        self.search.setObjectName("historySearch")
        self.search.setPlaceholderText("Search calls: method, address, status, body…")
        self.search.setClearButtonEnabled(True)
        self.view = QTreeView(self)
        self.view.setObjectName("historyView")
        self.view.setModel(self.model)
        self.view.setRootIsDecorated(False)
        self.view.setUniformRowHeights(True)
        self.view.setAllColumnsShowFocus(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(Column.METHOD, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(Column.STATUS, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(Column.WHEN, QHeaderView.ResizeMode.ResizeToContents)
        self.placeholder = QLabel(self)
        self.placeholder.setObjectName("historyPlaceholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.view)
        self._stack.addWidget(self.placeholder)
        self.footer = QLabel(self)
        self.footer.setObjectName("historyFooter")
        self.footer.setEnabled(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addWidget(self._stack, 1)
        layout.addWidget(self.footer)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.apply_search)
        self.search.textChanged.connect(self._timer.start)
        self.search.returnPressed.connect(self.apply_search)
        self.view.activated.connect(self._on_activated)
        self.view.customContextMenuRequested.connect(self._show_menu)
        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset):
            signal.connect(self._update_placeholder)
        controller.historyOpened.connect(self._on_history)
        controller.historyRecorded.connect(self.model.add_recorded)
        self._update_placeholder()

    # -- public ---------------------------------------------------------------------------

    def load(self) -> None:
        """Show the history (opening the database when it is not open yet)."""
        history = self._controller.history
        if history is not None and self.model.history is not history:
            self._on_history(history)

    def apply_search(self) -> None:
        """Search for the box's text now (typing waits a moment before searching)."""
        self._timer.stop()
        self.model.set_query(self.search.text())

    def current_entry(self) -> HistoryEntry | None:
        """The entry of the current row."""
        return self.model.entry(self.view.currentIndex().row())

    # -- slots ----------------------------------------------------------------------------

    def _on_history(self, history: History | None) -> None:
        self.model.set_history(history)

    def _on_activated(self, index: QModelIndex) -> None:
        entry = self.model.entry(index.row())
        if entry is not None:
            self.openRequested.emit(entry)

    def _show_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        entry = self.model.entry(index.row()) if index.isValid() else None
        menu = QMenu(self)
        if entry is not None:
            menu.addAction("Open in a new tab", lambda: self.openRequested.emit(entry))
            menu.addAction("Copy as grpcurl command", lambda: self.copyRequested.emit(entry))
            menu.addAction("Delete from history", lambda: self.model.remove(index.row()))
            menu.addSeparator()
        clear = menu.addAction("Clear history", self.model.clear)
        clear.setEnabled(self.model.rowCount() > 0)
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def _update_placeholder(self) -> None:
        history = self.model.history
        if history is None:
            failed = self._controller.history_failed
            text = "The history is not available." if failed else "No calls yet."
        elif self.model.query:
            text = f"No call matches “{self.model.query}”."
        else:
            text = "No calls yet.\n\nEvery call you send is recorded here, newest first."
        self.placeholder.setText(text)
        empty = self.model.rowCount() == 0
        self._stack.setCurrentWidget(self.placeholder if empty else self.view)
        if history is not None:
            count = history.count()
            self.footer.setText(
                f"{count} call{'' if count == 1 else 's'} kept (at most {history.max_entries})"
            )
        self.footer.setVisible(history is not None)

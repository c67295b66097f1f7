"""The metadata editor of a request (and of the connection's defaults): a key/value table."""

from __future__ import annotations

import logging

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from workbench.core.calls.metadata import MetadataValue
from workbench.ui.form.form_cells import error_color
from workbench.ui.models.metadata_model import Column, MetadataModel

__all__ = ["MetadataTable", "commit_open_editor"]

logger = logging.getLogger(__name__)

_HINT = (
    "Headers sent with the call. Keys ending in -bin take base64 values; "
    "untick a row to keep it without sending it."
)


class MetadataTable(QWidget):
    """A table of headers with Add/Remove, marking bad rows and explaining them below.

    Signals:
        changed(): a row was added, removed or edited.
        validityChanged(bool, str): whether every ticked row can be sent; if not, why.

    Args:
        hint: the explanation shown under the table (``''`` for none).
        parent: the parent widget.
    """

    changed = Signal()
    validityChanged = Signal(bool, str)

    def __init__(self, hint: str = _HINT, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("metadataTable")
        self._model = MetadataModel(self)
        self._view = QTableView(self)
        self._view.setObjectName("metadataView")
        self._view.setModel(self._model)
        self._view.setAlternatingRowColors(True)
        self._view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self._view.verticalHeader().hide()
        self._view.verticalHeader().setDefaultSectionSize(self._view.fontMetrics().height() + 10)
        header = self._view.horizontalHeader()
        header.setSectionResizeMode(Column.KEY, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.VALUE, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(Column.KEY, 200)

        bar = QToolBar(self)
        bar.setObjectName("metadataToolbar")
        self.add_action = QAction("Add header", self)
        self.add_action.setToolTip("Add a header row and start typing its key")
        self.add_action.triggered.connect(lambda: self.add_row(edit=True))
        self.remove_action = QAction("Remove", self)
        self.remove_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.remove_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.remove_action.setToolTip("Remove the selected rows (Delete)")
        self.remove_action.triggered.connect(self.remove_selected)
        self._view.addAction(self.remove_action)
        bar.addAction(self.add_action)
        bar.addAction(self.remove_action)

        self._hint = QLabel(hint, self)
        self._hint.setObjectName("metadataHint")
        self._hint.setWordWrap(True)
        self._hint.setVisible(bool(hint))
        self._problem = QLabel(self)
        self._problem.setObjectName("metadataProblem")
        self._problem.setWordWrap(True)
        self._problem.setTextFormat(Qt.TextFormat.PlainText)
        self._problem.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(bar)
        layout.addWidget(self._view, 1)
        layout.addWidget(self._problem)
        layout.addWidget(self._hint)

        self._validity: tuple[bool, str] = (True, "")
        self._model.changed.connect(self._on_changed)
        self._view.selectionModel().selectionChanged.connect(self._update_actions)
        self._update_actions()

    # -- content --------------------------------------------------------------------------

    def model(self) -> MetadataModel:
        """The rows."""
        return self._model

    def view(self) -> QTableView:
        """The table."""
        return self._view

    def entries(self) -> list[tuple[str, MetadataValue]]:
        """The ticked, valid rows, ready for a call."""
        return self._model.entries()

    def set_entries(self, entries: list[tuple[str, MetadataValue]]) -> None:
        """Show ``entries`` (binary values as base64)."""
        self._model.set_entries(entries)

    def is_valid(self) -> bool:
        """Whether every ticked row can be sent."""
        return self._validity[0]

    def validity_text(self) -> str:
        """Why not (the first problem; '' when every row is fine)."""
        return self._validity[1]

    def add_row(self, key: str = "", value: str = "", *, edit: bool = False) -> QModelIndex:
        """Append a row; with ``edit`` start typing its key. Returns the key cell."""
        index = self._model.add_row(key, value)
        self._view.setCurrentIndex(index)
        if edit:
            self._view.setFocus()
            self._view.edit(index)
        return index

    def remove_selected(self) -> None:
        """Remove the selected rows (or the current one)."""
        rows = {i.row() for i in self._view.selectionModel().selectedRows()}
        current = self._view.currentIndex()
        if not rows and current.isValid():
            rows = {current.row()}
        for row in sorted(rows, reverse=True):
            self._model.removeRow(row)

    def commit_pending(self) -> None:
        """Write a cell being typed into the model (before sending)."""
        commit_open_editor(self._view)

    # -- internals ------------------------------------------------------------------------

    def _on_changed(self) -> None:
        problems = self._model.problems()
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        state = (False, problems[0] + more) if problems else (True, "")
        self._problem.setStyleSheet(f"color: {error_color().name()};")
        self._problem.setText(f"⚠ {state[1]}" if problems else "")
        self._problem.setToolTip("\n".join(problems))
        self._problem.setVisible(bool(problems))
        self._update_actions()
        changed = state != self._validity
        self._validity = state
        self.changed.emit()
        if changed:
            self.validityChanged.emit(*state)

    def _update_actions(self) -> None:
        has_rows = self._model.rowCount() > 0
        self.remove_action.setEnabled(has_rows and self._view.currentIndex().isValid())


def commit_open_editor(view: QAbstractItemView) -> None:
    """Commit and close the cell editor open in ``view``, if the focus is in it.

    A shortcut such as Ctrl+Enter fires while a cell is still being typed; what is typed
    must reach the model before it is sent, as if the user had pressed Enter.
    """
    if view.state() != QAbstractItemView.State.EditingState:
        return
    editor = QApplication.focusWidget()
    viewport = view.viewport()
    while editor is not None and editor.parentWidget() is not viewport:
        editor = editor.parentWidget()
    if editor is not None:
        delegate = view.itemDelegate()
        delegate.commitData.emit(editor)
        delegate.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)

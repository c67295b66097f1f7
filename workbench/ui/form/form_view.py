"""The tree view of the request form, with actions for lists, maps and presence."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QTreeView,
    QWidget,
)

from workbench.ui.form.form_delegate import FieldDelegate
from workbench.ui.form.form_model import FormModel
from workbench.ui.form.nodes import NodeKind, ValueKind
from workbench.ui.form.roles import Column

__all__ = ["FormView"]

_NAME_WIDTH = 220
_TYPE_WIDTH = 190


class FormView(QTreeView):
    """Shows a :class:`FormModel`: one row per field, editors in the value column.

    The add/remove/move/clear actions work on the current row and are exposed as
    attributes so a toolbar can show them too; their shortcuts (Insert, Delete,
    Ctrl+Up/Down, Ctrl+Backspace) apply while the tree has focus.

    Signals:
        statusMessage(str): something to tell the user about an action (e.g. a map is full).
    """

    statusMessage = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemDelegate(FieldDelegate(self))
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setAllColumnsShowFocus(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._show_menu)
        self.add_action = self._action("Add item", "Insert", self.add_item)
        self.add_action.setToolTip("Add a list element or map entry (Insert)")
        self.remove_action = self._action(
            "Remove", QKeySequence.StandardKey.Delete, self.remove_item
        )
        self.remove_action.setToolTip("Remove the list element or map entry (Delete)")
        self.up_action = self._action("Move up", "Ctrl+Up", lambda: self.move_item(-1))
        self.up_action.setToolTip("Move the list element up (Ctrl+Up)")
        self.down_action = self._action("Move down", "Ctrl+Down", lambda: self.move_item(1))
        self.down_action.setToolTip("Move the list element down (Ctrl+Down)")
        self.clear_action = self._action("Clear value", "Ctrl+Backspace", self.clear_item)
        self.clear_action.setToolTip("Unset the field, or reset it to its default (Ctrl+Backspace)")
        self.update_actions()

    def _action(self, text: str, shortcut: QKeySequence.StandardKey | str, slot: object) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    # -- model ----------------------------------------------------------------------------

    def setModel(self, model: FormModel) -> None:  # type: ignore[override]
        """Implements QAbstractItemView.setModel: lay out the columns, track the current row."""
        super().setModel(model)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.VALUE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(Column.TYPE, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(Column.NAME, _NAME_WIDTH)
        header.resizeSection(Column.TYPE, _TYPE_WIDTH)
        self.selectionModel().currentChanged.connect(self.update_actions)
        for signal in (model.rowsInserted, model.rowsRemoved, model.rowsMoved, model.modelReset):
            signal.connect(self.update_actions)

    def form_model(self) -> FormModel:
        """The model shown."""
        model = self.model()
        assert isinstance(model, FormModel)
        return model

    # -- actions --------------------------------------------------------------------------

    def update_actions(self) -> None:
        """Enable the actions that apply to the current row."""
        model = self.model()
        if not isinstance(model, FormModel):
            for action in self.actions():
                action.setEnabled(False)
            return
        index = self.currentIndex()
        node = model.node(index) if index.isValid() else None
        kind = node.kind if node is not None else None
        self.add_action.setEnabled(
            node is not None and (model.list_node(index) or model.map_node(index)) is not None
        )
        self.remove_action.setEnabled(kind in (NodeKind.ELEMENT, NodeKind.ENTRY))
        self.up_action.setEnabled(model.can_move(index, -1))
        self.down_action.setEnabled(model.can_move(index, 1))
        self.clear_action.setEnabled(kind in (NodeKind.FIELD, NodeKind.ELEMENT, NodeKind.ENTRY))

    def add_item(self) -> QModelIndex:
        """Add a list element (after the current one) or a map entry; start editing it."""
        model = self.form_model()
        index = self.currentIndex()
        if model.map_node(index) is not None:
            new = model.add_entry(index)
            if not new.isValid():
                self.statusMessage.emit("The map already has both keys (false and true).")
                return new
            edit = new.siblingAtColumn(Column.NAME)
        else:
            new = model.append_element(index)
            if not new.isValid():
                return new
            edit = new.siblingAtColumn(Column.VALUE)
        self.expand(new.parent())
        self.setCurrentIndex(edit)
        self.scrollTo(edit)
        if model.flags(edit) & Qt.ItemFlag.ItemIsEditable:
            self.edit(edit)
        else:
            self.expand(new)
        return new

    def remove_item(self) -> None:
        """Remove the current list element or map entry."""
        index = self.currentIndex()
        parent, row = index.parent(), index.row()
        if self.form_model().remove_row(index):
            model = self.form_model()
            count = model.rowCount(parent)
            target = model.index(min(row, count - 1), Column.NAME, parent) if count else parent
            self.setCurrentIndex(target)

    def move_item(self, delta: int) -> None:
        """Move the current list element up (-1) or down (+1)."""
        moved = self.form_model().move_element(self.currentIndex(), delta)
        if moved.isValid():
            self.setCurrentIndex(moved)

    def clear_item(self) -> None:
        """Unset the current field, or reset the current element/entry to its default."""
        self.form_model().clear_value(self.currentIndex())

    # -- Qt virtuals ----------------------------------------------------------------------

    def edit(  # type: ignore[override]
        self,
        index: QModelIndex,
        trigger: QAbstractItemView.EditTrigger = QAbstractItemView.EditTrigger.AllEditTriggers,
        event: QEvent | None = None,
    ) -> bool:
        """Implements QAbstractItemView.edit: a key pressed on a row edits its value.

        Keyboard users move through rows with the current cell in the name column, which
        is only editable for map keys; typing there edits the value instead.
        """
        if (
            index.isValid()
            and index.column() != Column.VALUE
            and not index.flags() & Qt.ItemFlag.ItemIsEditable
            and trigger
            in (
                QAbstractItemView.EditTrigger.AnyKeyPressed,
                QAbstractItemView.EditTrigger.EditKeyPressed,
            )
        ):
            value = index.siblingAtColumn(Column.VALUE)
            if value.flags() & Qt.ItemFlag.ItemIsEditable:
                self.setCurrentIndex(value)
                return super().edit(value, trigger, event)  # type: ignore[arg-type]
        # Qt calls this virtual with a null event for programmatic edits: None here.
        return super().edit(index, trigger, event)  # type: ignore[arg-type]

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        """Implements QAbstractItemView.closeEditor: open a oneof or Any after choosing."""
        index = self.currentIndex()
        super().closeEditor(editor, hint)
        if not index.isValid():
            return
        node = self.form_model().node(index)
        if node.value_kind in (ValueKind.ONEOF, ValueKind.ANY):
            self.expand(index.siblingAtColumn(Column.NAME))

    def _show_menu(self, pos: QPoint) -> None:
        index = self.indexAt(pos)
        if index.isValid():
            self.setCurrentIndex(index)
        menu = QMenu(self)
        for action in (
            self.add_action,
            self.remove_action,
            self.up_action,
            self.down_action,
            self.clear_action,
        ):
            if action.isEnabled():
                menu.addAction(action)
        if index.isValid() and self.form_model().hasChildren(index.siblingAtColumn(0)):
            menu.addSeparator()
            toggle = "Collapse" if self.isExpanded(index.siblingAtColumn(0)) else "Expand"
            menu.addAction(
                toggle,
                lambda: self.setExpanded(
                    index.siblingAtColumn(0), not self.isExpanded(index.siblingAtColumn(0))
                ),
            )
        if not menu.isEmpty():
            menu.popup(self.viewport().mapToGlobal(pos))

"""The request form as a Qt tree model over the live request message.

Rows are fields, oneof groups, list elements and map entries; columns are name | value |
type. Nothing is copied: every cell is read from the message by path when Qt asks, and every
edit is written into the message by path (through :mod:`workbench.core.messages.pathedit`).
Rows below a group are created when a view first asks for them (only expanded rows are
asked), so a recursive or very wide message costs only what the user opens.

Text the user types that does not parse (an int32 out of range, bad base64, …) is not written;
the model keeps it as a *draft* on that cell with the reason, shows it marked, and reports it
through :meth:`FormModel.errors` until it is fixed or the row goes away.
"""

from __future__ import annotations

import logging
from typing import Any

from google.protobuf.message import Message
from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from workbench.core.errors import RequestParseError
from workbench.core.messages import pathedit
from workbench.core.messages.dynamic import descriptor_of
from workbench.core.messages.fieldvalues import BytesEncoding
from workbench.core.schema.schema import Schema
from workbench.ui.form import node_text
from workbench.ui.form.form_cells import CellRenderer
from workbench.ui.form.form_edits import FormEdits
from workbench.ui.form.nodes import FormNode, NodeKind, ValueKind, may_have_children
from workbench.ui.form.roles import Column, EditorKind, FormRole

__all__ = ["FormModel"]

logger = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex
_HEADERS = ("Field", "Value", "Type")


class FormModel(FormEdits):
    """A tree model of a request message whose cells edit the message in place.

    The row tree comes from :class:`~workbench.ui.form.form_structure.FormStructure`, the
    shape edits (presence, oneof, list and map rows) from
    :class:`~workbench.ui.form.form_edits.FormEdits`; this class adds what Qt asks of every
    model and the cell edits.

    Signals:
        errorsChanged(): the set of refused inputs changed (see :meth:`errors`).
        messageEdited(): the message was changed through the model.
    """

    errorsChanged = Signal()
    messageEdited = Signal()

    def __init__(
        self,
        message: Message,
        *,
        schema: Schema | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(message, parent)
        self._schema = schema
        self._cells = CellRenderer(self, schema)

    # -- the message ----------------------------------------------------------------------

    def set_message(self, message: Message) -> None:
        """Show and edit ``message`` from now on (it may be of another type)."""
        self.beginResetModel()
        self._adopt(message)
        self.endResetModel()
        self.errorsChanged.emit()

    def reload(self) -> None:
        """Show the message again after it was changed outside the model (JSON, reset).

        Drafts are dropped (they refer to the old content); rows that still exist keep their
        expansion and selection.
        """
        had_errors = bool(self._errors)
        self._errors.clear()
        self._reconcile(self._root)
        if had_errors:
            self.errorsChanged.emit()

    def schema(self) -> Schema | None:
        """The schema used for comments and the Any type picker."""
        return self._schema

    def errors(self) -> list[tuple[str, str]]:
        """Every refused input as ``(field path, reason)``, in the order they were typed."""
        return [
            (node_text.path_text(node), reason)
            for (node, _column), (_text, reason) in self._errors.items()
        ]

    def validate(self, index: Index, text: str) -> str | None:
        """Why ``text`` would be refused in the cell at ``index`` (``None`` if accepted).

        Nothing is written; editors use this to mark input while it is typed.
        """
        node = self.node(index)
        try:
            if index.column() == Column.NAME and node.kind is NodeKind.ENTRY:
                node_text.parse_key(node, text)
            elif index.column() == Column.VALUE and node.value_kind in node_text.LEAF_KINDS:
                node_text.parse_text(node, text, self.encoding(node))
        except RequestParseError as exc:
            return node_text.reason_of(exc)
        return None

    def encoding(self, node: FormNode) -> BytesEncoding:
        """How the bytes row ``node`` spells its value (chosen once per row, then kept)."""
        found = self._encodings.get(node)
        if found is None:
            found = self._initial_encoding(node)
            self._encodings[node] = found
        return found

    def _initial_encoding(self, node: FormNode) -> BytesEncoding:
        """UTF-8 for empty or text-like bytes, base64 for binary data."""
        kind = node.value_kind
        wrapper = kind is ValueKind.WRAPPER and self._cells.editor_kind(node) is EditorKind.BYTES
        if kind is not ValueKind.BYTES and not wrapper:
            return BytesEncoding.BASE64
        try:
            value = pathedit.get(self._message, node.path)
        except RequestParseError:
            return BytesEncoding.BASE64
        data = value.value if wrapper else value
        try:
            text = data.decode("utf-8")
        except (UnicodeDecodeError, AttributeError):
            return BytesEncoding.BASE64
        return BytesEncoding.UTF8 if text.isprintable() else BytesEncoding.BASE64

    # -- QAbstractItemModel: shape --------------------------------------------------------

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Implements QAbstractItemModel.columnCount: name, value, type."""
        return len(Column)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Implements QAbstractItemModel.rowCount.

        Rows below a group are created the first time anyone asks how many there are — a
        view only asks for expanded rows, so collapsed groups cost nothing.
        """
        if parent.column() > 0:
            return 0
        return len(self.ensure_children(self.node(parent)))

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        """Implements QAbstractItemModel.hasChildren: answered without creating rows."""
        if parent.column() > 0:
            return False
        try:
            return may_have_children(self.node(parent), self._message)
        except RequestParseError:
            return False

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        """Implements QAbstractItemModel.index."""
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        children = self.node(parent).children
        assert children is not None
        return self.createIndex(row, column, children[row])

    def parent(self, child: Index) -> QModelIndex:  # type: ignore[override]
        """Implements QAbstractItemModel.parent."""
        if not child.isValid():
            return QModelIndex()
        node: FormNode = child.internalPointer()
        up = node.parent
        if up is None or up is self._root:
            return QModelIndex()
        return self.createIndex(up.row, 0, up)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        """Implements QAbstractItemModel.headerData."""
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _HEADERS[section] if 0 <= section < len(_HEADERS) else None
        return None

    # -- QAbstractItemModel: cells --------------------------------------------------------

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Implements QAbstractItemModel.flags: which cells are editable or checkable."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return self._cells.flags(self.node(index), Column(index.column()))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Implements QAbstractItemModel.data: every value is read from the message now."""
        if not index.isValid():
            return None
        node = self.node(index)
        if role == FormRole.ItemRole:
            return node
        try:
            return self._cells.data(node, Column(index.column()), role)
        except RequestParseError as exc:
            # The message no longer fits the row (it changed outside the model); show why.
            logger.debug("cannot show %s: %s", node, exc)
            return exc.message if role == Qt.ItemDataRole.DisplayRole else None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Implements QAbstractItemModel.setData: write an edit into the message."""
        if not index.isValid():
            return False
        node, column = self.node(index), Column(index.column())
        if column is Column.NAME:
            return self._set_name_data(node, value, role)
        if column is Column.VALUE:
            return self._set_value_data(node, value, role)
        return False

    def _set_name_data(self, node: FormNode, value: Any, role: int) -> bool:
        if role == Qt.ItemDataRole.CheckStateRole and node.presence_field:
            return self.set_present(node, _checked(value))
        if role == Qt.ItemDataRole.EditRole and node.kind is NodeKind.ENTRY:
            return self._rename(node, str(value))
        return False

    def _set_value_data(self, node: FormNode, value: Any, role: int) -> bool:
        if role == FormRole.BytesEncodingRole:
            self._encodings[node] = BytesEncoding(str(value))
            self._emit_rows(node, with_ancestors=False)
            return True
        if role == Qt.ItemDataRole.CheckStateRole and self._cells.is_bool(node):
            return self._commit(node, "true" if _checked(value) else "false")
        if role != Qt.ItemDataRole.EditRole:
            return False
        if node.value_kind is ValueKind.ONEOF:
            return self.set_oneof_case(node, str(value) or None)
        if node.value_kind is ValueKind.ANY:
            return self._set_any(node, str(value))
        if node.value_kind in node_text.LEAF_KINDS:
            return self._commit(node, str(value))
        return False

    # -- edits ----------------------------------------------------------------------------

    def _commit(self, node: FormNode, text: str) -> bool:
        """Write the text of a leaf cell, or keep it as a marked draft when it is invalid."""
        key = (node, Column.VALUE)
        encoding = self.encoding(node)
        if key not in self._errors and text == node_text.edit_text(self._message, node, encoding):
            return True  # unchanged: do not touch presence
        try:
            node_text.write_text(self._message, node, text, encoding)
        except RequestParseError as exc:
            self._set_error(node, Column.VALUE, text, node_text.reason_of(exc))
            return True
        self._clear_error(node, Column.VALUE)
        self._edited(node)
        return True

    def _rename(self, node: FormNode, text: str) -> bool:
        if text == node_text.key_text(node) and (node, Column.NAME) not in self._errors:
            return True
        try:
            key = node_text.parse_key(node, text)
            pathedit.rename_key(self._message, node.path, key)
        except RequestParseError as exc:
            self._set_error(node, Column.NAME, text, node_text.reason_of(exc))
            return True
        self._clear_error(node, Column.NAME)
        node.key = key
        self._edited(node)
        return True

    def _set_any(self, node: FormNode, type_name: str) -> bool:
        try:
            changed = node_text.set_any(self._message, node, type_name)
        except RequestParseError as exc:
            self._set_error(node, Column.VALUE, type_name, node_text.reason_of(exc))
            return True
        self._clear_error(node, Column.VALUE)
        if changed:
            self._edited(node, structure=True)
        return True

    def _set_error(self, node: FormNode, column: Column, text: str, reason: str) -> None:
        self._errors[(node, column)] = (text, reason)
        self._emit_rows(node, with_ancestors=False)
        self.errorsChanged.emit()

    def _clear_error(self, node: FormNode, column: Column) -> None:
        if self._errors.pop((node, column), None) is not None:
            self.errorsChanged.emit()

    def draft(self, node: FormNode, column: Column) -> tuple[str, str] | None:
        """The refused text and its reason for a cell, if any."""
        return self._errors.get((node, column))

    def root_type_name(self) -> str:
        """The full name of the message type being edited."""
        return descriptor_of(self._message).full_name


def _checked(value: Any) -> bool:
    try:
        return Qt.CheckState(value) == Qt.CheckState.Checked
    except (TypeError, ValueError):
        return bool(value)

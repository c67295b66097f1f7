"""What each cell of the request form shows, role by role.

A helper of :class:`~workbench.ui.form.form_model.FormModel`: it turns a row and a column
into display text, edit text, check state, colours, tooltips and the editor the delegate
should open. Values come from the live message through :mod:`.node_text`.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Final

from google.protobuf.descriptor import FieldDescriptor
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QStyle

from workbench.core.messages import pathedit
from workbench.core.messages.dynamic import descriptor_of
from workbench.core.messages.fieldvalues import enum_of
from workbench.core.schema.schema import Schema
from workbench.ui.form import node_text
from workbench.ui.form.nodes import GROUP_KINDS, FormNode, NodeKind, ValueKind
from workbench.ui.form.roles import Column, EditorKind, FormRole

if TYPE_CHECKING:
    from workbench.ui.form.form_model import FormModel

__all__ = ["CellRenderer", "error_color", "muted_color"]

_DR = Qt.ItemDataRole
_LINE_KINDS: Final = frozenset(
    {ValueKind.SCALAR, ValueKind.DURATION, ValueKind.FIELD_MASK, ValueKind.JSON}
)
_EDITORS: Final = {
    ValueKind.ENUM: EditorKind.ENUM,
    ValueKind.BYTES: EditorKind.BYTES,
    ValueKind.TIMESTAMP: EditorKind.TIMESTAMP,
    ValueKind.ONEOF: EditorKind.ONEOF,
    ValueKind.ANY: EditorKind.ANY,
}
_PLACEHOLDERS: Final = frozenset({"not set", "(none)", "[ ]", "{ }", "empty: pick a type"})
_DISPLAY_CHARS: Final = 300


def _is_placeholder(text: str) -> bool:
    return text in _PLACEHOLDERS or text.startswith("not set (")


def _is_dark() -> bool:
    return QGuiApplication.palette().color(QPalette.ColorRole.Base).lightness() < 128


def error_color() -> QColor:
    """Red that reads on the current palette's base colour."""
    return QColor("#f87171") if _is_dark() else QColor("#dc2626")


def muted_color() -> QColor:
    """The colour of placeholder text (unset values, types)."""
    return QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText)


@functools.cache
def _italic() -> QFont:
    font = QFont()
    font.setItalic(True)
    return font


def _warning_icon() -> QIcon:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return QIcon()
    return app.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)


class CellRenderer:
    """Cell data and flags of the form model (a plain helper, not a Qt class).

    Args:
        model: the model whose rows it renders (for the message, drafts and encodings).
        schema: the schema, for comments and the Any type list; optional.
    """

    def __init__(self, model: FormModel, schema: Schema | None) -> None:
        self._model = model
        self._schema = schema
        self._any_types: list[str] | None = None

    # -- flags ----------------------------------------------------------------------------

    def flags(self, node: FormNode, column: Column) -> Qt.ItemFlag:
        """Which of ``node``'s cells can be edited or checked."""
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if node.value_kind not in GROUP_KINDS:
            flags |= Qt.ItemFlag.ItemNeverHasChildren
        if column is Column.NAME:
            if node.presence_field:
                flags |= Qt.ItemFlag.ItemIsUserCheckable
            if node.kind is NodeKind.ENTRY:
                flags |= Qt.ItemFlag.ItemIsEditable
        elif column is Column.VALUE:
            if self.is_bool(node):
                flags |= Qt.ItemFlag.ItemIsUserCheckable
            elif self.editor_kind(node) is not None:
                flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def is_bool(self, node: FormNode) -> bool:
        """Whether the value cell is a checkbox (bool fields and BoolValue)."""
        if node.value_kind is ValueKind.BOOL:
            return True
        return (
            node.value_kind is ValueKind.WRAPPER
            and node.message_type is not None
            and node.message_type.fields_by_name["value"].cpp_type == FieldDescriptor.CPPTYPE_BOOL
        )

    def editor_kind(self, node: FormNode) -> EditorKind | None:
        """The editor the value cell needs (``None``: not editable as text)."""
        kind = node.value_kind
        if self.is_bool(node):
            return None
        if kind is ValueKind.WRAPPER:
            assert node.message_type is not None
            inner = node.message_type.fields_by_name["value"]
            return EditorKind.BYTES if inner.type == FieldDescriptor.TYPE_BYTES else EditorKind.LINE
        if kind in _LINE_KINDS:
            return EditorKind.LINE
        return _EDITORS.get(kind)

    # -- data -----------------------------------------------------------------------------

    def data(self, node: FormNode, column: Column, role: int) -> Any:
        """The data of one cell for ``role``."""
        if role == FormRole.PathRole:
            return node_text.path_text(node)
        if column is Column.NAME:
            return self._name(node, role)
        if column is Column.VALUE:
            return self._value(node, role)
        return self._type(node, role)

    def _name(self, node: FormNode, role: int) -> Any:
        draft = self._model.draft(node, Column.NAME)
        if role in (_DR.DisplayRole, _DR.EditRole):
            return draft[0] if draft else node_text.name_text(node)
        if role == _DR.CheckStateRole and node.presence_field:
            present = pathedit.has(self._model.message(), node.path)
            return Qt.CheckState.Checked if present else Qt.CheckState.Unchecked
        if role == _DR.ToolTipRole:
            return draft[1] if draft else self._name_tooltip(node)
        if role == FormRole.ErrorRole:
            return draft[1] if draft else None
        if role == FormRole.EditorKindRole and node.kind is NodeKind.ENTRY:
            return EditorKind.KEY.value
        if draft and role == _DR.ForegroundRole:
            return error_color()
        if draft and role == _DR.DecorationRole:
            return _warning_icon()
        if role == _DR.FontRole and node.kind is NodeKind.ONEOF:
            return _italic()
        return None

    def _name_tooltip(self, node: FormNode) -> str:
        lines = []
        if self._schema is not None and node.field is not None and node.kind is NodeKind.FIELD:
            comment = self._schema.comments(node.field).text
            if comment:
                lines.append(comment)
        elif self._schema is not None and node.oneof is not None:
            comment = self._schema.comments(node.oneof).text
            lines.append(comment or "Exactly one of these fields may be set.")
        lines.append(f"{node_text.path_text(node)} · {node_text.type_text(node)}")
        return "\n\n".join(lines)

    def _value(self, node: FormNode, role: int) -> Any:
        draft = self._model.draft(node, Column.VALUE)
        if role == _DR.DisplayRole:
            return draft[0] if draft else self._value_text(node)
        if role == _DR.EditRole:
            return draft[0] if draft else self._edit_text(node)
        if role == _DR.CheckStateRole:
            return self._check_state(node)
        if role == _DR.ForegroundRole:
            if draft:
                return error_color()
            return muted_color() if _is_placeholder(self._value_text(node)) else None
        if role == _DR.FontRole:
            return _italic() if not draft and _is_placeholder(self._value_text(node)) else None
        if role == _DR.DecorationRole:
            return _warning_icon() if draft else None
        if role == _DR.ToolTipRole:
            return draft[1] if draft else (node_text.hint(node) or None)
        return self._value_extra(node, role, draft)

    def _value_extra(self, node: FormNode, role: int, draft: tuple[str, str] | None) -> Any:
        if role == FormRole.ErrorRole:
            return draft[1] if draft else None
        if role == FormRole.EditorKindRole:
            kind = self.editor_kind(node)
            return kind.value if kind is not None else None
        if role == FormRole.ChoicesRole:
            return self._choices(node)
        if role == FormRole.BytesEncodingRole:
            return self._model.encoding(node).value
        if role == FormRole.HintRole:
            return node_text.hint(node)
        return None

    def _check_state(self, node: FormNode) -> Qt.CheckState | None:
        if not self.is_bool(node):
            return None
        message = self._model.message()
        value = pathedit.get(message, node.path)
        if node.value_kind is ValueKind.WRAPPER:
            value = getattr(value, "value", False)
        return Qt.CheckState.Checked if value else Qt.CheckState.Unchecked

    def _value_text(self, node: FormNode) -> str:
        message = self._model.message()
        if node.value_kind not in node_text.LEAF_KINDS:
            return node_text.summary_text(message, node)
        if not node_text.is_present(message, node):
            return node_text.unset_text(node)
        text = node_text.edit_text(message, node, self._model.encoding(node))
        if len(text) > _DISPLAY_CHARS:
            text = text[:_DISPLAY_CHARS] + "…"
        return text.replace("\n", "⏎")

    def _edit_text(self, node: FormNode) -> str:
        message = self._model.message()
        kind = node.value_kind
        if kind is ValueKind.ONEOF:
            assert node.oneof is not None
            case = pathedit.which_oneof(message, node.child_base, node.oneof.name)
            return case or ""
        if kind is ValueKind.ANY:
            summary = node_text.summary_text(message, node)
            return "" if summary in _PLACEHOLDERS else summary
        if kind in node_text.LEAF_KINDS:
            return node_text.edit_text(message, node, self._model.encoding(node))
        return ""

    def _type(self, node: FormNode, role: int) -> Any:
        if role == _DR.DisplayRole:
            encoding = self._model.encoding(node) if node.value_kind is ValueKind.BYTES else None
            return node_text.type_text(node, encoding, package=self._package())
        if role == _DR.ForegroundRole:
            return muted_color()
        if role == _DR.ToolTipRole:
            return node_text.type_text(node)
        return None

    def _package(self) -> str:
        package: str = descriptor_of(self._model.message()).file.package
        return package

    def _choices(self, node: FormNode) -> list[str] | None:
        kind = node.value_kind
        if kind is ValueKind.ENUM:
            return [v.name for v in enum_of(node.value_field).values]
        if kind is ValueKind.ONEOF:
            assert node.oneof is not None
            return ["(none)", *(f.name for f in node.oneof.fields)]
        if kind is ValueKind.ANY:
            return self.any_types()
        return None

    def any_types(self) -> list[str]:
        """Message types an Any can hold: every message of the schema (map entries aside)."""
        if self._any_types is None:
            if self._schema is None:
                self._any_types = []
            else:
                self._any_types = [m.full_name for m in self._schema.messages()]
        return self._any_types

"""Edits that change the shape of the form: presence, oneof cases, list and map rows.

Each edit changes the message by path first, then tells views exactly which rows appeared,
went or moved (paired ``begin*/end*`` calls), so selection and expansion follow the data.
"""

from __future__ import annotations

import logging
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from PySide6.QtCore import QModelIndex, QPersistentModelIndex

from workbench.core.errors import RequestParseError
from workbench.core.messages import pathedit
from workbench.core.messages.fieldvalues import message_type_of
from workbench.ui.form.form_structure import FormStructure, relabel, renumber
from workbench.ui.form.nodes import FormNode, NodeKind, ValueKind

__all__ = ["FormEdits"]

logger = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex


class FormEdits(FormStructure):
    """The form model's shape-changing edits (a base of :class:`~.form_model.FormModel`)."""

    def set_present(self, node: FormNode, present: bool) -> bool:
        """Set or clear a field with presence (a message, an optional or wrapper field)."""
        if present:
            pathedit.set_present(self._message, node.path)
        else:
            pathedit.clear(self._message, node.path)
            self._forget([node])
        self._edited(node, structure=True)
        return True

    def set_oneof_case(self, node: FormNode, case: str | None) -> bool:
        """Switch the oneof group ``node`` to the field ``case`` (``None``: no field)."""
        assert node.oneof is not None
        if case == "(none)":
            case = None
        try:
            pathedit.set_oneof_case(self._message, node.child_base, node.oneof.name, case)
        except RequestParseError as exc:
            logger.warning("cannot switch %s: %s", node.oneof.name, exc)
            return False
        self._edited(node, structure=True)
        return True

    def clear_value(self, index: Index) -> bool:
        """Reset the value at ``index``: unset a field, zero an element or entry value."""
        node = self.node(index)
        if node.kind not in (NodeKind.FIELD, NodeKind.ELEMENT, NodeKind.ENTRY):
            return False
        pathedit.clear(self._message, node.path)
        self._forget([node])
        self._edited(node, structure=True)
        return True

    def list_node(self, index: Index) -> FormNode | None:
        """The list row an add/insert at ``index`` applies to (the list or its element)."""
        node = self.node(index)
        if node.kind is NodeKind.ELEMENT:
            return node.parent
        return node if node.value_kind is ValueKind.LIST else None

    def map_node(self, index: Index) -> FormNode | None:
        """The map row an add at ``index`` applies to (the map or one of its entries)."""
        node = self.node(index)
        if node.kind is NodeKind.ENTRY:
            return node.parent
        return node if node.value_kind is ValueKind.MAP else None

    def append_element(self, index: Index) -> QModelIndex:
        """Add a default element to a list: after the element at ``index``, or at the end.

        Returns:
            The index of the new element.
        """
        node = self.node(index)
        target = self.list_node(index)
        if target is None:
            return QModelIndex()
        at = node.row + 1 if node.kind is NodeKind.ELEMENT else None
        at = pathedit.insert(self._message, target.path, at)
        if target.children is not None:
            self.beginInsertRows(self.index_of(target), at, at)
            target.children.insert(
                at, FormNode(NodeKind.ELEMENT, target, field=target.field, row=at)
            )
            renumber(target)
            self.endInsertRows()
            relabel(target)
            self._emit_children(target)
        self._emit_rows(target)
        self.messageEdited.emit()  # type: ignore[attr-defined]
        return self.index_of(self.ensure_children(target)[at])

    def add_entry(self, index: Index) -> QModelIndex:
        """Add an entry with an unused key to the map at ``index`` (or of the entry there).

        Returns:
            The index of the new entry (invalid when a bool-keyed map is already full).
        """
        target = self.map_node(index)
        if target is None:
            return QModelIndex()
        assert target.field is not None
        key_field = message_type_of(target.field).fields_by_name["key"]
        existing: dict[Any, Any] = pathedit.get(self._message, target.path)
        key = _fresh_key(key_field, existing)
        if key is None:
            return QModelIndex()
        pathedit.insert_entry(self._message, target.path, key)
        self._reconcile(target)
        self._emit_rows(target)
        self.messageEdited.emit()  # type: ignore[attr-defined]
        entries = self.ensure_children(target)
        found = next(c for c in entries if c.key == key and type(c.key) is type(key))
        return self.index_of(found)

    def remove_row(self, index: Index) -> bool:
        """Remove the list element or map entry at ``index``."""
        node = self.node(index)
        if node.kind not in (NodeKind.ELEMENT, NodeKind.ENTRY) or node.parent is None:
            return False
        parent = node.parent
        pathedit.remove(self._message, node.path)
        self._remove_rows(parent, node.row, node.row)
        self._emit_children(parent)
        self._emit_rows(parent)
        self.messageEdited.emit()  # type: ignore[attr-defined]
        return True

    def can_move(self, index: Index, delta: int) -> bool:
        """Whether the element at ``index`` can move by ``delta`` places."""
        node = self.node(index)
        if node.kind is not NodeKind.ELEMENT or node.parent is None:
            return False
        return 0 <= node.row + delta < len(node.parent.children or ())

    def move_element(self, index: Index, delta: int) -> QModelIndex:
        """Move the list element at ``index`` up (negative) or down by ``delta`` places.

        Returns:
            The element's new index.
        """
        if not self.can_move(index, delta):
            return QModelIndex()
        node = self.node(index)
        parent = node.parent
        assert parent is not None
        assert parent.children is not None
        src, dst = node.row, node.row + delta
        pathedit.move(self._message, node.path, dst)
        where = self.index_of(parent)
        self.beginMoveRows(where, src, src, where, dst + 1 if dst > src else dst)
        parent.children.insert(dst, parent.children.pop(src))
        renumber(parent)
        self.endMoveRows()
        relabel(parent)
        self._emit_children(parent)
        self._emit_rows(parent)
        self.messageEdited.emit()  # type: ignore[attr-defined]
        return self.index_of(node)


def _fresh_key(key_field: FieldDescriptor, existing: dict[Any, Any]) -> Any:
    """A key of the map's key type that ``existing`` does not use yet ('' , key1, 0, 1, …)."""
    cpp = key_field.cpp_type
    if cpp == FieldDescriptor.CPPTYPE_BOOL:
        return next((k for k in (False, True) if k not in existing), None)
    if cpp == FieldDescriptor.CPPTYPE_STRING:
        if "" not in existing:
            return ""
        n = 1
        while f"key{n}" in existing:
            n += 1
        return f"key{n}"
    ints = [k for k in existing if isinstance(k, int)]
    return max(ints) + 1 if ints else 0

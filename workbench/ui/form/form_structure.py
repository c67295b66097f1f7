"""The row tree of the form model and the edits that change its shape.

:class:`FormStructure` owns the :class:`~workbench.ui.form.nodes.FormNode` tree and keeps it
in step with the message: lazily creating rows, inserting/removing/moving them with paired
``begin*/end*`` calls when a list, map, oneof, presence or Any type changes, and
reconciling after the message was replaced wholesale (only rows that really changed are
touched, so expansion and selection survive). :class:`~.form_edits.FormEdits` adds the
edits that change the shape, and :class:`~.form_model.FormModel` builds on both.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterator

from google.protobuf.message import Message
from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from workbench.core.errors import RequestParseError
from workbench.core.messages.dynamic import descriptor_of
from workbench.core.messages.fieldvalues import BytesEncoding
from workbench.core.messages.paths import FieldPath, MapKey, parse_path
from workbench.ui.form.nodes import (
    FormNode,
    NodeKind,
    ValueKind,
    build_children,
    child_keys,
    make_child,
)
from workbench.ui.form.roles import Column, FormRole

__all__ = ["VALUE_ROLES", "FormStructure", "relabel", "renumber"]

logger = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex

#: Roles whose data changes when a value changes (dataChanged always names them).
VALUE_ROLES = [
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.EditRole,
    Qt.ItemDataRole.CheckStateRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.FontRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.DecorationRole,
    FormRole.ErrorRole,
    FormRole.BytesEncodingRole,
]


class FormStructure(QAbstractItemModel):
    """Base of the form model: the row tree and shape-changing edits.

    Subclasses provide the ``messageEdited`` and ``errorsChanged`` signals.
    """

    def __init__(self, message: Message, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._errors: dict[tuple[FormNode, Column], tuple[str, str]] = {}
        self._encodings: dict[FormNode, BytesEncoding] = {}
        self._adopt(message)

    def _adopt(self, message: Message) -> None:
        self._message = message
        self._root = FormNode(NodeKind.ROOT, None, root_type=descriptor_of(message))
        self._errors.clear()
        self._encodings.clear()

    def message(self) -> Message:
        """The live message the form edits (the same object, never a copy)."""
        return self._message

    # -- nodes and indexes ----------------------------------------------------------------

    def node(self, index: Index) -> FormNode:
        """The row at ``index`` (the root for an invalid index)."""
        if not index.isValid():
            return self._root
        node: FormNode = index.internalPointer()
        return node

    def index_of(self, node: FormNode, column: int = 0) -> QModelIndex:
        """The index of ``node``'s cell in ``column`` (invalid for the root)."""
        if node is self._root or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.row, column, node)

    def ensure_children(self, node: FormNode) -> list[FormNode]:
        """The rows below ``node``, created now if nobody has asked for them before.

        Creating them emits nothing: until ``rowCount`` was first answered, no view knows
        any row below ``node``, so they are not *inserted* — they were always there.
        """
        if node.children is None:
            try:
                node.children = build_children(node, self._message)
            except RequestParseError as exc:
                logger.debug("no rows below %s: %s", node, exc)
                node.children = []
        return node.children

    def find(self, path: str | FieldPath) -> QModelIndex:
        """The row at a field path (creating rows on the way), or an invalid index."""
        target = _normal(parse_path(path) if isinstance(path, str) else path)
        node = self._root
        while _normal(node.path) != target or node.kind is NodeKind.ONEOF:
            nxt = None
            for child in self.ensure_children(node):
                probe = child
                if child.kind is NodeKind.ONEOF:
                    assert child.oneof is not None
                    if target == _normal((*child.path, child.oneof.name)):
                        return self.index_of(child)
                    inner = self.ensure_children(child)
                    if not inner:
                        continue
                    probe = inner[0]
                prefix = _normal(probe.path)
                if target[: len(prefix)] == prefix:
                    nxt = child
                    break
            if nxt is None:
                return QModelIndex()
            node = nxt
        return self.index_of(node)

    def walk(self, node: FormNode | None = None) -> Iterator[FormNode]:
        """Every created row below ``node`` (default: all), depth first."""
        for child in (node or self._root).children or ():
            yield child
            yield from self.walk(child)

    # -- notifications --------------------------------------------------------------------

    def _emit_rows(self, node: FormNode, *, with_ancestors: bool = True) -> None:
        while node.parent is not None:
            self.dataChanged.emit(
                self.index_of(node, 0), self.index_of(node, len(Column) - 1), VALUE_ROLES
            )
            if not with_ancestors:
                return
            node = node.parent

    def _emit_children(self, node: FormNode) -> None:
        kids = node.children or []
        if kids:
            first, last = self.index_of(kids[0], 0), self.index_of(kids[-1], len(Column) - 1)
            self.dataChanged.emit(first, last, VALUE_ROLES)

    def _edited(self, node: FormNode, *, structure: bool = False) -> None:
        """After a write at ``node``: refresh what may have changed and tell listeners."""
        if structure:
            self._reconcile(node)
        else:
            # Clearing or setting a message changes what its rows show.
            self._reconcile_below(node)
        self._emit_rows(node)
        self.messageEdited.emit()  # type: ignore[attr-defined]

    def _reconcile_below(self, node: FormNode) -> None:
        if node.children:
            self._reconcile(node)

    # -- reconciling with the message -----------------------------------------------------

    def _reconcile(self, node: FormNode) -> None:
        """Bring the created rows below ``node`` in line with the message."""
        if node.children is None:
            return
        try:
            want = child_keys(node, self._message)
        except RequestParseError:
            want = []
        have = [c.identity() for c in node.children]
        if want != have:
            if node.value_kind is ValueKind.LIST:
                self._resize(node, len(want))
            elif node.value_kind is ValueKind.MAP:
                self._sync_entries(node, want)
            else:
                self._replace_children(node, want)
        for child in node.children:
            self._reconcile(child)
        self._emit_children(node)

    def _resize(self, node: FormNode, count: int) -> None:
        assert node.children is not None
        have = len(node.children)
        if count < have:
            self._remove_rows(node, count, have - 1)
        elif count > have:
            self.beginInsertRows(self.index_of(node), have, count - 1)
            node.children.extend(
                FormNode(NodeKind.ELEMENT, node, field=node.field, row=i)
                for i in range(have, count)
            )
            self.endInsertRows()

    def _sync_entries(self, node: FormNode, want: list[Hashable]) -> None:
        assert node.children is not None
        wanted = set(want)
        for child in reversed(list(node.children)):
            if child.identity() not in wanted:
                self._remove_rows(node, child.row, child.row)
        have = {c.identity() for c in node.children}
        missing = [k for k in want if k not in have]
        if missing:
            start = len(node.children)
            self.beginInsertRows(self.index_of(node), start, start + len(missing) - 1)
            for i, key in enumerate(missing):
                node.children.append(make_child(node, key, start + i, self._message))
            self.endInsertRows()

    def _replace_children(self, node: FormNode, want: list[Hashable]) -> None:
        assert node.children is not None
        if node.children:
            self._remove_rows(node, 0, len(node.children) - 1)
        if want:
            self.beginInsertRows(self.index_of(node), 0, len(want) - 1)
            node.children = [make_child(node, k, i, self._message) for i, k in enumerate(want)]
            self.endInsertRows()

    def _remove_rows(self, node: FormNode, first: int, last: int) -> None:
        assert node.children is not None
        self.beginRemoveRows(self.index_of(node), first, last)
        gone = node.children[first : last + 1]
        del node.children[first : last + 1]
        renumber(node)
        self.endRemoveRows()
        relabel(node)
        self._forget(gone)

    def _forget(self, nodes: list[FormNode]) -> None:
        """Drop drafts and preferences of rows that no longer exist."""
        doomed: set[FormNode] = set()
        for node in nodes:
            doomed.add(node)
            doomed.update(self.walk(node))
        self._encodings = {n: e for n, e in self._encodings.items() if n not in doomed}
        stale = [k for k in self._errors if k[0] in doomed]
        for key in stale:
            del self._errors[key]
        if stale:
            self.errorsChanged.emit()  # type: ignore[attr-defined]


def renumber(node: FormNode) -> None:
    """Give the children of ``node`` their new positions (before ``end*Rows``)."""
    for i, child in enumerate(node.children or ()):
        child.row = i


def relabel(node: FormNode) -> None:
    """Show the new positions in ``[i]`` labels (after ``end*Rows``, then dataChanged).

    While a change is announced, rows keep showing what they showed before, as views and
    the model tester expect of rows that only moved.
    """
    for child in node.children or ():
        child.label = child.row


def _normal(path: FieldPath) -> FieldPath:
    """Paths compare equal whether an int map key is written as MapKey(5) or 5."""
    return tuple(
        p.value
        if isinstance(p, MapKey) and isinstance(p.value, int) and not isinstance(p.value, bool)
        else p
        for p in path
    )

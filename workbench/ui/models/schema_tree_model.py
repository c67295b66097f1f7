"""The schema as a tree: services with their methods, then "Messages" and "Enums" groups.

A thin adapter over :class:`~workbench.core.schema.schema.Schema`: the model keeps no copy of
the descriptors beyond one node per row, and creates those nodes only when a view (or the
filter proxy) first asks for a row, so a schema with thousands of types opens instantly.
"""

from __future__ import annotations

import enum
from typing import Any, overload

from google.protobuf.descriptor import (
    Descriptor,
    EnumDescriptor,
    MethodDescriptor,
    ServiceDescriptor,
)
from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from workbench.core.schema.schema import MethodKind, Schema
from workbench.ui import resources

ModelIndex = QModelIndex | QPersistentModelIndex
#: The invalid index used as the default parent (Qt passes indexes by value; never mutated).
_NO_PARENT = QModelIndex()

#: The descriptor behind an item (``None`` for the group rows).
ItemRole = Qt.ItemDataRole.UserRole
#: The :class:`NodeKind` of an item.
KindRole = Qt.ItemDataRole.UserRole + 1
#: The full name of the item's symbol (``''`` for groups).
FullNameRole = Qt.ItemDataRole.UserRole + 2


class NodeKind(enum.Enum):
    """What a row of the tree stands for."""

    SERVICE = "service"
    METHOD = "method"
    MESSAGES = "messages"
    ENUMS = "enums"
    MESSAGE = "message"
    ENUM = "enum"

    @property
    def is_group(self) -> bool:
        """Whether rows of this kind are the "Messages"/"Enums" headings."""
        return self in (NodeKind.MESSAGES, NodeKind.ENUMS)


_METHOD_ICONS = {
    MethodKind.UNARY: "unary",
    MethodKind.SERVER_STREAMING: "server-stream",
    MethodKind.CLIENT_STREAMING: "client-stream",
    MethodKind.BIDI_STREAMING: "bidi",
}
_KIND_ICONS = {
    NodeKind.SERVICE: "service",
    NodeKind.MESSAGES: "message",
    NodeKind.MESSAGE: "message",
    NodeKind.ENUMS: "enum",
    NodeKind.ENUM: "enum",
}

Symbol = ServiceDescriptor | MethodDescriptor | Descriptor | EnumDescriptor
#: What a row is made from: its kind and its descriptor, or a group's member list.
_Spec = tuple[NodeKind, Symbol | list[Symbol]]
_GROUP_LABELS = {NodeKind.MESSAGES: "Messages", NodeKind.ENUMS: "Enums"}
_MEMBER_KIND = {NodeKind.MESSAGES: NodeKind.MESSAGE, NodeKind.ENUMS: NodeKind.ENUM}


class SchemaTreeNode:
    """One row of the tree. Child rows are materialised one at a time, on first access.

    Attributes:
        parent: the parent row (``None`` for the invisible root).
        row: the position under the parent.
        kind: what the row stands for (``None`` for the root).
        descriptor: the symbol (``None`` for the root and the group headings).
        label: the text shown.
        search: the lower-case full name the filter matches against.
    """

    __slots__ = ("_children", "_specs", "descriptor", "kind", "label", "parent", "row", "search")

    def __init__(self, parent: SchemaTreeNode | None, row: int, spec: _Spec | None) -> None:
        self.parent = parent
        self.row = row
        self.kind: NodeKind | None = None
        self.descriptor: Symbol | None = None
        self.label = ""
        self._specs: list[_Spec] = []
        if spec is not None:
            kind, payload = spec
            self.kind = kind
            if isinstance(payload, list):
                self.label = _GROUP_LABELS[kind]
                member = _MEMBER_KIND[kind]
                self._specs = [(member, d) for d in payload]
            else:
                self.descriptor = payload
                self.label = payload.name if kind is NodeKind.METHOD else payload.full_name
                if isinstance(payload, ServiceDescriptor):
                    self._specs = [(NodeKind.METHOD, m) for m in payload.methods]
        # What the filter proxy matches against: the lower-case full name.
        self.search = self.descriptor.full_name.lower() if self.descriptor is not None else ""
        self._children: list[SchemaTreeNode | None] | None = None

    @classmethod
    def root(cls, specs: list[_Spec]) -> SchemaTreeNode:
        node = cls(None, 0, None)
        node._specs = specs
        return node

    def child_count(self) -> int:
        return len(self._specs)

    def child(self, row: int) -> SchemaTreeNode:
        if self._children is None:
            self._children = [None] * len(self._specs)
        node = self._children[row]
        if node is None:
            node = SchemaTreeNode(self, row, self._specs[row])
            self._children[row] = node
        return node


class SchemaTreeModel(QAbstractItemModel):
    """A read-only, single-column tree over a :class:`Schema` (or over nothing).

    Top level: every service (full name, sorted), each with its methods in declaration order;
    then a "Messages" and an "Enums" group when the schema has any. Roles:
    ``DisplayRole`` the name, ``DecorationRole`` an icon per kind (call kind for methods),
    ``ToolTipRole`` the signature and the proto comments, :data:`ItemRole` the descriptor,
    :data:`KindRole` the :class:`NodeKind`, :data:`FullNameRole` the full name.

    The model emits only the standard model signals (a reset when the schema changes).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._schema: Schema | None = None
        self._root = SchemaTreeNode.root([])

    # -- the domain object ----------------------------------------------------------------

    @property
    def schema(self) -> Schema | None:
        """The schema shown, or ``None``."""
        return self._schema

    def set_schema(self, schema: Schema | None) -> None:
        """Show ``schema`` (``None`` empties the tree); one model reset."""
        self.beginResetModel()
        # Keep the old tree referenced until the reset ends: stale indexes point into it.
        old_root = self._root
        self._schema = schema
        self._root = SchemaTreeNode.root(_top_level(schema))
        self.endResetModel()
        del old_root

    @property
    def root_node(self) -> SchemaTreeNode:
        """The invisible root (the parent of the top-level rows), for the filter proxy."""
        return self._root

    def node_for(self, index: ModelIndex) -> SchemaTreeNode | None:
        """The node behind a valid index of this model (for the filter proxy)."""
        if not index.isValid():
            return None
        node = index.internalPointer()
        return node if isinstance(node, SchemaTreeNode) else None

    def index_of(self, full_name: str) -> QModelIndex:
        """The index of the service, method, message or enum called ``full_name``.

        Methods may be given as ``pkg.Service/Method`` or ``pkg.Service.Method``. Returns an
        invalid index when there is no such row.
        """
        wanted = full_name.strip().lstrip(".").replace("/", ".")
        for row in range(self.rowCount()):
            top = self.index(row, 0)
            node = self._node(top)
            if node.descriptor is not None:
                name = node.descriptor.full_name
                if name == wanted:
                    return top
                if not wanted.startswith(name + "."):
                    continue
            for child_row in range(node.child_count()):
                child = node.child(child_row)
                if child.descriptor is not None and child.descriptor.full_name == wanted:
                    return self.createIndex(child_row, 0, child)
        return QModelIndex()

    # -- QAbstractItemModel ---------------------------------------------------------------

    def index(  # QAbstractItemModel::index
        self, row: int, column: int, parent: ModelIndex = _NO_PARENT
    ) -> QModelIndex:
        """Implements ``QAbstractItemModel.index``."""
        if column != 0 or row < 0 or (parent.isValid() and parent.column() != 0):
            return QModelIndex()
        node = self._node(parent)
        if row >= node.child_count():
            return QModelIndex()
        return self.createIndex(row, 0, node.child(row))

    @overload
    def parent(self) -> QObject | None: ...
    @overload
    def parent(self, child: ModelIndex) -> QModelIndex: ...
    def parent(self, child: ModelIndex | None = None) -> QObject | QModelIndex | None:
        """Implements ``QAbstractItemModel.parent`` (and keeps ``QObject.parent()`` working)."""
        if child is None:
            return super().parent()
        node = self.node_for(child)
        if node is None or node.parent is None or node.parent is self._root:
            return QModelIndex()
        return self.createIndex(node.parent.row, 0, node.parent)

    def rowCount(self, parent: ModelIndex = _NO_PARENT) -> int:
        """Implements ``QAbstractItemModel.rowCount``."""
        if parent.isValid() and parent.column() != 0:
            return 0
        return self._node(parent).child_count()

    def columnCount(self, parent: ModelIndex = _NO_PARENT) -> int:
        """Implements ``QAbstractItemModel.columnCount``: one column."""
        return 1

    def hasChildren(self, parent: ModelIndex = _NO_PARENT) -> bool:
        """Implements ``QAbstractItemModel.hasChildren`` without building child rows."""
        return self.rowCount(parent) > 0

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        """Implements ``QAbstractItemModel.flags``: enabled and selectable, never editable."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Implements ``QAbstractItemModel.data`` for the roles listed on the class."""
        node = self.node_for(index)
        if node is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return node.label
        if role == Qt.ItemDataRole.DecorationRole:
            return resources.icon(_icon_name(node))
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(node)
        if role == ItemRole:
            return node.descriptor
        if role == KindRole:
            return node.kind
        if role == FullNameRole:
            return node.descriptor.full_name if node.descriptor is not None else ""
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        """Implements ``QAbstractItemModel.headerData``: one "Schema" column."""
        if (
            section == 0
            and orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
        ):
            return "Schema"
        return None

    # -- helpers --------------------------------------------------------------------------

    def _node(self, index: ModelIndex) -> SchemaTreeNode:
        return self.node_for(index) or self._root

    def _tooltip(self, node: SchemaTreeNode) -> str:
        desc = node.descriptor
        if node.kind is NodeKind.MESSAGES:
            return f"{node.child_count()} message types"
        if node.kind is NodeKind.ENUMS:
            return f"{node.child_count()} enum types"
        if desc is None:  # pragma: no cover - every other row has a descriptor
            return ""
        head = desc.full_name
        if isinstance(desc, MethodDescriptor):
            head = signature(desc)
        comments = self._schema.comments(desc).text if self._schema is not None else ""
        return f"{head}\n\n{comments}" if comments else head


def signature(method: MethodDescriptor) -> str:
    """``rpc Name(Request) returns (stream Reply)`` with full type names."""
    req = ("stream " if method.client_streaming else "") + method.input_type.full_name
    rep = ("stream " if method.server_streaming else "") + method.output_type.full_name
    return f"rpc {method.name}({req}) returns ({rep})"


def method_icon_name(method: MethodDescriptor) -> str:
    """The icon name for ``method``'s call kind ("unary", "server-stream", …)."""
    return _METHOD_ICONS[MethodKind.of(method)]


def _icon_name(node: SchemaTreeNode) -> str:
    if node.kind is NodeKind.METHOD:
        assert isinstance(node.descriptor, MethodDescriptor)
        return method_icon_name(node.descriptor)
    assert node.kind is not None
    return _KIND_ICONS[node.kind]


def _top_level(schema: Schema | None) -> list[_Spec]:
    """The root's rows: services, then the message and enum groups when not empty."""
    if schema is None:
        return []
    specs: list[_Spec] = [(NodeKind.SERVICE, s) for s in schema.services()]
    messages: list[Symbol] = list(schema.messages())
    enums: list[Symbol] = list(schema.enums())
    if messages:
        specs.append((NodeKind.MESSAGES, messages))
    if enums:
        specs.append((NodeKind.ENUMS, enums))
    return specs

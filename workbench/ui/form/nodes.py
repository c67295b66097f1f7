"""The shape of a request form: which rows exist, not what they hold.

A :class:`FormNode` is an address into the live message (a field, a list element, a map
entry, a oneof group) plus its place in the tree. Nodes hold no values: every value is read
from the message by path when it is shown. Children are created on demand (lazy), so a
recursive or very wide message costs only what is expanded.

This module is Qt-free; :mod:`workbench.ui.form.form_model` adapts it to a Qt model.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor, OneofDescriptor
from google.protobuf.message import Message

from workbench.core.errors import RequestParseError
from workbench.core.messages import pathedit
from workbench.core.messages.dynamic import descriptor_of
from workbench.core.messages.fieldvalues import message_type_of
from workbench.core.messages.paths import (
    ANY_BODY,
    FieldPath,
    MapKey,
    MapKeyValue,
    edit_message,
    is_map_field,
    read_message,
    real_oneof,
)
from workbench.core.messages.wkt_values import WellKnown, any_type_name, well_known

__all__ = ["FormNode", "NodeKind", "ValueKind", "build_children", "child_keys", "value_kind_of"]


class NodeKind(enum.Enum):
    """What a row of the form stands for."""

    ROOT = "root"
    FIELD = "field"
    ONEOF = "oneof"
    ELEMENT = "element"
    ENTRY = "entry"


class ValueKind(enum.Enum):
    """What a row's value is, which decides its editor and whether it has children."""

    MESSAGE = "message"
    ANY = "any"
    LIST = "list"
    MAP = "map"
    ONEOF = "oneof"
    SCALAR = "scalar"
    BOOL = "bool"
    ENUM = "enum"
    BYTES = "bytes"
    TIMESTAMP = "timestamp"
    DURATION = "duration"
    FIELD_MASK = "field_mask"
    JSON = "json"
    WRAPPER = "wrapper"


#: Kinds whose rows are groups of further rows.
GROUP_KINDS = frozenset(
    {ValueKind.MESSAGE, ValueKind.ANY, ValueKind.LIST, ValueKind.MAP, ValueKind.ONEOF}
)
_WKT_KINDS = {
    WellKnown.ANY: ValueKind.ANY,
    WellKnown.TIMESTAMP: ValueKind.TIMESTAMP,
    WellKnown.DURATION: ValueKind.DURATION,
    WellKnown.FIELD_MASK: ValueKind.FIELD_MASK,
    WellKnown.STRUCT: ValueKind.JSON,
    WellKnown.VALUE: ValueKind.JSON,
    WellKnown.LIST_VALUE: ValueKind.JSON,
    WellKnown.WRAPPER: ValueKind.WRAPPER,
}


def value_kind_of(field: FieldDescriptor, *, element: bool = False) -> ValueKind:
    """The kind of ``field``'s value, or of one of its elements when ``element`` is true."""
    if not element and is_map_field(field):
        return ValueKind.MAP
    if not element and field.is_repeated:
        return ValueKind.LIST
    cpp = field.cpp_type
    if cpp == FieldDescriptor.CPPTYPE_MESSAGE:
        wkt = well_known(message_type_of(field))
        return ValueKind.MESSAGE if wkt is None else _WKT_KINDS[wkt]
    if cpp == FieldDescriptor.CPPTYPE_BOOL:
        return ValueKind.BOOL
    if cpp == FieldDescriptor.CPPTYPE_ENUM:
        return ValueKind.ENUM
    if field.type == FieldDescriptor.TYPE_BYTES:
        return ValueKind.BYTES
    return ValueKind.SCALAR


class FormNode:
    """One row of the form: an address into the message, never a copy of its value.

    Attributes:
        kind: what the row stands for.
        parent: the row above (``None`` for the root).
        field: the field (FIELD), the repeated field (ELEMENT) or the map field (ENTRY).
        oneof: the oneof of a ONEOF group.
        key: the map key of an ENTRY.
        row: position among the parent's children (kept up to date by the model).
        label: the position an ELEMENT shows as ``[i]`` (follows ``row`` after a change).
        children: the rows below, or ``None`` while not created yet.
        value_kind: the kind of value this row shows.
        message_type: the message type of message-valued rows (root, messages, Any).
        any_type: for rows inside an Any, the packed type they belong to ('' elsewhere).
    """

    __slots__ = (
        "any_type",
        "children",
        "field",
        "key",
        "kind",
        "label",
        "message_type",
        "oneof",
        "parent",
        "row",
        "value_kind",
    )

    def __init__(
        self,
        kind: NodeKind,
        parent: FormNode | None,
        *,
        field: FieldDescriptor | None = None,
        oneof: OneofDescriptor | None = None,
        key: MapKeyValue = "",
        row: int = 0,
        root_type: Descriptor | None = None,
        any_type: str = "",
    ) -> None:
        self.kind = kind
        self.parent = parent
        self.field = field
        self.oneof = oneof
        self.key = key
        self.row = row
        self.label = row
        self.any_type = any_type
        self.children: list[FormNode] | None = None
        self.message_type: Descriptor | None = root_type
        if kind is NodeKind.ROOT:
            self.value_kind = ValueKind.MESSAGE
        elif kind is NodeKind.ONEOF:
            self.value_kind = ValueKind.ONEOF
        else:
            vf = self.value_field
            self.value_kind = value_kind_of(vf, element=kind is not NodeKind.FIELD)
            if vf.cpp_type == FieldDescriptor.CPPTYPE_MESSAGE and not (
                kind is NodeKind.FIELD and vf.is_repeated
            ):
                self.message_type = message_type_of(vf)

    def __repr__(self) -> str:
        return f"<FormNode {self.kind.value} {self.path!r}>"

    # -- addressing -----------------------------------------------------------------------

    @property
    def value_field(self) -> FieldDescriptor:
        """The field describing this row's value (a map's value field for entries)."""
        assert self.field is not None, "ROOT and ONEOF rows have no field"
        if self.kind is NodeKind.ENTRY:
            return message_type_of(self.field).fields_by_name["value"]
        return self.field

    @property
    def key_field(self) -> FieldDescriptor:
        """The key field of the map this ENTRY belongs to."""
        assert self.field is not None
        return message_type_of(self.field).fields_by_name["key"]

    @property
    def path(self) -> FieldPath:
        """Where this row's value lives in the message."""
        if self.kind is NodeKind.ROOT:
            return ()
        assert self.parent is not None
        if self.kind is NodeKind.ONEOF:
            return self.parent.child_base
        if self.kind is NodeKind.ELEMENT:
            return (*self.parent.path, self.row)
        if self.kind is NodeKind.ENTRY:
            return (*self.parent.path, MapKey(self.key))
        assert self.field is not None
        return (*self.parent.child_base, self.field.name)

    @property
    def child_base(self) -> FieldPath:
        """The path of the message whose fields are this row's children."""
        if self.kind is NodeKind.ONEOF:
            assert self.parent is not None
            return self.parent.child_base
        if self.value_kind is ValueKind.ANY:
            return (*self.path, ANY_BODY)
        return self.path

    @property
    def presence_field(self) -> bool:
        """Whether the row is a field with its own set/not-set state (a checkbox)."""
        field = self.field
        return (
            self.kind is NodeKind.FIELD
            and field is not None
            and not field.is_repeated
            and field.has_presence
            and real_oneof(field) is None
        )

    @property
    def in_oneof(self) -> bool:
        """Whether the row is the active field of a (real) oneof."""
        return (
            self.kind is NodeKind.FIELD
            and self.field is not None
            and (real_oneof(self.field) is not None)
        )

    def identity(self) -> Hashable:
        """What stays the same for this row while the message changes around it."""
        if self.kind is NodeKind.ONEOF:
            assert self.oneof is not None
            return ("oneof", self.oneof.name)
        if self.kind is NodeKind.ELEMENT:
            return ("index", self.row)
        if self.kind is NodeKind.ENTRY:
            return ("key", type(self.key).__name__, self.key)
        assert self.field is not None
        return ("field", self.any_type, self.field.name)


# -- children ---------------------------------------------------------------------------


def _fields_and_oneofs(desc: Descriptor) -> list[tuple[str, FieldDescriptor | OneofDescriptor]]:
    """A message's rows in declaration order; a real oneof takes the place of its first field."""
    out: list[tuple[str, FieldDescriptor | OneofDescriptor]] = []
    seen: set[str] = set()
    for field in desc.fields:
        group = real_oneof(field)
        if group is None:
            out.append(("field", field))
        elif group.name not in seen:
            seen.add(group.name)
            out.append(("oneof", group))
    return out


def _body_type(node: FormNode, root: Message) -> Descriptor | None:
    """The packed type of an Any row, if the schema knows it."""
    try:
        body = read_message(root, node.child_base)
    except RequestParseError:
        return None
    return descriptor_of(body)


def child_keys(node: FormNode, root: Message) -> list[Hashable]:
    """The identities the children of ``node`` should have for the message as it is now."""
    kind = node.value_kind
    if kind is ValueKind.LIST:
        return [("index", i) for i in range(len(pathedit.get(root, node.path)))]
    if kind is ValueKind.MAP:
        entries: dict[Any, Any] = pathedit.get(root, node.path)
        return [("key", type(k).__name__, k) for k in _sorted_keys(entries)]
    if kind is ValueKind.ONEOF:
        assert node.oneof is not None
        case = pathedit.which_oneof(root, node.child_base, node.oneof.name)
        return [] if case is None else [("field", "", case)]
    desc = _message_type_for_children(node, root)
    if desc is None:
        return []
    any_type = desc.full_name if kind is ValueKind.ANY else ""
    return [
        ("oneof", item.name) if tag == "oneof" else ("field", any_type, item.name)
        for tag, item in _fields_and_oneofs(desc)
    ]


def _message_type_for_children(node: FormNode, root: Message) -> Descriptor | None:
    if node.value_kind is ValueKind.ANY:
        if not edit_message(root, node.path, any_type_name, write=False):
            return None
        return _body_type(node, root)
    if node.value_kind is ValueKind.MESSAGE:
        return node.message_type
    return None


def _sorted_keys(entries: dict[Any, Any]) -> list[Any]:
    return sorted(entries)


def build_children(node: FormNode, root: Message) -> list[FormNode]:
    """Create the child rows of ``node`` for the message as it is now."""
    return [make_child(node, key, row, root) for row, key in enumerate(child_keys(node, root))]


def make_child(node: FormNode, key: Hashable, row: int, root: Message) -> FormNode:
    """The child row of ``node`` with identity ``key`` (see :meth:`FormNode.identity`)."""
    assert isinstance(key, tuple)
    tag = key[0]
    if tag == "index":
        return FormNode(NodeKind.ELEMENT, node, field=node.field, row=row)
    if tag == "key":
        return FormNode(NodeKind.ENTRY, node, field=node.field, key=key[2], row=row)
    if node.kind is NodeKind.ONEOF:
        assert node.oneof is not None
        field = next(f for f in node.oneof.fields if f.name == key[2])
        return FormNode(NodeKind.FIELD, node, field=field, row=row)
    desc = _message_type_for_children(node, root)
    assert desc is not None
    if tag == "oneof":
        return FormNode(NodeKind.ONEOF, node, oneof=desc.oneofs_by_name[key[1]], row=row)
    any_type = key[1]
    return FormNode(
        NodeKind.FIELD, node, field=desc.fields_by_name[key[2]], row=row, any_type=any_type
    )


def may_have_children(node: FormNode, root: Message) -> bool:
    """Whether ``node`` would have rows below it (cheap for unexpanded rows)."""
    if node.children is not None:
        return bool(node.children)
    kind = node.value_kind
    if kind is ValueKind.MESSAGE:
        return node.message_type is not None and len(node.message_type.fields) > 0
    if kind not in GROUP_KINDS:
        return False
    try:
        return bool(child_keys(node, root))
    except RequestParseError:
        return False

"""What a form row shows and how typed text goes back into the message (Qt-free).

Reading formats the value at the row's path; writing parses the text for the row's kind and
assigns it by path. Both go through :mod:`workbench.core.messages` — the same conversions the
CLI uses — so the form has no value logic of its own.
"""

from __future__ import annotations

from typing import Any, Final

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from workbench.core.errors import RequestParseError
from workbench.core.messages import pathedit
from workbench.core.messages.dynamic import descriptor_of, new_message
from workbench.core.messages.fieldvalues import (
    BytesEncoding,
    describe_type,
    format_scalar,
    int_range,
    parse_scalar,
    scalar_type_name,
)
from workbench.core.messages.paths import edit_message, format_path
from workbench.core.messages.wkt_values import (
    any_type_name,
    format_well_known,
    parse_well_known,
    set_any_type,
)
from workbench.ui.form.nodes import FormNode, NodeKind, ValueKind

__all__ = [
    "LEAF_KINDS",
    "UNSET",
    "edit_text",
    "hint",
    "is_present",
    "key_text",
    "name_text",
    "parse_key",
    "parse_text",
    "path_text",
    "reason_of",
    "set_any",
    "summary_text",
    "type_text",
    "unset_text",
    "write_text",
]

#: Kinds edited as one value in the value column.
LEAF_KINDS: Final = frozenset(
    {
        ValueKind.SCALAR,
        ValueKind.BOOL,
        ValueKind.ENUM,
        ValueKind.BYTES,
        ValueKind.TIMESTAMP,
        ValueKind.DURATION,
        ValueKind.FIELD_MASK,
        ValueKind.JSON,
        ValueKind.WRAPPER,
    }
)
_MESSAGE_LEAVES: Final = frozenset(
    {
        ValueKind.TIMESTAMP,
        ValueKind.DURATION,
        ValueKind.FIELD_MASK,
        ValueKind.JSON,
        ValueKind.WRAPPER,
    }
)
# Kinds where an empty text is a real value (''), not "unset".
_EMPTY_IS_VALUE: Final = frozenset({FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES})
_SUMMARY_CHARS: Final = 60


def name_text(node: FormNode) -> str:
    """The name column: field name, oneof name, ``[i]`` or the map key."""
    if node.kind is NodeKind.ONEOF:
        assert node.oneof is not None
        return node.oneof.name
    if node.kind is NodeKind.ELEMENT:
        return f"[{node.label}]"
    if node.kind is NodeKind.ENTRY:
        return key_text(node)
    assert node.field is not None
    return node.field.name


def key_text(node: FormNode) -> str:
    """A map entry's key as text."""
    return format_scalar(node.key_field, node.key)


def parse_key(node: FormNode, text: str) -> Any:
    """Read typed text as a key of ``node``'s map.

    Raises:
        RequestParseError: not a key of the map's key type.
    """
    return parse_scalar(node.key_field, text)


def type_text(node: FormNode, encoding: BytesEncoding | None = None, *, package: str = "") -> str:
    """The type column.

    Names in ``package`` and the well-known types are written short (``Item``, not
    ``workbench.demo.v1.Item``; ``Timestamp``); the tooltip has the full name.
    """
    if node.kind is NodeKind.ONEOF:
        return "oneof"
    if node.kind is NodeKind.ROOT:
        assert node.message_type is not None
        text = node.message_type.full_name
    elif node.kind is NodeKind.FIELD:
        text = describe_type(node.value_field)
        if node.value_field.is_required:
            text = f"required {text}"
    else:
        text = scalar_type_name(node.value_field)
    for prefix in (package, "google.protobuf"):
        if prefix:
            text = text.replace(f"{prefix}.", "")
    if node.value_kind is ValueKind.BYTES and encoding is not None:
        text += f" · {encoding.value}"
    return text


def is_present(root: Message, node: FormNode) -> bool:
    """Whether the row's value is set (rows without presence count as set)."""
    if node.kind is NodeKind.FIELD and (node.presence_field or node.in_oneof):
        return pathedit.has(root, node.path)
    return True


def unset_text(node: FormNode) -> str:
    """What an unset field shows: ``not set``, with its proto2 default when it has one."""
    field = node.value_field
    if field.has_default_value and field.cpp_type != FieldDescriptor.CPPTYPE_MESSAGE:
        return f"not set (default {format_scalar(field, field.default_value)})"
    return "not set"


def edit_text(root: Message, node: FormNode, encoding: BytesEncoding) -> str:
    """The text a leaf row is edited as ('' for unset rows with presence)."""
    if node.presence_field and not pathedit.has(root, node.path):
        return ""
    value = pathedit.get(root, node.path)
    if node.value_kind in _MESSAGE_LEAVES:
        return format_well_known(value, bytes_encoding=encoding)
    return format_scalar(node.value_field, value, bytes_encoding=encoding)


def summary_text(root: Message, node: FormNode) -> str:
    """The value column of a group row: a short preview of what it holds."""
    kind = node.value_kind
    if kind is ValueKind.ONEOF:
        assert node.oneof is not None
        case = pathedit.which_oneof(root, node.child_base, node.oneof.name)
        return case if case is not None else "(none)"
    if not is_present(root, node):
        return "not set"
    value = pathedit.get(root, node.path)
    if kind is ValueKind.LIST:
        count = len(value)
        return f"[{count} item{'s' if count != 1 else ''}]" if count else "[ ]"
    if kind is ValueKind.MAP:
        count = len(value)
        return f"{{{count} entr{'ies' if count != 1 else 'y'}}}" if count else "{ }"
    if kind is ValueKind.ANY:
        name = any_type_name(value)
        return name or "empty: pick a type"
    return _preview(value)


def _preview(msg: Message) -> str:
    parts: list[str] = []
    for field, value in msg.ListFields():
        if field.is_repeated:
            parts.append(f"{field.name}: [{len(value)}]")
        elif field.cpp_type == FieldDescriptor.CPPTYPE_MESSAGE:
            parts.append(f"{field.name}: {{…}}")
        elif field.type == FieldDescriptor.TYPE_STRING:
            parts.append(f'{field.name}: "{value}"')
        else:
            parts.append(f"{field.name}: {format_scalar(field, value)}")
        if sum(len(p) + 2 for p in parts) > _SUMMARY_CHARS:
            break
    text = ", ".join(parts)
    if len(text) > _SUMMARY_CHARS:
        text = text[: _SUMMARY_CHARS - 1] + "…"
    return f"{{{text}}}" if text else "{ }"


def hint(node: FormNode) -> str:
    """What a leaf row accepts, for placeholders and tooltips."""
    kind = node.value_kind
    field = node.value_field if node.field is not None else None
    if kind is ValueKind.WRAPPER and field is not None and node.message_type is not None:
        field = node.message_type.fields_by_name["value"]
    hints = {
        ValueKind.TIMESTAMP: "RFC 3339 time, e.g. 2024-05-01T12:00:00Z",
        ValueKind.DURATION: "e.g. 1.5s, 1m30s, 250ms",
        ValueKind.FIELD_MASK: "field paths, e.g. user.name, user.email",
        ValueKind.JSON: 'JSON, e.g. {"key": "value"}',
        ValueKind.ENUM: "a value name or number",
        ValueKind.BYTES: "bytes as base64, hex or UTF-8 text",
    }
    if kind in hints:
        return hints[kind]
    if field is None:
        return ""
    cpp = field.cpp_type
    if cpp in (FieldDescriptor.CPPTYPE_FLOAT, FieldDescriptor.CPPTYPE_DOUBLE):
        return f"{scalar_type_name(field)}: a number, nan, inf or -inf"
    try:
        lo, hi = int_range(field)
    except ValueError:
        return scalar_type_name(field)
    return f"{scalar_type_name(field)}: {lo} … {hi}"


#: What :func:`parse_text` returns when the text means "unset this field".
UNSET: Final = object()


def parse_text(node: FormNode, text: str, encoding: BytesEncoding) -> Any:
    """The value ``text`` stands for in the leaf row ``node`` (nothing is written).

    An empty text means :data:`UNSET` for rows with presence whose type has no empty value
    (numbers, enums, times…); for strings and bytes it is the empty value.

    Raises:
        RequestParseError: the text is not a valid value. The error carries no path: the
            row shows it, and the caller adds the path for summaries.
    """
    if node.presence_field and not text.strip() and not _empty_is_value(node):
        return UNSET
    if node.value_kind in _MESSAGE_LEAVES:
        assert node.message_type is not None
        value: Any = new_message(node.message_type)
        parse_well_known(value, text, bytes_encoding=encoding)
        return value
    return parse_scalar(node.value_field, text, bytes_encoding=encoding)


def write_text(root: Message, node: FormNode, text: str, encoding: BytesEncoding) -> None:
    """Parse ``text`` for the leaf row ``node`` and assign it in ``root``.

    Raises:
        RequestParseError: the text is not a valid value; ``root`` is unchanged.
    """
    value = parse_text(node, text, encoding)
    if value is UNSET:
        pathedit.clear(root, node.path)
    else:
        pathedit.set_value(root, node.path, value)


def reason_of(exc: RequestParseError) -> str:
    """The error's text without the path prefix (the row it is shown on names the field)."""
    prefix = f"{exc.path}: "
    text = exc.message
    return text[len(prefix) :] if exc.path and text.startswith(prefix) else text


def _empty_is_value(node: FormNode) -> bool:
    field = node.value_field
    if node.value_kind is ValueKind.WRAPPER and node.message_type is not None:
        field = node.message_type.fields_by_name["value"]
    return field.type in _EMPTY_IS_VALUE


def set_any(root: Message, node: FormNode, type_name: str) -> bool:
    """Make the Any at ``node`` hold an empty ``type_name`` ('' empties it).

    Returns:
        Whether anything changed (choosing the type it already holds keeps its content).

    Raises:
        RequestParseError: the schema has no message called ``type_name``.
    """
    name = type_name.strip()
    current = edit_message(root, node.path, any_type_name, write=False)
    if name == current:
        return False
    desc = None
    if name:
        pool = descriptor_of(root).file.pool
        try:
            desc = pool.FindMessageTypeByName(name)
        except KeyError:
            raise RequestParseError(f"no message type {name!r} in the schema") from None
    edit_message(root, node.path, lambda any_msg: set_any_type(any_msg, desc))
    return True


def path_text(node: FormNode) -> str:
    """The row's path as text, for messages and tooltips."""
    path = node.path
    if node.kind is NodeKind.ONEOF:
        assert node.oneof is not None
        path = (*path, node.oneof.name)
    return format_path(path) or "(request)"

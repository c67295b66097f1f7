"""Example requests: every field filled with a placeholder of its type (grpcurl's MakeTemplate).

The GUI's "Reset to example" and ``call --describe-request`` show the shape of a message
before the user has typed anything, so the example must show *every* field a user can set:

* scalars hold their zero value (``""``, ``0``, ``false``, empty bytes); enums their first
  non-zero value, so the example does not suggest sending ``*_UNSPECIFIED``;
* repeated fields hold one element, maps one entry (string keys are ``"key"``);
* nested messages are filled down to ``max_depth`` levels; below that they stay unset, which
  is also what stops recursive types;
* of each oneof only the first case that can be filled is set (a proto3 ``optional`` field is a
  oneof of one, so it is always set);
* well-known types hold sensible values (a fixed timestamp, ``1s``, ``{"key": "value"}``) at
  any depth, since in JSON they are leaves; ``Any`` is left unset, as no type can be guessed.

Zero scalars are only visible in JSON with defaults emitted, so :func:`example_dict` and
:func:`example_json` emit them. The output is deterministic.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final

from google.protobuf import descriptor_pool
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from workbench.core.messages import wkt
from workbench.core.messages.codec import to_dict
from workbench.core.messages.dynamic import descriptor_of, new_message
from workbench.core.messages.fieldpath import is_map_field, map_entry_fields

__all__ = ["EXAMPLE_TIMESTAMP", "example_dict", "example_json", "example_message"]

EXAMPLE_TIMESTAMP: Final = "2026-01-01T00:00:00Z"
_EXAMPLE_SECONDS: Final = 1767225600  # EXAMPLE_TIMESTAMP as Unix seconds

FD = FieldDescriptor


def _fill_timestamp(msg: Any) -> None:
    msg.seconds = _EXAMPLE_SECONDS


def _fill_duration(msg: Any) -> None:
    msg.seconds = 1


def _fill_struct(msg: Any) -> None:
    msg.fields["key"].string_value = "value"


def _fill_value(msg: Any) -> None:
    msg.string_value = "value"


def _fill_list_value(msg: Any) -> None:
    msg.values.add().string_value = "value"


def _fill_empty(msg: Any) -> None:
    msg.SetInParent()


# Leaves in JSON: filled whatever the depth. Wrappers are handled generically below.
_LEAF_FILLERS: Final[dict[str, Callable[[Any], None]]] = {
    "google.protobuf.Timestamp": _fill_timestamp,
    "google.protobuf.Duration": _fill_duration,
    "google.protobuf.FieldMask": _fill_empty,
    "google.protobuf.Empty": _fill_empty,
    wkt.STRUCT: _fill_struct,
    wkt.VALUE: _fill_value,
    wkt.LIST_VALUE: _fill_list_value,
}


def example_message(desc: Descriptor, *, max_depth: int = 3) -> Message:
    """A message of type ``desc`` with every field set to a placeholder.

    Args:
        desc: the message type.
        max_depth: how many levels of nested messages to fill; deeper message fields (and
            so the tail of recursive types) stay unset. ``0`` fills only the top level.

    Returns:
        A new message; the same for the same arguments.
    """
    msg = new_message(desc)
    _Filler(max_depth).fill(msg, 0)
    return msg


def example_dict(
    desc: Descriptor,
    pool: descriptor_pool.DescriptorPool | None = None,
    *,
    max_depth: int = 3,
    original_names: bool = False,
) -> Any:
    """The JSON value of :func:`example_message`, with zero-valued fields included."""
    msg = example_message(desc, max_depth=max_depth)
    return to_dict(msg, pool=pool, emit_defaults=True, original_names=original_names)


def example_json(
    desc: Descriptor,
    pool: descriptor_pool.DescriptorPool | None = None,
    *,
    max_depth: int = 3,
    indent: int | None = 2,
    original_names: bool = False,
) -> str:
    """:func:`example_dict` as JSON text; it parses back with ``codec.parse_json``."""
    value = example_dict(desc, pool, max_depth=max_depth, original_names=original_names)
    separators = (",", ": ") if indent is not None else (",", ":")
    return json.dumps(value, indent=indent, ensure_ascii=False, separators=separators)


class _Filler:
    def __init__(self, max_depth: int) -> None:
        self.max_depth = max_depth

    def can_fill(self, desc: Descriptor, depth: int) -> bool:
        """Whether a message field of type ``desc`` at ``depth`` gets a value."""
        if desc.full_name == wkt.ANY:
            return False
        if desc.full_name in _LEAF_FILLERS or desc.full_name in wkt.WRAPPERS:
            return True
        return depth <= self.max_depth

    def fill(self, msg: Message, depth: int) -> None:
        desc = descriptor_of(msg)
        leaf = _LEAF_FILLERS.get(desc.full_name)
        if leaf is not None:
            leaf(msg)
            return
        if desc.full_name in wkt.WRAPPERS:
            msg.SetInParent()  # the wrapped zero value is the example
            return
        oneofs_done: set[str] = set()
        for field in desc.fields:
            oneof = field.containing_oneof
            if oneof is not None:
                if oneof.name in oneofs_done or not self.fillable(field, depth):
                    continue
                oneofs_done.add(oneof.name)
            self.fill_field(msg, field, depth)

    def fillable(self, field: FieldDescriptor, depth: int) -> bool:
        return field.message_type is None or self.can_fill(field.message_type, depth + 1)

    def fill_field(self, msg: Message, field: FieldDescriptor, depth: int) -> None:
        target: Any = getattr(msg, field.name)
        if is_map_field(field):
            key_field, value_field = map_entry_fields(field)
            key = _example_scalar(key_field)
            if key_field.cpp_type == FD.CPPTYPE_STRING:
                key = "key"
            if value_field.message_type is None:
                target[key] = _example_scalar(value_field)
            elif self.can_fill(value_field.message_type, depth + 1):
                self.fill(target[key], depth + 1)
        elif field.is_repeated:
            if field.message_type is None:
                target.append(_example_scalar(field))
            elif self.can_fill(field.message_type, depth + 1):
                self.fill(target.add(), depth + 1)
        elif field.message_type is not None:
            if self.can_fill(field.message_type, depth + 1):
                target.SetInParent()
                self.fill(target, depth + 1)
        else:
            setattr(msg, field.name, _example_scalar(field))


def _example_scalar(field: FieldDescriptor) -> Any:
    cpp = field.cpp_type
    if cpp == FD.CPPTYPE_ENUM and field.enum_type is not None:
        values = field.enum_type.values
        return next((v.number for v in values if v.number != 0), values[0].number)
    if cpp == FD.CPPTYPE_STRING:
        return b"" if field.type == FD.TYPE_BYTES else ""
    if cpp == FD.CPPTYPE_BOOL:
        return False
    if cpp in (FD.CPPTYPE_FLOAT, FD.CPPTYPE_DOUBLE):
        return 0.0
    return 0

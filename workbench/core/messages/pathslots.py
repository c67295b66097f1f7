"""Where a field path ends, for the edit operations of :mod:`.pathedit`.

A path ending in a field name, a list index or a map key is resolved to a :class:`Slot`:
the message holding the field, the field, and which element or entry. Every
:mod:`.pathedit` operation is a small function of a slot; this module does the resolving
(through Any bodies too) and the checked assignment.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from workbench.core.messages.fieldvalues import message_type_of
from workbench.core.messages.paths import (
    ANY_BODY,
    FieldPath,
    FieldPathError,
    MapKeyValue,
    edit_message,
    field_of,
    format_path,
    is_map_field,
    is_message_field,
    map_key,
)

__all__ = ["Slot", "SlotKind", "assign", "on_whole", "setitem", "with_slot"]

T = TypeVar("T")


class SlotKind(enum.Enum):
    """What a path ends in."""

    FIELD = "field"
    ELEMENT = "element"
    ENTRY = "entry"


@dataclass
class Slot:
    """Where a path ends: a field of ``msg``, or one element/entry of it."""

    msg: Message
    field: FieldDescriptor
    kind: SlotKind
    index: int = 0
    key: MapKeyValue = ""
    path: FieldPath = ()

    @property
    def container(self) -> Any:
        """The field's live value: a scalar, a message, or a repeated/map container."""
        return getattr(self.msg, self.field.name)

    @property
    def value_field(self) -> FieldDescriptor:
        """The field describing one value: the map's value field, else the field itself."""
        if self.kind is SlotKind.ENTRY or (
            self.kind is SlotKind.FIELD and is_map_field(self.field)
        ):
            return message_type_of(self.field).fields_by_name["value"]
        return self.field

    def error(self, text: str) -> FieldPathError:
        """An error about this slot, carrying its path."""
        return FieldPathError(text, path=format_path(self.path))


def with_slot(root: Message, path: FieldPath, fn: Callable[[Slot], T], *, write: bool) -> T:
    """Resolve ``path`` to a slot and return ``fn(slot)`` (packing Any bodies back on write).

    Raises:
        FieldPathError: the path names the root or an Any body, or does not fit.
    """
    if not path or path[-1] is ANY_BODY:
        raise FieldPathError("names a whole message, not a field", path=format_path(path))
    last = path[-1]
    if isinstance(last, str):
        msg_path, name, tail = path[:-1], last, None
    else:
        if len(path) < 2 or not isinstance(path[-2], str):
            raise FieldPathError("an index or key must follow a field", path=format_path(path))
        msg_path, name, tail = path[:-2], path[-2], last

    def on_msg(msg: Message) -> T:
        field = field_of(msg, name, path=msg_path)
        if tail is None:
            return fn(Slot(msg, field, SlotKind.FIELD, path=path))
        if is_map_field(field):
            key_field = message_type_of(field).fields_by_name["key"]
            key = map_key(key_field, tail, path=path)
            return fn(Slot(msg, field, SlotKind.ENTRY, key=key, path=path))
        if not field.is_repeated or not isinstance(tail, int) or isinstance(tail, bool):
            raise FieldPathError("only lists take an index", path=format_path(path))
        slot = Slot(msg, field, SlotKind.ELEMENT, index=tail, path=path)
        if not 0 <= tail < len(slot.container):
            raise slot.error(f"index out of range (the list has {len(slot.container)} elements)")
        return fn(slot)

    return edit_message(root, msg_path, on_msg, write=write)


def on_whole(
    root: Message, path: FieldPath, fn: Callable[[Message], T], *, write: bool
) -> T | None:
    """Apply ``fn`` to the root or an Any body when ``path`` names one, else return None."""
    if not path or path[-1] is ANY_BODY:
        return edit_message(root, path, fn, write=write)
    return None


def assign(
    slot: Slot, target: Callable[[], Any], value: Any, setter: Callable[[Any], None]
) -> None:
    """Assign ``value`` to ``slot``, turning protobuf's type errors into path errors.

    Args:
        slot: where the value goes.
        target: returns the live message to copy into (called for message values only).
        value: the value; a message for message fields.
        setter: stores a scalar value.

    Raises:
        FieldPathError: the value does not fit the field.
    """
    try:
        if is_message_field(slot.value_field):
            if not isinstance(value, Message):
                raise slot.error(f"expected a message, got {type(value).__name__}")
            target().CopyFrom(value)
        else:
            setter(value)
    except (TypeError, ValueError) as exc:
        raise slot.error(f"cannot hold {value!r}: {exc}") from None


def setitem(container: Any, where: Any) -> Callable[[Any], None]:
    """A setter that stores a value at ``container[where]`` (for :func:`assign`)."""

    def store(value: Any) -> None:
        container[where] = value

    return store

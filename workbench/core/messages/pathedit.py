"""Read and edit a live message by field path, in place.

Every function takes the root message and a :data:`~.paths.FieldPath`; the form editor and
the JSON editor both edit the request through these, so there is one message and no copy.
A path names one of:

* the root (``()``) or the body of an Any (ends in :data:`~.paths.ANY_BODY`);
* a field (ends in a name): scalar, message, repeated or map;
* a list element (ends in an index) or a map entry's value (ends in a key).

Values are Python values as protobuf holds them (ints, floats, bools, str, bytes, enum
numbers, messages). Errors are :class:`~.paths.FieldPathError` naming the path.
"""

from __future__ import annotations

import functools
from typing import Any

from google.protobuf.message import Message

from workbench.core.messages.dynamic import descriptor_of, new_message
from workbench.core.messages.fieldvalues import default_scalar, message_type_of
from workbench.core.messages.paths import (
    ANY_BODY,
    FieldPath,
    FieldPathError,
    MapKeyValue,
    edit_message,
    format_path,
    is_map_field,
    is_message_field,
    map_key,
)
from workbench.core.messages.pathslots import (
    Slot,
    SlotKind,
    assign,
    on_whole,
    setitem,
    with_slot,
)
from workbench.core.messages.wkt_values import any_type_name, pack_any

__all__ = [
    "append",
    "clear",
    "get",
    "has",
    "insert",
    "insert_entry",
    "move",
    "remove",
    "rename_key",
    "set_oneof_case",
    "set_present",
    "set_value",
    "which_oneof",
]


# -- reading ----------------------------------------------------------------------------


def get(root: Message, path: FieldPath) -> Any:
    """The value at ``path``.

    Messages come back live when the path crosses no Any (treat them as read-only; edit
    through this module). Repeated fields come back as a list, maps as a dict.

    Raises:
        FieldPathError: the path does not fit the message.
    """
    if not path or path[-1] is ANY_BODY:
        return on_whole(root, path, lambda m: m, write=False)

    def read(slot: Slot) -> Any:
        container = slot.container
        if slot.kind is SlotKind.ELEMENT:
            return container[slot.index]
        if slot.kind is SlotKind.ENTRY:
            if slot.key not in container:
                raise slot.error("no such map entry")
            return container[slot.key]
        if is_map_field(slot.field):
            return dict(container)
        return list(container) if slot.field.is_repeated else container

    return with_slot(root, path, read, write=False)


def has(root: Message, path: FieldPath) -> bool:
    """Whether the value at ``path`` is present.

    Fields with presence answer ``HasField``; lists and maps whether they are non-empty;
    fields without presence whether they differ from their default; elements and entries
    whether they exist; an Any body whether the Any names a type.
    """
    if not path:
        return True
    if path[-1] is ANY_BODY:
        return bool(edit_message(root, path[:-1], any_type_name, write=False))

    def check(slot: Slot) -> bool:
        container = slot.container
        if slot.kind is SlotKind.ELEMENT:
            return True
        if slot.kind is SlotKind.ENTRY:
            return slot.key in container
        if slot.field.is_repeated:
            return len(container) > 0
        if slot.field.has_presence:
            return slot.msg.HasField(slot.field.name)
        return bool(container != default_scalar(slot.field))

    return with_slot(root, path, check, write=False)


def which_oneof(root: Message, msg_path: FieldPath, oneof: str) -> str | None:
    """The name of the field set in the oneof ``oneof`` of the message at ``msg_path``."""

    def case(msg: Message) -> str | None:
        name: str | None = msg.WhichOneof(oneof)
        return name

    return edit_message(root, msg_path, case, write=False)


# -- writing ----------------------------------------------------------------------------


def set_value(root: Message, path: FieldPath, value: Any) -> None:
    """Assign ``value`` at ``path`` (messages are copied; lists and maps replaced whole).

    Raises:
        FieldPathError: the path does not fit, or the value does not fit the field.
    """
    if not path:
        root.CopyFrom(value)
        return
    if path[-1] is ANY_BODY:
        edit_message(root, path[:-1], lambda any_msg: pack_any(any_msg, value))
        return

    def write(slot: Slot) -> None:
        container = slot.container
        if slot.kind is SlotKind.ELEMENT:
            assign(slot, lambda: container[slot.index], value, setitem(container, slot.index))
        elif slot.kind is SlotKind.ENTRY:
            assign(slot, lambda: container[slot.key], value, setitem(container, slot.key))
        elif is_map_field(slot.field):
            _replace_map(slot, value)
        elif slot.field.is_repeated:
            _replace_list(slot, value)
        else:
            assign(
                slot,
                lambda: container,
                value,
                lambda v: setattr(slot.msg, slot.field.name, v),
            )

    with_slot(root, path, write, write=True)


def _replace_list(slot: Slot, values: Any) -> None:
    slot.msg.ClearField(slot.field.name)
    container = slot.container
    # Scalar lists have no add(); assign only calls the target for messages.
    add = container.add if is_message_field(slot.field) else list
    for value in values:
        assign(slot, add, value, container.append)


def _replace_map(slot: Slot, values: Any) -> None:
    slot.msg.ClearField(slot.field.name)
    container = slot.container
    key_field = message_type_of(slot.field).fields_by_name["key"]
    for raw_key, value in dict(values).items():
        key = map_key(key_field, raw_key, path=slot.path)
        assign(slot, functools.partial(container.__getitem__, key), value, setitem(container, key))


def clear(root: Message, path: FieldPath) -> None:
    """Reset the value at ``path``: clear a field, zero an element or an entry's value."""
    if not path or path[-1] is ANY_BODY:
        on_whole(root, path, lambda m: m.Clear(), write=True)
        return

    def reset(slot: Slot) -> None:
        container = slot.container
        if slot.kind is SlotKind.FIELD:
            slot.msg.ClearField(slot.field.name)
            return
        where: Any = slot.index if slot.kind is SlotKind.ELEMENT else slot.key
        if is_message_field(slot.value_field):
            container[where].Clear()
        else:
            container[where] = default_scalar(slot.value_field)

    with_slot(root, path, reset, write=True)


def set_present(root: Message, path: FieldPath) -> None:
    """Mark a field with presence as set, keeping its value (a no-op for other paths)."""

    def mark(slot: Slot) -> None:
        if slot.kind is not SlotKind.FIELD or slot.field.is_repeated:
            return
        if is_message_field(slot.field):
            slot.container.SetInParent()
        elif slot.field.has_presence:
            setattr(slot.msg, slot.field.name, slot.container)

    with_slot(root, path, mark, write=True)


def append(root: Message, path: FieldPath, value: Any = None) -> int:
    """Append ``value`` (a default element when ``None``) to the list at ``path``.

    Returns:
        The index of the new element.
    """
    return insert(root, path, None, value)


def insert(root: Message, path: FieldPath, index: int | None, value: Any = None) -> int:
    """Insert ``value`` (a default element when ``None``) before ``index`` (``None``: at the end).

    Returns:
        The index of the new element.
    """

    def put(slot: Slot) -> int:
        if (
            slot.kind is not SlotKind.FIELD
            or not slot.field.is_repeated
            or is_map_field(slot.field)
        ):
            raise slot.error("is not a list")
        container = slot.container
        at = len(container) if index is None else max(0, min(index, len(container)))
        if is_message_field(slot.field):
            element = value if value is not None else new_message(message_type_of(slot.field))
            if not isinstance(element, Message):
                raise slot.error(f"expected a message, got {type(element).__name__}")
            container.insert(at, element)
        else:
            element = value if value is not None else default_scalar(slot.field)
            try:
                container.insert(at, element)
            except (TypeError, ValueError) as exc:
                raise slot.error(f"cannot hold {element!r}: {exc}") from None
        return at

    return with_slot(root, path, put, write=True)


def remove(root: Message, path: FieldPath) -> None:
    """Delete the list element or map entry at ``path``."""

    def delete(slot: Slot) -> None:
        if slot.kind is SlotKind.FIELD:
            raise slot.error("is a field, not a list element or map entry")
        container = slot.container
        if slot.kind is SlotKind.ENTRY:
            if slot.key not in container:
                raise slot.error("no such map entry")
            del container[slot.key]
        else:
            del container[slot.index]

    with_slot(root, path, delete, write=True)


def move(root: Message, path: FieldPath, to_index: int) -> None:
    """Move the list element at ``path`` so that it ends up at ``to_index``."""

    def shift(slot: Slot) -> None:
        if slot.kind is not SlotKind.ELEMENT:
            raise slot.error("is not a list element")
        container = slot.container
        if not 0 <= to_index < len(container):
            raise slot.error(f"cannot move to index {to_index} of {len(container)}")
        if is_message_field(slot.field):
            element = new_message(message_type_of(slot.field))
            element.CopyFrom(container[slot.index])
        else:
            element = container[slot.index]
        del container[slot.index]
        container.insert(to_index, element)

    with_slot(root, path, shift, write=True)


def insert_entry(root: Message, path: FieldPath, key: MapKeyValue, value: Any = None) -> None:
    """Add the entry ``key`` (with a default value when ``value`` is ``None``) to a map.

    Raises:
        FieldPathError: ``path`` is not a map, the key has the wrong type or already exists.
    """

    def put(slot: Slot) -> None:
        if slot.kind is not SlotKind.FIELD or not is_map_field(slot.field):
            raise slot.error("is not a map")
        key_field = message_type_of(slot.field).fields_by_name["key"]
        real = map_key(key_field, key, path=slot.path)
        container = slot.container
        if real in container:
            raise slot.error(f"the map already has the key {real!r}")
        entry = Slot(slot.msg, slot.field, SlotKind.ENTRY, key=real, path=slot.path)
        if value is None:
            clear_value: Any = (
                None if is_message_field(entry.value_field) else default_scalar(entry.value_field)
            )
            if clear_value is None:
                container[real].SetInParent()
            else:
                container[real] = clear_value
        else:
            assign(entry, lambda: container[real], value, setitem(container, real))

    with_slot(root, path, put, write=True)


def rename_key(root: Message, path: FieldPath, new_key: MapKeyValue) -> None:
    """Give the map entry at ``path`` the key ``new_key``, keeping its value.

    Raises:
        FieldPathError: no such entry, a key of the wrong type, or ``new_key`` is taken.
    """

    def rename(slot: Slot) -> None:
        if slot.kind is not SlotKind.ENTRY:
            raise slot.error("is not a map entry")
        key_field = message_type_of(slot.field).fields_by_name["key"]
        real = map_key(key_field, new_key, path=slot.path)
        container = slot.container
        if slot.key not in container:
            raise slot.error("no such map entry")
        if real == slot.key and type(real) is type(slot.key):
            return
        if real in container:
            raise slot.error(f"the map already has the key {real!r}")
        if is_message_field(slot.value_field):
            value = new_message(message_type_of(slot.value_field))
            value.CopyFrom(container[slot.key])
            del container[slot.key]
            container[real].CopyFrom(value)
        else:
            old = container[slot.key]
            del container[slot.key]
            container[real] = old

    with_slot(root, path, rename, write=True)


def set_oneof_case(root: Message, msg_path: FieldPath, oneof: str, case: str | None) -> None:
    """Make ``case`` the field set in the oneof ``oneof`` (``None`` clears the oneof).

    Switching sets the new field to its default value (an empty message for message fields);
    choosing the case already set keeps its value.

    Raises:
        FieldPathError: no such oneof, or ``case`` is not one of its fields.
    """

    def switch(msg: Message) -> None:
        desc = descriptor_of(msg)
        group = desc.oneofs_by_name.get(oneof)
        if group is None:
            raise FieldPathError(
                f"{desc.full_name} has no oneof {oneof!r}", path=format_path(msg_path)
            )
        if case is None:
            msg.ClearField(oneof)
            return
        field = next((f for f in group.fields if f.name == case), None)
        if field is None:
            raise FieldPathError(
                f"{case!r} is not a field of the oneof {oneof}", path=format_path(msg_path)
            )
        if msg.WhichOneof(oneof) == case:
            return
        if is_message_field(field):
            getattr(msg, case).SetInParent()
        else:
            setattr(msg, case, default_scalar(field))

    edit_message(root, msg_path, switch)

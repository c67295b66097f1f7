"""Decoded JSON → message, walking the descriptor so every error carries its field path.

``json_format.ParseDict`` reports failures as free text with a path of its own making; the
form editor needs the exact path (``items[2].price.units``) to put the message next to the
right widget, so the reader walks JSON and descriptor side by side itself. The leaf
conversions live in :mod:`workbench.core.messages.scalars`.
"""

from __future__ import annotations

import difflib
import functools
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from google.protobuf import descriptor_pool
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from workbench.core.errors import RequestParseError
from workbench.core.messages import wkt
from workbench.core.messages.dynamic import descriptor_of, new_message
from workbench.core.messages.fieldpath import (
    field_path,
    index_path,
    is_map_field,
    key_path,
    map_entry_fields,
)
from workbench.core.messages.jsontext import JsonObject, describe
from workbench.core.messages.scalars import SKIP, read_map_key, read_scalar

__all__ = ["MAX_DEPTH", "read_message"]

MAX_DEPTH = 100  # the nesting limit protobuf's own parsers use
_NULL_VALUE = "google.protobuf.NullValue"

_STRING_WKT_EXAMPLES = {
    "google.protobuf.Timestamp": 'an RFC 3339 string such as "2026-01-01T00:00:00Z"',
    "google.protobuf.Duration": 'a string of seconds such as "1.5s"',
    "google.protobuf.FieldMask": 'comma-separated camelCase paths such as "user.displayName,id"',
}


def read_message(
    value: Any,
    desc: Descriptor,
    *,
    pool: descriptor_pool.DescriptorPool,
    path: str = "",
    ignore_unknown: bool = False,
) -> Message:
    """Build a message of type ``desc`` from a decoded JSON value.

    Args:
        value: the JSON value (objects may be plain dicts or :class:`JsonObject`).
        desc: the message type.
        pool: the pool used to resolve ``Any`` type URLs.
        path: prefix for error paths (e.g. ``[3]`` for the fourth message of a stream).
        ignore_unknown: skip unknown fields and unknown enum names instead of failing.

    Raises:
        RequestParseError: the value does not fit the type; ``path`` names the field.
    """
    msg = new_message(desc)
    _Reader(pool, ignore_unknown).message(value, msg, path, 0)
    return msg


@functools.lru_cache(maxsize=4096)
def _field_index(desc: Descriptor) -> dict[str, FieldDescriptor]:
    index: dict[str, FieldDescriptor] = {f.json_name: f for f in desc.fields}
    index.update((f.name, f) for f in desc.fields)  # the proto name wins a (rare) clash
    return index


class _Reader:
    def __init__(self, pool: descriptor_pool.DescriptorPool, ignore_unknown: bool) -> None:
        self.pool = pool
        self.ignore_unknown = ignore_unknown

    # -- messages ---------------------------------------------------------------------

    def message(self, value: Any, msg: Message, path: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise RequestParseError(f"messages nested more than {MAX_DEPTH} levels", path=path)
        full = descriptor_of(msg).full_name
        if full in wkt.WRAPPERS:
            self.scalar(value, msg, descriptor_of(msg).fields_by_name["value"], path)
        elif full in wkt.STRING_WKTS:
            self.string_wkt(value, msg, path)
        elif full == wkt.STRUCT:
            self.struct(value, msg, path, depth)
        elif full == wkt.VALUE:
            self.value(value, msg, path, depth)
        elif full == wkt.LIST_VALUE:
            self.list_value(value, msg, path, depth)
        elif full == wkt.ANY:
            self.any(value, msg, path, depth)
        else:
            self.fields(self.object(value, path, f"message {full}", field_path), msg, path, depth)

    def object(
        self, value: Any, path: str, what: str, sub: Callable[[str, str], str]
    ) -> dict[str, Any]:
        """``value`` as a dict, rejecting non-objects and keys given twice."""
        if not isinstance(value, dict):
            raise RequestParseError(
                f"expected {what} (a JSON object), got {describe(value)}", path=path
            )
        if isinstance(value, JsonObject) and value.duplicates:
            key = value.duplicates[0]
            raise RequestParseError(f'key "{key}" appears more than once', path=sub(path, key))
        return value

    def fields(self, obj: dict[str, Any], msg: Message, path: str, depth: int) -> None:
        desc = descriptor_of(msg)
        index = _field_index(desc)
        seen: dict[int, str] = {}
        oneofs: dict[str, str] = {}
        for key, item in obj.items():
            field = index.get(key)
            if field is None:
                if self.ignore_unknown:
                    continue
                raise _unknown_field(desc, key, path)
            fpath = field_path(path, field.name)
            if field.number in seen:
                raise RequestParseError(
                    f'field given twice, as "{seen[field.number]}" and as "{key}"', path=fpath
                )
            seen[field.number] = key
            if item is None:
                self.null(msg, field)
                continue
            oneof = field.containing_oneof
            if oneof is not None:
                if oneof.name in oneofs:
                    raise RequestParseError(
                        f'"{oneofs[oneof.name]}" and "{field.name}" are both set, but they '
                        f"belong to oneof {oneof.name}, which holds one value at a time",
                        path=fpath,
                        hint=f'remove "{oneofs[oneof.name]}" or "{field.name}"',
                    )
                oneofs[oneof.name] = field.name
            self.field(item, msg, field, fpath, depth)

    def null(self, msg: Message, field: FieldDescriptor) -> None:
        # null means "default" for every field except the two whose JSON form *is* null.
        if field.is_repeated:
            return
        if field.message_type is not None and field.message_type.full_name == wkt.VALUE:
            getattr(msg, field.name).null_value = 0
        elif field.enum_type is not None and field.enum_type.full_name == _NULL_VALUE:
            setattr(msg, field.name, 0)

    def field(
        self, value: Any, msg: Message, field: FieldDescriptor, path: str, depth: int
    ) -> None:
        if is_map_field(field):
            self.map(value, msg, field, path, depth)
        elif field.is_repeated:
            self.repeated(value, msg, field, path, depth)
        elif field.message_type is not None:
            sub = getattr(msg, field.name)
            sub.SetInParent()  # an empty object still marks the field as present
            self.message(value, sub, path, depth + 1)
        else:
            self.scalar(value, msg, field, path)

    def scalar(self, value: Any, msg: Message, field: FieldDescriptor, path: str) -> None:
        converted = read_scalar(value, field, path, ignore_unknown=self.ignore_unknown)
        if converted is not SKIP:
            setattr(msg, field.name, converted)

    def repeated(
        self, value: Any, msg: Message, field: FieldDescriptor, path: str, depth: int
    ) -> None:
        if not isinstance(value, list | tuple):
            raise RequestParseError(
                f"expected a JSON array for repeated field, got {describe(value)}", path=path
            )
        container = getattr(msg, field.name)
        element = field.message_type
        for i, item in enumerate(value):
            ipath = index_path(path, i)
            if item is None and (element is None or element.full_name != wkt.VALUE):
                raise RequestParseError("null is not allowed inside a repeated field", path=ipath)
            if element is not None:
                self.message(item, container.add(), ipath, depth + 1)
                continue
            converted = read_scalar(item, field, ipath, ignore_unknown=self.ignore_unknown)
            if converted is not SKIP:
                container.append(converted)

    def map(self, value: Any, msg: Message, field: FieldDescriptor, path: str, depth: int) -> None:
        key_field, value_field = map_entry_fields(field)

        def sub(base: str, key: str) -> str:
            return key_path(base, key, key_field)

        obj = self.object(value, path, "map", sub)
        container = getattr(msg, field.name)
        for raw_key, item in obj.items():
            kpath = sub(path, raw_key)
            key = read_map_key(raw_key, key_field, kpath)
            if key in container:  # "1" and "01" name the same int key
                raise RequestParseError("map key given twice", path=kpath)
            vtype = value_field.message_type
            if item is None and (vtype is None or vtype.full_name != wkt.VALUE):
                raise RequestParseError("null is not allowed as a map value", path=kpath)
            if vtype is not None:
                self.message(item, container[key], kpath, depth + 1)
                continue
            converted = read_scalar(item, value_field, kpath, ignore_unknown=self.ignore_unknown)
            if converted is not SKIP:
                container[key] = converted

    # -- well-known types -------------------------------------------------------------

    def string_wkt(self, value: Any, msg: Message, path: str) -> None:
        full = descriptor_of(msg).full_name
        expected = f"expected {full} as {_STRING_WKT_EXAMPLES[full]}"
        if not isinstance(value, str):
            raise RequestParseError(f"{expected}, got {describe(value)}", path=path)
        tmp = wkt.STRING_WKTS[full]()
        try:
            tmp.FromJsonString(value)
        except (ValueError, TypeError) as exc:
            raise RequestParseError(
                f"{expected}, got {describe(value)}", path=path, hint=str(exc)
            ) from exc
        msg.MergeFromString(tmp.SerializeToString())

    def struct(self, value: Any, msg: Message, path: str, depth: int) -> None:
        obj = self.object(value, path, wkt.STRUCT, key_path)
        fields = getattr(msg, "fields")  # noqa: B009 - dynamic message, no static attribute
        for key, item in obj.items():
            self.value(item, fields[key], key_path(path, key), depth + 1)

    def list_value(self, value: Any, msg: Message, path: str, depth: int) -> None:
        if not isinstance(value, list | tuple):
            raise RequestParseError(
                f"expected {wkt.LIST_VALUE} (a JSON array), got {describe(value)}", path=path
            )
        values = getattr(msg, "values")  # noqa: B009
        for i, item in enumerate(value):
            self.value(item, values.add(), index_path(path, i), depth + 1)

    def value(self, value: Any, msg: Message, path: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise RequestParseError(f"values nested more than {MAX_DEPTH} levels", path=path)
        m: Any = msg
        if value is None:
            m.null_value = 0
        elif isinstance(value, bool):
            m.bool_value = value
        elif isinstance(value, str):
            m.string_value = value
        elif isinstance(value, int | float | Decimal):
            number = (
                float(value) if not isinstance(value, int) or abs(value) < 2**1000 else math.inf
            )
            if not math.isfinite(number):
                raise RequestParseError(
                    f"{describe(value)} cannot be stored in a google.protobuf.Value "
                    "(numbers there are finite doubles)",
                    path=path,
                )
            m.number_value = number
        elif isinstance(value, dict):
            m.struct_value.SetInParent()
            self.struct(value, m.struct_value, path, depth)
        elif isinstance(value, list | tuple):
            m.list_value.SetInParent()
            self.list_value(value, m.list_value, path, depth)
        else:
            raise RequestParseError(
                f"expected a JSON value for {wkt.VALUE}, got {describe(value)}", path=path
            )

    def any(self, value: Any, msg: Message, path: str, depth: int) -> None:
        obj = self.object(value, path, wkt.ANY, field_path)
        if not obj:
            return
        type_url = obj.get("@type")
        if not isinstance(type_url, str) or not type_url:
            got = describe(type_url) if "@type" in obj else "none"
            raise RequestParseError(
                f'a google.protobuf.Any needs "@type", got {got}',
                path=path,
                hint='add "@type": "type.googleapis.com/<full message name>"',
            )
        inner_desc = wkt.find_any_type(self.pool, type_url)
        if inner_desc is None:
            name = wkt.type_name_of_url(type_url)
            raise RequestParseError(
                f'the Any type "{type_url}" is unknown: message {name} is not in the loaded schema',
                path=path,
                hint=f"load the .proto file or protoset that defines {name} "
                "(or use a server with reflection that serves it)",
            )
        inner = new_message(inner_desc)
        rest = {k: v for k, v in obj.items() if k != "@type"}
        if inner_desc.full_name in wkt.SPECIAL_JSON:
            extra = sorted(set(rest) - {"value"})
            if extra:
                raise RequestParseError(
                    f'an Any holding {inner_desc.full_name} takes only "@type" and "value", '
                    f'not "{extra[0]}"',
                    path=field_path(path, extra[0]),
                )
            if "value" in rest:
                self.message(rest["value"], inner, field_path(path, "value"), depth + 1)
        else:
            self.fields(rest, inner, path, depth + 1)
        m: Any = msg
        m.type_url = type_url
        m.value = inner.SerializeToString(deterministic=True)


def _unknown_field(desc: Descriptor, key: str, path: str) -> RequestParseError:
    names = [f.json_name for f in desc.fields] + [
        f.name for f in desc.fields if f.name != f.json_name
    ]
    close = difflib.get_close_matches(key, names, n=3, cutoff=0.6)
    if not close:
        close = [n for n in names if n.lower() == key.lower()]
    text = f'unknown field "{key}" in message {desc.full_name}'
    if close:
        text += "; did you mean " + " or ".join(f'"{c}"' for c in close) + "?"
    shown = ", ".join(f.json_name for f in desc.fields[:12]) + (
        ", ..." if len(desc.fields) > 12 else ""
    )
    hint = (
        f"fields of {desc.full_name}: {shown}" if desc.fields else f"{desc.full_name} has no fields"
    )
    return RequestParseError(text, path=field_path(path, key), hint=hint)

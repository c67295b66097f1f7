"""Field paths into a live message: their text form and how to reach what they name.

A :data:`FieldPath` is a tuple of parts, one per step down from the root message:

* ``str`` — a field name (``"items"``);
* ``int`` — an index into a repeated field, or an integer key of a map;
* :class:`MapKey` — a map key of any key type;
* :data:`ANY_BODY` — the message packed inside a ``google.protobuf.Any``.

The text form is the one :mod:`workbench.core.messages.fieldpath` writes in error messages
(``items[2].price``, ``labels["k"].x``, ``counts[5]``, ``flags[true]``), plus ``@`` for the
body of an Any (``detail.@.reason``).

:func:`read_message` and :func:`edit_message` reach the message at a path. Editing through
an Any decodes its body, applies the edit, and packs it again: the Any's bytes stay the only
copy of the data. The edit operations themselves live in :mod:`.pathedit`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from google.protobuf import descriptor_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor, OneofDescriptor
from google.protobuf.message import Message

from workbench.core.errors import RequestParseError
from workbench.core.messages.dynamic import descriptor_of
from workbench.core.messages.fieldtypes import is_map_field
from workbench.core.messages.fieldvalues import int_range, message_type_of
from workbench.core.messages.wkt_values import pack_any, unpack_any

__all__ = [
    "ANY_BODY",
    "FieldPath",
    "FieldPathError",
    "MapKey",
    "MapKeyValue",
    "PathPart",
    "edit_message",
    "field_of",
    "format_path",
    "is_map_field",
    "is_message_field",
    "map_key",
    "parse_path",
    "read_message",
    "real_oneof",
]

T = TypeVar("T")

#: A map key as Python holds it.
MapKeyValue = str | int | bool


@dataclass(frozen=True, slots=True)
class MapKey:
    """A map key in a path (integer keys may also be written as a plain ``int`` part)."""

    value: MapKeyValue

    def __str__(self) -> str:
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        if isinstance(self.value, int):
            return str(self.value)
        return json.dumps(self.value, ensure_ascii=False)


class _AnyBody:
    """The step from an Any into the message it holds (one shared instance)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ANY_BODY"


ANY_BODY: Final = _AnyBody()

PathPart = str | int | MapKey | _AnyBody
FieldPath = tuple[PathPart, ...]


class FieldPathError(RequestParseError):
    """A path names no field, element or map entry of the message it is applied to."""


# -- text form --------------------------------------------------------------------------

_NAME_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INT_RE: Final = re.compile(r"-?\d+")


def format_path(path: FieldPath) -> str:
    """The text form of ``path`` (``''`` for the root)."""
    out: list[str] = []
    for part in path:
        if isinstance(part, str):
            out.append(f".{part}" if out else part)
        elif isinstance(part, _AnyBody):
            out.append(".@" if out else "@")
        else:
            # bool is an int: MapKey(True) and a bare True both print as [true].
            key = part if isinstance(part, MapKey) else MapKey(part)
            out.append(f"[{key}]")
    return "".join(out)


def parse_path(text: str) -> FieldPath:
    """Read the text form back into a path.

    ``[5]`` becomes the int ``5`` (an index, or an int map key — the field decides);
    ``["k"]`` and ``[true]`` become :class:`MapKey`.

    Raises:
        FieldPathError: the text is not a path.
    """
    parts: list[PathPart] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        if text[pos] == "[":
            part, pos = _parse_bracket(text, pos)
            parts.append(part)
            continue
        if parts:
            if text[pos] != ".":
                raise _syntax(text, pos, "expected '.' or '['")
            pos += 1
        if text.startswith("@", pos):
            parts.append(ANY_BODY)
            pos += 1
            continue
        match = _NAME_RE.match(text, pos)
        if match is None:
            raise _syntax(text, pos, "expected a field name")
        parts.append(match.group())
        pos = match.end()
    return tuple(parts)


def _parse_bracket(text: str, pos: int) -> tuple[PathPart, int]:
    end = pos + 1
    if text.startswith('"', end):
        try:
            value, end = json.JSONDecoder().raw_decode(text, end)
        except json.JSONDecodeError:
            raise _syntax(text, end, "unterminated string key") from None
        part: PathPart = MapKey(value)
    else:
        close = text.find("]", end)
        word = text[end:close] if close >= 0 else ""
        if _INT_RE.fullmatch(word):
            part = int(word)
        elif word in ("true", "false"):
            part = MapKey(word == "true")
        else:
            raise _syntax(text, end, "expected an index, a quoted key, true or false")
        end = close
    if not text.startswith("]", end):
        raise _syntax(text, end, "expected ']'")
    return part, end + 1


def _syntax(text: str, pos: int, what: str) -> FieldPathError:
    return FieldPathError(f"invalid path {text!r} at position {pos + 1}: {what}")


# -- descriptors ------------------------------------------------------------------------


def is_message_field(field: FieldDescriptor) -> bool:
    """Whether one value of ``field`` (an element, for repeated fields) is a message."""
    return field.cpp_type == FieldDescriptor.CPPTYPE_MESSAGE and not is_map_field(field)


def real_oneof(field: FieldDescriptor) -> OneofDescriptor | None:
    """The oneof ``field`` belongs to, unless it is the synthetic one of a proto3 ``optional``."""
    group = field.containing_oneof
    if group is None or field.name in _proto3_optional_names(field.containing_type):
        return None
    return group


@functools.cache
def _proto3_optional_names(desc: Descriptor | None) -> frozenset[str]:
    # Descriptors do not expose proto3_optional; their DescriptorProto does.
    if desc is None:
        return frozenset()
    proto = descriptor_pb2.DescriptorProto()
    desc.CopyToProto(proto)
    return frozenset(f.name for f in proto.field if f.proto3_optional)


def field_of(msg: Message, name: str, *, path: FieldPath = ()) -> FieldDescriptor:
    """The field ``name`` of ``msg``'s type.

    Raises:
        FieldPathError: the type has no such field.
    """
    desc = descriptor_of(msg)
    field = desc.fields_by_name.get(name)
    if field is None:
        raise FieldPathError(f"{desc.full_name} has no field {name!r}", path=format_path(path))
    return field


def map_key(key_field: FieldDescriptor, part: PathPart, *, path: FieldPath = ()) -> MapKeyValue:
    """The Python key for ``part`` in a map whose keys are ``key_field``.

    Raises:
        FieldPathError: ``part`` is not a key of that type.
    """
    value = part.value if isinstance(part, MapKey) else part
    cpp = key_field.cpp_type
    if cpp == FieldDescriptor.CPPTYPE_STRING and isinstance(value, str):
        return value
    if cpp == FieldDescriptor.CPPTYPE_BOOL and isinstance(value, bool):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            lo, hi = int_range(key_field)
        except ValueError:
            pass
        else:
            if lo <= value <= hi:
                return value
    raise FieldPathError(f"{value!r} is not a valid key for this map", path=format_path(path))


# -- reaching a message -----------------------------------------------------------------


def read_message(root: Message, path: FieldPath) -> Message:
    """The message at ``path`` without changing anything (an Any body is a decoded copy).

    Raises:
        FieldPathError: the path does not name a message in ``root``.
        RequestParseError: an Any on the way is empty or holds an unknown type.
    """
    return edit_message(root, path, lambda msg: msg, write=False)


def edit_message(
    root: Message, path: FieldPath, fn: Callable[[Message], T], *, write: bool = True
) -> T:
    """Call ``fn`` with the live message at ``path`` and return its result.

    Unset singular messages on the way are reached as protobuf does: reading leaves them
    unset, writing into them sets them. Through an Any, ``fn`` gets the decoded body, which
    is packed back afterwards when ``write`` is true.

    Raises:
        FieldPathError: the path does not name a message in ``root``.
        RequestParseError: an Any on the way is empty or holds an unknown type.
    """
    body_at = _last_any_body(path)
    if body_at is None:
        return fn(_locate(root, path))
    any_path, rest = path[:body_at], path[body_at + 1 :]
    pool = descriptor_of(root).file.pool

    def on_any(any_msg: Message) -> T:
        if descriptor_of(any_msg).full_name != "google.protobuf.Any":
            raise FieldPathError("'@' follows a field that is not an Any", path=format_path(path))
        body = unpack_any(any_msg, pool, path=format_path(any_path))
        result = edit_message(body, rest, fn, write=write)
        if write:
            pack_any(any_msg, body)
        return result

    return edit_message(root, any_path, on_any, write=write)


def _last_any_body(path: FieldPath) -> int | None:
    for i in range(len(path) - 1, -1, -1):
        if path[i] is ANY_BODY:
            return i
    return None


def _locate(root: Message, path: FieldPath) -> Message:
    """Follow a path without Any bodies down to a message."""
    cur = root
    i = 0
    while i < len(path):
        part = path[i]
        here = path[: i + 1]
        if not isinstance(part, str):
            raise FieldPathError("expected a field name here", path=format_path(here))
        field = field_of(cur, part, path=path[:i])
        container: Any = getattr(cur, part)
        if field.is_repeated:
            if i + 1 == len(path):
                raise FieldPathError("names a list or map, not a message", path=format_path(here))
            i += 1
            cur = _element(field, container, path[i], path[: i + 1])
        elif is_message_field(field):
            cur = container
        else:
            raise FieldPathError(
                f"is a {field.full_name.rpartition('.')[2]} value, not a message",
                path=format_path(here),
            )
        i += 1
    return cur


def _element(field: FieldDescriptor, container: Any, part: PathPart, here: FieldPath) -> Message:
    if is_map_field(field):
        entry = message_type_of(field)
        key = map_key(entry.fields_by_name["key"], part, path=here)
        if not is_message_field(entry.fields_by_name["value"]):
            raise FieldPathError("map values here are not messages", path=format_path(here))
        if key not in container:
            raise FieldPathError("no such map entry", path=format_path(here))
        found: Message = container[key]
        return found
    if not isinstance(part, int) or isinstance(part, bool):
        raise FieldPathError("expected a list index", path=format_path(here))
    if not is_message_field(field):
        raise FieldPathError("list elements here are not messages", path=format_path(here))
    if not 0 <= part < len(container):
        raise FieldPathError(
            f"index out of range (the list has {len(container)} elements)",
            path=format_path(here),
        )
    element: Message = container[part]
    return element

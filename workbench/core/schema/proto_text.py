"""Proto-syntax spelling of the small things: option values, defaults, ranges, comments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from google.protobuf import (
    descriptor_pb2,
    descriptor_pool,
    message_factory,
    text_encoding,
    text_format,
)
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

_FDP = descriptor_pb2.FieldDescriptorProto
_MAX_FIELD = 536_870_911  # 2^29 - 1, written "max" in reserved/extension ranges
_MAX_ENUM = 2_147_483_647
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", '"': '\\"', "\\": "\\\\"}


class _Range(Protocol):
    start: int
    end: int


class OptionFormatter:
    """Formats ``*Options`` messages as ``name = value`` items, custom options included.

    Custom options are extensions of ``google.protobuf.*Options`` defined in the schema's
    own files; the options messages that descriptors copy out only know the standard fields,
    so they are re-read with the option type from the schema's pool, which knows them.
    """

    def __init__(self, pool: descriptor_pool.DescriptorPool) -> None:
        """Format options in terms of ``pool``'s extensions."""
        self._pool = pool

    def format(self, options: Message, *, skip: Sequence[str] = ()) -> list[str]:
        """``["deprecated = true", '(my.opt) = "x"', "features.field_presence = IMPLICIT"]``."""
        if not options.ByteSize():
            return []
        out: list[str] = []
        for fd, value in self._with_extensions(options).ListFields():
            if fd.is_extension:
                name = f"({fd.full_name})"
            elif fd.name in skip:
                continue
            else:
                name = fd.name
            if fd.name == "features" and not fd.is_extension and isinstance(value, Message):
                # Editions features are written one by one: features.field_presence = IMPLICIT.
                out += [f"features.{item}" for item in self.format(value)]
                continue
            values = value if fd.is_repeated else [value]
            out += [f"{name} = {format_value(fd, v)}" for v in values]
        return out

    def _with_extensions(self, options: Message) -> Message:
        try:
            desc = self._pool.FindMessageTypeByName(options.DESCRIPTOR.full_name)
        except KeyError:
            return options  # the schema defines no custom options
        return message_factory.GetMessageClass(desc).FromString(options.SerializeToString())


def format_value(fd: FieldDescriptor, value: object) -> str:
    """One option value as proto source spells it."""
    if isinstance(value, Message):
        inner = text_format.MessageToString(value, as_one_line=True)
        return f"{{ {inner} }}" if inner else "{ }"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):
        return f'"{text_encoding.CEscape(value, False)}"'
    if isinstance(value, str):
        return quote(value)
    if fd.enum_type is not None and isinstance(value, int):
        known = fd.enum_type.values_by_number.get(value)
        return known.name if known is not None else str(value)
    return str(value)


def quote(text: str) -> str:
    """``text`` as a proto string literal (UTF-8 kept, quotes and controls escaped)."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):03o}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def default_literal(fp: descriptor_pb2.FieldDescriptorProto) -> str:
    """The ``default = …`` value of a proto2 field, from the descriptor's text form."""
    if fp.type == _FDP.TYPE_STRING:
        return quote(fp.default_value)
    if fp.type == _FDP.TYPE_BYTES:
        return f'"{fp.default_value}"'  # descriptors already hold bytes C-escaped
    return fp.default_value


def default_json_name(name: str) -> str:
    """The JSON name protoc derives from a field name (drop ``_``, capitalise the next)."""
    out: list[str] = []
    upper_next = False
    for ch in name:
        if ch == "_":
            upper_next = True
        elif upper_next:
            out.append(ch.upper())
            upper_next = False
        else:
            out.append(ch)
    return "".join(out)


def format_ranges(ranges: Sequence[_Range], *, exclusive: bool) -> str:
    """``2, 9 to 11, 100 to max``; message ranges end exclusive, enum ranges inclusive."""
    parts = []
    for r in ranges:
        end = r.end - 1 if exclusive else r.end
        top = _MAX_FIELD if exclusive else _MAX_ENUM
        if end == r.start:
            parts.append(str(r.start))
        else:
            parts.append(f"{r.start} to {'max' if end >= top else end}")
    return ", ".join(parts)


def comment_lines(text: str) -> list[str]:
    """``// …`` lines for a comment as protoc stores it (markers stripped, spaces kept)."""
    if not text:
        return []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    # protoc keeps the space after "//" but strips the indentation of /* */ continuation
    # lines; put a space back so those do not read as "//text".
    return [
        f"//{line}".rstrip() if line[:1] in ("", " ", "\t") else f"// {line}".rstrip()
        for line in lines
    ]

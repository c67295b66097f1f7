"""JSON and text format for dynamic messages: the one codec the GUI, CLI and store share.

JSON follows the protobuf JSON mapping (camelCase or proto names, enums by name or number,
64-bit integers as strings, base64 bytes, the well-known types in their JSON forms), with two
guarantees the stock ``json_format`` does not give:

* exactness: numbers never pass through ``float`` on their way to an integer field, so every
  int64/uint64 (2^63-1, -2^63, 2^64-1) survives a round trip;
* precise errors: every failure is a :class:`RequestParseError` whose ``path`` is the field
  path (``items[2].price.units``, ``labels["k"].x``) and whose text names the expected type
  and the bad value; malformed JSON text carries line and column.

``Any`` values are resolved through a descriptor pool: by default the pool the message type
itself comes from, which for a schema is the schema's pool (not protobuf's default pool).
"""

from __future__ import annotations

import json
import re
from typing import Any

from google.protobuf import descriptor_pool, text_format
from google.protobuf.descriptor import Descriptor
from google.protobuf.message import Message

from workbench.core.errors import RequestParseError
from workbench.core.messages.dynamic import descriptor_of, new_message
from workbench.core.messages.jsonread import read_message
from workbench.core.messages.jsontext import load_json
from workbench.core.messages.jsonwrite import write_message

__all__ = ["parse_json", "parse_text", "parse_value", "to_dict", "to_json", "to_text"]

_TEXT_POSITION = re.compile(r"^\d+:\d+ : ")


def _pool_of(
    desc: Descriptor, pool: descriptor_pool.DescriptorPool | None
) -> descriptor_pool.DescriptorPool:
    return pool if pool is not None else desc.file.pool


def parse_json(
    text: str,
    desc: Descriptor,
    *,
    pool: descriptor_pool.DescriptorPool | None = None,
    ignore_unknown: bool = False,
) -> Message:
    """Parse JSON text as a message of type ``desc``.

    Args:
        text: one JSON object (or the JSON form of a well-known type).
        desc: the message type.
        pool: resolves ``Any`` type URLs; defaults to the pool ``desc`` belongs to.
        ignore_unknown: skip unknown fields and unknown enum names instead of failing.

    Returns:
        A new message.

    Raises:
        RequestParseError: malformed JSON (with ``line``/``column``) or a value that does not
            fit the type (with ``path``).
    """
    return parse_value(load_json(text), desc, pool, ignore_unknown=ignore_unknown)


def parse_value(
    obj: Any,
    desc: Descriptor,
    pool: descriptor_pool.DescriptorPool | None = None,
    path: str = "",
    *,
    ignore_unknown: bool = False,
) -> Message:
    """Build a message from an already decoded JSON value (dicts, lists, str, int, ...).

    Used by the form editor and the collection store. Python ``float`` values are accepted
    for integer fields only when integral; prefer ``int`` or decimal strings for 64-bit values.

    Args:
        obj: the JSON value, usually a dict.
        desc: the message type.
        pool: resolves ``Any`` type URLs; defaults to the pool ``desc`` belongs to.
        path: prefix for error paths, e.g. ``"[2]"`` for the third message of a stream.
        ignore_unknown: skip unknown fields and unknown enum names instead of failing.

    Raises:
        RequestParseError: a value does not fit the type; ``path`` names the field.
    """
    return read_message(
        obj, desc, pool=_pool_of(desc, pool), path=path, ignore_unknown=ignore_unknown
    )


def to_dict(
    msg: Message,
    *,
    pool: descriptor_pool.DescriptorPool | None = None,
    emit_defaults: bool = False,
    original_names: bool = False,
) -> Any:
    """The JSON value of ``msg``: a dict, or a str/list for some well-known types.

    Fields come in declaration order and map keys sorted, so output is deterministic.

    Args:
        msg: the message.
        pool: resolves ``Any`` type URLs; defaults to the pool of the message's type.
        emit_defaults: also write fields without presence that hold their default value.
        original_names: use proto field names instead of lowerCamelCase JSON names.

    Raises:
        MessageFormatError: an ``Any`` holds a type the pool does not know.
    """
    return write_message(
        msg,
        pool=_pool_of(descriptor_of(msg), pool),
        emit_defaults=emit_defaults,
        original_names=original_names,
    )


def to_json(
    msg: Message,
    *,
    pool: descriptor_pool.DescriptorPool | None = None,
    emit_defaults: bool = False,
    indent: int | None = 2,
    original_names: bool = False,
) -> str:
    """``msg`` as JSON text (see :func:`to_dict`); ``indent=None`` gives one compact line.

    Raises:
        MessageFormatError: an ``Any`` holds a type the pool does not know.
    """
    value = to_dict(msg, pool=pool, emit_defaults=emit_defaults, original_names=original_names)
    separators = (",", ": ") if indent is not None else (",", ":")
    return json.dumps(value, indent=indent, ensure_ascii=False, separators=separators)


def to_text(msg: Message, pool: descriptor_pool.DescriptorPool | None = None) -> str:
    """``msg`` in protobuf text format; ``Any`` values are expanded when ``pool`` knows them."""
    return text_format.MessageToString(msg, descriptor_pool=_pool_of(descriptor_of(msg), pool))


def parse_text(
    text: str, desc: Descriptor, pool: descriptor_pool.DescriptorPool | None = None
) -> Message:
    """Parse protobuf text format as a message of type ``desc``.

    Raises:
        RequestParseError: the text is malformed or does not fit the type; ``line`` and
            ``column`` (1-based) point at the problem.
    """
    msg = new_message(desc)
    try:
        text_format.Parse(text, msg, descriptor_pool=_pool_of(desc, pool))
    except text_format.ParseError as exc:
        detail = _TEXT_POSITION.sub("", str(exc)).rstrip(".")
        raise RequestParseError(
            f"invalid text format for {desc.full_name}: {detail}",
            line=exc.GetLine(),
            column=exc.GetColumn(),
        ) from exc
    return msg

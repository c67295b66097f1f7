"""Text ⇄ value for the well-known types a form edits as one value.

Timestamp is RFC 3339 (``2024-05-01T12:00:00Z``, also ``now`` or a bare date), Duration is
seconds with a unit (``1.5s``, also Go-style ``1m30s``, ``250ms``), FieldMask is a comma list
of paths (``a.b, c``), Struct/Value/ListValue are JSON, and the wrappers are their scalar.
Any is not a leaf: :func:`set_any_type` and :func:`unpack_any` let the path API edit the
message packed inside it.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

from google.protobuf import json_format, timestamp_pb2
from google.protobuf.descriptor import Descriptor
from google.protobuf.descriptor_pool import DescriptorPool
from google.protobuf.message import DecodeError, Message

from workbench.core.errors import RequestParseError
from workbench.core.messages.dynamic import descriptor_of, new_message
from workbench.core.messages.fieldvalues import (
    BytesEncoding,
    format_scalar,
    parse_scalar,
)

__all__ = [
    "ANY_URL_PREFIX",
    "WellKnown",
    "any_type_name",
    "format_duration",
    "format_field_mask",
    "format_timestamp",
    "format_well_known",
    "is_leaf_message",
    "pack_any",
    "parse_duration",
    "parse_field_mask",
    "parse_timestamp",
    "parse_well_known",
    "set_any_type",
    "unpack_any",
    "well_known",
]

ANY_URL_PREFIX: Final = "type.googleapis.com/"


class WellKnown(enum.Enum):
    """The well-known types the form treats specially."""

    ANY = "google.protobuf.Any"
    TIMESTAMP = "google.protobuf.Timestamp"
    DURATION = "google.protobuf.Duration"
    FIELD_MASK = "google.protobuf.FieldMask"
    STRUCT = "google.protobuf.Struct"
    VALUE = "google.protobuf.Value"
    LIST_VALUE = "google.protobuf.ListValue"
    WRAPPER = "wrapper"


_WRAPPERS: Final = frozenset(
    f"google.protobuf.{name}Value"
    for name in ("Double", "Float", "Int64", "UInt64", "Int32", "UInt32", "Bool", "String", "Bytes")
)
_BY_NAME: Final = {k.value: k for k in WellKnown if k is not WellKnown.WRAPPER}
_JSON_KINDS: Final = frozenset({WellKnown.STRUCT, WellKnown.VALUE, WellKnown.LIST_VALUE})

_MAX_DURATION_SECONDS: Final = 315_576_000_000
_NANOS: Final = 1_000_000_000
_UNIT_NANOS: Final = {
    "h": 3600 * _NANOS,
    "m": 60 * _NANOS,
    "s": _NANOS,
    "ms": 1_000_000,
    "us": 1_000,
    "µs": 1_000,
    "ns": 1,
}
_DURATION_PART_RE: Final = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|ns)")
_FIELD_PATH_RE: Final = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_DATE_RE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_TZ_RE: Final = re.compile(r"(?:[zZ]|[+-]\d{2}:\d{2})$")
_NO_SECONDS_RE: Final = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(?=$|[zZ+-])")


def well_known(desc: Descriptor) -> WellKnown | None:
    """Which well-known type ``desc`` is, or ``None`` for an ordinary message."""
    if desc.full_name in _WRAPPERS:
        return WellKnown.WRAPPER
    return _BY_NAME.get(desc.full_name)


def is_leaf_message(desc: Descriptor) -> bool:
    """Whether a message of this type is edited as one value (not as a group of fields)."""
    kind = well_known(desc)
    return kind is not None and kind is not WellKnown.ANY


def _dyn(msg: Message) -> Any:
    """``msg`` with its schema-defined attributes visible to the type checker."""
    return msg


# -- whole values -----------------------------------------------------------------------


def format_well_known(msg: Message, *, bytes_encoding: BytesEncoding = BytesEncoding.BASE64) -> str:
    """The text of a leaf well-known message (see :func:`is_leaf_message`).

    Raises:
        ValueError: ``msg`` is not a leaf well-known type.
    """
    desc = descriptor_of(msg)
    kind = well_known(desc)
    if kind is WellKnown.WRAPPER:
        field = desc.fields_by_name["value"]
        return format_scalar(field, _dyn(msg).value, bytes_encoding=bytes_encoding)
    if kind is WellKnown.TIMESTAMP:
        return format_timestamp(_dyn(msg).seconds, _dyn(msg).nanos)
    if kind is WellKnown.DURATION:
        return format_duration(_dyn(msg).seconds, _dyn(msg).nanos)
    if kind is WellKnown.FIELD_MASK:
        return format_field_mask(list(_dyn(msg).paths))
    if kind in _JSON_KINDS:
        if kind is WellKnown.VALUE and msg.WhichOneof("kind") is None:
            return ""
        return json.dumps(_tidy_numbers(json_format.MessageToDict(msg)), ensure_ascii=False)
    raise ValueError(f"{desc.full_name} is not edited as a single value")


def _tidy_numbers(value: Any) -> Any:
    """Struct numbers are doubles; show whole ones as ints (``1``, not ``1.0``)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {k: _tidy_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tidy_numbers(v) for v in value]
    return value


def parse_well_known(
    msg: Message,
    text: str,
    *,
    path: str = "",
    bytes_encoding: BytesEncoding = BytesEncoding.BASE64,
) -> None:
    """Replace the content of the leaf well-known message ``msg`` with the value of ``text``.

    ``msg`` is only changed when the text is valid.

    Raises:
        RequestParseError: the text is not a valid value of the type.
        ValueError: ``msg`` is not a leaf well-known type.
    """
    desc = descriptor_of(msg)
    kind = well_known(desc)
    if kind is WellKnown.WRAPPER:
        field = desc.fields_by_name["value"]
        value = parse_scalar(field, text, path=path, bytes_encoding=bytes_encoding)
        msg.Clear()
        _dyn(msg).value = value
    elif kind in (WellKnown.TIMESTAMP, WellKnown.DURATION):
        parse = parse_timestamp if kind is WellKnown.TIMESTAMP else parse_duration
        seconds, nanos = parse(text, path=path)
        msg.Clear()
        _dyn(msg).seconds = seconds
        _dyn(msg).nanos = nanos
    elif kind is WellKnown.FIELD_MASK:
        paths = parse_field_mask(text, path=path)
        msg.Clear()
        _dyn(msg).paths.extend(paths)
    elif kind in _JSON_KINDS:
        _parse_json_value(msg, text, kind, path)
    else:
        raise ValueError(f"{desc.full_name} is not edited as a single value")


def _parse_json_value(msg: Message, text: str, kind: WellKnown | None, path: str) -> None:
    if not text.strip() and kind is WellKnown.VALUE:
        msg.Clear()
        return
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RequestParseError(
            f"invalid JSON: {exc.msg}", path=path, line=exc.lineno, column=exc.colno
        ) from None
    if kind is WellKnown.STRUCT and not isinstance(value, dict):
        raise RequestParseError("a Struct is a JSON object: write {…}", path=path)
    if kind is WellKnown.LIST_VALUE and not isinstance(value, list):
        raise RequestParseError("a ListValue is a JSON array: write […]", path=path)
    scratch = new_message(descriptor_of(msg))
    try:
        json_format.ParseDict(value, scratch)
    except json_format.ParseError as exc:
        raise RequestParseError(f"not a valid JSON value: {exc}", path=path) from None
    msg.CopyFrom(scratch)


# -- Timestamp, Duration, FieldMask -----------------------------------------------------


def parse_timestamp(text: str, *, path: str = "") -> tuple[int, int]:
    """Read an RFC 3339 time; also ``now``, a bare date, a space for ``T``, no seconds, no
    zone (= UTC).

    Returns:
        ``(seconds, nanos)`` since the Unix epoch.

    Raises:
        RequestParseError: not a time, or outside 0001-01-01 … 9999-12-31.
    """
    word = text.strip()
    if word.lower() == "now":
        now = dt.datetime.now(dt.UTC)
        return int(now.timestamp()), now.microsecond * 1000
    if _DATE_RE.fullmatch(word):
        word += "T00:00:00Z"
    if len(word) > 10 and word[10] in " t":
        word = f"{word[:10]}T{word[11:]}"
    word = _NO_SECONDS_RE.sub(r"\1:00", word)
    if word and not _TZ_RE.search(word):
        word += "Z"
    if word.endswith("z"):
        word = word[:-1] + "Z"
    scratch = timestamp_pb2.Timestamp()
    try:
        scratch.FromJsonString(word)
    except ValueError:
        raise RequestParseError(
            f"{text.strip()!r} is not a time: write RFC 3339 like 2024-05-01T12:00:00Z "
            "(years 0001 to 9999)",
            path=path,
        ) from None
    return scratch.seconds, scratch.nanos


def format_timestamp(seconds: int, nanos: int) -> str:
    """RFC 3339 in UTC with 0, 3, 6 or 9 fraction digits (as the JSON mapping writes it)."""
    scratch = timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos)
    try:
        return scratch.ToJsonString()
    except ValueError:
        return f"{seconds}s {nanos}ns (out of range)"


def parse_duration(text: str, *, path: str = "") -> tuple[int, int]:
    """Read a duration: ``1.5s``, ``-2s``, ``1m30s``, ``250ms``, or a bare number of seconds.

    Returns:
        ``(seconds, nanos)`` with matching signs.

    Raises:
        RequestParseError: not a duration, finer than a nanosecond, or beyond ±10000 years.
    """
    word = text.strip().replace(" ", "")
    sign = -1 if word.startswith("-") else 1
    body = word.lstrip("+-")
    total = Fraction(0)
    try:
        if body and _DURATION_PART_RE.sub("", body) == "":
            for number, unit in _DURATION_PART_RE.findall(body):
                total += Fraction(Decimal(number)) * _UNIT_NANOS[unit]
        else:
            total = Fraction(Decimal(body)) * _NANOS
    except ArithmeticError:
        raise RequestParseError(
            f"{text.strip()!r} is not a duration: write seconds like 1.5s (or 1m30s, 250ms)",
            path=path,
        ) from None
    if total.denominator != 1:
        raise RequestParseError("a duration cannot be finer than a nanosecond", path=path)
    nanos_total = sign * int(total)
    if abs(nanos_total) > _MAX_DURATION_SECONDS * _NANOS:
        raise RequestParseError(
            f"{text.strip()} is out of range for a Duration (±{_MAX_DURATION_SECONDS}s)",
            path=path,
        )
    seconds, nanos = divmod(abs(nanos_total), _NANOS)
    return sign * seconds, sign * nanos


def format_duration(seconds: int, nanos: int) -> str:
    """Seconds with an ``s`` suffix and no trailing zeros: ``1.5s``, ``-0.25s``, ``0s``."""
    total = Decimal(seconds) + Decimal(nanos).scaleb(-9)
    text = format(total.normalize(), "f") if total else "0"
    return f"{text}s"


def parse_field_mask(text: str, *, path: str = "") -> list[str]:
    """Read comma-separated field paths such as ``user.name, user.email``.

    Raises:
        RequestParseError: a path is not dot-separated field names.
    """
    paths = [p.strip() for p in text.split(",")]
    if paths == [""]:
        return []
    for item in paths:
        if not _FIELD_PATH_RE.fullmatch(item):
            shown = repr(item) if item else "an empty path"
            raise RequestParseError(
                f"{shown} is not a field path: write names joined by dots, like user.name",
                path=path,
            )
    return paths


def format_field_mask(paths: list[str]) -> str:
    """Field paths joined by ``", "``."""
    return ", ".join(paths)


# -- Any --------------------------------------------------------------------------------


def any_type_name(any_msg: Message) -> str:
    """The full message name in an Any's type URL ('' when the Any is empty)."""
    url: str = _dyn(any_msg).type_url
    return url.rpartition("/")[2]


def set_any_type(any_msg: Message, desc: Descriptor | None) -> None:
    """Make ``any_msg`` hold an empty message of type ``desc`` (``None`` empties it)."""
    any_msg.Clear()
    if desc is not None:
        _dyn(any_msg).type_url = ANY_URL_PREFIX + desc.full_name


def unpack_any(any_msg: Message, pool: DescriptorPool, *, path: str = "") -> Message:
    """The message packed in ``any_msg``, decoded with a type from ``pool``.

    Raises:
        RequestParseError: the Any is empty, names a type the schema lacks, or holds bytes
            that do not decode as that type.
    """
    name = any_type_name(any_msg)
    if not name:
        raise RequestParseError("the Any holds no message; pick a type first", path=path)
    try:
        desc = pool.FindMessageTypeByName(name)
    except KeyError:
        raise RequestParseError(
            f"the Any holds a {name}, which is not in the schema", path=path
        ) from None
    body = new_message(desc)
    try:
        body.ParseFromString(_dyn(any_msg).value)
    except DecodeError as exc:
        raise RequestParseError(
            f"the Any's bytes are not a valid {name}: {exc}", path=path
        ) from None
    return body


def pack_any(any_msg: Message, body: Message) -> None:
    """Store ``body`` in ``any_msg`` (type URL and bytes)."""
    _dyn(any_msg).type_url = ANY_URL_PREFIX + body.DESCRIPTOR.full_name
    _dyn(any_msg).value = body.SerializeToString()

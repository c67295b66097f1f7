"""Text ⇄ value for one scalar field, as a person types it into a form.

This is the form's counterpart of :mod:`workbench.core.messages.scalars` (which reads JSON
values): input is free text, so it is more forgiving about spelling (``0x1F``, ``1_000``,
``nan``, ``-inf``, ``yes``, hex or UTF-8 bytes) and equally strict about ranges — 64-bit
integers are checked exactly, never through a float. Every failure is a
:class:`~workbench.core.errors.RequestParseError` naming the field path and the reason.
"""

from __future__ import annotations

import base64
import binascii
import enum
import math
import re
import struct
from decimal import Decimal, InvalidOperation
from typing import Final

from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor

from workbench.core.errors import RequestParseError
from workbench.core.messages.fieldtypes import INT_RANGES as _INT_RANGES
from workbench.core.messages.fieldtypes import TYPE_NAMES as _TYPE_NAMES

__all__ = [
    "BytesEncoding",
    "ScalarValue",
    "default_scalar",
    "describe_type",
    "enum_of",
    "format_bytes",
    "format_enum",
    "format_float",
    "format_scalar",
    "int_range",
    "message_type_of",
    "parse_bool",
    "parse_bytes",
    "parse_enum",
    "parse_float",
    "parse_int",
    "parse_scalar",
    "scalar_type_name",
]

FD = FieldDescriptor

#: A Python value a scalar (or enum) field holds.
ScalarValue = int | float | bool | str | bytes

_HEX_INT_RE: Final = re.compile(r"[+-]?0[xX][0-9a-fA-F]+")
_FLOAT_WORDS: Final = {
    "nan": math.nan,
    "+nan": math.nan,
    "-nan": math.nan,
    "inf": math.inf,
    "+inf": math.inf,
    "-inf": -math.inf,
    "infinity": math.inf,
    "+infinity": math.inf,
    "-infinity": -math.inf,
}
_TRUE_WORDS: Final = frozenset({"true", "1", "yes", "on", "y", "t"})
_FALSE_WORDS: Final = frozenset({"false", "0", "no", "off", "n", "f"})
# Decimal exponents beyond this can only be out of range; refuse before int() grinds on them.
_MAX_EXPONENT: Final = 40


class BytesEncoding(enum.Enum):
    """How a bytes value is spelled as text in the form."""

    BASE64 = "base64"
    HEX = "hex"
    UTF8 = "utf-8"


def enum_of(field: FieldDescriptor) -> EnumDescriptor:
    """The enum type of an enum field.

    Raises:
        ValueError: ``field`` is not an enum field.
    """
    if field.enum_type is None:
        raise ValueError(f"{field.full_name} is not an enum field")
    return field.enum_type


def message_type_of(field: FieldDescriptor) -> Descriptor:
    """The message type of a message (or map) field.

    Raises:
        ValueError: ``field`` is not a message field.
    """
    if field.message_type is None:
        raise ValueError(f"{field.full_name} is not a message field")
    return field.message_type


def scalar_type_name(field: FieldDescriptor) -> str:
    """The .proto spelling of a scalar field's type (``int64``, ``bytes``, an enum's name)."""
    if field.type == FD.TYPE_ENUM:
        return enum_of(field).full_name
    if field.type in (FD.TYPE_MESSAGE, FD.TYPE_GROUP):
        return message_type_of(field).full_name
    return _TYPE_NAMES.get(field.type, "value")


def describe_type(field: FieldDescriptor) -> str:
    """A field's type as written in a .proto: ``repeated string``, ``map<int32, pkg.Item>``."""
    if field.type == FD.TYPE_MESSAGE and message_type_of(field).GetOptions().map_entry:
        entry = message_type_of(field)
        key, value = entry.fields_by_name["key"], entry.fields_by_name["value"]
        return f"map<{scalar_type_name(key)}, {scalar_type_name(value)}>"
    name = scalar_type_name(field)
    return f"repeated {name}" if field.is_repeated else name


def int_range(field: FieldDescriptor) -> tuple[int, int]:
    """The inclusive range of an integer field (by its C++ type: int32, uint32, int64, uint64).

    Raises:
        ValueError: the field is not an integer field.
    """
    try:
        return _INT_RANGES[field.cpp_type]
    except KeyError:
        raise ValueError(f"{field.full_name} is not an integer field") from None


def default_scalar(field: FieldDescriptor) -> ScalarValue:
    """The zero value of one element of ``field`` (its first enum value for enums)."""
    cpp = field.cpp_type
    if cpp == FD.CPPTYPE_ENUM:
        return int(enum_of(field).values[0].number)
    if cpp in _INT_RANGES:
        return 0
    if cpp in (FD.CPPTYPE_FLOAT, FD.CPPTYPE_DOUBLE):
        return 0.0
    if cpp == FD.CPPTYPE_BOOL:
        return False
    return b"" if field.type == FD.TYPE_BYTES else ""


# -- parsing ----------------------------------------------------------------------------


def parse_scalar(
    field: FieldDescriptor,
    text: str,
    *,
    path: str = "",
    bytes_encoding: BytesEncoding = BytesEncoding.BASE64,
) -> ScalarValue:
    """Turn the text typed for a scalar or enum ``field`` into the value to assign.

    Args:
        field: the field (or a map entry's key/value field, or a wrapper's ``value``).
        text: what the user typed.
        path: the field path, for errors.
        bytes_encoding: how bytes are spelled.

    Returns:
        The value, already checked against the field's range.

    Raises:
        RequestParseError: the text does not spell a value of the field's type.
    """
    cpp = field.cpp_type
    if cpp in _INT_RANGES:
        lo, hi = _INT_RANGES[cpp]
        return parse_int(text, lo, hi, type_name=_TYPE_NAMES[field.type], path=path)
    if cpp in (FD.CPPTYPE_FLOAT, FD.CPPTYPE_DOUBLE):
        return parse_float(text, single=cpp == FD.CPPTYPE_FLOAT, path=path)
    if cpp == FD.CPPTYPE_BOOL:
        return parse_bool(text, path=path)
    if cpp == FD.CPPTYPE_ENUM:
        return parse_enum(enum_of(field), text, path=path)
    if field.type == FD.TYPE_BYTES:
        return parse_bytes(text, bytes_encoding, path=path)
    if cpp == FD.CPPTYPE_STRING:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise RequestParseError(
                f"text contains an unpaired surrogate at position {exc.start + 1}", path=path
            ) from exc
        return text
    raise RequestParseError(f"{field.full_name} is not a scalar field", path=path)


def parse_int(text: str, lo: int, hi: int, *, type_name: str = "integer", path: str = "") -> int:
    """Read a whole number: decimal, ``0x`` hex, ``1_000`` or an integral ``1e3``.

    Raises:
        RequestParseError: not a whole number, or outside ``lo..hi``.
    """
    cleaned = text.strip().replace("_", "")
    if not cleaned:
        raise RequestParseError(f"enter a whole number ({type_name})", path=path)
    if _HEX_INT_RE.fullmatch(cleaned):
        value = int(cleaned, 16)
    else:
        try:
            number = Decimal(cleaned)
        except InvalidOperation:
            raise RequestParseError(
                f"{text.strip()!r} is not a whole number ({type_name})", path=path
            ) from None
        if not number.is_finite():
            raise RequestParseError(f"{type_name} cannot be {text.strip()}", path=path)
        if number.adjusted() > _MAX_EXPONENT:
            raise _out_of_range(text.strip(), type_name, lo, hi, path)
        if number != number.to_integral_value():
            raise RequestParseError(
                f"{text.strip()} is not a whole number ({type_name})", path=path
            )
        value = int(number)
    if not lo <= value <= hi:
        raise _out_of_range(str(value), type_name, lo, hi, path)
    return value


def _out_of_range(shown: str, type_name: str, lo: int, hi: int, path: str) -> RequestParseError:
    return RequestParseError(f"{shown} is out of range for {type_name} ({lo} to {hi})", path=path)


def parse_float(text: str, *, single: bool = False, path: str = "") -> float:
    """Read a float or double, including ``nan``, ``inf`` and ``-Infinity``.

    Args:
        text: the typed number.
        single: the field is a 32-bit ``float`` (finite values beyond ±3.4e38 are refused).
        path: the field path, for errors.

    Raises:
        RequestParseError: not a number, or a finite number too large for the type.
    """
    kind = "float" if single else "double"
    cleaned = text.strip().replace("_", "")
    word = _FLOAT_WORDS.get(cleaned.lower())
    if word is not None:
        return word
    try:
        value = float(cleaned)
    except ValueError:
        raise RequestParseError(
            f"{text.strip()!r} is not a number ({kind}; nan, inf and -inf are allowed)",
            path=path,
        ) from None
    if math.isinf(value):
        raise RequestParseError(
            f"{cleaned} is out of range for {kind} (write inf for infinity)", path=path
        )
    if single:
        try:
            struct.pack("<f", value)
        except OverflowError:
            raise RequestParseError(
                f"{cleaned} is out of range for float (±3.4028235e+38)", path=path
            ) from None
    return value


def parse_bool(text: str, *, path: str = "") -> bool:
    """Read ``true``/``false`` (also ``1``/``0``, ``yes``/``no``, ``on``/``off``).

    Raises:
        RequestParseError: any other text.
    """
    word = text.strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise RequestParseError(f"{text.strip()!r} is not a bool (true or false)", path=path)


def parse_bytes(text: str, encoding: BytesEncoding, *, path: str = "") -> bytes:
    """Read bytes spelled as base64 (standard or URL-safe), hex, or UTF-8 text.

    Raises:
        RequestParseError: the text is not valid in the chosen encoding.
    """
    if encoding is BytesEncoding.UTF8:
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise RequestParseError(
                f"text contains an unpaired surrogate at position {exc.start + 1}", path=path
            ) from exc
    if encoding is BytesEncoding.HEX:
        cleaned = re.sub(r"[\s:]", "", text)
        if cleaned[:2].lower() == "0x":
            cleaned = cleaned[2:]
        try:
            return bytes.fromhex(cleaned)
        except ValueError:
            raise RequestParseError(
                "not valid hex: use two digits 0-9/a-f per byte (spaces and colons are fine)",
                path=path,
            ) from None
    cleaned = re.sub(r"\s", "", text).replace("-", "+").replace("_", "/").rstrip("=")
    try:
        return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise RequestParseError(
            "not valid base64 (letters, digits, + and /; or switch the encoding to hex or UTF-8)",
            path=path,
        ) from None


def parse_enum(enum_desc: EnumDescriptor, text: str, *, path: str = "") -> int:
    """Read an enum value by name (case-insensitive when unambiguous) or by number.

    Open (proto3) enums accept any int32 number; closed (proto2) enums only known ones.

    Raises:
        RequestParseError: an unknown name, or a number the enum cannot hold.
    """
    word = text.strip()
    found = enum_desc.values_by_name.get(word)
    if found is not None:
        return int(found.number)
    folded = [v for v in enum_desc.values if v.name.lower() == word.lower()]
    if len(folded) == 1:
        return int(folded[0].number)
    try:
        number = parse_int(word, -(2**31), 2**31 - 1, type_name="enum number", path=path)
    except RequestParseError:
        names = [v.name for v in enum_desc.values]
        shown = ", ".join(names[:6]) + (", …" if len(names) > 6 else "")
        raise RequestParseError(
            f"{word!r} is not a value of {enum_desc.full_name} ({shown})", path=path
        ) from None
    if number not in enum_desc.values_by_number and enum_desc.is_closed:
        raise RequestParseError(
            f"{number} is not a value of the closed enum {enum_desc.full_name}", path=path
        )
    return number


# -- formatting -------------------------------------------------------------------------


def format_scalar(
    field: FieldDescriptor,
    value: ScalarValue,
    *,
    bytes_encoding: BytesEncoding = BytesEncoding.BASE64,
) -> str:
    """The text that :func:`parse_scalar` reads back as ``value``."""
    cpp = field.cpp_type
    if cpp == FD.CPPTYPE_BOOL:
        return "true" if value else "false"
    if cpp in (FD.CPPTYPE_FLOAT, FD.CPPTYPE_DOUBLE):
        assert isinstance(value, float | int)
        return format_float(float(value), single=cpp == FD.CPPTYPE_FLOAT)
    if cpp == FD.CPPTYPE_ENUM:
        assert isinstance(value, int)
        return format_enum(enum_of(field), value)
    if isinstance(value, bytes):
        return format_bytes(value, bytes_encoding)
    return str(value)


def format_float(value: float, *, single: bool = False) -> str:
    """Shortest text that reads back as the same double (or float32 when ``single``)."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if single:
        # A float field holds a float32 widened to double: 0.1 would print as 0.10000000149….
        packed = struct.pack("<f", value)
        for digits in range(1, 10):
            candidate = float(f"{value:.{digits}g}")
            try:
                if struct.pack("<f", candidate) == packed:
                    return repr(candidate)
            except OverflowError:  # rounded past the largest float32
                continue
    return repr(value)


def format_enum(enum_desc: EnumDescriptor, number: int) -> str:
    """The value's name, or its number when the schema does not know it."""
    known = enum_desc.values_by_number.get(number)
    return known.name if known is not None else str(number)


def format_bytes(value: bytes, encoding: BytesEncoding) -> str:
    """Bytes as base64, spaced hex pairs, or UTF-8 text (undecodable bytes become U+FFFD)."""
    if encoding is BytesEncoding.HEX:
        return value.hex(" ")
    if encoding is BytesEncoding.UTF8:
        return value.decode("utf-8", errors="replace")
    return base64.b64encode(value).decode("ascii")

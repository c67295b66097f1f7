"""Scalar fields in the protobuf JSON mapping: JSON value → Python value and back.

Reading is strict about types and ranges but accepts every spelling the JSON mapping allows
(integers as numbers or strings, integral floats like ``1e3`` for ints, enum names or
numbers, standard or URL-safe base64, ``"NaN"``/``"Infinity"`` for floats). Every failure is a
:class:`RequestParseError` that carries the field path and names the expected type.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import math
import re
import struct
from decimal import Decimal
from typing import Any, Final

from google.protobuf.descriptor import EnumDescriptor, FieldDescriptor

from workbench.core.errors import RequestParseError
from workbench.core.messages.fieldtypes import FLOAT32_MAX as _FLOAT32_MAX
from workbench.core.messages.fieldtypes import INT_RANGES as _INT_RANGES
from workbench.core.messages.fieldtypes import TYPE_NAMES as _TYPE_NAMES
from workbench.core.messages.jsontext import NonStandardNumber, describe

__all__ = [
    "SKIP",
    "compact_number",
    "read_map_key",
    "read_scalar",
    "scalar_type_name",
    "write_map_key",
    "write_scalar",
]

FD = FieldDescriptor

_NUMBER_RE: Final = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_PLAIN_INT_RE: Final = re.compile(r"-?\d{1,400}")
_FLOAT_WORDS: Final = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


class _Skip:
    """Marker: an unknown enum name that ``ignore_unknown`` asks to drop."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "SKIP"


SKIP: Final = _Skip()


def _enum_of(field: FieldDescriptor) -> EnumDescriptor:
    if field.enum_type is None:
        raise TypeError(f"{field.full_name} is not an enum field")
    return field.enum_type


def scalar_type_name(field: FieldDescriptor) -> str:
    """The proto type of a scalar or enum field as written in a .proto (``int64``, ...)."""
    if field.type == FD.TYPE_ENUM:
        return f"enum {_enum_of(field).full_name}"
    return _TYPE_NAMES.get(field.type, "value")


def _expected(field: FieldDescriptor, value: Any, path: str, extra: str = "") -> RequestParseError:
    return RequestParseError(
        f"expected {scalar_type_name(field)}{extra}, got {describe(value)}", path=path
    )


def read_scalar(
    value: Any, field: FieldDescriptor, path: str, *, ignore_unknown: bool = False
) -> Any:
    """Convert one JSON value (not null) for a scalar or enum ``field``.

    Args:
        value: the decoded JSON value.
        field: the field (or map value / wrapper ``value`` field) it is meant for.
        path: the field path, for errors.
        ignore_unknown: unknown enum names yield :data:`SKIP` instead of an error.

    Returns:
        The Python value to assign, or :data:`SKIP`.

    Raises:
        RequestParseError: wrong type, out of range, bad base64, unknown enum value.
    """
    cpp = field.cpp_type
    if cpp in _INT_RANGES:
        return _read_int(value, field, path)
    if cpp in (FD.CPPTYPE_FLOAT, FD.CPPTYPE_DOUBLE):
        return _read_float(value, field, path)
    if cpp == FD.CPPTYPE_BOOL:
        if isinstance(value, bool):
            return value
        raise _expected(field, value, path, " (true or false)")
    if cpp == FD.CPPTYPE_ENUM:
        return _read_enum(value, field, path, ignore_unknown=ignore_unknown)
    if field.type == FD.TYPE_BYTES:
        return _read_bytes(value, field, path)
    if not isinstance(value, str):
        raise _expected(field, value, path)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise RequestParseError(
            f"string contains an unpaired surrogate at index {exc.start}", path=path
        ) from exc
    return value


def _read_int(value: Any, field: FieldDescriptor, path: str) -> int:
    number: int | Decimal
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise _expected(field, value, path)
    if isinstance(value, str):
        if _PLAIN_INT_RE.fullmatch(value):
            number = int(value)
        elif _NUMBER_RE.fullmatch(value):
            number = Decimal(value)
        else:
            raise _expected(field, value, path)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _expected(field, value, path)
        number = Decimal(value)
    else:
        number = value
    lo, hi = _INT_RANGES[field.cpp_type]
    if not lo <= number <= hi:
        raise RequestParseError(
            f"{describe(value)} is out of range for {scalar_type_name(field)} ({lo} to {hi})",
            path=path,
        )
    if isinstance(number, Decimal):
        # Only integral values are accepted, as protobuf's own JSON parser does for 1e3 or 5.0.
        if number != number.to_integral_value():
            raise _expected(field, value, path, " (a whole number)")
        number = int(number)
    return number


def _read_float(value: Any, field: FieldDescriptor, path: str) -> float:
    kind = scalar_type_name(field)
    if isinstance(value, NonStandardNumber):
        raise RequestParseError(
            f"expected {kind}, got the bare token {value.token}; JSON has no such literal",
            path=path,
            hint=f'write it as a string: "{value.token}"',
        )
    if isinstance(value, str):
        if value in _FLOAT_WORDS:
            return _FLOAT_WORDS[value]
        if not _NUMBER_RE.fullmatch(value):
            raise _expected(field, value, path, ' (a number, "NaN", "Infinity" or "-Infinity")')
        number = float(Decimal(value))
    elif isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        raise _expected(field, value, path)
    elif isinstance(value, float):
        # Python callers (the form editor) may hand over non-finite floats; that is fine.
        return value if not math.isfinite(value) else _check_float32(value, value, field, path)
    else:
        number = float(value) if isinstance(value, Decimal) else _int_to_float(value)
    if math.isinf(number):
        raise RequestParseError(f"{describe(value)} is out of range for {kind}", path=path)
    return _check_float32(number, value, field, path)


def _int_to_float(value: int) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _check_float32(number: float, value: Any, field: FieldDescriptor, path: str) -> float:
    if field.cpp_type != FD.CPPTYPE_FLOAT:
        return number
    try:
        # Out of range means "rounds to infinity as a float32", not "above FLT_MAX": the
        # shortest spelling of FLT_MAX (3.4028235e38, which we write ourselves) is above it.
        struct.pack("<f", number)
    except OverflowError:
        raise RequestParseError(
            f"{describe(value)} is out of range for float (±{_FLOAT32_MAX:.8g})", path=path
        ) from None
    return number


def _read_bytes(value: Any, field: FieldDescriptor, path: str) -> bytes:
    if isinstance(value, bytes):
        return value
    if not isinstance(value, str):
        raise _expected(field, value, path, " (base64)")
    # The JSON mapping allows standard and URL-safe alphabets, padded or not.
    text = value.strip().replace("-", "+").replace("_", "/").rstrip("=")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _expected(field, value, path, " (base64)") from exc


def _read_enum(value: Any, field: FieldDescriptor, path: str, *, ignore_unknown: bool) -> Any:
    enum = _enum_of(field)
    if isinstance(value, str):
        found = enum.values_by_name.get(value)
        if found is not None:
            return found.number
        if not _PLAIN_INT_RE.fullmatch(value):
            if ignore_unknown:
                return SKIP
            raise _unknown_enum(enum, value, path)
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise RequestParseError(
            f"expected enum {enum.full_name} (a value name or number), got {describe(value)}",
            path=path,
        )
    if value in enum.values_by_number:
        return value
    if enum.is_closed or not -(2**31) <= value < 2**31:
        raise _unknown_enum(enum, value, path)
    return value  # open (proto3) enums keep unknown numbers


def _unknown_enum(enum: EnumDescriptor, value: object, path: str) -> RequestParseError:
    names = list(enum.values_by_name)
    shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
    close = difflib.get_close_matches(str(value), names, n=3, cutoff=0.5)
    if not close and isinstance(value, str):
        close = [n for n in names if n.lower() == value.lower()]
    return RequestParseError(
        f"{describe(value)} is not a value of enum {enum.full_name} ({shown})",
        path=path,
        hint=f"did you mean {' or '.join(close)}?" if close else "",
    )


def read_map_key(key: str, key_field: FieldDescriptor, path: str) -> Any:
    """Convert a JSON object key for a map whose keys are ``key_field``.

    Raises:
        RequestParseError: the key does not spell a value of the key type.
    """
    cpp = key_field.cpp_type
    if cpp == FD.CPPTYPE_STRING:
        return key
    if cpp == FD.CPPTYPE_BOOL:
        if key in ("true", "false"):
            return key == "true"
        raise RequestParseError(
            f'map key: expected bool ("true" or "false"), got {describe(key)}', path=path
        )
    if not _PLAIN_INT_RE.fullmatch(key):
        raise RequestParseError(
            f"map key: expected {scalar_type_name(key_field)}, got {describe(key)}", path=path
        )
    return _read_int(key, key_field, path)


def write_map_key(key: Any) -> str:
    """The JSON object key for a map key (ints in decimal, bools as true/false)."""
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


def write_scalar(value: Any, field: FieldDescriptor) -> Any:
    """The JSON value for one scalar or enum value of ``field``."""
    cpp = field.cpp_type
    if cpp in (FD.CPPTYPE_INT64, FD.CPPTYPE_UINT64):
        return str(value)  # the JSON mapping quotes 64-bit ints: doubles cannot hold them
    if cpp in (FD.CPPTYPE_FLOAT, FD.CPPTYPE_DOUBLE):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return compact_number(_shortest_float32(value) if cpp == FD.CPPTYPE_FLOAT else value)
    if cpp == FD.CPPTYPE_ENUM:
        enum = _enum_of(field)
        if enum.full_name == "google.protobuf.NullValue":
            return None
        known = enum.values_by_number.get(value)
        return known.name if known is not None else value
    if field.type == FD.TYPE_BYTES:
        return base64.b64encode(value).decode("ascii")
    return value


def compact_number(value: float) -> float | int:
    """Integral doubles as ``int`` (``3``, not ``3.0``), as protobuf's C++ and Go writers do.

    Only below 2^53, where the int is exact, and never for -0.0, whose sign would be lost.
    """
    if value.is_integer() and abs(value) < 2**53 and math.copysign(1.0, value) > 0:
        return int(value)
    return value


def _shortest_float32(value: float) -> float:
    """The double with the fewest digits that still reads back as the same float32.

    A float field holds a float32 widened to a double; printing that double would show noise
    digits (0.1 → 0.10000000149011612).
    """
    packed = struct.pack("<f", value)
    for digits in range(1, 10):
        candidate = float(f"{value:.{digits}g}")
        try:
            if struct.pack("<f", candidate) == packed:
                return candidate
        except OverflowError:  # rounding up near FLT_MAX
            continue
    return value

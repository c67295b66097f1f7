"""Strict, exact JSON decoding for request values.

``json.loads`` is almost right for protobuf JSON; this module fixes the three ways it is not:

* numbers with a fraction or exponent become :class:`JsonNumber` (a ``Decimal``), never ``float``,
  so ``9007199254740993.0`` or ``1e3`` given for an int64 field keeps its exact value
  (plain integers are exact Python ints already);
* duplicate object keys are remembered instead of silently keeping the last one, so the
  message reader can report them with their field path;
* every syntax error becomes a :class:`RequestParseError` with line and column.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from workbench.core.errors import RequestParseError

__all__ = ["JsonNumber", "JsonObject", "NonStandardNumber", "describe", "load_json"]

# CPython refuses to convert int strings longer than this (CVE-2020-10735 guard). Such numbers
# can only ever be out of range for protobuf, so keep them as Decimal and let the range check
# report them instead of crashing the decoder with a position-less ValueError.
_MAX_INT_DIGITS = 400


class JsonObject(dict[str, Any]):
    """A decoded JSON object that also remembers keys given more than once.

    Attributes:
        duplicates: keys that appeared more than once, in order of their second appearance.
    """

    duplicates: list[str]

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__()
        self.duplicates = []
        for key, value in pairs:
            if key in self and key not in self.duplicates:
                self.duplicates.append(key)
            self[key] = value


def _parse_int(text: str) -> int | Decimal:
    return int(text) if len(text) <= _MAX_INT_DIGITS else JsonNumber(text)


class JsonNumber(Decimal):
    """A JSON number with a fraction or exponent: exact, and remembering how it was written.

    The spelling is kept so that errors quote the user's ``1e39``, not Decimal's ``1E+39``.
    """

    text: str

    def __new__(cls, text: str) -> JsonNumber:
        number = super().__new__(cls, text)
        number.text = text
        return number


class NonStandardNumber:
    """A bare ``NaN``/``Infinity``/``-Infinity`` token, which JSON does not allow.

    Python's decoder accepts these tokens; raising from its hook would lose the position, so
    the token is kept as this marker and the message reader rejects it with a field path.
    """

    __slots__ = ("token",)

    def __init__(self, token: str) -> None:
        self.token = token

    def __repr__(self) -> str:
        return self.token


def load_json(text: str) -> Any:
    """Decode ``text`` as one JSON value, exactly and strictly.

    Args:
        text: the JSON text.

    Returns:
        The value, with objects as :class:`JsonObject`, fractional/exponent numbers as
        :class:`~decimal.Decimal`, and integers as ``int``.

    Raises:
        RequestParseError: the text is empty or not valid JSON; ``line`` and ``column``
            (1-based) point at the problem.
    """
    # Editors on Windows like to start files with a byte-order mark; JSON does not allow it.
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise RequestParseError(
            "empty input: expected a JSON object",
            line=1,
            column=1,
            hint="send {} for an empty message",
        )
    try:
        return json.loads(
            text,
            object_pairs_hook=JsonObject,
            parse_float=JsonNumber,
            parse_int=_parse_int,
            parse_constant=NonStandardNumber,
        )
    except json.JSONDecodeError as exc:
        raise RequestParseError(
            f"invalid JSON: {exc.msg}", line=exc.lineno, column=exc.colno
        ) from exc
    except RecursionError as exc:
        raise RequestParseError("invalid JSON: nested too deeply") from exc


def describe(value: Any) -> str:
    """A short rendering of a JSON value for 'got ...' in error messages."""
    if isinstance(value, NonStandardNumber):
        return value.token
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, JsonNumber):
        return value.text
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, bytes):
        return f"bytes {value!r}"
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."

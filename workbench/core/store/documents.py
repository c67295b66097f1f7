"""Versioned, diff-friendly JSON documents: the one on-disk shape of every workspace file.

Every file starts with ``"format": "grpc-workbench/<kind>"`` and ``"version": N``, is
pretty-printed with a 2-space indent, keys in a fixed order and a trailing newline, so a
``git diff`` of one edited field is one line. Numbers are kept exactly as written: a
fraction or exponent is read as a :class:`JsonNumber` (a ``Decimal`` remembering its
spelling) and written back verbatim, so ``1.10`` or an int64 beyond 2^53 survive a load and
save unchanged.

A file that is not valid JSON, not ours, or of a newer version raises
:class:`FileFormatError`; callers turn that into a :class:`FileProblem`, report it and skip
the file without ever writing to it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from workbench.core.errors import FileFormatError
from workbench.core.messages.jsontext import JsonNumber

__all__ = [
    "FORMAT_PREFIX",
    "FileProblem",
    "dump_document",
    "dump_json",
    "expect",
    "load_json_bytes",
    "parse_document",
]

FORMAT_PREFIX = "grpc-workbench/"
_INDENT = "  "


@dataclass(frozen=True)
class FileProblem:
    """A file that was skipped because it could not be used; it is left untouched.

    Attributes:
        path: the file.
        message: what is wrong, e.g. ``line 3, column 5: invalid JSON: Expecting ','``.
        hint: how to fix it.
    """

    path: Path
    message: str
    hint: str = ""

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def _reject_constant(token: str) -> Any:
    raise ValueError(f"{token} is not valid JSON")


def load_json_bytes(data: bytes, path: Path) -> Any:
    """Decode a JSON file exactly (see the module docstring).

    Raises:
        FileFormatError: not UTF-8 or not valid JSON; the message carries line and column.
    """
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise FileFormatError(
            f"{path}: not UTF-8 text (byte offset {exc.start})",
            path=path,
            hint="save the file as UTF-8",
        ) from None
    if not text.strip():
        raise FileFormatError(f"{path}: the file is empty", path=path, hint="restore it from git")
    try:
        return json.loads(text, parse_float=JsonNumber, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise FileFormatError(
            f"{path}: line {exc.lineno}, column {exc.colno}: invalid JSON: {exc.msg}",
            path=path,
            hint="fix the file by hand or restore it from git; the app will not touch it",
        ) from None
    except (ValueError, RecursionError) as exc:
        raise FileFormatError(f"{path}: invalid JSON: {exc}", path=path) from None


def parse_document(data: bytes, path: Path, *, kind: str, max_version: int) -> dict[str, Any]:
    """Decode a versioned document of ``kind`` and check its format header.

    Args:
        data: the file's bytes.
        path: the file, for messages.
        kind: the expected kind, e.g. ``"request"`` for ``grpc-workbench/request``.
        max_version: the newest format version this code understands.

    Returns:
        The document (its ``format`` and ``version`` included).

    Raises:
        FileFormatError: invalid JSON, another kind of file, or an unknown version.
    """
    doc = load_json_bytes(data, path)
    expected = FORMAT_PREFIX + kind
    if not isinstance(doc, dict):
        raise FileFormatError(f'{path}: expected a JSON object with "format": "{expected}"')
    fmt = doc.get("format")
    if fmt != expected:
        got = f"{fmt!r}" if fmt is not None else 'no "format" field'
        raise FileFormatError(
            f'{path}: not a {kind} file (expected "format": "{expected}", found {got})',
            path=path,
        )
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise FileFormatError(
            f'{path}: "version" must be a positive whole number, found {version!r}', path=path
        )
    if version > max_version:
        raise FileFormatError(
            f"{path}: written by a newer grpc-workbench (format version {version}; "
            f"this version reads up to {max_version})",
            path=path,
            hint="update grpc-workbench; the file is left as it is",
        )
    return doc


def expect(doc: Mapping[str, Any], key: str, types: type | tuple[type, ...], where: str) -> Any:
    """``doc[key]`` checked against ``types`` (``None`` when missing and allowed).

    Raises:
        FileFormatError: the value has another type; the message names ``where.key``.
    """
    value = doc.get(key)
    allowed = types if isinstance(types, tuple) else (types,)
    ok = isinstance(value, allowed) and not (isinstance(value, bool) and bool not in allowed)
    if value is None and type(None) in allowed:
        ok = True
    if not ok:
        names = " or ".join(
            "null" if t is type(None) else _TYPE_NAMES.get(t, t.__name__) for t in allowed
        )
        raise FileFormatError(f"{where}{key}: expected {names}, found {json.dumps(value)[:40]}")
    return value


_TYPE_NAMES = {
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "true/false",
    list: "a list",
    dict: "an object",
    Decimal: "a number",
}


def dump_document(kind: str, version: int, body: Mapping[str, Any]) -> bytes:
    """The bytes of a versioned document: header first, then ``body`` in its own order."""
    doc: dict[str, Any] = {"format": FORMAT_PREFIX + kind, "version": version}
    doc.update(body)
    return (dump_json(doc) + "\n").encode("utf-8")


def dump_json(value: Any, level: int = 0) -> str:
    """Pretty JSON like ``json.dumps(indent=2, ensure_ascii=False)``, numbers kept exact.

    Raises:
        ValueError: the value holds something JSON cannot represent (NaN, a set, ...).
    """
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        inner = _INDENT * (level + 1)
        items = [f"{inner}{_dump_key(k)}: {dump_json(v, level + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + _INDENT * level + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = _INDENT * (level + 1)
        items = [inner + dump_json(v, level + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + _INDENT * level + "]"
    return _dump_scalar(value)


def _dump_key(key: object) -> str:
    if not isinstance(key, str):
        raise ValueError(f"JSON object keys must be strings, not {type(key).__name__}")
    return json.dumps(key, ensure_ascii=False)


def _dump_scalar(value: Any) -> str:
    if value is None or isinstance(value, bool | str | int):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, JsonNumber):
        return value.text
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} cannot be stored in JSON")
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} cannot be stored in JSON")
        return json.dumps(value)
    raise ValueError(f"a {type(value).__name__} cannot be stored in JSON")

"""Field paths as shown to users: ``items[2].price.units``, ``labels["k"].x``, ``counts[5]``.

Paths use the proto field names (not the JSON camelCase names) so that the form editor and
the collection store can map a path back to a field; string map keys are quoted like JSON
strings, integer and bool map keys are written bare.
"""

from __future__ import annotations

import json
import re

from google.protobuf.descriptor import FieldDescriptor

from workbench.core.messages.fieldtypes import is_map_field

__all__ = ["field_path", "index_path", "is_map_field", "key_path", "map_entry_fields"]

_BARE_KEY = re.compile(r"-?\d+|true|false")


def field_path(path: str, name: str) -> str:
    """``path`` extended by the field ``name``."""
    return f"{path}.{name}" if path else name


def index_path(path: str, index: int) -> str:
    """``path`` extended by a list index."""
    return f"{path}[{index}]"


def key_path(path: str, key: str, key_field: FieldDescriptor | None = None) -> str:
    """``path`` extended by a map (or Struct) key as it appears in JSON.

    Args:
        path: the path of the map field.
        key: the key exactly as it was written in JSON (always a string there).
        key_field: the map's key field; integer and bool keys that spell a valid value are
            written bare, everything else quoted.
    """
    bare = (
        key_field is not None
        and key_field.cpp_type != FieldDescriptor.CPPTYPE_STRING
        and _BARE_KEY.fullmatch(key) is not None
    )
    return f"{path}[{key}]" if bare else f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def map_entry_fields(field: FieldDescriptor) -> tuple[FieldDescriptor, FieldDescriptor]:
    """The ``key`` and ``value`` fields of a map field's entry type."""
    entry = field.message_type
    if entry is None:
        raise TypeError(f"{field.full_name} is not a map field")
    return entry.fields_by_name["key"], entry.fields_by_name["value"]

"""Well-known types that have their own JSON form, and ``Any`` type resolution.

A schema's pool holds its own copy of ``google/protobuf/*.proto``, so a well-known type is
recognised by full name, never by class identity with the generated ``*_pb2`` classes.
"""

from __future__ import annotations

from typing import Final

from google.protobuf import descriptor_pool, duration_pb2, field_mask_pb2, timestamp_pb2
from google.protobuf.descriptor import Descriptor

__all__ = [
    "ANY",
    "LIST_VALUE",
    "SPECIAL_JSON",
    "STRING_WKTS",
    "STRUCT",
    "VALUE",
    "WRAPPERS",
    "find_any_type",
    "type_name_of_url",
]

ANY: Final = "google.protobuf.Any"
STRUCT: Final = "google.protobuf.Struct"
VALUE: Final = "google.protobuf.Value"
LIST_VALUE: Final = "google.protobuf.ListValue"

WRAPPERS: Final = frozenset(
    f"google.protobuf.{name}Value"
    for name in ("Double", "Float", "Int64", "UInt64", "Int32", "UInt32", "Bool", "String", "Bytes")
)

# Types whose JSON form is a string; the generated classes carry the (well-tested) converters,
# so values travel through them as wire bytes.
STRING_WKTS: Final[
    dict[str, type[timestamp_pb2.Timestamp | duration_pb2.Duration | field_mask_pb2.FieldMask]]
] = {
    "google.protobuf.Timestamp": timestamp_pb2.Timestamp,
    "google.protobuf.Duration": duration_pb2.Duration,
    "google.protobuf.FieldMask": field_mask_pb2.FieldMask,
}

# Inside an Any these are written as {"@type": ..., "value": <their JSON form>} instead of
# having their fields inlined next to "@type".
SPECIAL_JSON: Final = WRAPPERS | set(STRING_WKTS) | {ANY, STRUCT, VALUE, LIST_VALUE}


def type_name_of_url(type_url: str) -> str:
    """The message name in a type URL (``type.googleapis.com/pkg.Msg`` → ``pkg.Msg``)."""
    return type_url.rsplit("/", 1)[-1]


def find_any_type(pool: descriptor_pool.DescriptorPool, type_url: str) -> Descriptor | None:
    """The descriptor a type URL names, or ``None`` when ``pool`` does not know it."""
    name = type_name_of_url(type_url)
    if not name:
        return None
    try:
        return pool.FindMessageTypeByName(name)
    except KeyError:
        return None

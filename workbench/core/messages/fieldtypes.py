"""Facts about field types shared by the JSON codec and the form editor's value parsing."""

from __future__ import annotations

from typing import Final

from google.protobuf.descriptor import FieldDescriptor

FD = FieldDescriptor

#: The .proto spelling of each scalar wire type.
TYPE_NAMES: Final = {
    FD.TYPE_DOUBLE: "double",
    FD.TYPE_FLOAT: "float",
    FD.TYPE_INT64: "int64",
    FD.TYPE_UINT64: "uint64",
    FD.TYPE_INT32: "int32",
    FD.TYPE_FIXED64: "fixed64",
    FD.TYPE_FIXED32: "fixed32",
    FD.TYPE_BOOL: "bool",
    FD.TYPE_STRING: "string",
    FD.TYPE_BYTES: "bytes",
    FD.TYPE_UINT32: "uint32",
    FD.TYPE_SFIXED32: "sfixed32",
    FD.TYPE_SFIXED64: "sfixed64",
    FD.TYPE_SINT32: "sint32",
    FD.TYPE_SINT64: "sint64",
}

#: Inclusive range of each integer C++ type (what the field can hold, whatever its encoding).
INT_RANGES: Final = {
    FD.CPPTYPE_INT32: (-(2**31), 2**31 - 1),
    FD.CPPTYPE_UINT32: (0, 2**32 - 1),
    FD.CPPTYPE_INT64: (-(2**63), 2**63 - 1),
    FD.CPPTYPE_UINT64: (0, 2**64 - 1),
}

#: The largest finite float32.
FLOAT32_MAX: Final = 3.4028234663852886e38


def is_map_field(field: FieldDescriptor) -> bool:
    """Whether ``field`` is a map (a repeated field of a synthesized map-entry message)."""
    return (
        field.is_repeated
        and field.message_type is not None
        and bool(field.message_type.GetOptions().map_entry)
    )

"""A test schema with every kind of field, and hypothesis strategies for its messages.

Shared by the codec, skeleton and JSON stream tests. The schema is compiled once per test
process (protoc runs in a child process) into its own pool, so none of its types are in
protobuf's default pool — exactly the situation of a user-loaded schema.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from hypothesis import strategies as st

from workbench.core.messages.dynamic import new_message
from workbench.core.schema.files import compile_proto_files
from workbench.core.schema.schema import Schema

FD = FieldDescriptor

PROTOS = {
    "wbtest/every.proto": """
syntax = "proto3";
package wbtest;

import "google/protobuf/any.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/empty.proto";
import "google/protobuf/field_mask.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";

enum Color {
  COLOR_UNSPECIFIED = 0;
  RED = 1;
  GREEN = 2;
  BLUE = 3;
}

message Money {
  int64 units = 1;
  int32 nanos = 2;
  string currency_code = 3;
}

message Item {
  string name = 1;
  Money price = 2;
  int32 quantity = 3;
}

message Label {
  string x = 1;
  int32 y = 2;
}

message Scalars {
  double f_double = 1;
  float f_float = 2;
  int32 f_int32 = 3;
  int64 f_int64 = 4;
  uint32 f_uint32 = 5;
  uint64 f_uint64 = 6;
  sint32 f_sint32 = 7;
  sint64 f_sint64 = 8;
  fixed32 f_fixed32 = 9;
  fixed64 f_fixed64 = 10;
  sfixed32 f_sfixed32 = 11;
  sfixed64 f_sfixed64 = 12;
  bool f_bool = 13;
  string f_string = 14;
  bytes f_bytes = 15;
  Color f_enum = 16;
}

message Node {
  string name = 1;
  repeated Node children = 2;
  Node parent = 3;
}

message Everything {
  Scalars scalars = 1;
  repeated Scalars many = 2;
  repeated int64 ints = 3;
  repeated string strings = 4;
  repeated Color colors = 5;
  repeated bytes blobs = 6;
  repeated double doubles = 7;
  repeated Item items = 8;
  map<string, Label> labels = 9;
  map<int64, string> by_id = 10;
  map<bool, int32> flags = 11;
  map<uint32, Color> codes = 12;
  map<string, Money> prices = 13;
  oneof choice {
    string text = 14;
    Item item = 15;
    int64 number = 16;
  }
  optional int32 maybe = 17;
  optional string maybe_text = 18;
  Node tree = 19;
  google.protobuf.Timestamp created_at = 20;
  google.protobuf.Duration timeout = 21;
  google.protobuf.Any payload = 22;
  google.protobuf.Struct meta = 23;
  google.protobuf.Value anything = 24;
  google.protobuf.ListValue list = 25;
  google.protobuf.FieldMask mask = 26;
  google.protobuf.Empty nothing = 27;
  google.protobuf.Int64Value w_int64 = 28;
  google.protobuf.UInt64Value w_uint64 = 29;
  google.protobuf.Int32Value w_int32 = 30;
  google.protobuf.UInt32Value w_uint32 = 31;
  google.protobuf.DoubleValue w_double = 32;
  google.protobuf.FloatValue w_float = 33;
  google.protobuf.BoolValue w_bool = 34;
  google.protobuf.StringValue w_string = 35;
  google.protobuf.BytesValue w_bytes = 36;
  repeated google.protobuf.Any anys = 37;
  repeated google.protobuf.Timestamp times = 38;
  map<string, google.protobuf.Value> values = 39;
  string display_name = 40 [json_name = "title"];
}
""",
    "wbtest/legacy.proto": """
syntax = "proto2";
package wbtest.legacy;

enum Mode {
  MODE_A = 1;
  MODE_B = 2;
}

message Old {
  optional Mode mode = 1;
  optional int32 count = 2 [default = 7];
  repeated Mode modes = 3;
}
""",
}


@functools.cache
def schema() -> Schema:
    """The compiled test schema (compiled once per process)."""
    with tempfile.TemporaryDirectory(prefix="wbtest-protos-") as tmp:
        for name, text in PROTOS.items():
            path = Path(tmp, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        fds = compile_proto_files(list(PROTOS), [tmp])
    return Schema.from_file_descriptor_set(fds, files=list(PROTOS))


def message_type(name: str) -> Descriptor:
    """A message type of the test schema by short or full name."""
    full = name if "." in name else f"wbtest.{name}"
    return schema().message(full)


# -- hypothesis strategies ------------------------------------------------------------------

_INT_RANGES = {
    FD.CPPTYPE_INT32: (-(2**31), 2**31 - 1),
    FD.CPPTYPE_UINT32: (0, 2**32 - 1),
    FD.CPPTYPE_INT64: (-(2**63), 2**63 - 1),
    FD.CPPTYPE_UINT64: (0, 2**64 - 1),
}


def ints_for(cpp_type: int) -> st.SearchStrategy[int]:
    """Integers of a protobuf integer type, with the extremes drawn often."""
    lo, hi = _INT_RANGES[cpp_type]
    extremes = st.sampled_from([lo, hi, 0, -1 if lo < 0 else 1, 2**53 + 1 if hi > 2**53 else hi])
    return st.one_of(extremes, st.integers(lo, hi))


def scalar_values(field: FieldDescriptor) -> st.SearchStrategy[Any]:
    """Values of a scalar or enum field (no NaN: it never compares equal)."""
    cpp = field.cpp_type
    if cpp in _INT_RANGES:
        return ints_for(cpp)
    if cpp == FD.CPPTYPE_DOUBLE:
        return st.floats(allow_nan=False)
    if cpp == FD.CPPTYPE_FLOAT:
        return st.floats(width=32, allow_nan=False)
    if cpp == FD.CPPTYPE_BOOL:
        return st.booleans()
    if cpp == FD.CPPTYPE_ENUM:
        assert field.enum_type is not None
        known = [v.number for v in field.enum_type.values]
        if field.enum_type.is_closed:
            return st.sampled_from(known)
        return st.one_of(st.sampled_from(known), st.integers(-(2**31), 2**31 - 1))
    if field.type == FD.TYPE_BYTES:
        return st.binary(max_size=20)
    return st.text(max_size=20)


_json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=10),
    st.floats(allow_nan=False, allow_infinity=False),
)
json_values = st.recursive(
    _json_leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


def _set_value(msg: Any, value: Any) -> None:
    """Fill a google.protobuf.Value from a plain JSON value."""
    if value is None:
        msg.null_value = 0
    elif isinstance(value, bool):
        msg.bool_value = value
    elif isinstance(value, str):
        msg.string_value = value
    elif isinstance(value, float):
        msg.number_value = value
    elif isinstance(value, list):
        msg.list_value.SetInParent()
        for item in value:
            _set_value(msg.list_value.values.add(), item)
    else:
        msg.struct_value.SetInParent()
        for key, item in value.items():
            _set_value(msg.struct_value.fields[key], item)


# Types packed into Any values: plain messages and well-known types with a special JSON form.
ANY_PAYLOAD_TYPES = [
    "wbtest.Item",
    "wbtest.Scalars",
    "google.protobuf.Duration",
    "google.protobuf.Struct",
]

_SEGMENT = st.lists(st.text("abcxyz", min_size=1, max_size=3), min_size=1, max_size=3).map("_".join)


@st.composite
def messages(draw: st.DrawFn, desc: Descriptor, depth: int = 0, in_any: bool = False) -> Message:
    """Random messages of type ``desc`` (nesting limited to keep examples small)."""
    msg: Any = new_message(desc)
    full = desc.full_name
    if full == "google.protobuf.Timestamp":
        msg.seconds = draw(st.integers(-62135596800, 253402300799))
        msg.nanos = draw(st.integers(0, 999_999_999))
    elif full == "google.protobuf.Duration":
        seconds = draw(st.integers(-315576000000, 315576000000))
        nanos = draw(st.integers(0, 999_999_999))
        msg.seconds, msg.nanos = seconds, (-nanos if seconds < 0 else nanos)
    elif full == "google.protobuf.FieldMask":
        paths = draw(st.lists(st.lists(_SEGMENT, min_size=1, max_size=3), max_size=3))
        msg.paths.extend(".".join(p) for p in paths)
    elif full == "google.protobuf.Struct":
        # Inside an Any, a Struct keeps to one leaf entry: upb serializes map entries in
        # hash order, so bytes of a packed multi-entry map differ between equal messages.
        small = in_any
        entries = (
            st.dictionaries(st.text(max_size=5), _json_leaves, max_size=1)
            if small
            else st.dictionaries(st.text(max_size=5), json_values, max_size=3)
        )
        for key, value in draw(entries).items():
            _set_value(msg.fields[key], value)
    elif full == "google.protobuf.Value":
        _set_value(msg, draw(json_values))
    elif full == "google.protobuf.ListValue":
        for value in draw(st.lists(json_values, max_size=3)):
            _set_value(msg.values.add(), value)
    elif full == "google.protobuf.Any":
        if draw(st.booleans()):
            inner_type = draw(st.sampled_from(ANY_PAYLOAD_TYPES))
            inner = draw(messages(schema().message(inner_type), depth + 1, in_any=True))
            msg.type_url = f"type.googleapis.com/{inner_type}"
            msg.value = inner.SerializeToString(deterministic=True)
    else:
        _fill_fields(draw, msg, desc, depth)
    return msg


def _fill_fields(draw: st.DrawFn, msg: Any, desc: Descriptor, depth: int) -> None:
    chosen_oneofs: dict[str, str | None] = {}
    for oneof in desc.oneofs:
        names = [f.name for f in oneof.fields]
        chosen_oneofs[oneof.name] = draw(st.sampled_from([None, *names]))
    for field in desc.fields:
        if field.containing_oneof is not None:
            if chosen_oneofs[field.containing_oneof.name] != field.name:
                continue
        elif not draw(st.booleans()):
            continue
        sub = field.message_type
        if sub is not None and depth >= 2 and sub.full_name.startswith("wbtest."):
            continue
        target = getattr(msg, field.name)
        if sub is not None and sub.GetOptions().map_entry:
            key_f, value_f = sub.fields_by_name["key"], sub.fields_by_name["value"]
            for key in draw(st.lists(scalar_values(key_f), max_size=3, unique=True)):
                if value_f.message_type is not None:
                    target[key].CopyFrom(draw(messages(value_f.message_type, depth + 1)))
                else:
                    target[key] = draw(scalar_values(value_f))
        elif field.is_repeated:
            if sub is not None:
                for item in draw(st.lists(messages(sub, depth + 1), max_size=2)):
                    target.add().CopyFrom(item)
            else:
                target.extend(draw(st.lists(scalar_values(field), max_size=3)))
        elif sub is not None:
            target.CopyFrom(draw(messages(sub, depth + 1)))
            target.SetInParent()
        else:
            setattr(msg, field.name, draw(scalar_values(field)))

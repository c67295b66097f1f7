"""Typed text for one field: ranges, special floats, bytes encodings, enums, well-known types."""

from __future__ import annotations

import math
import struct
from typing import Any

import pytest
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from hypothesis import given
from hypothesis import strategies as st

from workbench.core.errors import RequestParseError
from workbench.core.messages.dynamic import new_message
from workbench.core.messages.fieldvalues import (
    BytesEncoding,
    describe_type,
    format_bytes,
    format_float,
    format_scalar,
    parse_bytes,
    parse_enum,
    parse_float,
    parse_int,
    parse_scalar,
)
from workbench.core.messages.wkt_values import (
    WellKnown,
    format_duration,
    format_well_known,
    is_leaf_message,
    parse_duration,
    parse_field_mask,
    parse_timestamp,
    parse_well_known,
    well_known,
)
from workbench.core.schema.schema import Schema
from workbench.demo.protos import demo_schema


@pytest.fixture(scope="module")
def schema() -> Schema:
    return demo_schema()


@pytest.fixture(scope="module")
def all_types(schema: Schema) -> Descriptor:
    return schema.message("workbench.demo.v1.AllTypes")


def field(all_types: Descriptor, name: str) -> FieldDescriptor:
    return all_types.fields_by_name[name]


# -- integers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "value"),
    [
        ("int32_value", "-2147483648", -(2**31)),
        ("int32_value", " 0x7fffffff ", 2**31 - 1),
        ("int32_value", "1_000", 1000),
        ("int32_value", "1e3", 1000),
        ("uint32_value", "4294967295", 2**32 - 1),
        ("int64_value", "9223372036854775807", 2**63 - 1),
        ("int64_value", "-9223372036854775808", -(2**63)),
        ("uint64_value", "18446744073709551615", 2**64 - 1),
        ("sint64_value", "-1", -1),
        ("fixed64_value", "0xFFFFFFFFFFFFFFFF", 2**64 - 1),
    ],
)
def test_ints_in_range(all_types: Descriptor, name: str, text: str, value: int) -> None:
    assert parse_scalar(field(all_types, name), text) == value


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("int32_value", "2147483648", r"out of range for int32 \(-2147483648 to 2147483647\)"),
        ("uint32_value", "-1", "out of range for uint32"),
        ("int64_value", "9223372036854775808", "out of range for int64"),
        ("uint64_value", "18446744073709551616", "out of range for uint64"),
        ("int32_value", "1.5", "not a whole number"),
        ("int32_value", "abc", "not a whole number"),
        ("int32_value", "", "enter a whole number"),
        ("int64_value", "1e999999", "out of range"),
        ("int32_value", "inf", "cannot be inf"),
    ],
)
def test_ints_rejected(all_types: Descriptor, name: str, text: str, reason: str) -> None:
    with pytest.raises(RequestParseError, match=reason) as info:
        parse_scalar(field(all_types, name), text, path=f"req.{name}")
    assert info.value.path == f"req.{name}"


@given(st.integers(min_value=-(2**63), max_value=2**64 - 1))
def test_64_bit_ints_are_exact(value: int) -> None:
    lo, hi = (-(2**63), 2**63 - 1) if value < 2**63 else (0, 2**64 - 1)
    assert parse_int(str(value), lo, hi) == value


# -- floats -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("nan", math.nan), ("NaN", math.nan), ("inf", math.inf), ("-Infinity", -math.inf)],
)
def test_special_floats(text: str, expected: float) -> None:
    value = parse_float(text)
    assert (math.isnan(value) and math.isnan(expected)) or value == expected


def test_float_ranges() -> None:
    assert parse_float("3.4e38", single=True) == 3.4e38
    with pytest.raises(RequestParseError, match="out of range for float"):
        parse_float("3.5e38", single=True)
    assert parse_float("3.5e38") == 3.5e38
    with pytest.raises(RequestParseError, match="out of range for double"):
        parse_float("1e400")
    with pytest.raises(RequestParseError, match="not a number"):
        parse_float("1,5")


@given(st.floats(allow_nan=False))
def test_double_text_round_trips(value: float) -> None:
    assert parse_float(format_float(value)) == value


@given(st.floats(width=32, allow_nan=False))
def test_float32_prints_shortest(value: float) -> None:
    text = format_float(value, single=True)
    assert struct.pack("<f", parse_float(text, single=True)) == struct.pack("<f", value)
    assert len(text) <= len(repr(value))


def test_float32_drops_noise_digits(all_types: Descriptor) -> None:
    as_stored = struct.unpack("<f", struct.pack("<f", 0.1))[0]
    assert format_scalar(field(all_types, "float_value"), as_stored) == "0.1"


# -- bool, string, bytes, enum ----------------------------------------------------------


def test_bools(all_types: Descriptor) -> None:
    f = field(all_types, "bool_value")
    assert parse_scalar(f, "TRUE") is True
    assert parse_scalar(f, "no") is False
    with pytest.raises(RequestParseError, match="not a bool"):
        parse_scalar(f, "maybe")
    assert format_scalar(f, True) == "true"


def test_strings_refuse_lone_surrogates(all_types: Descriptor) -> None:
    with pytest.raises(RequestParseError, match="unpaired surrogate"):
        parse_scalar(field(all_types, "string_value"), "a\ud800")


@pytest.mark.parametrize("encoding", list(BytesEncoding))
@given(data=st.binary(max_size=40))
def test_bytes_round_trip(encoding: BytesEncoding, data: bytes) -> None:
    if encoding is BytesEncoding.UTF8:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return
    assert parse_bytes(format_bytes(data, encoding), encoding) == data


def test_bytes_spellings() -> None:
    assert parse_bytes("3q2-7w", BytesEncoding.BASE64) == b"\xde\xad\xbe\xef"
    assert parse_bytes("0xDE:AD be ef", BytesEncoding.HEX) == b"\xde\xad\xbe\xef"
    assert parse_bytes("héllo", BytesEncoding.UTF8) == "héllo".encode()
    with pytest.raises(RequestParseError, match="not valid base64"):
        parse_bytes("***", BytesEncoding.BASE64)
    with pytest.raises(RequestParseError, match="not valid hex"):
        parse_bytes("abc", BytesEncoding.HEX)


def test_enums(all_types: Descriptor, schema: Schema) -> None:
    color = field(all_types, "color")
    assert parse_scalar(color, "COLOR_RED") == 1
    assert parse_scalar(color, "color_blue") == 3
    assert parse_scalar(color, "42") == 42  # open enum keeps unknown numbers
    assert format_scalar(color, 42) == "42"
    assert format_scalar(color, 2) == "COLOR_GREEN"
    with pytest.raises(RequestParseError, match="'PURPLE' is not a value of"):
        parse_scalar(color, "PURPLE")
    closed = schema.enum("workbench.demo.v1.LegacyRecord.State")
    with pytest.raises(RequestParseError, match="closed enum"):
        parse_enum(closed, "9")


def test_type_descriptions(all_types: Descriptor) -> None:
    assert describe_type(field(all_types, "int32_to_item")) == "map<int32, workbench.demo.v1.Item>"
    assert describe_type(field(all_types, "string_list")) == "repeated string"
    assert describe_type(field(all_types, "color")) == "workbench.demo.v1.Color"
    assert describe_type(field(all_types, "sint32_value")) == "sint32"


# -- well-known types -------------------------------------------------------------------


def test_well_known_kinds(schema: Schema) -> None:
    assert well_known(schema.message("google.protobuf.Int64Value")) is WellKnown.WRAPPER
    assert well_known(schema.message("google.protobuf.Any")) is WellKnown.ANY
    assert not is_leaf_message(schema.message("google.protobuf.Any"))
    assert is_leaf_message(schema.message("google.protobuf.Timestamp"))
    assert well_known(schema.message("workbench.demo.v1.Item")) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-02T03:04:05Z", (1704164645, 0)),
        ("2024-01-02 03:04:05.5", (1704164645, 500_000_000)),
        ("2024-01-02", (1704153600, 0)),
        ("2024-01-02 03:04", (1704164640, 0)),
        ("2024-01-02T03:04+01:00", (1704161040, 0)),
        ("2024-01-02T05:04:05+02:00", (1704164645, 0)),
        ("0001-01-01T00:00:00Z", (-62135596800, 0)),
    ],
)
def test_timestamps(text: str, expected: tuple[int, int]) -> None:
    assert parse_timestamp(text) == expected


def test_timestamp_errors_and_now() -> None:
    with pytest.raises(RequestParseError, match="RFC 3339"):
        parse_timestamp("2024-13-01T00:00:00Z")
    with pytest.raises(RequestParseError, match="RFC 3339"):
        parse_timestamp("yesterday")
    seconds, _ = parse_timestamp("now")
    assert seconds > 1_700_000_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.5s", (1, 500_000_000)),
        ("-1.5s", (-1, -500_000_000)),
        ("1m30s", (90, 0)),
        ("250ms", (0, 250_000_000)),
        ("2h", (7200, 0)),
        ("3", (3, 0)),
        ("1ns", (0, 1)),
    ],
)
def test_durations(text: str, expected: tuple[int, int]) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [("1.5 parsecs", "not a duration"), ("0.1ns", "finer than"), ("400000000000s", "out of range")],
)
def test_duration_errors(text: str, reason: str) -> None:
    with pytest.raises(RequestParseError, match=reason):
        parse_duration(text)


@given(st.integers(min_value=-315_576_000_000 * 10**9, max_value=315_576_000_000 * 10**9))
def test_duration_round_trips(total_nanos: int) -> None:
    sign = -1 if total_nanos < 0 else 1
    seconds, nanos = divmod(abs(total_nanos), 10**9)
    value = (sign * seconds, sign * nanos)
    assert parse_duration(format_duration(*value)) == value


def test_field_masks() -> None:
    assert parse_field_mask("a.b, c") == ["a.b", "c"]
    assert parse_field_mask("  ") == []
    with pytest.raises(RequestParseError, match="not a field path"):
        parse_field_mask("a..b")


def _wkt(schema: Schema, name: str) -> Any:
    return new_message(schema.message(f"google.protobuf.{name}"))


def test_leaf_well_known_round_trips(schema: Schema) -> None:
    cases = {
        "Timestamp": "2024-01-02T03:04:05.123Z",
        "Duration": "1.5s",
        "FieldMask": "a.b, c",
        "Struct": '{"a": [1, "x", null, true]}',
        "ListValue": '[1, {"k": "v"}]',
        "Value": '"text"',
        "Int64Value": "-9223372036854775808",
        "BytesValue": "3q2+7w==",
        "BoolValue": "true",
    }
    for name, text in cases.items():
        msg = _wkt(schema, name)
        parse_well_known(msg, text)
        assert format_well_known(msg) == text, name


def test_json_well_known_errors(schema: Schema) -> None:
    struct_msg = _wkt(schema, "Struct")
    with pytest.raises(RequestParseError, match="line 2, column 1") as info:
        parse_well_known(struct_msg, '{"a":\n}', path="struct")
    assert info.value.line == 2
    assert info.value.path == "struct"
    with pytest.raises(RequestParseError, match="JSON object"):
        parse_well_known(struct_msg, "[1]")
    value = _wkt(schema, "Value")
    parse_well_known(value, "")
    assert format_well_known(value) == ""
    with pytest.raises(RequestParseError, match="out of range for int32"):
        parse_well_known(_wkt(schema, "Int32Value"), "3000000000")

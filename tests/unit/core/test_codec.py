"""JSON and text codec for dynamic messages: round trips, exactness and error paths."""

from __future__ import annotations

import json
import struct
from typing import Any

import pytest
from google.protobuf import json_format, text_format
from google.protobuf.message import Message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.core.messages_schema import (
    ANY_PAYLOAD_TYPES,
    ints_for,
    message_type,
    messages,
    schema,
)
from workbench.core.errors import MessageFormatError, RequestParseError
from workbench.core.messages.codec import (
    parse_json,
    parse_text,
    parse_value,
    to_dict,
    to_json,
    to_text,
)
from workbench.core.messages.dynamic import decode, message_class, new_message

FD = json_format.descriptor.FieldDescriptor
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def every(text: str) -> Any:
    return parse_json(text, message_type("Everything"))


def error_of(text: str, name: str = "Everything") -> RequestParseError:
    with pytest.raises(RequestParseError) as info:
        parse_json(text, message_type(name))
    return info.value


# -- dynamic messages -------------------------------------------------------------------------


def test_message_class_is_cached_and_decode_round_trips() -> None:
    desc = message_type("Item")
    assert message_class(desc) is message_class(desc)
    item: Any = new_message(desc)
    item.name = "x"
    item.price.units = 5
    assert decode(desc, item.SerializeToString()) == item


def test_decode_rejects_garbage() -> None:
    with pytest.raises(RequestParseError, match=r"not a valid wbtest\.Item"):
        decode(message_type("Item"), b"\xff\xff\xff")


def test_schema_types_are_not_in_the_default_pool() -> None:
    with pytest.raises(KeyError):
        json_format.descriptor_pool.Default().FindMessageTypeByName("wbtest.Item")


# -- accepted spellings -----------------------------------------------------------------------


def test_camel_case_original_and_custom_json_names() -> None:
    m = every('{"createdAt": "2026-01-01T00:00:00Z", "maybe_text": "a", "title": "t"}')
    assert m.created_at.seconds == 1767225600
    assert m.maybe_text == "a"
    assert m.display_name == "t"
    assert every('{"display_name": "u"}').display_name == "u"


def test_enums_by_name_or_number() -> None:
    m = every('{"colors": ["RED", 2, "3", 9], "codes": {"1": "BLUE"}}')
    assert list(m.colors) == [1, 2, 3, 9]  # open enum keeps the unknown 9
    assert m.codes[1] == 3


def test_closed_enum_rejects_unknown_number() -> None:
    err = error_of('{"mode": 5}', "wbtest.legacy.Old")
    assert err.path == "mode"
    assert "is not a value of enum wbtest.legacy.Mode" in err.message


def test_unknown_enum_name_suggests() -> None:
    err = error_of('{"scalars": {"fEnum": "GREN"}}')
    assert err.path == "scalars.f_enum"
    assert '"GREN" is not a value of enum wbtest.Color' in err.message
    assert "GREEN" in err.hint


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"9223372036854775807"', 2**63 - 1),
        ("9223372036854775807", 2**63 - 1),
        ('"-9223372036854775808"', -(2**63)),
        ("-9223372036854775808", -(2**63)),
        ("9007199254740993", 2**53 + 1),  # not representable as a double
        ("1e3", 1000),
        ('"1e3"', 1000),
        ("5.0", 5),
        ("92233720368547758.07e2", 9223372036854775807),
    ],
)
def test_int64_spellings_are_exact(text: str, expected: int) -> None:
    assert every(f'{{"scalars": {{"fInt64": {text}}}}}').scalars.f_int64 == expected


def test_uint64_max_both_ways() -> None:
    m = every('{"scalars": {"fUint64": "18446744073709551615", "fFixed64": 18446744073709551615}}')
    assert m.scalars.f_uint64 == m.scalars.f_fixed64 == 2**64 - 1
    out = to_dict(m)
    assert out["scalars"] == {"fUint64": "18446744073709551615", "fFixed64": "18446744073709551615"}
    assert every(to_json(m)) == m


@pytest.mark.parametrize(
    ("text", "expected"),
    [('"NaN"', "nan"), ('"Infinity"', "inf"), ('"-Infinity"', "-inf"), ('"1.5"', "1.5")],
)
def test_float_special_strings(text: str, expected: str) -> None:
    m = every(f'{{"scalars": {{"fDouble": {text}, "fFloat": {text}}}}}')
    assert repr(m.scalars.f_double) == repr(float(expected))
    assert repr(m.scalars.f_float) == repr(float(expected))


def test_nan_and_infinity_are_written_as_strings() -> None:
    m = every('{"doubles": ["NaN", "Infinity", "-Infinity", 0.5]}')
    assert to_dict(m)["doubles"] == ["NaN", "Infinity", "-Infinity", 0.5]


def test_float_is_written_with_the_shortest_float32_digits() -> None:
    m = every('{"scalars": {"fFloat": 0.1}, "wFloat": 3.4028235e38}')
    out = to_dict(m)
    assert out["scalars"]["fFloat"] == 0.1
    assert out["wFloat"] == 3.4028235e38


@pytest.mark.parametrize("text", ['"aGk/+w=="', '"aGk_-w"', '"aGk/+w"', '"aGk_-w=="'])
def test_bytes_standard_and_url_safe_base64(text: str) -> None:
    assert every(f'{{"blobs": [{text}]}}').blobs[0] == b"hi?\xfb"


def test_bytes_are_written_as_standard_base64() -> None:
    assert to_dict(every('{"blobs": ["aGk_-w"]}'))["blobs"] == ["aGk/+w=="]


def test_well_known_types_in_their_json_forms() -> None:
    m = every(
        """{
        "createdAt": "2026-01-01T10:00:00.5+02:00",
        "timeout": "1.5s",
        "meta": {"a": [1, "x", null, {"b": true}]},
        "anything": 3,
        "list": [1, "two"],
        "mask": "user.displayName,id",
        "nothing": {},
        "wInt64": "-5", "wUint64": 7, "wInt32": 3, "wUint32": 4, "wDouble": "NaN",
        "wFloat": 1.5, "wBool": false, "wString": "", "wBytes": "AA=="
    }"""
    )
    assert (m.created_at.seconds, m.created_at.nanos) == (1767254400, 500_000_000)
    assert (m.timeout.seconds, m.timeout.nanos) == (1, 500_000_000)
    assert list(m.mask.paths) == ["user.display_name", "id"]
    assert m.HasField("nothing")
    assert m.HasField("w_bool") and not m.w_bool.value
    assert m.w_int64.value == -5
    out = to_dict(m)
    assert out["createdAt"] == "2026-01-01T08:00:00.500Z"
    assert out["timeout"] == "1.500s"
    assert out["meta"] == {"a": [1, "x", None, {"b": True}]}
    assert out["anything"] == 3
    assert out["list"] == [1, "two"]
    assert out["mask"] == "user.displayName,id"
    assert out["nothing"] == {}
    assert out["wInt64"] == "-5"
    assert out["wDouble"] == "NaN"
    assert out["wString"] == ""


def test_null_means_default_except_for_value() -> None:
    m = every('{"scalars": null, "anything": null, "values": {"k": null}, "wInt32": null}')
    assert not m.HasField("scalars")
    assert not m.HasField("w_int32")
    assert m.anything.WhichOneof("kind") == "null_value"
    assert m.values["k"].WhichOneof("kind") == "null_value"


def test_empty_any_and_empty_object() -> None:
    m = every('{"payload": {}, "scalars": {}}')
    assert m.HasField("payload") and m.HasField("scalars")
    assert to_dict(m) == {"scalars": {}, "payload": {}}


# -- Any via the schema's pool ----------------------------------------------------------------


def test_any_with_a_schema_type() -> None:
    m = every(
        '{"payload": {"@type": "type.googleapis.com/wbtest.Item", "name": "n",'
        ' "price": {"units": "12"}}}'
    )
    item: Any = new_message(message_type("Item"))
    item.ParseFromString(m.payload.value)
    assert (item.name, item.price.units) == ("n", 12)
    assert to_dict(m)["payload"] == {
        "@type": "type.googleapis.com/wbtest.Item",
        "name": "n",
        "price": {"units": "12"},
    }


def test_any_holding_a_well_known_type_uses_value() -> None:
    text = '{"anys": [{"@type": "type.googleapis.com/google.protobuf.Duration", "value": "2s"}]}'
    m = every(text)
    assert to_dict(m) == json.loads(text)


def test_any_with_explicit_pool_argument() -> None:
    desc = message_type("Everything")
    text = '{"payload": {"@type": "x.com/wbtest.Money", "units": 1}}'
    m = parse_json(text, desc, pool=schema().pool)
    assert to_dict(m, pool=schema().pool)["payload"]["units"] == "1"
    with pytest.raises(RequestParseError, match="not in the loaded schema"):
        parse_json(text, desc, pool=json_format.descriptor_pool.Default())


def test_any_with_unknown_type_when_parsing() -> None:
    err = error_of('{"anys": [{}, {"@type": "type.googleapis.com/acme.Missing", "a": 1}]}')
    assert err.path == "anys[1]"
    assert '"type.googleapis.com/acme.Missing"' in err.message
    assert "load the .proto file or protoset that defines acme.Missing" in err.hint


def test_any_without_type() -> None:
    err = error_of('{"payload": {"name": "x"}}')
    assert err.path == "payload"
    assert '"@type"' in err.message


def test_any_with_unknown_type_when_writing() -> None:
    m = every("{}")
    m.anys.add(type_url="type.googleapis.com/acme.Missing", value=b"\x08\x01")
    with pytest.raises(MessageFormatError) as info:
        to_json(m)
    assert info.value.path == "anys[0]"
    assert "acme.Missing" in info.value.message
    assert "acme.Missing" in to_text(m)  # text format still shows the raw Any


# -- error paths ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        (
            '{"items": [{}, {}, {"price": {"units": "abc"}}]}',
            "items[2].price.units",
            'expected int64, got "abc"',
        ),
        ('{"labels": {"k": {"x": 5}}}', 'labels["k"].x', "expected string, got 5"),
        ('{"byId": {"abc": "v"}}', 'by_id["abc"]', 'map key: expected int64, got "abc"'),
        ('{"byId": {"12": 5}}', "by_id[12]", "expected string, got 5"),
        ('{"flags": {"yes": 1}}', 'flags["yes"]', "map key: expected bool"),
        ('{"flags": {"true": "x"}}', "flags[true]", 'expected int32, got "x"'),
        (
            '{"payload": {"@type": "type.googleapis.com/wbtest.Money", "units": []}}',
            "payload.units",
            "expected int64, got an array",
        ),
        (
            '{"payload": {"@type": "type.googleapis.com/google.protobuf.Int64Value",'
            ' "value": true}}',
            "payload.value",
            "expected int64, got true",
        ),
        ('{"meta": {"k": [1, {"z": 1e999}]}}', 'meta["k"][1]["z"]', "finite doubles"),
        (
            '{"scalars": {"fBool": "true"}}',
            "scalars.f_bool",
            'expected bool (true or false), got "true"',
        ),
        ('{"scalars": {"fString": 1}}', "scalars.f_string", "expected string, got 1"),
        ('{"scalars": {"fBytes": "a$"}}', "scalars.f_bytes", 'expected bytes (base64), got "a$"'),
        (
            '{"scalars": {"fInt32": 1.5}}',
            "scalars.f_int32",
            "expected int32 (a whole number), got 1.5",
        ),
        ('{"scalars": {"fInt32": true}}', "scalars.f_int32", "expected int32, got true"),
        ('{"scalars": {"fDouble": NaN}}', "scalars.f_double", "bare token NaN"),
        ('{"scalars": {"fDouble": "nan"}}', "scalars.f_double", 'got "nan"'),
        ('{"many": [{}, 3]}', "many[1]", "expected message wbtest.Scalars (a JSON object), got 3"),
        ('{"ints": [1, null]}', "ints[1]", "null is not allowed inside a repeated field"),
        ('{"ints": 1}', "ints", "expected a JSON array"),
        ('{"labels": []}', "labels", "expected map (a JSON object), got an array"),
        ('{"createdAt": "yesterday"}', "created_at", "RFC 3339"),
        ('{"timeout": "5"}', "timeout", '"1.5s"'),
        ('{"mask": "a_b"}', "mask", "camelCase"),
        (
            '{"tree": {"children": [{"children": [{"name": 1}]}]}}',
            "tree.children[0].children[0].name",
            "expected string",
        ),
        ('{"text": "a", "item": {}}', "item", "oneof choice"),
        ('{"fooBar": 1}', "fooBar", 'unknown field "fooBar" in message wbtest.Everything'),
    ],
)
def test_error_paths(text: str, path: str, message: str) -> None:
    err = error_of(text)
    assert err.path == path
    assert message in err.message
    assert err.message.startswith(f"{path}: ")


@pytest.mark.parametrize(
    ("field", "value", "bounds"),
    [
        ("fInt32", "2147483648", "(-2147483648 to 2147483647)"),
        ("fInt32", "-2147483649", "(-2147483648 to 2147483647)"),
        ("fUint32", "-1", "(0 to 4294967295)"),
        ("fUint64", "18446744073709551616", "(0 to 18446744073709551615)"),
        ("fUint64", '"18446744073709551616"', "(0 to 18446744073709551615)"),
        ("fSint64", "9223372036854775808", "(-9223372036854775808 to 9223372036854775807)"),
        ("fInt64", "1e19", "(-9223372036854775808 to 9223372036854775807)"),
        ("fInt64", "1" * 5000, "(-9223372036854775808 to 9223372036854775807)"),
    ],
)
def test_out_of_range_integers(field: str, value: str, bounds: str) -> None:
    err = error_of(f'{{"scalars": {{"{field}": {value}}}}}')
    assert "is out of range for" in err.message
    assert bounds in err.message


def test_float_out_of_range() -> None:
    err = error_of('{"scalars": {"fFloat": 1e39}}')
    assert err.path == "scalars.f_float"
    assert "1e39 is out of range for float" in err.message
    assert "out of range for double" in error_of('{"doubles": [1e400]}').message


def test_map_int_key_out_of_range_and_duplicate() -> None:
    err = error_of('{"codes": {"4294967296": "RED"}}')
    assert err.path == "codes[4294967296]"
    assert "out of range for uint32" in err.message
    err = error_of('{"byId": {"1": "a", "01": "b"}}')
    assert err.path == 'by_id["01"]'.replace('"01"', "01")
    assert "map key given twice" in err.message


def test_unknown_field_names_type_and_suggests() -> None:
    err = error_of('{"items": [{"nmae": "x"}]}')
    assert err.path == "items[0].nmae"
    assert err.message == (
        'items[0].nmae: unknown field "nmae" in message wbtest.Item; did you mean "name"?'
    )
    assert "fields of wbtest.Item: name, price, quantity" in err.hint


def test_unknown_fields_can_be_ignored() -> None:
    m = parse_json(
        '{"nope": 1, "scalars": {"fEnum": "PURPLE", "x": {}}, "colors": ["RED", "NO"]}',
        message_type("Everything"),
        ignore_unknown=True,
    )
    assert m.HasField("scalars") and m.scalars.f_enum == 0
    assert list(m.colors) == [1]


def test_duplicate_keys() -> None:
    err = error_of('{"labels": {"k": {"x": "a", "x": "b"}}}')
    assert err.path == 'labels["k"].x'
    assert 'key "x" appears more than once' in err.message
    assert error_of('{"labels": {"k": {}, "k": {}}}').path == 'labels["k"]'
    assert error_of('{"meta": {"a": 1, "a": 2}}').path == 'meta["a"]'


def test_same_field_by_both_names() -> None:
    err = error_of('{"createdAt": "2026-01-01T00:00:00Z", "created_at": null}')
    assert err.path == "created_at"
    assert 'given twice, as "createdAt" and as "created_at"' in err.message


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('{\n  "a": 1,\n  "b" 2\n}', 3, 7),
        ('{"a": 1,}', 1, 9),
        ("", 1, 1),
        ("{", 1, 2),
        ('{"a": "\n"}', 1, 8),
    ],
)
def test_json_syntax_errors_have_line_and_column(text: str, line: int, column: int) -> None:
    err = error_of(text)
    assert (err.line, err.column) == (line, column)
    assert err.message.startswith(f"line {line}, column {column}: ")


def test_top_level_must_be_an_object() -> None:
    err = error_of("[1]")
    assert err.path == ""
    assert "expected message wbtest.Everything (a JSON object), got an array" in err.message


def test_parse_value_with_path_prefix_and_python_values() -> None:
    desc = message_type("Everything")
    m = parse_value({"scalars": {"fInt64": 2**63 - 1, "fBytes": b"\x00", "fFloat": 0.5}}, desc)
    assert m.scalars.f_int64 == 2**63 - 1
    assert m.scalars.f_bytes == b"\x00"
    with pytest.raises(RequestParseError) as info:
        parse_value({"ints": [1.25]}, desc, None, "[3]")
    assert info.value.path == "[3].ints[0]"


# -- output options ---------------------------------------------------------------------------


def test_emit_defaults_and_original_names_in_declaration_order() -> None:
    m = every('{"maybe": 0, "scalars": {"fString": "s"}}')
    out = to_dict(m.scalars, emit_defaults=True)
    assert list(out) == [f.json_name for f in message_type("Scalars").fields]
    assert out["fInt64"] == "0" and out["fEnum"] == "COLOR_UNSPECIFIED" and out["fBytes"] == ""
    full = to_dict(m, emit_defaults=True, original_names=True)
    assert full["maybe"] == 0
    assert "maybe_text" not in full  # has presence and is unset
    assert full["ints"] == [] and full["labels"] == {}
    assert "text" not in full  # oneof members have presence
    assert "display_name" in full and "title" in to_dict(m, emit_defaults=True)


def test_to_json_indent_and_compact() -> None:
    m = every('{"title": "é", "ints": [1]}')
    assert to_json(m, indent=None) == '{"ints":["1"],"title":"é"}'
    assert to_json(m) == '{\n  "ints": [\n    "1"\n  ],\n  "title": "é"\n}'


def test_map_keys_are_written_sorted() -> None:
    m = every('{"byId": {"10": "b", "-2": "a", "3": "c"}, "flags": {"true": 1, "false": 0}}')
    out = to_dict(m)
    assert list(out["byId"]) == ["-2", "3", "10"]
    assert list(out["flags"]) == ["false", "true"]


# -- text format ------------------------------------------------------------------------------


def test_text_format_round_trip_with_any() -> None:
    m = every(
        '{"items": [{"name": "a"}], "payload": {"@type": "type.googleapis.com/wbtest.Item",'
        ' "name": "x"}, "scalars": {"fUint64": "18446744073709551615"}}'
    )
    text = to_text(m)
    assert "[type.googleapis.com/wbtest.Item]" in text
    assert parse_text(text, message_type("Everything")) == m


def test_text_format_errors_have_line_and_column() -> None:
    with pytest.raises(RequestParseError) as info:
        parse_text('items { name: "a" }\nitems { nme: 1 }', message_type("Everything"))
    assert (info.value.line, info.value.column) == (2, 9)
    assert 'no field named "nme"' in info.value.message


# -- properties -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    [
        f
        for f in message_type("Scalars").fields
        if f.cpp_type in (FD.CPPTYPE_INT32, FD.CPPTYPE_INT64, FD.CPPTYPE_UINT32, FD.CPPTYPE_UINT64)
    ],
    ids=lambda f: f.name,
)
@given(data=st.data())
@PROPERTY
def test_integer_round_trip_is_exact(field: FD, data: st.DataObject) -> None:
    value = data.draw(ints_for(field.cpp_type))
    desc = message_type("Scalars")
    spelled = data.draw(st.sampled_from([str(value), json.dumps(str(value))]))
    m: Any = parse_json(f'{{"{field.json_name}": {spelled}}}', desc)
    assert getattr(m, field.name) == value
    assert parse_json(to_json(m), desc) == m


@given(data=st.data())
@PROPERTY
def test_random_messages_round_trip(data: st.DataObject) -> None:
    desc = message_type("Everything")
    m = data.draw(messages(desc))
    emit = data.draw(st.booleans())
    names = data.draw(st.booleans())
    text = to_json(
        m, emit_defaults=emit, original_names=names, indent=data.draw(st.sampled_from([None, 2]))
    )
    assert parse_json(text, desc) == m
    # text_format re-packs Any values with maps in arbitrary order, so compare decoded views
    assert to_dict(parse_text(to_text(m), desc)) == to_dict(m)


def _same_json(a: Any, b: Any) -> bool:
    """JSON equality where floats may differ in the last digits.

    Both writers print the shortest digits that read back as the same float32, but protobuf
    starts at 6 significant digits and we at 1, so denormals differ (1e-45 vs 1.4013e-45).
    """
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_same_json, a, b))
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        if a == b:
            return True
        try:
            return struct.pack("<f", a) == struct.pack("<f", b)
        except OverflowError:
            return False
    return bool(a == b)


@given(data=st.data())
@PROPERTY
def test_agrees_with_protobuf_json_format(data: st.DataObject) -> None:
    desc = message_type("Everything")
    pool = schema().pool
    m: Message = data.draw(messages(desc))
    ours = json.loads(to_json(m, emit_defaults=True))
    theirs = json.loads(
        json_format.MessageToJson(
            m, descriptor_pool=pool, always_print_fields_with_no_presence=True
        )
    )
    assert _same_json(ours, theirs)
    theirs_text = json_format.MessageToJson(m, descriptor_pool=pool)
    assert parse_json(theirs_text, desc) == m
    try:
        parsed = json_format.Parse(to_json(m), new_message(desc), descriptor_pool=pool)
    except json_format.ParseError as exc:
        reason = str(exc)
    else:
        reason = ""
        assert parsed == m
    # protobuf's parser rejects the shortest spelling of FLT_MAX that its own writer produces
    assert not reason or "Float value too large" in reason or "Float value too small" in reason


@given(data=st.data())
@PROPERTY
def test_every_type_round_trips_alone(data: st.DataObject) -> None:
    name = data.draw(
        st.sampled_from(
            [
                *ANY_PAYLOAD_TYPES,
                "wbtest.Node",
                "google.protobuf.Timestamp",
                "google.protobuf.FieldMask",
                "google.protobuf.Value",
                "google.protobuf.ListValue",
            ]
        )
    )
    desc = schema().message(name)
    m = data.draw(messages(desc))
    assert parse_json(to_json(m), desc) == m


def test_text_format_module_is_protobufs() -> None:
    # parse_text accepts exactly what protobuf's text format accepts
    m = parse_text("ints: [1, 2] colors: RED", message_type("Everything"))
    assert text_format.MessageToString(m, as_one_line=True) == "ints: 1 ints: 2 colors: RED"

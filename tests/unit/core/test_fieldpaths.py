"""Field paths: text form, and reading/editing a live dynamic message in place."""

from __future__ import annotations

import string
from typing import Any

import pytest
from google.protobuf.descriptor import Descriptor
from google.protobuf.message import Message
from hypothesis import given
from hypothesis import strategies as st

from workbench.core.errors import RequestParseError
from workbench.core.messages import pathedit as pe
from workbench.core.messages.dynamic import new_message
from workbench.core.messages.paths import (
    ANY_BODY,
    FieldPath,
    FieldPathError,
    MapKey,
    edit_message,
    format_path,
    parse_path,
    real_oneof,
)
from workbench.core.messages.wkt_values import any_type_name, set_any_type
from workbench.core.schema.schema import Schema
from workbench.demo.protos import demo_schema

P = parse_path


@pytest.fixture(scope="module")
def schema() -> Schema:
    return demo_schema()


@pytest.fixture
def all_types(schema: Schema) -> Descriptor:
    return schema.message("workbench.demo.v1.AllTypes")


@pytest.fixture
def msg(all_types: Descriptor) -> Any:
    return new_message(all_types)


# -- text form --------------------------------------------------------------------------


def test_format_examples() -> None:
    path: FieldPath = ("items", 2, "price", MapKey("k"), "x", ANY_BODY, "y", MapKey(True))
    assert format_path(path) == 'items[2].price["k"].x.@.y[true]'
    assert format_path(()) == ""
    assert format_path((ANY_BODY, "a")) == "@.a"


def test_parse_examples() -> None:
    assert P('labels["a.b]"].x') == ("labels", MapKey("a.b]"), "x")
    assert P("counts[-5]") == ("counts", -5)
    assert P("flags[false]") == ("flags", MapKey(False))
    assert P("") == ()


@pytest.mark.parametrize("bad", ["a..b", "a[", "a[x]", "1a", "a.[0]", 'a["x]', "a b"])
def test_parse_rejects_garbage(bad: str) -> None:
    with pytest.raises(FieldPathError, match="invalid path"):
        P(bad)


_names = st.text(string.ascii_letters + "_", min_size=1, max_size=6).filter(
    lambda s: s[0] != "_" or len(s) > 1
)
_parts = st.one_of(
    _names,
    st.integers(min_value=-(2**64), max_value=2**64),
    st.builds(MapKey, st.text(max_size=8)),
    st.builds(MapKey, st.booleans()),
    st.just(ANY_BODY),
)


@given(st.lists(_parts, max_size=8))
def test_text_form_round_trips(parts: list[Any]) -> None:
    path = tuple(parts)
    assert P(format_path(path)) == path


# -- reading ----------------------------------------------------------------------------


def test_reading_an_unset_message_keeps_it_unset(msg: Any) -> None:
    assert pe.get(msg, P("nested.count")) == 0
    assert not pe.has(msg, P("nested"))
    assert not msg.HasField("nested")
    assert pe.get(msg, P("tree.children")) == []


def test_has_follows_presence_rules(msg: Any) -> None:
    assert not pe.has(msg, P("int32_value"))
    pe.set_value(msg, P("int32_value"), 7)
    assert pe.has(msg, P("int32_value"))
    assert not pe.has(msg, P("optional_int32"))
    pe.set_present(msg, P("optional_int32"))
    assert pe.has(msg, P("optional_int32"))
    assert msg.optional_int32 == 0
    pe.clear(msg, P("optional_int32"))
    assert not msg.HasField("optional_int32")
    assert pe.has(msg, ())
    assert not pe.has(msg, P("string_list"))


def test_writing_into_unset_message_sets_it(msg: Any) -> None:
    pe.set_value(msg, P("nested.note"), "hi")
    assert msg.HasField("nested")
    assert msg.nested.note == "hi"
    pe.set_present(msg, P("item"))
    assert msg.HasField("item")
    pe.clear(msg, P("item"))
    assert not msg.HasField("item")


def test_set_copies_messages(msg: Any, schema: Schema) -> None:
    item = new_message(schema.message("workbench.demo.v1.Item"))
    item.name = "copied"  # type: ignore[attr-defined]
    pe.set_value(msg, P("item"), item)
    item.name = "changed"  # type: ignore[attr-defined]
    assert msg.item.name == "copied"


def test_set_rejects_wrong_types_with_the_path(msg: Any) -> None:
    with pytest.raises(FieldPathError, match="int32_value") as info:
        pe.set_value(msg, P("int32_value"), "seven")
    assert info.value.path == "int32_value"
    with pytest.raises(FieldPathError, match="expected a message"):
        pe.set_value(msg, P("nested"), 3)


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("nope", "has no field 'nope'"),
        ("nested.nope", "AllTypes.Nested has no field"),
        ("int32_value.x", "not a message"),
        ("item_list[3].name", "index out of range"),
        ("int32_to_item[9].name", "no such map entry"),
        ('int32_to_item["x"].name', "not a valid key"),
        ("item_list", "names a list"),
    ],
)
def test_bad_paths_name_the_problem(msg: Any, path: str, reason: str) -> None:
    with pytest.raises(FieldPathError, match=reason):
        pe.set_value(msg, P(path + (".x" if path == "item_list" else "")), 1)


# -- lists ------------------------------------------------------------------------------


def test_scalar_list_append_insert_move_remove(msg: Any) -> None:
    assert pe.append(msg, P("int32_list")) == 0
    assert pe.append(msg, P("int32_list"), 5) == 1
    assert pe.insert(msg, P("int32_list"), 0, 9) == 0
    assert list(msg.int32_list) == [9, 0, 5]
    pe.move(msg, P("int32_list[0]"), 2)
    assert list(msg.int32_list) == [0, 5, 9]
    pe.remove(msg, P("int32_list[1]"))
    assert list(msg.int32_list) == [0, 9]
    pe.set_value(msg, P("int32_list[1]"), -3)
    pe.clear(msg, P("int32_list[1]"))
    assert list(msg.int32_list) == [0, 0]
    with pytest.raises(FieldPathError, match="cannot hold"):
        pe.append(msg, P("int32_list"), 2**31)


def test_message_list_keeps_contents_when_moving(msg: Any) -> None:
    for name in ("a", "b", "c"):
        index = pe.append(msg, P("item_list"))
        pe.set_value(msg, (*P("item_list"), index, "name"), name)
    pe.move(msg, P("item_list[2]"), 0)
    assert [i.name for i in msg.item_list] == ["c", "a", "b"]
    pe.remove(msg, P("item_list[0]"))
    assert [i.name for i in msg.item_list] == ["a", "b"]


def test_enum_list_default_is_first_value(msg: Any, schema: Schema) -> None:
    legacy = new_message(schema.message("workbench.demo.v1.LegacyRecord"))
    pe.append(msg, P("color_list"))
    assert list(msg.color_list) == [0]
    pe.append(legacy, P("numbers"), 4)
    assert list(legacy.numbers) == [4]  # type: ignore[attr-defined]


def test_replace_whole_list_and_map(msg: Any) -> None:
    pe.set_value(msg, P("string_list"), ["x", "y"])
    assert list(msg.string_list) == ["x", "y"]
    pe.set_value(msg, P("string_map"), {"a": "1"})
    assert dict(msg.string_map) == {"a": "1"}
    assert pe.get(msg, P("string_map")) == {"a": "1"}


# -- maps -------------------------------------------------------------------------------


def test_map_insert_rename_remove(msg: Any) -> None:
    pe.insert_entry(msg, P("int32_to_item"), 1)
    pe.set_value(msg, P("int32_to_item[1].name"), "one")
    pe.rename_key(msg, P("int32_to_item[1]"), 2)
    assert dict(msg.int32_to_item).keys() == {2}
    assert msg.int32_to_item[2].name == "one"
    with pytest.raises(FieldPathError, match="already has the key 2"):
        pe.insert_entry(msg, P("int32_to_item"), 2)
    pe.remove(msg, P("int32_to_item[2]"))
    assert len(msg.int32_to_item) == 0
    with pytest.raises(FieldPathError, match="no such map entry"):
        pe.remove(msg, P("int32_to_item[2]"))


def test_map_keys_are_typed(msg: Any) -> None:
    pe.insert_entry(msg, P("bool_to_color"), True, 2)
    assert dict(msg.bool_to_color) == {True: 2}
    with pytest.raises(FieldPathError, match="not a valid key"):
        pe.insert_entry(msg, P("bool_to_color"), 1)
    pe.insert_entry(msg, P("string_map"), "k")
    pe.rename_key(msg, P('string_map["k"]'), "k2")
    with pytest.raises(FieldPathError, match="not a valid key"):
        pe.rename_key(msg, P('string_map["k2"]'), 5)
    pe.insert_entry(msg, P("uint32_to_nested"), 4)
    with pytest.raises(FieldPathError, match="not a valid key"):
        pe.insert_entry(msg, P("uint32_to_nested"), -1)
    pe.insert_entry(msg, P("int64_to_string"), 2**63 - 1, "max")
    assert msg.int64_to_string[2**63 - 1] == "max"


def test_map_entry_values(msg: Any) -> None:
    pe.set_value(msg, P('string_map["a"]'), "b")
    assert pe.get(msg, P('string_map["a"]')) == "b"
    assert pe.has(msg, P('string_map["a"]'))
    assert not pe.has(msg, P('string_map["z"]'))
    pe.clear(msg, P('string_map["a"]'))
    assert dict(msg.string_map) == {"a": ""}


# -- oneofs, Any ------------------------------------------------------------------------


def test_oneof_switch(msg: Any, all_types: Descriptor) -> None:
    assert pe.which_oneof(msg, (), "choice") is None
    pe.set_oneof_case(msg, (), "choice", "choice_number")
    assert msg.WhichOneof("choice") == "choice_number"
    assert msg.choice_number == 0
    pe.set_value(msg, P("choice_number"), 12)
    pe.set_oneof_case(msg, (), "choice", "choice_number")
    assert msg.choice_number == 12  # choosing the current case keeps the value
    pe.set_oneof_case(msg, (), "choice", "choice_item")
    assert msg.WhichOneof("choice") == "choice_item"
    pe.set_oneof_case(msg, (), "choice", None)
    assert msg.WhichOneof("choice") is None
    with pytest.raises(FieldPathError, match="not a field of the oneof"):
        pe.set_oneof_case(msg, (), "choice", "int32_value")
    fields = all_types.fields_by_name
    assert real_oneof(fields["choice_text"]) is not None
    assert real_oneof(fields["optional_int32"]) is None
    assert real_oneof(fields["int32_value"]) is None


def test_edit_through_any_packs_back(msg: Any, schema: Schema) -> None:
    item = schema.message("workbench.demo.v1.Item")
    edit_message(msg, P("any"), lambda a: set_any_type(a, item))
    assert any_type_name(msg.any) == "workbench.demo.v1.Item"
    pe.set_value(msg, P("any.@.name"), "inside")
    pe.append(msg, P("any.@.labels"), "L")
    body = pe.get(msg, P("any.@"))
    assert isinstance(body, Message)
    assert body.name == "inside"
    assert list(body.labels) == ["L"]
    assert pe.has(msg, P("any.@"))
    pe.clear(msg, P("any.@.name"))
    assert pe.get(msg, P("any.@.name")) == ""


def test_any_errors(msg: Any) -> None:
    with pytest.raises(RequestParseError, match="holds no message"):
        pe.get(msg, P("any.@.name"))
    msg.any.type_url = "type.googleapis.com/no.such.Type"
    with pytest.raises(RequestParseError, match="not in the schema"):
        pe.get(msg, P("any.@.name"))
    with pytest.raises(FieldPathError, match="not an Any"):
        pe.get(msg, P("nested.@.x"))

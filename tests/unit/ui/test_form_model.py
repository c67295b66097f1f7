"""The request form model: a Qt tree model over the live message, checked by qtmodeltester."""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf.descriptor import Descriptor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from workbench.core.messages.dynamic import new_message
from workbench.core.messages.skeleton import example_message
from workbench.core.schema.files import compile_proto_files
from workbench.core.schema.schema import Schema
from workbench.demo.protos import demo_schema
from workbench.ui.form.form_model import FormModel
from workbench.ui.form.nodes import FormNode, child_keys
from workbench.ui.form.roles import Column, EditorKind, FormRole

pytestmark = pytest.mark.gui

_DR = Qt.ItemDataRole


@pytest.fixture(scope="module")
def schema() -> Schema:
    return demo_schema()


@pytest.fixture
def all_types(schema: Schema) -> Descriptor:
    return schema.message("workbench.demo.v1.AllTypes")


@pytest.fixture
def model(schema: Schema, all_types: Descriptor, qapp: Any) -> FormModel:
    return FormModel(new_message(all_types), schema=schema)


def value(model: FormModel, path: str) -> QModelIndex:
    index = model.find(path)
    assert index.isValid(), path
    return index.siblingAtColumn(Column.VALUE)


def test_model_tester_on_example(qtmodeltester: ModelTester, schema: Schema, qapp: Any) -> None:
    model = FormModel(example_message(schema.message("workbench.demo.v1.AllTypes")), schema=schema)
    qtmodeltester.check(model)


_SMALL_PROTO = """
syntax = "proto3";
package small;
import "google/protobuf/any.proto";
message Item { string name = 1; repeated int32 n = 2; }
message Small {
  repeated Item items = 1;
  map<int32, Item> by_id = 2;
  oneof pick { string text = 3; Item item = 4; }
  Item nested = 5;
  google.protobuf.Any any = 6;
  optional int32 maybe = 7;
}
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Descriptor:
    root = tmp_path_factory.mktemp("small")
    (root / "small.proto").write_text(_SMALL_PROTO)
    fds = compile_proto_files(["small.proto"], [str(root)])
    return Schema.from_file_descriptor_set(fds).message("small.Small")


def test_model_tester_through_edits(
    qtmodeltester: ModelTester, small: Descriptor, qapp: Any
) -> None:
    msg: Any = new_message(small)
    model = FormModel(msg)
    qtmodeltester.check(model)
    items = model.find("items")
    first = model.append_element(items)
    model.append_element(items)
    model.setData(model.find("items[0].name").siblingAtColumn(1), "a")
    model.move_element(first, 1)
    assert [i.name for i in msg.items] == ["", "a"]
    model.append_element(model.find("items[1].n"))
    model.remove_row(model.find("items[0]"))
    entry = model.add_entry(model.find("by_id"))
    model.setData(entry, "7")
    assert list(msg.by_id) == [7]
    model.setData(model.find("pick").siblingAtColumn(1), "item")
    model.setData(model.find("item.name").siblingAtColumn(1), "picked")
    model.setData(model.find("pick").siblingAtColumn(1), "text")
    model.setData(model.find("nested"), Qt.CheckState.Checked.value, _DR.CheckStateRole)
    model.setData(model.find("nested"), Qt.CheckState.Unchecked.value, _DR.CheckStateRole)
    model.setData(model.find("any").siblingAtColumn(1), "small.Item")
    model.setData(model.find("any.@.name").siblingAtColumn(1), "packed")
    assert model.find("any.@.name").siblingAtColumn(1).data() == "packed"
    msg.items.add(name="outside")
    msg.by_id.clear()
    model.reload()
    assert model.rowCount(model.find("items")) == 2
    model.set_message(new_message(small))


_OPS = st.lists(
    st.tuples(
        st.sampled_from(
            ["add", "insert", "remove", "up", "down", "entry", "drop", "case", "nested", "outside"]
        ),
        st.integers(min_value=0, max_value=3),
    ),
    max_size=25,
)


def _check_tree(model: FormModel) -> None:
    """Every created row matches the message, and positions/labels are consistent."""
    for node in [model.node(QModelIndex()), *model.walk()]:
        if node.children is None:
            continue
        assert [c.identity() for c in node.children] == child_keys(node, model.message())
        assert [c.row for c in node.children] == list(range(len(node.children)))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=_OPS)
def test_rows_follow_any_sequence_of_edits(
    small: Descriptor, qapp: Any, ops: list[tuple[str, int]]
) -> None:
    msg: Any = new_message(small)
    model = FormModel(msg)
    model.rowCount()
    for op, n in ops:
        items = model.find("items")
        model.rowCount(items)
        count = len(msg.items)
        element = model.index(min(n, count - 1), 0, items) if count else QModelIndex()
        if op == "add":
            model.append_element(items)
        elif op == "insert" and element.isValid():
            model.append_element(element)
            model.rowCount(model.index(element.row() + 1, 0, items))
        elif op == "remove" and element.isValid():
            model.remove_row(element)
        elif op in ("up", "down") and element.isValid():
            model.move_element(element, -1 if op == "up" else 1)
        elif op == "entry":
            model.add_entry(model.find("by_id"))
        elif op == "drop" and msg.by_id:
            model.remove_row(model.index(0, 0, model.find("by_id")))
        elif op == "case":
            model.setData(model.find("pick").siblingAtColumn(1), ["", "text", "item"][n % 3])
        elif op == "nested":
            state = Qt.CheckState.Checked if n % 2 else Qt.CheckState.Unchecked
            model.setData(model.find("nested"), state.value, _DR.CheckStateRole)
        elif op == "outside":
            msg.items.add(name=str(n))
            if msg.by_id:
                del msg.by_id[next(iter(msg.by_id))]
            model.reload()
        _check_tree(model)
    for row in range(model.rowCount(model.find("items"))):
        assert model.index(row, 0, model.find("items")).data() == f"[{row}]"


def test_rows_come_from_the_descriptor(model: FormModel, all_types: Descriptor) -> None:
    names = [model.index(r, 0).data() for r in range(model.rowCount())]
    oneof_fields = {f.name for f in all_types.oneofs_by_name["choice"].fields}
    expected = [f.name for f in all_types.fields if f.name not in oneof_fields]
    expected.insert(expected.index("optional_string"), "choice")
    assert names == expected
    assert model.index(0, 2).data() == "double"
    types = model.find("int32_to_item").siblingAtColumn(2)
    assert types.data() == "map<int32, Item>"  # names in the request's package are short
    assert types.data(_DR.ToolTipRole) == "map<int32, workbench.demo.v1.Item>"


def test_children_are_lazy(model: FormModel) -> None:
    model.rowCount()
    nested = model.node(model.find("nested"))
    assert nested.children is None
    assert model.hasChildren(model.find("nested"))
    assert nested.children is None  # asking whether there are rows creates none
    assert model.rowCount(model.find("nested")) == 3


def test_editing_writes_through(model: FormModel) -> None:
    msg: Any = model.message()
    assert model.setData(value(model, "int64_value"), "-9223372036854775808")
    assert msg.int64_value == -(2**63)
    model.setData(value(model, "double_value"), "nan")
    assert value(model, "double_value").data() == "nan"
    model.setData(value(model, "color"), "COLOR_BLUE")
    assert msg.color == 3
    model.setData(value(model, "bool_value"), Qt.CheckState.Checked.value, _DR.CheckStateRole)
    assert msg.bool_value is True
    model.setData(value(model, "nested.note"), "hi")
    assert msg.HasField("nested")
    assert model.find("nested").data(_DR.CheckStateRole) == Qt.CheckState.Checked
    model.setData(value(model, "duration"), "1m30s")
    assert msg.duration.seconds == 90
    assert value(model, "duration").data() == "90s"


def test_invalid_input_is_a_marked_draft(model: FormModel, qtbot: QtBot) -> None:
    msg: Any = model.message()
    cell = value(model, "int32_value")
    with qtbot.waitSignal(model.errorsChanged):
        model.setData(cell, "3000000000")
    assert msg.int32_value == 0  # nothing written
    assert cell.data() == "3000000000"
    assert "out of range for int32" in cell.data(FormRole.ErrorRole)
    assert model.errors() == [
        ("int32_value", "3000000000 is out of range for int32 (-2147483648 to 2147483647)")
    ]
    assert cell.data(_DR.DecorationRole) is not None
    model.setData(cell, "42")
    assert model.errors() == []
    assert msg.int32_value == 42


def test_drafts_of_removed_rows_go_away(model: FormModel) -> None:
    element = model.append_element(model.find("int32_list"))
    model.setData(element.siblingAtColumn(1), "x")
    assert len(model.errors()) == 1
    model.remove_row(element)
    assert model.errors() == []


def test_presence_and_wrappers(model: FormModel) -> None:
    msg: Any = model.message()
    opt = model.find("optional_int32")
    assert opt.data(_DR.CheckStateRole) == Qt.CheckState.Unchecked
    assert opt.siblingAtColumn(1).data() == "not set"
    model.setData(opt, Qt.CheckState.Checked.value, _DR.CheckStateRole)
    assert msg.HasField("optional_int32")
    assert opt.siblingAtColumn(1).data() == "0"
    model.setData(opt.siblingAtColumn(1), "")  # empty text unsets a number with presence
    assert not msg.HasField("optional_int32")
    model.setData(value(model, "int32_wrapper"), "5")
    assert msg.int32_wrapper.value == 5
    assert model.flags(model.find("int32_wrapper")) & Qt.ItemFlag.ItemNeverHasChildren
    model.setData(value(model, "string_wrapper"), "")
    assert not msg.HasField("string_wrapper")  # committing the unchanged text sets nothing
    model.setData(model.find("string_wrapper"), Qt.CheckState.Checked.value, _DR.CheckStateRole)
    assert msg.HasField("string_wrapper")
    assert value(model, "string_wrapper").data() == ""  # '' is a string, not null


def test_editor_kinds_and_choices(model: FormModel) -> None:
    assert value(model, "color").data(FormRole.EditorKindRole) == EditorKind.ENUM.value
    assert value(model, "color").data(FormRole.ChoicesRole)[:2] == [
        "COLOR_UNSPECIFIED",
        "COLOR_RED",
    ]
    assert value(model, "timestamp").data(FormRole.EditorKindRole) == EditorKind.TIMESTAMP.value
    assert value(model, "bytes_value").data(FormRole.EditorKindRole) == EditorKind.BYTES.value
    assert value(model, "bool_value").data(FormRole.EditorKindRole) is None
    assert value(model, "choice").data(FormRole.ChoicesRole)[0] == "(none)"
    assert "workbench.demo.v1.Item" in value(model, "any").data(FormRole.ChoicesRole)
    assert "int32" in value(model, "int32_value").data(FormRole.HintRole)


def test_bytes_encodings(model: FormModel) -> None:
    msg: Any = model.message()
    cell = value(model, "bytes_value")
    model.setData(cell, "hello")
    assert msg.bytes_value == b"hello"
    model.setData(cell, "base64", FormRole.BytesEncodingRole)
    assert cell.data() == "aGVsbG8="
    model.setData(cell, "hex", FormRole.BytesEncodingRole)
    assert cell.data() == "68 65 6c 6c 6f"
    assert cell.siblingAtColumn(2).data() == "bytes · hex"


def test_map_keys_rename_and_refuse_duplicates(model: FormModel) -> None:
    msg: Any = model.message()
    first = model.add_entry(model.find("string_map"))
    second = model.add_entry(model.find("string_map"))
    assert set(msg.string_map) == {"", "key1"}
    model.setData(first, "a")
    model.setData(second, "a")
    assert second.data(FormRole.ErrorRole) == "the map already has the key 'a'"
    assert set(msg.string_map) == {"a", "key1"}
    flags = model.add_entry(model.find("bool_to_color"))
    model.add_entry(flags)
    assert not model.add_entry(flags).isValid()  # both bool keys taken


def test_find_rows_by_path(model: FormModel) -> None:
    model.append_element(model.find("item_list"))
    assert model.find("item_list[0].labels").isValid()
    assert not model.find("item_list[3]").isValid()
    model.setData(value(model, "choice"), "choice_number")
    assert model.find("choice_number").isValid()


def test_reload_keeps_unchanged_rows(model: FormModel) -> None:
    msg: Any = model.message()
    nested = model.node(model.find("nested"))
    model.rowCount(model.find("nested"))
    msg.nested.note = "outside"
    msg.int32_list.extend([1, 2])
    model.reload()
    assert model.node(model.find("nested")) is nested
    assert value(model, "nested.note").data() == "outside"
    assert model.rowCount(model.find("int32_list")) == 2


def test_wide_message_creates_only_top_rows(tmp_path: Any, qapp: Any) -> None:
    fields = "\n".join(f"  Inner f{i} = {i};" for i in range(1, 301))
    inner = "\n".join(f"  int64 v{i} = {i};" for i in range(1, 41))
    (tmp_path / "wide.proto").write_text(
        f'syntax = "proto3";\npackage wide;\nmessage Inner {{\n{inner}\n  Inner next = 99;\n}}\n'
        f"message Wide {{\n{fields}\n}}\n"
    )
    schema = Schema.from_file_descriptor_set(compile_proto_files(["wide.proto"], [str(tmp_path)]))
    model = FormModel(new_message(schema.message("wide.Wide")), schema=schema)
    assert model.rowCount() == 300
    created = list(model.walk())
    assert len(created) == 300
    assert all(isinstance(n, FormNode) and n.children is None for n in created)
    deep = model.find("f7.next.next.next.v3")
    assert deep.isValid()
    assert len(list(model.walk())) == 300 + 41 * 4

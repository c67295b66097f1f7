"""The request editor driven as a person would: typing, clicking, switching views."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QAbstractItemView, QApplication, QToolButton, QWidget
from pytestqt.qtbot import QtBot

from workbench.core.messages.dynamic import new_message
from workbench.core.schema.schema import Schema
from workbench.demo.protos import demo_schema
from workbench.ui import theme
from workbench.ui.form.editors.bytes_editor import BytesEditor
from workbench.ui.form.editors.choice_editor import ChoiceEditor
from workbench.ui.form.editors.timestamp_editor import TimestampEditor
from workbench.ui.form.request_editor import EditorMode, RequestEditor
from workbench.ui.form.roles import Column, FormRole

pytestmark = pytest.mark.gui

#: Where the screenshots of the filled-in editor go (look at them after a change).
SHOTS = Path(tempfile.gettempdir())


@pytest.fixture(scope="module")
def schema() -> Schema:
    return demo_schema()


def show_editor(qtbot: QtBot, schema: Schema) -> RequestEditor:
    """The request editor of DemoService/Echo, shown and focused."""
    method = schema.method("workbench.demo.v1.DemoService/Echo")
    widget = RequestEditor(method.input_type, schema=schema)
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    activate(qtbot, widget)
    widget.form_view().setFocus()
    return widget


def activate(qtbot: QtBot, widget: QWidget) -> None:
    """Make ``widget``'s window the active one (a popup that closed may have taken it)."""
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)


@pytest.fixture
def editor(qtbot: QtBot, schema: Schema) -> RequestEditor:
    return show_editor(qtbot, schema)


def cell(editor: RequestEditor, path: str, column: Column = Column.VALUE) -> QModelIndex:
    index = editor.form_model().find(path)
    assert index.isValid(), path
    return index.siblingAtColumn(column)


def open_editor(qtbot: QtBot, editor: RequestEditor, index: QModelIndex) -> QWidget:
    """Select a cell and press F2, as a person starts editing; return the editor widget."""
    view = editor.form_view()
    activate(qtbot, editor)
    view.scrollTo(index)
    view.setCurrentIndex(index)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_F2)
    widget = QApplication.focusWidget()
    assert widget is not None
    while widget.parentWidget() is not view.viewport() and widget.parentWidget() is not None:
        widget = widget.parentWidget()
    return widget


def press_enter(qtbot: QtBot, editor: RequestEditor) -> None:
    """Press Enter in the focused editor and wait until the view has committed it.

    A completion list open under a chooser takes the first Enter, as it would for a person.
    """
    popup = QApplication.activePopupWidget()
    if popup is not None:
        qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    view = editor.form_view()
    qtbot.waitUntil(lambda: view.state() != QAbstractItemView.State.EditingState)


def type_into(qtbot: QtBot, editor: RequestEditor, path: str, text: str) -> None:
    """Edit the value of ``path``: F2, select all, type, Enter."""
    open_editor(qtbot, editor, cell(editor, path))
    focus = QApplication.focusWidget()
    qtbot.keyClick(focus, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(focus, Qt.Key.Key_Backspace)
    qtbot.keyClicks(focus, text)
    press_enter(qtbot, editor)


def click_tool(qtbot: QtBot, editor: RequestEditor, text: str) -> None:
    """Click the toolbar button labelled ``text``."""
    bar = editor.findChild(QWidget, "request-editor-toolbar")
    for action in bar.actions():
        if action.text() == text:
            button = bar.widgetForAction(action)
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            return
    raise AssertionError(f"no toolbar button {text!r}")


# -- typing into fields -----------------------------------------------------------------


def test_typing_writes_into_the_live_message(qtbot: QtBot, editor: RequestEditor) -> None:
    msg: Any = editor.message()
    with qtbot.waitSignal(editor.messageChanged):
        type_into(qtbot, editor, "int32_value", "-42")
    assert msg.int32_value == -42
    type_into(qtbot, editor, "uint64_value", "18446744073709551615")
    assert msg.uint64_value == 2**64 - 1
    type_into(qtbot, editor, "string_value", "hello world")
    type_into(qtbot, editor, "double_value", "-inf")
    type_into(qtbot, editor, "color", "COLOR_GREEN")
    type_into(qtbot, editor, "duration", "1.5s")
    type_into(qtbot, editor, "field_mask", "item.name, color")
    type_into(qtbot, editor, "struct", '{"a": [1, 2]}')
    assert msg.string_value == "hello world"
    assert msg.double_value == float("-inf")
    assert msg.color == 2
    assert (msg.duration.seconds, msg.duration.nanos) == (1, 500_000_000)
    assert list(msg.field_mask.paths) == ["item.name", "color"]
    assert msg.struct["a"][1] == 2
    assert editor.message() is msg
    assert editor.is_valid()


def test_typing_on_a_row_edits_its_value(qtbot: QtBot, editor: RequestEditor) -> None:
    view = editor.form_view()
    view.setCurrentIndex(cell(editor, "int64_value", Column.NAME))
    qtbot.keyClick(view, Qt.Key.Key_Down)  # to uint32_value, still in the name column
    qtbot.keyClicks(view, "5")  # typing starts editing the value, with the key typed
    press_enter(qtbot, editor)
    assert editor.message().uint32_value == 5  # type: ignore[attr-defined]


def test_bool_is_a_checkbox(qtbot: QtBot, editor: RequestEditor) -> None:
    index = cell(editor, "bool_value")
    view = editor.form_view()
    rect = view.visualRect(index)
    check = rect.left() + 12
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(check, rect.center().y())
    )
    assert editor.message().bool_value is True  # type: ignore[attr-defined]


def test_out_of_range_int_marks_the_field_and_blocks_send(
    qtbot: QtBot, editor: RequestEditor
) -> None:
    msg: Any = editor.message()
    with qtbot.waitSignal(editor.validityChanged) as signal:
        type_into(qtbot, editor, "int32_value", "3000000000")
    valid, why = signal.args
    assert valid is False
    assert why == "int32_value: 3000000000 is out of range for int32 (-2147483648 to 2147483647)"
    assert msg.int32_value == 0
    index = cell(editor, "int32_value")
    assert index.data() == "3000000000"
    assert "out of range" in index.data(FormRole.ErrorRole)
    status = editor.findChild(QWidget, "request-editor-status")
    assert status.isVisible()
    assert "out of range for int32" in status.text()
    with qtbot.waitSignal(editor.validityChanged) as signal:
        type_into(qtbot, editor, "int32_value", "7")
    assert signal.args == [True, ""]
    assert msg.int32_value == 7
    assert not status.isVisible()


def test_editor_marks_bad_text_while_typing(qtbot: QtBot, editor: RequestEditor) -> None:
    open_editor(qtbot, editor, cell(editor, "float_value"))
    line = QApplication.focusWidget()
    qtbot.keyClicks(line, "1e39")
    assert "out of range for float" in line.toolTip()
    qtbot.keyClick(line, Qt.Key.Key_Backspace)
    qtbot.keyClicks(line, "8")
    assert line.toolTip() == ""


# -- oneof, lists, maps -----------------------------------------------------------------


def test_switching_a_oneof_shows_only_the_active_field(qtbot: QtBot, editor: RequestEditor) -> None:
    msg: Any = editor.message()
    combo = open_editor(qtbot, editor, cell(editor, "choice"))
    assert isinstance(combo, ChoiceEditor)
    for _ in range(3):  # (none) → choice_text → choice_number → choice_item
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    press_enter(qtbot, editor)
    assert msg.WhichOneof("choice") == "choice_item"
    model, view = editor.form_model(), editor.form_view()
    oneof = cell(editor, "choice", Column.NAME)
    assert view.isExpanded(oneof)
    assert model.rowCount(oneof) == 1
    assert model.index(0, 0, oneof).data() == "choice_item"
    type_into(qtbot, editor, "choice_item.name", "picked")
    assert msg.choice_item.name == "picked"
    combo = open_editor(qtbot, editor, cell(editor, "choice"))
    qtbot.keyClick(combo, Qt.Key.Key_Up)
    press_enter(qtbot, editor)
    assert msg.WhichOneof("choice") == "choice_number"
    assert model.index(0, 0, oneof).data() == "choice_number"


def test_list_add_remove_reorder(qtbot: QtBot, editor: RequestEditor) -> None:
    msg: Any = editor.message()
    view = editor.form_view()
    view.setCurrentIndex(cell(editor, "string_list", Column.NAME))
    for word in ("one", "two", "three"):
        click_tool(qtbot, editor, "Add item")  # opens the new element's editor
        focus = QApplication.focusWidget()
        qtbot.keyClicks(focus, word)
        press_enter(qtbot, editor)
        view.setCurrentIndex(cell(editor, "string_list", Column.NAME))
    assert list(msg.string_list) == ["one", "two", "three"]
    view.setCurrentIndex(cell(editor, "string_list[2]", Column.NAME))
    click_tool(qtbot, editor, "Move up")
    assert list(msg.string_list) == ["one", "three", "two"]
    assert view.currentIndex().row() == 1
    qtbot.keyClick(view, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert list(msg.string_list) == ["three", "one", "two"]
    click_tool(qtbot, editor, "Remove")
    assert list(msg.string_list) == ["one", "two"]
    assert cell(editor, "string_list[0]", Column.NAME).data() == "[0]"
    assert cell(editor, "string_list[0]").data() == "one"


def test_list_of_messages(qtbot: QtBot, editor: RequestEditor) -> None:
    msg: Any = editor.message()
    view = editor.form_view()
    view.setCurrentIndex(cell(editor, "item_list", Column.NAME))
    qtbot.keyClick(view, Qt.Key.Key_Insert)
    assert len(msg.item_list) == 1
    assert view.isExpanded(cell(editor, "item_list[0]", Column.NAME))
    type_into(qtbot, editor, "item_list[0].name", "first")
    assert msg.item_list[0].name == "first"


def test_map_rows(qtbot: QtBot, editor: RequestEditor) -> None:
    msg: Any = editor.message()
    view = editor.form_view()
    view.setCurrentIndex(cell(editor, "string_map", Column.NAME))
    click_tool(qtbot, editor, "Add item")  # opens the key editor of the new entry
    focus = QApplication.focusWidget()
    qtbot.keyClicks(focus, "colour")
    press_enter(qtbot, editor)
    assert dict(msg.string_map) == {"colour": ""}
    type_into(qtbot, editor, 'string_map["colour"]', "blue")
    assert dict(msg.string_map) == {"colour": "blue"}
    view.setCurrentIndex(cell(editor, "int32_to_item", Column.NAME))
    click_tool(qtbot, editor, "Add item")
    focus = QApplication.focusWidget()
    qtbot.keyClicks(focus, "x")
    press_enter(qtbot, editor)
    assert not editor.is_valid()  # "x" is no int32 key
    assert "int32_to_item" in editor.validity_text()
    type_into_key = cell(editor, "int32_to_item[0]", Column.NAME)
    open_editor(qtbot, editor, type_into_key)
    focus = QApplication.focusWidget()
    qtbot.keyClick(focus, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(focus, Qt.Key.Key_Backspace)
    qtbot.keyClicks(focus, "12")
    press_enter(qtbot, editor)
    assert list(msg.int32_to_item) == [12]
    assert editor.is_valid()


# -- well-known types, Any, bytes -------------------------------------------------------


def test_timestamp_now(qtbot: QtBot, editor: RequestEditor) -> None:
    msg: Any = editor.message()
    widget = open_editor(qtbot, editor, cell(editor, "timestamp"))
    assert isinstance(widget, TimestampEditor)
    now_button = widget.findChild(QToolButton)
    before = int(time.time())
    qtbot.mouseClick(now_button, Qt.MouseButton.LeftButton)
    assert msg.HasField("timestamp")
    assert before - 1 <= msg.timestamp.seconds <= int(time.time()) + 1
    assert cell(editor, "timestamp").data().endswith("Z")


def test_any_type_picker(qtbot: QtBot, editor: RequestEditor) -> None:
    msg: Any = editor.message()
    combo = open_editor(qtbot, editor, cell(editor, "any"))
    assert isinstance(combo, ChoiceEditor)
    assert "workbench.demo.v1.Item" in [combo.itemText(i) for i in range(combo.count())]
    combo.lineEdit().selectAll()
    qtbot.keyClicks(combo.lineEdit(), "workbench.demo.v1.Item")
    press_enter(qtbot, editor)
    assert msg.any.type_url == "type.googleapis.com/workbench.demo.v1.Item"
    assert editor.form_view().isExpanded(cell(editor, "any", Column.NAME))
    type_into(qtbot, editor, "any.@.name", "packed")
    item = new_message(editor.schema().message("workbench.demo.v1.Item"))  # type: ignore[union-attr]
    msg.any.Unpack(item)
    assert item.name == "packed"  # type: ignore[attr-defined]


def test_bytes_from_file_and_encodings(qtbot: QtBot, editor: RequestEditor, tmp_path: Path) -> None:
    msg: Any = editor.message()
    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"\x00\xffbinary")
    widget = open_editor(qtbot, editor, cell(editor, "bytes_value"))
    assert isinstance(widget, BytesEditor)
    assert widget.load_file(blob)
    assert msg.bytes_value == b"\x00\xffbinary"
    assert cell(editor, "bytes_value").data() == "AP9iaW5hcnk="
    assert cell(editor, "bytes_value", Column.TYPE).data() == "bytes · base64"


def test_presence_checkbox_and_wrappers(qtbot: QtBot, editor: RequestEditor) -> None:
    msg: Any = editor.message()
    model = editor.form_model()
    name = cell(editor, "nested", Column.NAME)
    model.setData(name, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert msg.HasField("nested")
    type_into(qtbot, editor, "int32_wrapper", "5")
    assert msg.int32_wrapper.value == 5
    type_into(qtbot, editor, "int32_wrapper", "")
    assert not msg.HasField("int32_wrapper")  # empty means null
    assert cell(editor, "int32_wrapper").data() == "not set"


def test_required_fields_block_send_until_set(qtbot: QtBot, schema: Schema) -> None:
    method = schema.method("workbench.demo.v1.DemoService/EchoLegacy")
    widget = RequestEditor(method.input_type, schema=schema)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    assert not widget.is_valid()
    assert widget.validity_text() == "required field not set: id"
    assert cell(widget, "id", Column.TYPE).data() == "required string"
    assert cell(widget, "copies").data() == "not set (default 1)"
    with qtbot.waitSignal(widget.validityChanged) as signal:
        type_into(qtbot, widget, "id", "rec-1")
    assert signal.args == [True, ""]


# -- JSON -------------------------------------------------------------------------------


def test_json_and_form_edit_the_same_message(qtbot: QtBot, editor: RequestEditor) -> None:
    msg: Any = editor.message()
    type_into(qtbot, editor, "int32_value", "42")
    click_tool(qtbot, editor, "JSON")
    assert editor.mode() is EditorMode.JSON
    text = editor.json_editor()
    assert '"int32Value": 42' in text.json()
    text.setFocus()
    text.selectAll()
    qtbot.keyClicks(text, '{"int32Value": 7, "stringList": ["a", "b"]}')
    qtbot.waitUntil(lambda: msg.int32_value == 7)
    assert editor.message() is msg
    assert list(msg.string_list) == ["a", "b"]
    click_tool(qtbot, editor, "Form")
    assert cell(editor, "int32_value").data() == "7"
    assert cell(editor, "string_list").data() == "[2 items]"
    type_into(qtbot, editor, "string_list[1]", "c")
    click_tool(qtbot, editor, "JSON")
    assert '"c"' in text.json()


def test_invalid_json_is_marked_with_line_and_column(qtbot: QtBot, editor: RequestEditor) -> None:
    msg: Any = editor.message()
    editor.set_mode(EditorMode.JSON)
    text = editor.json_editor()
    text.setFocus()
    text.selectAll()
    with qtbot.waitSignal(editor.validityChanged, timeout=3000) as signal:
        for line in ("{", '  "int32Value": ,', "}"):
            qtbot.keyClicks(text, line)
            if line != "}":
                qtbot.keyClick(text, Qt.Key.Key_Return)
    assert signal.args[0] is False
    line, column, _message = text.error()
    assert (line, column) == (2, 17)
    assert "line 2, column 17" in editor.validity_text()
    assert msg.int32_value == 0
    text.selectAll()
    with qtbot.waitSignal(editor.validityChanged, timeout=3000) as signal:
        qtbot.keyClicks(text, '{"int32Value": 3000000000}')
    assert signal.args[0] is False
    assert "int32_value: 3000000000 is out of range" in editor.validity_text()
    assert text.error()[:2] == (1, 2)  # the key of the value that does not fit
    text.selectAll()
    qtbot.keyClicks(text, '{"int32Value": 3}')
    qtbot.waitUntil(editor.is_valid)
    assert msg.int32_value == 3


def test_reset_to_example_and_clear(qtbot: QtBot, editor: RequestEditor) -> None:
    msg: Any = editor.message()
    click_tool(qtbot, editor, "Reset to example")
    assert msg.HasField("nested")
    assert cell(editor, "nested", Column.NAME).data(Qt.ItemDataRole.CheckStateRole) == (
        Qt.CheckState.Checked
    )
    click_tool(qtbot, editor, "Clear")
    assert msg.ByteSize() == 0
    assert cell(editor, "nested").data() == "not set"


def test_set_message_adopts_the_object(editor: RequestEditor) -> None:
    other: Any = new_message(editor.descriptor())
    other.int32_value = 9
    editor.set_message(other)
    assert editor.message() is other
    assert cell(editor, "int32_value").data() == "9"
    with pytest.raises(ValueError, match=r"expected a workbench\.demo\.v1\.AllTypes"):
        editor.set_message(new_message(editor.schema().message("workbench.demo.v1.Item")))  # type: ignore[union-attr]


# -- how it looks -----------------------------------------------------------------------


@pytest.fixture
def fusion(qapp: QApplication) -> Iterator[None]:
    """The app's own look: Fusion (the theme module sets it at start-up)."""
    old = qapp.style().name()
    qapp.setStyle("Fusion")
    yield
    qapp.setStyle(old)


@pytest.fixture
def dark_palette(qapp: QApplication, fusion: None) -> Iterator[None]:
    """The app's dark palette, as the theme module applies it on a dark desktop."""
    old = qapp.palette()
    hints = qapp.styleHints()
    hints.setColorScheme(Qt.ColorScheme.Dark)
    qapp.setPalette(theme.dark_palette())
    yield
    hints.unsetColorScheme()
    qapp.setPalette(old)


def _fill_for_screenshot(qtbot: QtBot, editor: RequestEditor) -> None:
    editor.reset_to_example()
    type_into(qtbot, editor, "int32_value", "3000000000")
    type_into(qtbot, editor, "string_value", "hello, workbench")
    view = editor.form_view()
    for path in ("nested", "item_list", "item_list[0]", "choice"):
        view.expand(cell(editor, path, Column.NAME))
    view.scrollToTop()


def test_screenshot_light(qtbot: QtBot, editor: RequestEditor, fusion: None) -> None:
    _fill_for_screenshot(qtbot, editor)
    assert editor.grab().save(str(SHOTS / "form_light.png"))
    view = editor.form_view()
    view.expand(cell(editor, "int32_to_item", Column.NAME))
    view.expand(cell(editor, "int32_to_item[0]", Column.NAME))
    view.scrollTo(cell(editor, "choice"), QAbstractItemView.ScrollHint.PositionAtTop)
    open_editor(qtbot, editor, cell(editor, "timestamp"))
    assert editor.grab().save(str(SHOTS / "form_editors_light.png"))
    open_editor(qtbot, editor, cell(editor, "bytes_value"))
    assert editor.grab().save(str(SHOTS / "form_bytes_light.png"))
    editor.set_mode(EditorMode.JSON)
    qtbot.wait(20)  # let the toolbar lay out without the form-only actions
    assert editor.grab().save(str(SHOTS / "form_json_light.png"))
    text = editor.json_editor()
    text.setFocus()
    text.moveCursor(QTextCursor.MoveOperation.Down)
    text.moveCursor(QTextCursor.MoveOperation.EndOfLine)
    qtbot.keyClicks(text, " oops")
    qtbot.waitUntil(lambda: text.error() is not None)
    assert editor.grab().save(str(SHOTS / "form_json_error_light.png"))


def test_screenshot_dark(qtbot: QtBot, schema: Schema, dark_palette: None) -> None:
    widget = show_editor(qtbot, schema)
    _fill_for_screenshot(qtbot, widget)
    assert widget.grab().save(str(SHOTS / "form_dark.png"))
    widget.set_mode(EditorMode.JSON)
    qtbot.wait(20)
    assert widget.grab().save(str(SHOTS / "form_json_dark.png"))

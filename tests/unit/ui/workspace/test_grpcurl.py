"""grpcurl: paste a command line to get a request tab; copy any request as a command."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from tests.unit.ui.calls_support import click_method, connect, type_into
from tests.unit.ui.workspace.conftest import binding_of, body, current_method_tab
from workbench.core.store.environments import Environment
from workbench.core.store.grpcurl import parse_grpcurl
from workbench.ui.views.grpcurl_dialog import GrpcurlDialog
from workbench.ui.views.main_window import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def connected(qtbot: QtBot, ws_window: MainWindow, demo_address: str) -> MainWindow:
    connect(qtbot, ws_window, demo_address)
    return ws_window


def paste(qtbot: QtBot, window: MainWindow, command: str) -> GrpcurlDialog:
    dialog = window.workspace_ui.paste_grpcurl()
    qtbot.waitExposed(dialog)
    dialog.text.setPlainText(command)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    return dialog


def test_a_pasted_command_opens_a_tab_with_its_request(
    qtbot: QtBot, connected: MainWindow, demo_address: str
) -> None:
    before = connected.tabs.count()
    paste(
        qtbot,
        connected,
        f'grpcurl -plaintext -max-time 3 -d \'{{"stringValue": "from grpcurl", '
        f"\"int32Value\": 7}}' -H 'x-trace: abc' {demo_address} "
        "workbench.demo.v1.DemoService/Echo",
    )
    assert connected.tabs.count() == before + 1
    tab = current_method_tab(connected)
    assert tab.full_name == "workbench.demo.v1.DemoService.Echo"
    assert body(tab.request) == {"int32Value": 7, "stringValue": "from grpcurl"}
    assert tab.request.metadata.entries() == [("x-trace", "abc")]
    assert tab.request.deadline_edit.text() == "3"
    assert binding_of(connected).bar.address_edit.text() == demo_address


def test_a_command_that_does_not_parse_keeps_the_dialog_open(
    qtbot: QtBot, connected: MainWindow
) -> None:
    dialog = paste(qtbot, connected, "grpcurl -bogus-flag localhost:1 a.B/C")
    assert dialog.isVisible()
    assert "unknown grpcurl flag" in dialog.error.text()
    dialog.reject()


def test_copy_as_grpcurl_reads_back_to_the_same_request(
    qtbot: QtBot, connected: MainWindow, demo_address: str
) -> None:
    tab = click_method(qtbot, connected, "Echo")
    type_into(qtbot, tab.editor, "string_value", "it's quoted")
    type_into(qtbot, tab.editor, "int64_value", "9007199254740993")
    tab.metadata.add_row("authorization", "Bearer abc")
    qtbot.keyClicks(tab.deadline_edit, "1.5")
    connected.workspace_ui.act_copy_grpcurl.trigger()
    text = QGuiApplication.clipboard().text()
    assert text.startswith("grpcurl -plaintext ")
    parsed = parse_grpcurl(text).request
    assert parsed.method == "workbench.demo.v1.DemoService/Echo"
    assert parsed.target.address == demo_address
    assert parsed.messages == ({"int64Value": "9007199254740993", "stringValue": "it's quoted"},)
    assert [(m.name, m.value) for m in parsed.metadata] == [("authorization", "Bearer abc")]
    assert parsed.timeout == 1.5
    mine = binding_of(connected).snapshot(for_save=True)
    # grpcurl spells out the plaintext the address implies; everything else is the same.
    assert parsed == replace(mine, target=replace(mine.target, plaintext=True))
    assert "Copied the grpcurl command" in connected.statusBar().currentMessage()
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(binding_of(connected).bar.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == text  # the same from the tab's own button


def test_copy_fills_in_the_environment(qtbot: QtBot, connected: MainWindow) -> None:
    ws = connected.workspace.workspace
    assert ws is not None
    ws.environments.save(Environment("dev", {"user": "ann"}))
    connected.workspace.environments_edited()
    connected.workspace.set_environment("dev")
    tab = click_method(qtbot, connected, "Echo")
    type_into(qtbot, tab.editor, "string_value", "hi {{user}}")
    text = connected.workspace_ui.saved.copy_as_grpcurl()
    assert text is not None
    assert parse_grpcurl(text).request.body == {"stringValue": "hi ann"}

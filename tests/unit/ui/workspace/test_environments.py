"""Environments: edited in their dialog, picked in the toolbar, substituted at send time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.unit.ui.calls_support import click_method, connect, press_send, wait_finished
from tests.unit.ui.workspace.conftest import binding_of
from workbench.core.store.environments import Environment
from workbench.ui.models.environment_model import NO_ENVIRONMENT, EnvironmentModel
from workbench.ui.models.variables_model import MASK, Column, VariablesModel
from workbench.ui.views.environments_dialog import EnvironmentsDialog
from workbench.ui.views.main_window import MainWindow
from workbench.ui.views.request_tab import RequestTab

pytestmark = pytest.mark.gui

SECRET = "s3cret-t0ken-value"


@pytest.fixture
def connected(qtbot: QtBot, ws_window: MainWindow, demo_address: str) -> MainWindow:
    connect(qtbot, ws_window, demo_address)
    return ws_window


def make_environment(
    qtbot: QtBot, dialog: EnvironmentsDialog, name: str, variables: list[tuple[str, str, bool]]
) -> None:
    """Type a new environment's name, add it, fill in its variables, save."""
    dialog.new_name.setFocus()
    qtbot.keyClicks(dialog.new_name, name)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.editing == name
    model = dialog.variables
    for var, value, secret in variables:
        qtbot.mouseClick(dialog.add_variable_button, Qt.MouseButton.LeftButton)
        row = model.rowCount() - 1
        model.setData(model.index(row, Column.NAME), var)
        model.setData(model.index(row, Column.VALUE), value)
        if secret:
            model.setData(
                model.index(row, Column.SECRET),
                Qt.CheckState.Checked,
                Qt.ItemDataRole.CheckStateRole,
            )
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == "", dialog.status.text()


def pick(window: MainWindow, name: str | None) -> None:
    box = window.workspace_ui.env_box
    box.setCurrentIndex(box.findText(name or NO_ENVIRONMENT))


def echo_metadata(qtbot: QtBot, tab: RequestTab) -> dict[str, str]:
    press_send(qtbot, tab, tab.send_button)
    finished = wait_finished(qtbot, tab)
    assert finished.ok, tab.response.error_text()
    entries = json.loads(tab.response.message_view.json_text())["entries"]
    return {e["key"]: e["value"] for e in entries}


def shared_files_text(ws_dir: Path) -> str:
    """Everything in the workspace that git would see (not the machine-local .workbench/)."""
    return "".join(
        p.read_text()
        for p in ws_dir.rglob("*")
        if p.is_file() and ".workbench" not in p.relative_to(ws_dir).parts
    )


def test_environment_switch_changes_address_and_metadata_and_secrets_stay_local(
    qtbot: QtBot, connected: MainWindow, ws_dir: Path, demo_address: str, unused_port: int
) -> None:
    dialog = connected.workspace_ui.open_environments()
    assert isinstance(dialog, EnvironmentsDialog)
    make_environment(qtbot, dialog, "dev", [("host", demo_address, False), ("token", SECRET, True)])
    token_row = dialog.variables.index(1, Column.VALUE)
    assert token_row.data() == MASK
    make_environment(
        qtbot, dialog, "down", [("host", f"127.0.0.1:{unused_port}", False), ("token", "x", True)]
    )
    qtbot.mouseClick(dialog.done_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    box = connected.workspace_ui.env_box
    assert [box.itemText(i) for i in range(box.count())] == [NO_ENVIRONMENT, "dev", "down"]

    tab = click_method(qtbot, connected, "EchoMetadata")
    bar = binding_of(connected).bar
    bar.address_edit.setText("{{host}}")
    tab.metadata.add_row("authorization", "Bearer {{token}}")
    assert "unknown variables" in tab.reason.text() and "{{host}} in target.address" in (
        tab.reason.text()
    )
    assert not tab.send_button.isEnabled()

    pick(connected, "dev")
    assert tab.send_button.isEnabled(), tab.reason.text()
    assert bar.resolved.text() == f"→ {demo_address}"
    assert echo_metadata(qtbot, tab)["authorization"] == f"Bearer {SECRET}"

    pick(connected, "down")
    assert bar.resolved.text() == f"→ 127.0.0.1:{unused_port}"
    previous = tab.response.finished
    press_send(qtbot, tab, tab.send_button)
    finished = wait_finished(qtbot, tab, previous)
    assert finished.code_name == "UNAVAILABLE"

    history = connected.workspace.history
    assert history is not None
    newest, older = history.entries(2)
    assert newest.address == f"127.0.0.1:{unused_port}" and newest.environment == "down"
    assert older.address == demo_address and older.environment == "dev"
    assert older.request.target.address == "{{host}}"
    assert older.request.metadata[0].value == "Bearer {{token}}"

    assert SECRET not in shared_files_text(ws_dir)
    dev = json.loads((ws_dir / "environments" / "dev.env.json").read_text())
    assert dev["variables"] == {"host": demo_address}
    assert dev["secrets"] == ["token"]
    assert SECRET in (ws_dir / ".workbench" / "secrets.local.json").read_text()


def test_unknown_variables_block_send_with_where_they_are(
    qtbot: QtBot, connected: MainWindow
) -> None:
    ws = connected.workspace.workspace
    assert ws is not None
    ws.environments.save(Environment("dev", {"name": "ann"}))
    connected.workspace.environments_edited()
    pick(connected, "dev")
    tab = click_method(qtbot, connected, "EchoMetadata")
    tab.metadata.add_row("x-user", "{{name}}")
    tab.metadata.add_row("x-team", "{{team}}")
    assert not tab.send_button.isEnabled()
    assert "{{team}} in metadata[1] x-team" in tab.reason.text()
    assert "environment 'dev'" in tab.reason.text()
    tab.send()  # even forced, nothing is sent
    qtbot.wait(50)
    assert tab.response.finished is None and not tab.runner.running


def test_variables_in_request_strings_are_filled_in(qtbot: QtBot, connected: MainWindow) -> None:
    ws = connected.workspace.workspace
    assert ws is not None
    ws.environments.save(
        Environment("dev", {"who": "{{first}} {{last}}", "first": "Ann", "last": "Lee"})
    )
    connected.workspace.environments_edited()
    pick(connected, "dev")
    tab = click_method(qtbot, connected, "Echo")
    from tests.unit.ui.calls_support import type_into

    type_into(qtbot, tab.editor, "string_value", "hello {{who}}")
    press_send(qtbot, tab, tab.send_button)
    assert wait_finished(qtbot, tab).ok
    assert json.loads(tab.response.message_view.json_text())["stringValue"] == "hello Ann Lee"
    history = connected.workspace.history
    assert history is not None
    assert history.entries(1)[0].request.body == {"stringValue": "hello {{who}}"}


def test_a_variable_that_references_itself_blocks_send(qtbot: QtBot, connected: MainWindow) -> None:
    ws = connected.workspace.workspace
    assert ws is not None
    ws.environments.save(Environment("loop", {"a": "{{b}}", "b": "{{a}}"}))
    connected.workspace.environments_edited()
    pick(connected, "loop")
    tab = click_method(qtbot, connected, "Echo")
    assert not tab.send_button.isEnabled()
    assert "cycle: a -> b -> a" in tab.reason.text()
    dialog = connected.workspace_ui.open_environments()
    assert dialog is not None
    assert "cycle" in dialog.status.text()
    dialog.reject()


def test_a_bad_variable_name_is_not_saved(qtbot: QtBot, connected: MainWindow) -> None:
    dialog = connected.workspace_ui.open_environments()
    assert dialog is not None
    qtbot.keyClicks(dialog.new_name, "dev")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    dialog.variables.add_row("not ok", "1")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "cannot be a variable name" in dialog.status.text()
    ws = connected.workspace.workspace
    assert ws is not None
    assert dict(ws.environments.get("dev").variables) == {}
    dialog.reject()


def test_deleting_an_environment_can_be_undone(qtbot: QtBot, connected: MainWindow) -> None:
    ws = connected.workspace.workspace
    assert ws is not None
    ws.environments.save(Environment("dev", {"a": "1"}))
    connected.workspace.environments_edited()
    pick(connected, "dev")
    dialog = connected.workspace_ui.open_environments()
    assert dialog is not None and dialog.editing == "dev"
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert ws.environments.names() == []
    assert connected.workspace.environment is None
    dialog.reject()
    connected.workspace.undo()
    assert ws.environments.names() == ["dev"]


def test_models_pass_the_model_tester(qtmodeltester: Any, controller: Any, qtbot: QtBot) -> None:
    ws = controller.workspace
    ws.environments.save(Environment("dev", {"a": "1"}))
    ws.environments.save(Environment("prod", {"a": "2"}, secrets=("t",)))
    model = EnvironmentModel(with_none=True)
    model.set_store(ws.environments)
    qtmodeltester.check(model)
    ws.environments.save(Environment("beta"))
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [
        NO_ENVIRONMENT,
        "beta",
        "dev",
        "prod",
    ]
    qtmodeltester.check(model)
    variables = VariablesModel()
    variables.add_row("host", "localhost:1")
    variables.add_row("token", "x", secret=True)
    qtmodeltester.check(variables)

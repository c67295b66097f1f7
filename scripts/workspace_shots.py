"""Screenshots of the workspace features: collections, environments, history, grpcurl.

Run through ``scripts/screenshots.py`` (which calls :func:`shoot_workspace`); every shot
uses a workspace and a history database made in a temporary folder, so reruns give the same
pictures and nothing of the user's is touched.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from screenshots import (
    DEMO_SERVICE,
    SIZE,
    close,
    fill_json,
    fresh_settings,
    fresh_state,
    open_tab,
    save,
    send,
    settle,
    wait_for,
)

from workbench.core.store.environments import Environment
from workbench.core.store.history import History
from workbench.core.store.requests import MetadataEntry, SavedRequest, SavedTarget
from workbench.core.store.secrets import FileSecretStore
from workbench.ui.views.connect import Phase
from workbench.ui.views.main_window import MainWindow
from workbench.ui.views.request_tab import RequestTab
from workbench.ui.views.unopened_request import UnopenedRequest
from workbench.ui.workspace_controller import WorkspaceController

__all__ = ["shoot_workspace"]


def _request(address: str, method: str, *messages: object, **kw: object) -> SavedRequest:
    return SavedRequest(
        f"{DEMO_SERVICE}/{method}",
        SavedTarget(address),
        messages,
        **kw,  # type: ignore[arg-type]
    )


def _fill_workspace(window: MainWindow, address: str) -> None:
    """Two collections with folders and requests, two environments (one secret)."""
    ws = window.workspace.workspace
    assert ws is not None
    store = ws.collections
    demo = store.create_collection("demo service")
    smoke = store.create_folder(demo, "smoke tests")
    store.save_as(demo, _request("{{host}}", "Echo", {"stringValue": "hello"}), "Echo hello")
    store.save_as(
        demo,
        _request(
            "{{host}}",
            "EchoMetadata",
            {},
            metadata=(MetadataEntry("authorization", "Bearer {{token}}"),),
            notes="Shows which headers reach the server.",
        ),
        "Who am I",
    )
    store.save_as(smoke, _request("{{host}}", "Slow", {"duration": "0.2s"}), "Slow call")
    store.save_as(
        smoke,
        _request("{{host}}", "Sum", {"value": "1"}, {"value": "2"}, {"value": "3"}),
        "Sum three",
    )
    inventory = store.create_collection("inventory")
    store.save_as(
        inventory,
        SavedRequest(
            "workbench.demo.inventory.v1.InventoryService/GetItem",
            SavedTarget("{{host}}"),
            ({"id": "42"},),
        ),
        "Get item 42",
    )
    ws.environments.save(Environment("dev", {"host": address}, notes="the local demo"))
    ws.environments.save(Environment("staging", {"host": "staging.example.com:443"}))
    ws.environments.set_secret("dev", "token", "dev-token-123")
    window.workspace.environments_edited()
    window.workspace.set_environment("dev")


def _new_window(state_dir: Path, name: str) -> MainWindow:
    state = fresh_state(state_dir, name)
    ws_dir = state_dir / name / "workspace"
    controller = WorkspaceController(
        state=state,
        history=History(state_dir / name / "history.sqlite3"),
        secrets=FileSecretStore(ws_dir),
    )
    controller.open(ws_dir, create=True)
    window = MainWindow(state=state, workspace=controller, settings=fresh_settings(state_dir))
    window.resize(*SIZE)
    window.show()
    return window


async def shoot_workspace(address: str, out: Path, state_dir: Path) -> None:
    """Collections, an unsaved tab, the save dialog, environments, history, problems."""
    window = _new_window(state_dir, "workspace-shots")
    window.connect_to(address)
    await wait_for(lambda: window.loader.state.phase is Phase.READY, "the connection")
    _fill_workspace(window, address)
    ui = window.workspace_ui
    window.left_tabs.setCurrentWidget(ui.collections)
    ws = window.workspace.workspace
    assert ws is not None
    node = ws.collections.find(["demo service", "Who am I"])
    assert node is not None
    ui.collections.select(node)
    ui.saved.open_node(node)  # type: ignore[arg-type]
    tab = window.tabs.currentWidget()
    await send(tab.request)  # type: ignore[attr-defined]
    tab.request.response.message_view.tree().expandAll()  # type: ignore[attr-defined]
    await settle()
    save(window, out, "16-collections")

    echo = await open_tab(window, "Echo")
    fill_json(echo, '{"stringValue": "hello {{host}}", "int32Value": 7}')
    ui.saver.save_current()
    dialog = ui.saver.save_dialog
    assert dialog is not None
    dialog.name_edit.setText("Echo with a variable")
    dialog.place_box.setEditText("demo service")
    await settle()
    save(dialog, out, "17-save-dialog")
    dialog.buttons.accepted.emit()
    await wait_for(lambda: not dialog.isVisible(), "the save")
    fill_json(echo, '{"stringValue": "hello again {{host}}", "int32Value": 8}')
    await settle()
    save(window, out, "18-unsaved-marker")
    await _shoot_streams_and_history(window, out, echo)
    await _shoot_problems(window, out)
    await close(window)
    await asyncio.sleep(0)


async def _shoot_streams_and_history(window: MainWindow, out: Path, echo: RequestTab) -> None:
    """A stream's message list, the environments, the history, a grpcurl paste."""
    ui = window.workspace_ui
    ws = window.workspace.workspace
    assert ws is not None
    address = window.loader.target.address if window.loader.target else ""
    sum_node = ws.collections.find(["demo service", "smoke tests", "Sum three"])
    assert sum_node is not None
    ui.saved.open_node(sum_node)  # type: ignore[arg-type]
    await settle()
    binding = ui.saved.binding(window.tabs.currentWidget())
    assert binding is not None and binding.stream is not None
    binding.stream.next()
    await settle()
    save(window, out, "19-stream-messages")

    environments = ui.open_environments()
    assert environments is not None
    await settle()
    save(environments, out, "20-environments")
    environments.reject()

    for text in ("history one", "history two"):
        fill_json(echo, json.dumps({"stringValue": text}))
        await send(echo)
    fail = await open_tab(window, "Fail")
    fill_json(fail, '{"code": "NOT_FOUND", "message": "no such user"}')
    await send(fail)
    window.left_tabs.setCurrentWidget(ui.history)
    ui.history.view.setCurrentIndex(ui.history.model.index(0, 0))
    await settle()
    save(window, out, "21-history")
    ui.history.search.setText("history two")
    ui.history.apply_search()
    await settle()
    save(window, out, "22-history-search")

    grpcurl = ui.paste_grpcurl()
    grpcurl.text.setPlainText(
        f"grpcurl -plaintext -d '{{\"stringValue\": \"pasted\"}}' -H 'x-trace: 1' "
        f"{address} {DEMO_SERVICE}/Echo"
    )
    await settle()
    save(grpcurl, out, "23-grpcurl-paste")
    grpcurl.reject()


async def _shoot_problems(window: MainWindow, out: Path) -> None:
    """A corrupt file in the banner, and a saved request whose method is gone."""
    ui = window.workspace_ui
    ws = window.workspace.workspace
    assert ws is not None
    broken = ws.directory / "collections" / "inventory" / "Broken.request.json"
    broken.write_text('{\n  "format": "grpc-workbench/request",\n  "version": 1,\n  method\n}\n')
    gone = _request("{{host}}", "Removed", {"keep": "this body"})
    (ws.directory / "collections" / "inventory" / "Old method.request.json").write_bytes(
        gone.to_bytes()
    )
    window.workspace.rescan()
    window.left_tabs.setCurrentWidget(ui.collections)
    old = ws.collections.find(["inventory", "Old method"])
    assert old is not None
    ui.saved.open_node(old)  # type: ignore[arg-type]
    await wait_for(
        lambda: isinstance(window.tabs.currentWidget(), UnopenedRequest), "the warning tab"
    )
    await settle()
    save(window, out, "24-problems-and-missing-method")

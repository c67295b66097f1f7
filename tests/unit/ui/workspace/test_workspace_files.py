"""The workspace on disk: opening folders, external changes picked up live, bad files, errors."""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from shiboken6 import delete

from tests.unit.ui.calls_support import click_method, connect, type_into
from tests.unit.ui.workspace.conftest import (
    answer_save_dialog,
    binding_of,
    body,
    press_save,
    tree_labels,
)
from workbench.core.store import atomic
from workbench.core.store.tree import RequestNode
from workbench.ui.views.main_window import MainWindow
from workbench.ui.workspace_controller import WorkspaceController

pytestmark = pytest.mark.gui

WATCH_MS = 5_000


def request_json(text: str = "from outside") -> str:
    return json.dumps(
        {
            "format": "grpc-workbench/request",
            "version": 1,
            "method": "workbench.demo.v1.DemoService/Echo",
            "target": {"address": "", "plaintext": None, "tls": None, "authority": None},
            "metadata": [],
            "messages": [{"stringValue": text}],
            "timeout_seconds": None,
            "notes": "",
        },
        indent=2,
    )


@pytest.fixture
def connected(qtbot: QtBot, ws_window: MainWindow, demo_address: str) -> MainWindow:
    connect(qtbot, ws_window, demo_address)
    return ws_window


def test_a_file_written_by_another_program_shows_up_live(
    qtbot: QtBot, ws_window: MainWindow, ws_dir: Path
) -> None:
    model = ws_window.workspace_ui.collections.model
    assert tree_labels(model) == []
    folder = ws_dir / "collections" / "shared"
    folder.mkdir()
    qtbot.waitUntil(lambda: tree_labels(model) == ["shared"], timeout=WATCH_MS)
    (folder / "From git.request.json").write_text(request_json())
    qtbot.waitUntil(lambda: tree_labels(model) == ["shared", "shared/From git"], timeout=WATCH_MS)
    assert "Workspace changed on disk" in ws_window.statusBar().currentMessage()
    (folder / "From git.request.json").unlink()
    qtbot.waitUntil(lambda: tree_labels(model) == ["shared"], timeout=WATCH_MS)


def test_an_open_tab_follows_an_outside_edit_unless_it_has_edits(
    qtbot: QtBot, connected: MainWindow, ws_dir: Path
) -> None:
    folder = ws_dir / "collections" / "shared"
    folder.mkdir()
    path = folder / "Live.request.json"
    path.write_text(request_json("version 1"))
    connected.workspace.rescan()
    ws = connected.workspace.workspace
    assert ws is not None
    node = ws.collections.find(["shared", "Live"])
    assert isinstance(node, RequestNode)
    tab = connected.workspace_ui.saved.open_node(node)
    assert tab is not None
    request = binding_of(connected).tab.request
    assert body(request) == {"stringValue": "version 1"}

    path.write_text(request_json("version 2"))  # an edit in place, as some editors do
    qtbot.waitUntil(lambda: body(request) == {"stringValue": "version 2"}, timeout=WATCH_MS)
    assert not binding_of(connected).dirty

    type_into(qtbot, request.editor, "string_value", "my edit")
    path.write_text(request_json("version 3"))
    bar = binding_of(connected).bar
    qtbot.waitUntil(lambda: "changed on disk" in bar.warning.text(), timeout=WATCH_MS)
    assert body(request) == {"stringValue": "my edit"}  # the user's edit is kept


def test_a_corrupt_file_is_named_in_a_banner_and_left_alone(
    qtbot: QtBot, ws_window: MainWindow, ws_dir: Path
) -> None:
    folder = ws_dir / "collections" / "shared"
    folder.mkdir()
    bad = folder / "Broken.request.json"
    bad.write_text('{"format": "grpc-workbench/request", "version": 1,\n  "method": oops\n}')
    good = folder / "Fine.request.json"
    good.write_text(request_json())
    panel = ws_window.workspace_ui.collections
    qtbot.waitUntil(lambda: "Fine" in "".join(tree_labels(panel.model)), timeout=WATCH_MS)
    assert tree_labels(panel.model) == ["shared", "shared/Fine"]
    assert not panel.banner.isHidden()
    assert "collections/shared/Broken.request.json: line 2" in panel.banner.text()
    assert "invalid JSON" in panel.banner.text()
    assert "never rewritten" in panel.banner.text()
    assert f"Skipped {bad}" in ws_window.banner.text()
    before = bad.read_bytes()

    # Fixing it by hand brings it in and clears the banner.
    bad.write_text(request_json("fixed"))
    qtbot.waitUntil(panel.banner.isHidden, timeout=WATCH_MS)
    assert tree_labels(panel.model) == ["shared", "shared/Broken", "shared/Fine"]
    assert before != bad.read_bytes()


def test_a_full_disk_is_reported_and_the_saved_file_is_unchanged(
    qtbot: QtBot, connected: MainWindow, ws_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab = click_method(qtbot, connected, "Echo")
    type_into(qtbot, tab.editor, "string_value", "safe")
    press_save(qtbot, connected)
    answer_save_dialog(qtbot, connected, "Safe", "demo")
    qtbot.waitUntil(lambda: binding_of(connected).node is not None)
    path = ws_dir / "collections" / "demo" / "Safe.request.json"
    before = path.read_bytes()

    def full(_fd: int, _data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic, "_write_all", full)
    type_into(qtbot, tab.editor, "string_value", "lost?")
    press_save(qtbot, connected)
    assert "the disk is full" in connected.banner.text()
    assert path.read_bytes() == before
    assert connected.tabs.tabText(connected.tabs.currentIndex()) == "Safe •"
    assert not list(path.parent.glob(".wb-tmp-*"))


def test_opening_another_folder_makes_it_a_workspace(
    qtbot: QtBot, ws_window: MainWindow, tmp_path: Path, ws_dir: Path
) -> None:
    other = tmp_path / "other-repo"
    other.mkdir()
    ws = ws_window.workspace_ui.open_workspace(other)
    assert ws is not None and ws.directory == other
    assert (other / "workbench.json").is_file()
    assert ws_window.workspace_ui.collections.title.text() == "other-repo"
    assert ws_window.workspace.recent_workspaces()[:2] == [str(other), str(ws_dir)]
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    assert ws_window.workspace_ui.open_workspace(not_a_folder / "ws") is None
    assert "cannot create a workspace" in ws_window.banner.text()
    assert ws_window.workspace.workspace is ws  # the open one stays


def test_at_start_the_last_workspace_opens_else_the_default(
    qasync_loop: Any, ui_state: Any, tmp_path: Path
) -> None:
    first = WorkspaceController(state=ui_state)
    try:
        assert first.open_initial() is not None
        assert first.workspace is not None
        assert first.workspace.directory.name == "workspace"  # the default one
        first.open(tmp_path / "mine", create=True)
    finally:
        first.close()
        delete(first)
    again = WorkspaceController(state=ui_state)
    try:
        ws = again.open_initial()
        assert ws is not None and ws.directory == tmp_path / "mine"
    finally:
        again.close()
        delete(again)

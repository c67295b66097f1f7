"""A restart brings back the window: geometry, splitters, open tabs with what was typed in
them (hot exit), and recent targets."""

from __future__ import annotations

import asyncio
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.unit.ui.calls_support import DEMO, WAIT_MS, activate, click_method, connect, type_into
from tests.unit.ui.session_support import Profile
from tests.unit.ui.test_request_tab import set_json
from tests.unit.ui.workspace.conftest import binding_of, body, current_method_tab
from workbench.app.demo_control import DemoControl
from workbench.core.settings import OpenTab, SettingsStore
from workbench.core.store.drafts import DraftStore
from workbench.demo.protos import demo_proto_files, demo_proto_root
from workbench.demo.server import DemoServerThread
from workbench.ui.form.request_editor import EditorMode
from workbench.ui.views.connect import Phase


@pytest.fixture
def profile(tmp_path: Path, qasync_loop: asyncio.AbstractEventLoop) -> Profile:
    return Profile(tmp_path)


def settled(qtbot: QtBot, window: Any) -> None:
    """Wait until the layouts Qt still has pending have run (sizes can be a pass behind:
    a pane just shown gets its 4 px splitter handle only when the posted layout runs)."""
    last: list[object] = []

    def unchanged() -> bool:
        now = (window.size(), window.main_splitter.sizes(), window.work_splitter.sizes())
        same = last == [now]
        last[:] = [now]
        return same

    qtbot.waitUntil(unchanged, timeout=WAIT_MS)


def test_restart_restores_layout_tabs_and_recent_targets(
    qtbot: QtBot, profile: Profile, demo_address: str
) -> None:
    first = profile.window(qtbot)
    first.resize(780, 540)  # the offscreen screen is 800x600
    size = first.size()
    connect(qtbot, first, demo_address)
    click_method(qtbot, first, "Echo", double=True)
    click_method(qtbot, first, "Countdown", double=True)
    click_method(qtbot, first, "Chat")  # the preview tab counts too: it is open
    first.main_splitter.setSizes([250, 520])
    first.work_splitter.setSizes([400, 120])
    settled(qtbot, first)
    main_sizes, work_sizes = first.main_splitter.sizes(), first.work_splitter.sizes()
    profile.quit(qtbot, first)
    saved = SettingsStore.load(profile.settings_path).settings
    assert saved.recent_targets[0] == demo_address
    assert [t.method for t in saved.open_tabs] == [
        f"{DEMO}/Echo",
        f"{DEMO}/Countdown",
        f"{DEMO}/Chat",
    ]
    assert {t.address for t in saved.open_tabs} == {demo_address}

    second = profile.window(qtbot)
    assert second.size() == size
    assert second.main_splitter.sizes() == main_sizes
    assert second.address_box.itemText(0) == demo_address
    assert second.address_box.currentText() == demo_address  # ready to reconnect
    assert second.tabs.count() == 0  # the tabs wait for their schema
    qtbot.mouseClick(second.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: second.tabs.count() == 3, timeout=WAIT_MS)
    assert second.tabs.titles() == ["Echo", "Countdown", "Chat"]
    assert second.tabs.preview is None  # reopened tabs stay open
    settled(qtbot, second)
    assert second.work_splitter.sizes() == work_sizes
    profile.quit(qtbot, second)


def test_tabs_from_the_settings_reopen_and_those_the_schema_lacks_wait_for_one(
    qtbot: QtBot, profile: Profile
) -> None:
    # The settings of an older version (no drafts file): the tabs reopen with empty forms.
    store = SettingsStore.load(profile.settings_path)
    store.update(
        open_tabs=[
            OpenTab(f"{DEMO}/Echo", ""),
            OpenTab("gone.v1.Old/Method", ""),
            OpenTab("workbench.demo.inventory.v1.InventoryService/GetItem", ""),
        ]
    )
    store.save()
    idle = profile.window(qtbot)  # no schema this time: nothing reopens, nothing is lost
    profile.quit(qtbot, idle)
    assert len(SettingsStore.load(profile.settings_path).settings.open_tabs) == 3
    drafts = DraftStore.load(profile.drafts_path).drafts
    assert drafts is not None and len(drafts.tabs) == 3  # from now on, kept as drafts

    files = profile.window(qtbot)
    files.open_proto_files([str(p) for p in demo_proto_files()], [str(demo_proto_root())])
    qtbot.waitUntil(lambda: files.loader.state.phase is Phase.READY, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: files.tabs.count() == 2, timeout=WAIT_MS)
    assert files.tabs.titles() == ["Echo", "GetItem"]
    assert body(current_method_tab(files).request) == {}  # an empty form, as before
    profile.quit(qtbot, files)
    kept = SettingsStore.load(profile.settings_path).settings.open_tabs
    # The method no schema had yet keeps waiting: a later schema may have it.
    assert [t.method for t in kept] == [
        f"{DEMO}/Echo",
        "workbench.demo.inventory.v1.InventoryService/GetItem",
        "gone.v1.Old/Method",
    ]


def test_what_was_typed_in_each_tab_comes_back_after_a_restart(
    qtbot: QtBot, profile: Profile, demo_address: str
) -> None:
    first = profile.window(qtbot)
    connect(qtbot, first, demo_address)
    echo = click_method(qtbot, first, "Echo", double=True)
    type_into(qtbot, echo.editor, "string_value", "typed before quitting")
    type_into(qtbot, echo.editor, "int64_value", "9007199254740993")
    echo.metadata.add_row("x-team", "payments")
    qtbot.keyClicks(echo.deadline_edit, "2.5")
    binding_of(first).notes.setPlainText("a note")
    broken = click_method(qtbot, first, "Countdown", double=True)
    set_json(qtbot, broken, '{"count": 3,')  # not JSON yet: kept as typed
    total = click_method(qtbot, first, "Sum", double=True)
    type_into(qtbot, total.editor, "value", "1")
    qtbot.mouseClick(binding_of(first).bar.add_button, Qt.MouseButton.LeftButton)
    type_into(qtbot, total.editor, "value", "2")
    first.tabs.setCurrentIndex(0)  # Echo is the tab shown
    profile.quit(qtbot, first)

    stored = json.loads(profile.drafts_path.read_text())
    assert stored["format"] == "grpc-workbench/drafts" and stored["current"] == 0
    echo_draft = stored["tabs"][0]["request"]
    assert echo_draft["messages"] == [
        {"int64Value": "9007199254740993", "stringValue": "typed before quitting"}
    ]  # structured JSON, as a saved request has it

    second = profile.window(qtbot)
    assert second.tabs.count() == 0  # the tabs wait for their schema
    qtbot.mouseClick(second.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: second.tabs.count() == 3, timeout=WAIT_MS)
    assert second.tabs.titles() == ["Echo", "Countdown", "Sum"]
    echo = current_method_tab(second).request
    assert body(echo) == echo_draft["messages"][0]
    assert echo.metadata.entries() == [("x-team", "payments")]
    assert echo.deadline_edit.text() == "2.5"
    assert binding_of(second).notes.toPlainText() == "a note"

    second.tabs.setCurrentIndex(1)
    countdown = current_method_tab(second).request
    assert countdown.editor.mode() is EditorMode.JSON
    assert countdown.editor.json_editor().json() == '{"count": 3,'
    assert not countdown.send_button.isEnabled()  # still to be fixed, as it was

    second.tabs.setCurrentIndex(2)
    bar = binding_of(second).bar
    assert bar.position.text() == "1 / 2"
    assert body(current_method_tab(second).request) == {"value": "1"}
    qtbot.mouseClick(bar.next_button, Qt.MouseButton.LeftButton)
    assert body(current_method_tab(second).request) == {"value": "2"}
    profile.quit(qtbot, second)


def test_a_corrupt_drafts_file_is_logged_and_kept_until_the_next_save(
    qtbot: QtBot, profile: Profile, demo_address: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = SettingsStore.load(profile.settings_path)
    store.update(open_tabs=[OpenTab(f"{DEMO}/Echo", demo_address)])
    store.save()
    profile.drafts_path.parent.mkdir(parents=True)
    profile.drafts_path.write_text('{"format": "grpc-workbench/drafts", "version": 1, "tabs": [')
    original = profile.drafts_path.read_bytes()

    with caplog.at_level(logging.WARNING):
        window = profile.window(qtbot)
    [problem] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert str(profile.drafts_path) in problem and "invalid JSON" in problem
    assert profile.drafts_path.read_bytes() == original  # left as it is
    assert not list(profile.drafts_path.parent.glob("drafts.json.*"))
    connect(qtbot, window, demo_address)
    # The tabs of the settings reopen instead, with empty forms.
    qtbot.waitUntil(lambda: window.tabs.count() == 1, timeout=WAIT_MS)
    tab = current_method_tab(window).request
    type_into(qtbot, tab.editor, "string_value", "after the crash")

    profile.quit(qtbot, window)  # the next save: the broken file is copied aside first
    drafts = DraftStore.load(profile.drafts_path).drafts
    assert drafts is not None
    assert drafts.tabs[0].request.messages == ({"stringValue": "after the crash"},)
    [aside] = profile.drafts_path.parent.glob("drafts.json.corrupt-*")
    assert aside.read_bytes() == original


def test_old_recent_addresses_move_into_the_settings(qtbot: QtBot, profile: Profile) -> None:
    state = profile.state()
    state.settings.setValue("recent/addresses", ["old-one:1", "old-two:2"])
    state.sync()
    store = SettingsStore.load(profile.settings_path)
    store.remember_target("new:3")
    store.save()
    window = profile.window(qtbot)
    assert [window.address_box.itemText(i) for i in range(window.address_box.count())] == [
        "new:3",
        "old-one:1",
        "old-two:2",
    ]
    assert not profile.state().settings.contains("recent/addresses")
    profile.quit(qtbot, window)
    assert SettingsStore.load(profile.settings_path).settings.recent_targets == (
        "new:3",
        "old-one:1",
        "old-two:2",
    )


# demo_server: another grpc.aio server alive all session, so stopping this demo never
# shuts grpc.aio down under the Qt loop (see gui._grpc_aio_anchor).
def test_try_the_demo_server_from_the_welcome_page(
    qtbot: QtBot,
    profile: Profile,
    run_async: Any,
    demo_server: DemoServerThread,
) -> None:
    with ThreadPoolExecutor(1, thread_name_prefix="demo-control") as pool:
        demo = DemoControl(pool)
        window = profile.window(qtbot, demo=demo.start)
        welcome = window.welcome
        assert welcome.demo_button.isVisible()
        qtbot.mouseClick(welcome.demo_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.loader.state.phase is Phase.READY, timeout=WAIT_MS)
        assert demo.address is not None
        assert window.loader.state.text.startswith(f"Connected to {demo.address}")
        assert welcome.title() == "Pick a method to call"
        assert not welcome.demo_button.isVisible()
        profile.quit(qtbot, window)
        run_async(demo.stop())


def test_the_welcome_page_offers_three_first_steps(qtbot: QtBot, profile: Profile) -> None:
    window = profile.window(qtbot, demo=None)
    welcome = window.welcome
    assert welcome.connect_button.isVisible()
    assert welcome.open_proto_button.isVisible()
    assert not welcome.demo_button.isVisible()  # nothing can start a demo here
    activate(qtbot, window)
    window.browser.filter_edit.setFocus()
    qtbot.mouseClick(welcome.connect_button, Qt.MouseButton.LeftButton)
    assert window.address_box.hasFocus()
    profile.quit(qtbot, window)

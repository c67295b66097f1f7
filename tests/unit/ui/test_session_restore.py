"""A restart brings back the window: geometry, splitters, open tabs and recent targets."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from tests.unit.ui.calls_support import DEMO, WAIT_MS, activate, click_method, connect
from workbench.app.demo_control import DemoControl
from workbench.core.settings import OpenTab, SettingsStore
from workbench.demo.protos import demo_proto_files, demo_proto_root
from workbench.demo.server import DemoServerThread
from workbench.ui.state import UiState
from workbench.ui.views.connect import Phase
from workbench.ui.views.main_window import MainWindow


class Profile:
    """The files a user's settings live in, for starting the window again and again."""

    def __init__(self, tmp_path: Path) -> None:
        self.settings_path = tmp_path / "config" / "settings.json"
        self.state_path = str(tmp_path / "window-state.ini")

    def state(self) -> UiState:
        return UiState(QSettings(self.state_path, QSettings.Format.IniFormat))

    def window(self, qtbot: QtBot, **kwargs: Any) -> MainWindow:
        """Start: load the settings and window state, show a window."""
        store = SettingsStore.load(self.settings_path)
        win = MainWindow(state=self.state(), settings=store, **kwargs)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        return win

    def quit(self, qtbot: QtBot, window: MainWindow) -> None:
        """Close the window and save the settings, as the app does at exit."""
        closed: list[bool] = []
        window.closed.connect(lambda: closed.append(True))
        window.close()
        qtbot.waitUntil(lambda: bool(closed), timeout=WAIT_MS)
        window.settings_store.save()


@pytest.fixture
def profile(tmp_path: Path, qasync_loop: asyncio.AbstractEventLoop) -> Profile:
    return Profile(tmp_path)


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
    assert second.work_splitter.sizes() == work_sizes
    profile.quit(qtbot, second)


def test_tabs_whose_methods_are_gone_are_dropped_and_others_kept_until_a_schema_loads(
    qtbot: QtBot, profile: Profile
) -> None:
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

    files = profile.window(qtbot)
    files.open_proto_files([str(p) for p in demo_proto_files()], [str(demo_proto_root())])
    qtbot.waitUntil(lambda: files.loader.state.phase is Phase.READY, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: files.tabs.count() == 2, timeout=WAIT_MS)
    assert files.tabs.titles() == ["Echo", "GetItem"]
    profile.quit(qtbot, files)
    kept = SettingsStore.load(profile.settings_path).settings.open_tabs
    assert [t.method for t in kept] == [
        f"{DEMO}/Echo",
        "workbench.demo.inventory.v1.InventoryService/GetItem",
    ]


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

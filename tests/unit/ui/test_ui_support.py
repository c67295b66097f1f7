"""The message bridge, shipped resources, window state and the connection widgets."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QSplitter, QWidget

from workbench.core.errors import ConnectionFailed
from workbench.ui import bridges, resources
from workbench.ui.bridges import BridgeLogHandler, Level, MessageBridge, UserMessage
from workbench.ui.state import UiState
from workbench.ui.views.connect import ConnectionSettings, LoadState, Phase
from workbench.ui.views.connection_indicator import ConnectionIndicator
from workbench.ui.views.message_banner import MessageBanner


def test_bridge_queues_until_ready_then_delivers_in_order(qtbot: Any) -> None:
    bridge = MessageBridge()
    seen: list[object] = []
    bridge.messageShown.connect(seen.append)
    bridge.crashReported.connect(seen.append)
    bridge.show(UserMessage(Level.INFO, "one"))
    bridge.crash(bridges.CrashReport("Boom", "tb"))
    assert seen == []
    bridge.set_ready()
    bridge.show(UserMessage(Level.ERROR, "three", "fix it"))
    assert [getattr(m, "text", getattr(m, "summary", None)) for m in seen] == [
        "one",
        "Boom",
        "three",
    ]
    assert seen[2].full_text() == "three\n  hint: fix it"  # type: ignore[attr-defined]


def test_bridge_delivers_messages_from_worker_threads_on_the_gui_thread(qtbot: Any) -> None:
    bridge = MessageBridge()
    bridge.set_ready()
    threads: list[threading.Thread] = []
    bridge.messageShown.connect(lambda _m: threads.append(threading.current_thread()))
    worker = threading.Thread(target=lambda: bridge.show(UserMessage(Level.WARNING, "hi")))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(threads), timeout=5000)
    assert threads == [threading.main_thread()]


def test_core_warnings_reach_the_bridge(qtbot: Any) -> None:
    bridge = MessageBridge()
    bridge.set_ready()
    seen: list[UserMessage] = []
    bridge.messageShown.connect(seen.append)
    import logging

    log = logging.getLogger("workbench.core.test_bridge")
    handler = BridgeLogHandler(bridge)
    log.addHandler(handler)
    try:
        log.info("quiet")
        log.warning("skipped %s", "bad.json")
    finally:
        log.removeHandler(handler)
    assert seen == [UserMessage(Level.WARNING, "skipped bad.json")]


@pytest.mark.parametrize("name", resources.ICON_NAMES)
def test_every_icon_ships_and_loads(qapp: Any, name: str) -> None:
    node = resources.resource("icons", f"{name}.svg")
    assert node.is_file()
    assert b"<svg" in node.read_bytes()
    icon = resources.icon(name)
    assert not icon.isNull()
    assert not icon.pixmap(32, 32).isNull()


def test_svg_bytes_render_without_a_file(qapp: Any) -> None:
    data = resources.resource("icons", "unary.svg").read_bytes()
    icon = resources._icon_from_svg(data)
    assert icon.pixmap(24, 24).width() == 24


def test_theme_style_sheet_ships_with_every_placeholder_filled() -> None:
    from dataclasses import asdict
    from string import Template

    from workbench.ui.theme import DARK, LIGHT

    text = resources.read_text("themes", "workbench.qss")
    assert "#messageBanner" in text
    for colors in (LIGHT, DARK):
        assert "$" not in Template(text).substitute(asdict(colors))


def test_old_recent_addresses_are_handed_over_once(tmp_path: Path) -> None:
    path = str(tmp_path / "s.ini")
    settings = QSettings(path, QSettings.Format.IniFormat)
    settings.setValue("recent/addresses", "localhost:1")  # how INI keeps a one-element list
    settings.sync()
    state = UiState(QSettings(path, QSettings.Format.IniFormat))
    assert state.take_recent_addresses() == ["localhost:1"]
    state.sync()
    assert UiState(QSettings(path, QSettings.Format.IniFormat)).take_recent_addresses() == []


def test_state_of_another_version_is_ignored(tmp_path: Path, qtbot: Any) -> None:
    path = str(tmp_path / "s.ini")
    settings = QSettings(path, QSettings.Format.IniFormat)
    settings.setValue("version", 99)
    settings.setValue("splitters/main", b"garbage")
    state = UiState(settings)
    splitter = QSplitter()
    qtbot.addWidget(splitter)
    assert not state.restore_splitter("main", splitter)
    assert state.take_recent_addresses() == []


def test_connection_settings_read_the_command_line_flags() -> None:
    import argparse

    args = argparse.Namespace(
        plaintext=False,
        insecure=True,
        cacert=None,
        cert=None,
        key=None,
        authority="api.test",
        header=["x-token: abc"],
        connect_timeout=3.0,
    )
    settings = ConnectionSettings.from_args(args)
    target = settings.target(" example.com:443 ")
    assert target.address == "example.com:443"
    assert target.uses_tls
    assert target.tls.insecure
    assert target.authority == "api.test"
    assert target.connect_timeout == 3.0
    assert settings.metadata == (("x-token", "abc"),)
    assert ConnectionSettings.from_args(argparse.Namespace()).plaintext is None


def test_indicator_and_banner_show_failures_with_the_hint(qtbot: Any) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    indicator = ConnectionIndicator(parent)
    banner = MessageBanner(parent)
    parent.show()
    error = ConnectionFailed("connection to x refused", hint="check the port")
    indicator.set_state(LoadState(Phase.FAILED, error.message, error))
    assert indicator.full_text() == "✕ connection to x refused"
    assert indicator.toolTip() == "connection to x refused\n  hint: check the port"
    assert indicator.property("phase") == "failed"
    banner.show_error(error.message, error.hint)
    assert banner.isVisible()
    assert banner.text() == "connection to x refused\n  hint: check the port"
    with qtbot.waitSignal(banner.dismissed):
        banner.findChild(QWidget, "bannerClose").click()  # type: ignore[union-attr]
    assert not banner.isVisible()
    indicator.set_state(LoadState(Phase.LOADING, "Connecting to x…"))
    first = indicator.full_text()
    qtbot.waitUntil(lambda: indicator.full_text() != first, timeout=2000)  # the spinner turns
    indicator.resize(60, 20)
    assert indicator.text().endswith("…")

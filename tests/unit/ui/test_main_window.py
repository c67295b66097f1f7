"""The main window, driven as a person would: typing, clicking, waiting for the UI."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QSettings, Qt
from PySide6.QtWidgets import QFileDialog

from tests.unit.ui.calls_support import connect, type_address
from workbench.demo.protos import demo_proto_files, demo_proto_root
from workbench.ui.state import UiState
from workbench.ui.views.connect import Phase
from workbench.ui.views.main_window import MainWindow
from workbench.ui.views.method_tab import MethodTab

DEMO = "workbench.demo.v1.DemoService"
WAIT_MS = 15_000


@pytest.fixture
def window(qtbot: Any, qasync_loop: Any, ui_state: UiState) -> MainWindow:
    win = MainWindow(state=ui_state)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def wait_phase(qtbot: Any, window: MainWindow, phase: Phase) -> None:
    qtbot.waitUntil(lambda: window.loader.state.phase is phase, timeout=WAIT_MS)


def top_labels(window: MainWindow) -> list[str]:
    proxy = window.browser.proxy
    return [str(proxy.index(r, 0).data()) for r in range(proxy.rowCount())]


def click_row(qtbot: Any, window: MainWindow, label: str, parent_label: str) -> None:
    """Click the row ``label`` under the top-level row ``parent_label`` in the tree."""
    tree, proxy = window.browser.tree, window.browser.proxy
    parent = next(
        proxy.index(r, 0)
        for r in range(proxy.rowCount())
        if proxy.index(r, 0).data() == parent_label
    )
    tree.expand(parent)
    index: QModelIndex = next(
        proxy.index(r, 0, parent)
        for r in range(proxy.rowCount(parent))
        if proxy.index(r, 0, parent).data() == label
    )
    tree.scrollTo(index)
    center = tree.visualRect(index).center()
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=center)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_empty_window_shows_the_first_step(window: MainWindow) -> None:
    assert window.welcome.isVisible()
    assert window.welcome.title() == "Connect to a server or open .proto files"
    assert window.browser.proxy.rowCount() == 0
    assert "Not connected" in window.indicator.full_text()
    assert "Not connected" in window.status_indicator.full_text()
    assert not window.banner.isVisible()
    assert not window.act_reload.isEnabled()


def test_connect_browse_filter_and_select_a_method(
    qtbot: Any, window: MainWindow, demo_address: str, ui_state: UiState
) -> None:
    connect(qtbot, window, demo_address)
    qtbot.waitUntil(lambda: DEMO in top_labels(window), timeout=WAIT_MS)
    wait_phase(qtbot, window, Phase.READY)
    text = window.indicator.full_text()
    assert f"Connected to {demo_address} — " in text
    assert "services (reflection v1)" in text
    assert window.status_indicator.full_text() == text
    assert window.welcome.title() == "Pick a method to call"
    assert window.settings_store.settings.recent_targets[0] == demo_address

    qtbot.keyClicks(window.browser.filter_edit, "countdown")
    qtbot.waitUntil(lambda: top_labels(window) == [DEMO, "Messages"], timeout=WAIT_MS)

    click_row(qtbot, window, "Countdown", DEMO)
    qtbot.waitUntil(lambda: isinstance(window.tabs.currentWidget(), MethodTab), timeout=WAIT_MS)
    tab = window.tabs.currentWidget()
    assert isinstance(tab, MethodTab)
    assert window.tabs.isVisible()
    assert tab.signature_text().startswith("rpc Countdown(workbench.demo.v1.CountdownRequest)")
    # The method's definition is the tab's own page; the window's pane does not repeat it.
    assert "rpc Countdown" in tab.definitions_text()
    assert "stream .workbench.demo.v1.Tick" in tab.definitions_text()
    assert "message CountdownRequest" in tab.definitions_text()
    assert "message Tick" in tab.definitions_text()
    assert not window.definition.isVisible()


def test_selecting_a_message_shows_its_definition(
    qtbot: Any, window: MainWindow, demo_address: str
) -> None:
    connect(qtbot, window, demo_address)
    wait_phase(qtbot, window, Phase.READY)
    assert not window.definition.isVisible()  # nothing selected, nothing to show
    qtbot.keyClicks(window.browser.filter_edit, "v1.Color")
    qtbot.keyClick(window.browser.filter_edit, Qt.Key.Key_Return)  # jumps to the first match
    qtbot.waitUntil(window.definition.isVisible, timeout=WAIT_MS)
    text = window.detail.toPlainText()
    assert text.startswith("// A colour, to exercise top-level enum fields.\nenum Color {")
    assert window.detail_title.text() == "enum workbench.demo.v1.Color"
    assert window.tabs.count() == 0  # types do not open request tabs
    assert window.welcome.isVisible()  # the pane sits under the welcome page
    assert window.definition.height() >= 80


def test_the_definition_pane_is_for_what_opens_no_tab(
    qtbot: Any, window: MainWindow, demo_address: str
) -> None:
    connect(qtbot, window, demo_address)
    qtbot.waitUntil(lambda: DEMO in top_labels(window), timeout=WAIT_MS)
    pane, tree = window.definition, window.browser.tree
    click_row(qtbot, window, "Echo", DEMO)
    assert not pane.isVisible()  # the Echo tab's Definition page has it
    click_row(qtbot, window, "workbench.demo.inventory.v1.Item", "Messages")
    assert pane.isVisible()
    assert window.detail_title.text() == "message workbench.demo.inventory.v1.Item"
    assert "// A stock item." in window.detail.toPlainText()
    assert window.tabs.titles() == ["Echo"]  # still open above the pane

    tree.setCurrentIndex(tree.currentIndex().parent())  # the "Messages" heading
    assert not pane.isVisible()
    window.browser.select(DEMO)
    assert pane.isVisible()
    assert window.detail_title.text() == f"service {DEMO}"
    assert "rpc Countdown (" in window.detail.toPlainText()

    qtbot.mouseClick(pane.close_button, Qt.MouseButton.LeftButton)
    assert not pane.isVisible()
    center = tree.visualRect(tree.currentIndex()).center()
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=center)
    assert not pane.isVisible()  # closed stays closed while the row stays the same
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=center)
    assert pane.isVisible()  # double-click (or Enter) brings it back
    assert window.tabs.titles() == ["Echo"]


def test_browsing_reuses_one_preview_tab_and_double_click_keeps_it(
    qtbot: Any, window: MainWindow, demo_address: str
) -> None:
    connect(qtbot, window, demo_address)
    qtbot.waitUntil(lambda: DEMO in top_labels(window), timeout=WAIT_MS)
    click_row(qtbot, window, "Echo", DEMO)
    click_row(qtbot, window, "Sum", DEMO)
    assert window.tabs.titles() == ["Sum"]
    tree = window.browser.tree
    center = tree.visualRect(tree.currentIndex()).center()
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=center)
    click_row(qtbot, window, "Chat", DEMO)
    assert window.tabs.titles() == ["Sum", "Chat"]
    assert window.tabs.preview is window.tabs.widget(1)  # Chat is the preview now; Sum stays
    window.tabs.tabCloseRequested.emit(1)
    window.tabs.tabCloseRequested.emit(0)
    qtbot.waitUntil(window.welcome.isVisible, timeout=WAIT_MS)


def test_the_connection_state_reads_in_full_at_1280_and_elides_when_narrow(
    qtbot: Any, window: MainWindow, demo_address: str
) -> None:
    window.resize(1280, 800)
    connect(qtbot, window, demo_address)
    bar, indicator = window.toolbar, window.indicator
    full = indicator.full_text()
    qtbot.waitUntil(lambda: indicator.text() == full, timeout=WAIT_MS)
    assert indicator.toolTip() == window.loader.state.text
    shown = [bar.widgetForAction(a) for a in bar.actions() if bar.widgetForAction(a) is not None]
    assert all(w.isVisible() for w in shown)  # nothing pushed into the overflow menu
    assert bar.open_button.menu().actions() == [window.act_open_proto, window.act_open_protoset]

    window.resize(980, 700)
    qtbot.waitUntil(lambda: indicator.text() != full, timeout=WAIT_MS)
    assert indicator.text().endswith("…")
    assert full.startswith(indicator.text().removesuffix("…"))
    assert indicator.text().startswith("● Connected")  # the state word survives the eliding
    assert f"Connected to {demo_address} — " in indicator.toolTip()
    # The address box gave up room too, but still fits an address.
    assert window.address_box.width() >= indicator.fontMetrics().horizontalAdvance("x" * 14)
    assert window.address_box.lineEdit().text() == demo_address


def test_garbage_address_fails_inline_and_the_app_keeps_working(
    qtbot: Any, window: MainWindow, demo_address: str
) -> None:
    type_address(qtbot, window, "no such host:::")
    wait_phase(qtbot, window, Phase.FAILED)
    assert window.banner.isVisible()
    assert window.banner.text()  # the problem, in words
    assert window.indicator.full_text().startswith("✕")
    assert window.connect_button.text() == "Connect"

    connect(qtbot, window, demo_address)
    qtbot.waitUntil(lambda: DEMO in top_labels(window), timeout=WAIT_MS)
    assert not window.banner.isVisible()


def test_empty_address_says_what_to_type(qtbot: Any, window: MainWindow) -> None:
    qtbot.mouseClick(window.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.banner.isVisible, timeout=WAIT_MS)
    assert "no server address given" in window.banner.text()
    assert "hint: use HOST:PORT" in window.banner.text()


def test_refused_port_names_the_problem_and_the_fix(qtbot: Any, window: MainWindow) -> None:
    address = f"127.0.0.1:{free_port()}"
    type_address(qtbot, window, address)
    wait_phase(qtbot, window, Phase.FAILED)
    text = window.banner.text()
    assert f"connection to {address} refused" in text
    assert "hint: check the port" in text
    tip = window.indicator.toolTip()
    assert tip.startswith(f"connection to {address} refused")  # the full text, then the hint
    assert "hint: check the port" in tip
    # Reload retries the same server; the failure is reported again, not a crash.
    assert window.act_reload.isEnabled()
    phases: list[Phase] = []
    window.loader.stateChanged.connect(lambda state: phases.append(state.phase))
    window.act_reload.trigger()
    qtbot.waitUntil(lambda: phases == [Phase.LOADING, Phase.FAILED], timeout=WAIT_MS)
    assert window.banner.isVisible()


def test_open_proto_files_through_the_dialog(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = demo_proto_root()
    files = [str(root / name) for name in demo_proto_files()]
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *_a, **_k: (files, ""))
    window.act_open_proto.trigger()
    qtbot.waitUntil(lambda: DEMO in top_labels(window), timeout=WAIT_MS)
    wait_phase(qtbot, window, Phase.READY)
    assert window.indicator.full_text().startswith("● Loaded 4 .proto files — ")


def test_proto_with_an_error_shows_file_and_line(
    qtbot: Any, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "broken.proto"
    bad.write_text('syntax = "proto3";\n\nmessage Broken {\n  strin name = 1;\n}\n')
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *_a, **_k: ([str(bad)], ""))
    window.act_open_proto.trigger()
    wait_phase(qtbot, window, Phase.FAILED)
    assert window.banner.isVisible()
    assert "broken.proto:4:" in window.banner.text()
    assert "strin" in window.banner.text()


def test_layout_is_saved_and_restored(qtbot: Any, qasync_loop: Any, tmp_path: Path) -> None:
    path = str(tmp_path / "layout.ini")
    first = MainWindow(state=UiState(QSettings(path, QSettings.Format.IniFormat)))
    qtbot.addWidget(first)
    first.show()
    first.main_splitter.setSizes([200, 1000])
    first.resize(700, 500)
    first.close()
    second = MainWindow(state=UiState(QSettings(path, QSettings.Format.IniFormat)))
    qtbot.addWidget(second)
    second.show()
    assert second.size().width() == 700  # the offscreen screen is 800x600
    assert second.main_splitter.sizes()[0] == first.main_splitter.sizes()[0]


def test_an_empty_tree_says_why(qtbot: Any, window: MainWindow, demo_address: str) -> None:
    browser = window.browser
    assert browser.placeholder.isVisible()
    assert browser.placeholder.text() == "No schema loaded yet."
    connect(qtbot, window, demo_address)
    qtbot.waitUntil(browser.tree.isVisible, timeout=WAIT_MS)
    qtbot.keyClicks(browser.filter_edit, "zzz")
    qtbot.waitUntil(browser.placeholder.isVisible, timeout=WAIT_MS)
    assert browser.placeholder.text() == "Nothing matches “zzz”."
    browser.filter_edit.clear()
    qtbot.waitUntil(browser.tree.isVisible, timeout=WAIT_MS)


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A loopback port that accepts connections and never answers (a hung server)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield f"127.0.0.1:{listener.getsockname()[1]}"


def test_cancel_stops_a_hanging_connection(
    qtbot: Any, window: MainWindow, silent_server: str
) -> None:
    type_address(qtbot, window, silent_server)
    qtbot.waitUntil(lambda: window.connect_button.text() == "Cancel", timeout=WAIT_MS)
    assert window.indicator.full_text()[0] in "◐◓◑◒"
    assert f"Connecting to {silent_server}" in window.status_indicator.full_text()
    qtbot.mouseClick(window.connect_button, Qt.MouseButton.LeftButton)
    wait_phase(qtbot, window, Phase.IDLE)
    assert window.loader.state.text == "Cancelled"
    assert window.connect_button.text() == "Connect"
    assert not window.banner.isVisible()
    assert not window.loader.busy


def test_open_a_protoset_through_the_dialog(
    qtbot: Any, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workbench.demo.protos import demo_file_descriptor_set

    protoset = tmp_path / "demo.protoset"
    protoset.write_bytes(demo_file_descriptor_set().SerializeToString())
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *_a, **_k: ([str(protoset)], ""))
    window.act_open_protoset.trigger()
    qtbot.waitUntil(lambda: DEMO in top_labels(window), timeout=WAIT_MS)
    assert "demo.protoset" in window.indicator.full_text()
    assert "demo.protoset" in window.windowTitle()


def test_a_bug_is_shown_in_a_dialog_that_does_not_block(
    qtbot: Any, qasync_loop: Any, ui_state: UiState
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from workbench.ui.bridges import CrashReport, MessageBridge

    bridge = MessageBridge()
    win = MainWindow(state=ui_state, bridge=bridge)
    qtbot.addWidget(win)
    win.show()
    bridge.crash(CrashReport("RuntimeError: boom", "Traceback …"))
    assert win.findChild(QMessageBox) is None  # queued until the UI says it is ready
    bridge.set_ready()
    box = win.findChild(QMessageBox)
    assert box is not None
    assert box.isVisible()
    assert not box.isModal()
    assert box.informativeText() == "RuntimeError: boom"
    bridge.crash(CrashReport("RuntimeError: again", "…"))  # one dialog at a time
    assert len(win.findChildren(QMessageBox)) == 1
    qtbot.keyClicks(win.browser.filter_edit, "still typing")  # the app keeps working
    assert win.browser.filter_edit.text() == "still typing"

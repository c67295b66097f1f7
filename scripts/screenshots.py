"""Save screenshots of the main window's main states into ``resources/screenshots/``.

Rerunnable: ``.venv/bin/python scripts/screenshots.py [--out DIR]``. It starts the app
offscreen against an embedded demo server and saves ``window.grab()`` PNGs of: the empty
window, connected, a method selected, a filter in use, a connection failure, a .proto
with an error, the method view in the dark theme, and request tabs: a filled form, a unary
response, a failure with rich details, an interactive bidi chat, the connection dialog and
a response in the dark theme; then the workspace: collections, the save dialog, an unsaved
tab, a stream's message list, environments, history, a pasted grpcurl command, and a
corrupt file with a request whose method is gone (``workspace_shots.py``); last the
welcome page, quick-open, settings (and the dark theme they switch to), About and the
shortcuts list (``app_shots.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GRPC_VERBOSITY", "NONE")
os.environ.setdefault("QT_API", "pyside6")
# The calls made for the pictures must not land in the user's own history or workspace.
os.environ["XDG_DATA_HOME"] = os.path.join(tempfile.gettempdir(), "workbench-shots", "data")
os.environ["XDG_STATE_HOME"] = os.path.join(tempfile.gettempdir(), "workbench-shots", "state")
# Nor may the user's settings (recent servers, open tabs, theme) change what they show.
os.environ["XDG_CONFIG_HOME"] = os.path.join(tempfile.gettempdir(), "workbench-shots", "config")

import qasync
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget

from workbench.core.settings import SettingsStore
from workbench.demo.server import DemoServerThread
from workbench.ui import theme
from workbench.ui.form.request_editor import EditorMode
from workbench.ui.state import UiState
from workbench.ui.views.connect import Phase
from workbench.ui.views.connection_dialog import ConnectionDialog
from workbench.ui.views.main_window import MainWindow
from workbench.ui.views.method_tab import MethodTab
from workbench.ui.views.request_tab import RequestTab

logger = logging.getLogger("screenshots")

REPO = Path(__file__).resolve().parents[1]
DEMO_SERVICE = "workbench.demo.v1.DemoService"
SIZE = (1280, 800)


async def wait_for(condition: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    """Let the loop run until ``condition()`` holds."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def settle() -> None:
    """Give layouts and the spinner a moment, so the grab shows a finished frame."""
    await asyncio.sleep(0.3)


def save(window: QWidget, out: Path, name: str) -> None:
    """Grab the window (or dialog) into ``out/name.png``."""
    path = out / f"{name}.png"
    if not window.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    logger.info("saved %s", path.relative_to(REPO) if path.is_relative_to(REPO) else path)


async def close(window: MainWindow) -> None:
    """Close ``window`` from a plain callback and wait until it has released its channels.

    Not ``window.close()`` from here: its ``asyncClose`` handler runs the loop until the
    channels are closed, which must not happen inside this (running) task.
    """
    closed: list[bool] = []
    window.closed.connect(lambda: closed.append(True))
    asyncio.get_running_loop().call_soon(window.close)
    await wait_for(lambda: bool(closed), "the window to close")


def refused_address() -> str:
    """A loopback address where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"


def fresh_settings(state_dir: Path) -> SettingsStore:
    """Settings of a first start: no recent servers, no tabs to reopen from an earlier shot."""
    return SettingsStore.load(state_dir / f"settings-{time.monotonic_ns()}.json")


def fresh_state(state_dir: Path, name: str = "") -> UiState:
    """Window state of a first start: the default layout, and nothing left by another window.

    The tabs a window leaves open are kept in the per-user state folder, so each window
    gets a folder of its own (the windows are shot one after another).
    """
    name = name or f"state-{time.monotonic_ns()}"
    os.environ["XDG_STATE_HOME"] = str(state_dir / name / "xdg-state")
    return UiState(QSettings(str(state_dir / f"{name}.ini"), QSettings.Format.IniFormat))


def new_window(state_dir: Path) -> MainWindow:
    """A window with fresh state (no recent addresses, default layout, no reopened tabs)."""
    window = MainWindow(state=fresh_state(state_dir), settings=fresh_settings(state_dir))
    window.resize(*SIZE)
    window.show()
    return window


async def shoot(address: str, out: Path, state_dir: Path) -> None:
    """Drive the window through each state and save a PNG of it."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    window = new_window(state_dir)
    await settle()
    save(window, out, "01-empty")

    window.connect_to(address)
    await wait_for(lambda: window.loader.state.phase is Phase.READY, "the connection")
    await settle()
    save(window, out, "02-connected")

    window.browser.select(f"{DEMO_SERVICE}/Countdown")
    await wait_for(lambda: window.tabs.count() > 0, "the method tab")
    await settle()
    save(window, out, "03-method-selected")

    window.browser.filter_edit.setText("item")
    window.browser.apply_filter()
    window.browser.select("workbench.demo.inventory.v1.Item")
    await settle()
    save(window, out, "04-filtered")
    window.browser.filter_edit.clear()
    window.browser.apply_filter()

    window.connect_to(refused_address())
    await wait_for(lambda: window.loader.state.phase is Phase.FAILED, "the failure")
    await settle()
    save(window, out, "05-connection-refused")

    broken = state_dir / "inventory_broken.proto"
    broken.write_text(
        'syntax = "proto3";\n\npackage shop.v1;\n\nmessage Order {\n'
        "  strin id = 1;\n  repeated Item items = 2;\n}\n"
    )
    window.open_proto_files([str(broken)])
    await wait_for(lambda: window.loader.state.phase is Phase.FAILED, "the protoc error")
    await settle()
    save(window, out, "06-proto-error")
    await close(window)

    theme.apply_theme(app, "dark")
    dark = new_window(state_dir)
    dark.connect_to(address)
    await wait_for(lambda: dark.loader.state.phase is Phase.READY, "the dark connection")
    dark.browser.select(f"{DEMO_SERVICE}/Chat")
    await wait_for(lambda: dark.tabs.count() > 0, "the dark method tab")
    await settle()
    save(dark, out, "07-method-selected-dark")
    await close(dark)
    theme.apply_theme(app, "light")

    await shoot_calls(address, out, state_dir)
    theme.apply_theme(app, "dark")
    await shoot_dark_response(address, out, state_dir)
    theme.apply_theme(app, "light")

    from workspace_shots import shoot_workspace  # needs this module's helpers

    await shoot_workspace(address, out, state_dir)

    from app_shots import shoot_app

    await shoot_app(address, out, state_dir)


ECHO_REQUEST = """{
  "int32Value": 42, "int64Value": "9007199254740993", "boolValue": true,
  "stringValue": "hello, workbench", "bytesValue": "AAECAw==", "color": "COLOR_GREEN",
  "nested": {"note": "first", "count": 2, "priority": "PRIORITY_HIGH"},
  "stringList": ["one", "two"],
  "stringMap": {"env": "dev"}, "duration": "1.5s", "timestamp": "2025-06-01T12:00:00Z"
}"""


async def open_tab(window: MainWindow, method: str) -> RequestTab:
    """Select ``method`` of the demo service in the tree; returns its request tab."""
    window.browser.select(f"{DEMO_SERVICE}/{method}")
    await wait_for(
        lambda: (
            isinstance(window.tabs.currentWidget(), MethodTab)
            and window.tabs.currentWidget().full_name == f"{DEMO_SERVICE}.{method}"
        ),
        f"the {method} tab",
    )
    tab = window.tabs.currentWidget()
    assert isinstance(tab, MethodTab)
    return tab.request


def fill_json(tab: RequestTab, text: str, *, back_to_form: bool = True) -> None:
    """Put ``text`` in the request (through the JSON view, as a paste would)."""
    tab.editor.set_mode(EditorMode.JSON)
    tab.editor.json_editor().setPlainText(text)
    if not tab.editor.apply_json():
        raise ValueError(f"bad request JSON: {tab.editor.validity_text()}")
    if back_to_form:
        tab.editor.set_mode(EditorMode.FORM)


async def send(tab: RequestTab) -> None:
    """Press Send and wait for the call to end."""
    before = tab.response.finished
    tab.send()
    await wait_for(
        lambda: tab.response.finished not in (None, before) and not tab.runner.running, "the call"
    )
    await settle()


async def shoot_calls(address: str, out: Path, state_dir: Path) -> None:
    """Request tabs: a filled form, a response, a failure, a chat, the connection dialog."""
    window = new_window(state_dir)
    window.connect_to(address)
    await wait_for(lambda: window.loader.state.phase is Phase.READY, "the connection")

    echo = await open_tab(window, "Echo")
    fill_json(echo, ECHO_REQUEST)
    view = echo.editor.form_view()
    model = echo.editor.form_model()
    for path in ("nested", "string_list"):
        view.expand(model.find(path))
    view.scrollTo(model.find("bool_value"), QAbstractItemView.ScrollHint.PositionAtTop)
    await settle()
    save(window, out, "08-request-form")

    meta = await open_tab(window, "EchoMetadata")
    meta.metadata.add_row("authorization", "Bearer demo-token")
    meta.metadata.add_row("x-request-id", "42")
    meta.metadata.add_row("x-trace-bin", "AAECAw==")
    await send(meta)
    meta.response.message_view.tree().expandAll()
    save(window, out, "09-response-ok")
    meta.response.tabs.setCurrentIndex(
        meta.response.tabs.indexOf(meta.response.findChild(QWidget, "responseHeaders"))
    )
    await settle()
    save(window, out, "10-response-headers")

    fail = await open_tab(window, "Fail")
    fill_json(
        fail,
        '{"code": "INVALID_ARGUMENT", "message": "the order is not valid", "allDetails": true}',
    )
    await send(fail)
    save(window, out, "11-response-error")

    chat = await open_tab(window, "Chat")
    for text in ("hello", "how are you?", "bye"):
        fill_json(chat, f'{{"text": "{text}", "sender": "ann"}}')
        received = chat.response.stream_view.store.received if chat.response.stream_view else 0
        chat.send()
        await wait_for(
            lambda n=received: (
                chat.response.stream_view is not None
                and chat.response.stream_view.store.received > n
            ),
            "the chat reply",
        )
    stream = chat.response.stream_view
    assert stream is not None
    stream.feeder.flush()
    stream.table.selectRow(stream.model.rowCount() - 1)
    fill_json(chat, '{"text": "one more?", "sender": "ann"}')
    await settle()
    save(window, out, "12-bidi-chat")
    chat.end_stream()
    await wait_for(lambda: not chat.runner.running, "the end of the chat")

    dialog = window.edit_connection()
    assert isinstance(dialog, ConnectionDialog)
    dialog.mode_box.setCurrentIndex(dialog.mode_box.findText("TLS"))
    dialog.ca_edit.setText(str(state_dir / "missing-ca.pem"))
    dialog.insecure_box.setChecked(True)
    dialog.authority_edit.setText("api.internal.example")
    dialog.deadline_edit.setText("30")
    dialog.metadata.add_row("authorization", "Bearer demo-token")
    dialog.metadata.add_row("x-tenant", "acme")
    await settle()
    save(dialog, out, "13-connection-dialog")
    dialog.reject()
    await close(window)


async def shoot_dark_response(address: str, out: Path, state_dir: Path) -> None:
    """A unary response in the dark theme."""
    window = new_window(state_dir)
    window.connect_to(address)
    await wait_for(lambda: window.loader.state.phase is Phase.READY, "the dark connection")
    echo = await open_tab(window, "Echo")
    fill_json(echo, ECHO_REQUEST)
    await send(echo)
    echo.response.message_view.tree().expandAll()
    await settle()
    save(window, out, "14-response-dark")
    echo.response.message_view.show_json()
    await settle()
    save(window, out, "15-response-json-dark")
    await close(window)


def main(argv: list[str] | None = None) -> int:
    """Take the screenshots; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "resources" / "screenshots")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args.out.mkdir(parents=True, exist_ok=True)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)  # we close windows between shots
    theme.apply_theme(app, "light")
    demo = DemoServerThread().start()
    try:
        with tempfile.TemporaryDirectory(prefix="workbench-shots-") as tmp:
            qasync.run(shoot(demo.address, args.out, Path(tmp)))
    finally:
        # After the Qt loop has closed: grpc.aio's last shutdown may then run on the demo
        # thread without touching a live Qt socket notifier.
        demo.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Save screenshots of the main window's main states into ``resources/screenshots/``.

Rerunnable: ``.venv/bin/python scripts/screenshots.py [--out DIR]``. It starts the app
offscreen against an embedded demo server and saves ``window.grab()`` PNGs of: the empty
window, connected, a method selected, a filter in use, a connection failure, a .proto
with an error, and the method view in the dark theme.
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

import qasync
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from workbench.demo.server import DemoServerThread
from workbench.ui import theme
from workbench.ui.state import UiState
from workbench.ui.views.connect import Phase
from workbench.ui.views.main_window import MainWindow

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


def save(window: MainWindow, out: Path, name: str) -> None:
    """Grab the window into ``out/name.png``."""
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


def new_window(state_dir: Path) -> MainWindow:
    """A window with fresh state (no recent addresses, default layout)."""
    settings = QSettings(
        str(state_dir / f"state-{time.monotonic_ns()}.ini"), QSettings.Format.IniFormat
    )
    window = MainWindow(state=UiState(settings))
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

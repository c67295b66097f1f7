"""The GUI bootstrap: crash handling, and ``run_gui`` started for real in a child process."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from qasync import asyncSlot

from workbench.app.gui import CrashHandler
from workbench.core.errors import ConnectionFailed, WorkbenchError

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def crash() -> Iterator[tuple[CrashHandler, list[tuple[str, str]], list[WorkbenchError]]]:
    crashes: list[tuple[str, str]] = []
    errors: list[WorkbenchError] = []
    handler = CrashHandler(lambda s, d: crashes.append((s, d)), errors.append)
    handler.install()
    try:
        yield handler, crashes, errors
    finally:
        handler.uninstall()


def test_a_bug_is_logged_and_reported_with_its_traceback(
    crash: Any, caplog: pytest.LogCaptureFixture
) -> None:
    handler, crashes, errors = crash
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        handler.excepthook(type(exc), exc, exc.__traceback__)
    assert crashes[0][0] == "RuntimeError: boom"
    assert "Traceback" in crashes[0][1]
    assert "test_a_bug_is_logged" in crashes[0][1]
    assert not errors
    assert "uncaught exception" in caplog.text


def test_an_escaped_user_error_is_shown_inline_not_as_a_crash(crash: Any) -> None:
    handler, crashes, errors = crash
    exc = ConnectionFailed("nothing there", hint="start it")
    handler.excepthook(type(exc), exc, None)
    assert errors == [exc]
    assert not crashes


def test_async_slot_failures_and_loop_errors_reach_the_handler(
    crash: Any, qtbot: Any, qasync_loop: asyncio.AbstractEventLoop
) -> None:
    handler, crashes, _ = crash

    class Owner:
        @asyncSlot()
        async def clicked(self) -> None:
            await asyncio.sleep(0)
            raise ValueError("bad slot")

    Owner().clicked()
    qtbot.waitUntil(lambda: bool(crashes), timeout=5000)
    assert crashes[0][0] == "ValueError: bad slot"

    try:
        raise KeyError("lost")
    except KeyError as exc:
        handler.loop_exception_handler(qasync_loop, {"message": "x", "exception": exc})
    assert crashes[1][0] == "KeyError: 'lost'"
    handler.loop_exception_handler(qasync_loop, {"message": "just a message"})
    assert len(crashes) == 2


def test_a_failing_reporter_does_not_take_the_app_down(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def broken(_summary: str, _details: str) -> None:
        raise OSError("no display")

    handler = CrashHandler(broken, lambda _e: None)
    try:
        raise RuntimeError("first")
    except RuntimeError as exc:
        handler.excepthook(type(exc), exc, exc.__traceback__)
    assert "RuntimeError: first" in capsys.readouterr().err


# Runs the real bootstrap (QApplication, qasync.run, the window) in a child process so the
# style, palette and quit policy it sets on the application stay out of this test process.
_DRIVER = textwrap.dedent(
    """
    import argparse, sys, time
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    from workbench.app.gui import run_gui
    from workbench.ui.views.main_window import MainWindow

    deadline = time.monotonic() + 60

    def poll():
        windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]
        if windows:
            window = windows[0]
            state = window.loader.state
            if state.phase.value in ("ready", "failed") or time.monotonic() > deadline:
                print("STATE", state.text)
                print("BANNER", window.banner.text().replace("\\n", " | "))
                print("WELCOME", window.welcome.title())
                window.close()
                return
        QTimer.singleShot(50, poll)

    QTimer.singleShot(50, poll)
    args = argparse.Namespace(
        address=sys.argv[1] or None, demo=sys.argv[1] == "", proto=[], import_path=[],
        protoset=[], plaintext=None, insecure=False, cacert=None, cert=None, key=None,
        authority=None, header=[], connect_timeout=5.0,
    )
    print("EXIT", run_gui(args))
    """
)


def _run_driver(address: str, tmp_path: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "GRPC_VERBOSITY": "NONE",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "HOME": str(tmp_path),
    }
    proc = subprocess.run(
        [sys.executable, "-c", _DRIVER, address],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
        cwd=REPO,
        env=env,
    )
    lines = dict(
        line.split(" ", 1) for line in proc.stdout.splitlines() if " " in line and line[0].isupper()
    )
    assert proc.returncode == 0, proc.stderr
    return lines


@pytest.mark.slow
def test_run_gui_with_demo_connects_and_exits_cleanly(tmp_path: Path) -> None:
    out = _run_driver("", tmp_path)
    assert out["STATE"].startswith("Connected to 127.0.0.1:")
    assert out["WELCOME"] == "Pick a method to call"
    assert out["EXIT"] == "0"


@pytest.mark.slow
def test_run_gui_with_a_dead_address_shows_the_failure(tmp_path: Path) -> None:
    out = _run_driver("127.0.0.1:1", tmp_path)
    assert "refused" in out["STATE"]
    assert "hint: check the port" in out["BANNER"]
    assert out["WELCOME"] == "Connect to a server or open .proto files"
    assert out["EXIT"] == "0"

"""UI test fixtures: a qasync loop over pytest-qt's QApplication, isolated window state.

The loop is created "already running": pytest-qt drives Qt's event processing
(``qtbot.waitUntil``, ``qtbot.wait``), and every asyncio callback runs from it, so tests can
click a button whose ``asyncSlot`` starts a coroutine and simply wait for the UI to change,
as a person would. Exceptions raised inside the loop (in callbacks, or in tasks nobody
awaited) are collected and re-raised when the test ends, as in qasync's own tests.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import qasync
import shiboken6
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from tests.unit.ui import stalls
from tests.unit.ui.diagnostics import loop_state
from workbench.ui import preferences
from workbench.ui.state import UiState

T = TypeVar("T")

_TEARDOWN_TIMEOUT = 10.0


class LoopErrors(Exception):
    """Exceptions the event loop reported while the test ran."""


@pytest.fixture
def qasync_loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A ``qasync.QEventLoop`` over ``qapp``, current and running for the test's duration."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    errors: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    try:
        yield loop
    finally:
        _finish_tasks(qapp, loop)
        asyncio.events._set_running_loop(None)
        # loop.stop() would call QApplication.exit(), which outside exec() leaves Qt's
        # "quit now" flag set: every later QEventLoop.exec() (qtbot.wait) would return at
        # once. Mark the loop stopped directly instead.
        loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
        loop.close()
        # Free the loop's Qt timer object now, on this thread: left to the garbage collector
        # it can be freed on another thread, where its timers cannot be stopped, and one
        # firing later touches freed memory (a segfault seen under gdb).
        shiboken6.delete(loop._timer)  # type: ignore[attr-defined]
        asyncio.set_event_loop(None)
    if errors:
        first = errors[0].get("exception")
        text = "; ".join(str(c.get("message") or c.get("exception")) for c in errors)
        raise LoopErrors(f"the event loop reported {len(errors)} error(s): {text}") from first


def _finish_tasks(app: QApplication, loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what is left and let the cancellations run, so no task dies with the loop."""
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    deadline = time.monotonic() + _TEARDOWN_TIMEOUT
    while any(not t.done() for t in pending) and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.002)


@pytest.fixture
def run_async(
    qasync_loop: asyncio.AbstractEventLoop, qtbot: Any
) -> Callable[[Coroutine[Any, Any, T]], T]:
    """Run a coroutine on the qasync loop to completion, returning (or raising) its result."""

    def run(coro: Coroutine[Any, Any, T], timeout: float = 15.0) -> T:
        task = qasync_loop.create_task(coro)
        qtbot.waitUntil(task.done, timeout=int(timeout * 1000))
        return task.result()

    return run


@pytest.fixture
def ui_state(tmp_path: Path) -> UiState:
    """Window state in a file of this test's own."""
    return UiState(QSettings(str(tmp_path / "window-state.ini"), QSettings.Format.IniFormat))


@pytest.fixture(autouse=True)
def _default_preferences() -> Iterator[None]:
    """No window's settings store outlives its test (``workbench.ui.preferences``)."""
    yield
    preferences.use(None)


@pytest.fixture(autouse=True)
def _isolated_qsettings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point any default-constructed QSettings (and the drafts file) into the test's folder."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # drafts of the open tabs
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "config")
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """On a failure, add what the event loop and the windows were doing to the report.

    A UI test fails by timing out while waiting for the UI; this section says where the
    work stood then (each window's connection state, the tasks still pending and where
    each is suspended), which is what a failure on a CI machine needs to be understood.
    """
    report = yield
    if report.failed and call.when == "call":
        report.sections.append(("event loop state", loop_state()))
    return report


def pytest_sessionstart(session: pytest.Session) -> None:
    """Keep the schema loader's warnings for the summary (see ``stalls``)."""
    for name in ("workbench.ui.views.connect", "workbench.core.schema.reflection"):
        logging.getLogger(name).addHandler(stalls.INTERRUPTED)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """List the connects that stalled or were interrupted, and were retried."""
    text = stalls.summary()
    if text:
        terminalreporter.section("connects that stalled or were interrupted, and were retried")
        terminalreporter.write_line(text)

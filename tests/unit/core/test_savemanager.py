"""The debounced save helper, on a plain asyncio loop (qasync runs the same code)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from workbench.core.errors import StoreWriteError
from workbench.core.savemanager import SaveManager


class Saves:
    """A save callable that counts its calls and can be told to fail."""

    def __init__(self) -> None:
        self.count = 0
        self.fail: Exception | None = None
        self.saved = asyncio.Event()

    def __call__(self) -> None:
        if self.fail is not None:
            raise self.fail
        self.count += 1
        self.saved.set()


async def test_changes_in_quick_succession_are_saved_once() -> None:
    saves = Saves()
    manager = SaveManager(saves, delay=0.2)
    loop = asyncio.get_running_loop()
    started = loop.time()
    for _ in range(5):
        manager.mark_dirty()
        await asyncio.sleep(0)
    assert saves.count == 0
    assert manager.pending
    assert manager.scheduled
    await asyncio.wait_for(saves.saved.wait(), 5)
    assert loop.time() - started >= 0.2
    await asyncio.sleep(0.05)
    assert saves.count == 1
    assert not manager.pending
    assert not manager.scheduled


async def test_a_steady_stream_of_changes_is_saved_by_max_delay() -> None:
    saves = Saves()
    manager = SaveManager(saves, delay=0.05, max_delay=0.12)
    loop = asyncio.get_running_loop()
    end = loop.time() + 0.3
    while loop.time() < end:
        manager.mark_dirty()
        await asyncio.sleep(0.01)
    assert saves.count >= 2  # never more than max_delay without a save
    manager.close()


def test_without_a_loop_only_flush_saves() -> None:
    saves = Saves()
    manager = SaveManager(saves)
    manager.mark_dirty()
    assert manager.pending
    assert not manager.scheduled
    assert manager.flush()
    assert saves.count == 1
    assert manager.flush()  # nothing pending: nothing to do
    assert saves.count == 1


def test_attach_schedules_what_is_pending() -> None:
    saves = Saves()
    manager = SaveManager(saves, delay=0.01)
    manager.mark_dirty()
    loop = asyncio.new_event_loop()
    try:
        manager.attach(loop)
        assert manager.scheduled
        loop.run_until_complete(asyncio.sleep(0.05))
    finally:
        loop.close()
    assert saves.count == 1


async def test_a_failed_save_is_reported_once_and_retried(
    caplog: pytest.LogCaptureFixture,
) -> None:
    saves = Saves()
    saves.fail = StoreWriteError("cannot save x: the disk is full", hint="free some space")
    errors: list[Exception] = []
    manager = SaveManager(saves, what="history", delay=0.01, on_error=errors.append)
    for _ in range(3):
        manager.mark_dirty()
        await asyncio.sleep(0.03)
    assert errors == [saves.fail]
    [record] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert record.getMessage() == (
        "history were not saved: cannot save x: the disk is full\n  hint: free some space"
    )
    assert manager.pending
    saves.fail = None
    assert manager.flush()
    assert saves.count == 1
    assert not manager.pending


async def test_a_bug_in_save_is_not_swallowed() -> None:
    def broken() -> None:
        raise RuntimeError("bug")

    manager = SaveManager(broken)
    manager.mark_dirty()
    with pytest.raises(RuntimeError, match="bug"):
        manager.flush()


async def test_after_close_changes_are_not_saved() -> None:
    saves = Saves()
    manager = SaveManager(saves, delay=0.01)
    manager.mark_dirty()
    assert manager.close()
    manager.mark_dirty()
    await asyncio.sleep(0.03)
    assert saves.count == 1
    assert not manager.scheduled


def test_delays_are_checked() -> None:
    with pytest.raises(ValueError, match="delay"):
        SaveManager(Saves(), delay=5, max_delay=1)

"""What the event loop and the windows were doing: for failure reports and stall records."""

from __future__ import annotations

import asyncio
import io
import sys
import threading
import traceback

from PySide6.QtWidgets import QApplication

from workbench.ui.views.main_window import MainWindow


def loop_state() -> str:
    """Each window's connection state and channels, and the tasks pending on the loop."""
    out = io.StringIO()
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow):
            state = widget.loader.state
            print(f"window {widget.windowTitle()!r}: {state.phase.name}: {state.detail}", file=out)
            task = widget.loader._task  # diagnostics only
            if task is not None:
                print(f"  load task: {_task_line(task)}", file=out)
            channels = widget.loader._channels
            for target, channel in (channels._channels if channels else {}).items():
                print(f"  channel {target.address}: {channel.get_state().name}", file=out)
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:
        return out.getvalue() + "no event loop\n"
    tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
    print(f"{len(tasks)} pending task(s) on {type(loop).__name__} {id(loop):#x}", file=out)
    # Tasks of any other loop (there should be none on this thread).
    others = [t for t in list(asyncio.tasks._all_tasks) if t.get_loop() is not loop]
    for task in others:
        print(f"  other loop: {_task_line(task)}", file=out)
    for task in tasks:
        print(f"  {task.get_name()}: {task.get_coro()!r}", file=out)
        # Not Task.print_stack: it fails on Cython coroutine frames without line numbers.
        for frame in task.get_stack(limit=12):
            code = frame.f_code
            print(f"    {code.co_filename}:{frame.f_lineno} in {code.co_name}", file=out)
    print(threads(), end="", file=out)
    return out.getvalue()


def _task_line(task: asyncio.Task[object]) -> str:
    loop = task.get_loop()
    if task.cancelled():
        how = "cancelled"
    elif task.done():
        how = f"done: {task.exception()!r}" if task.exception() else "done"
    else:
        how = "pending"
    closed = "closed" if loop.is_closed() else "open"
    return f"{task.get_name()} {how} on {type(loop).__name__} {id(loop):#x} ({closed})"


def threads() -> str:
    """Where every other thread is (the demo servers' loops, gRPC's poller)."""
    out = io.StringIO()
    names = {t.ident: t.name for t in threading.enumerate()}
    for ident, frame in sys._current_frames().items():
        if ident == threading.get_ident():
            continue
        print(f"thread {names.get(ident, ident)}:", file=out)
        for entry in traceback.extract_stack(frame)[-6:]:
            print(f"    {entry.filename}:{entry.lineno} in {entry.name}", file=out)
    return out.getvalue()

"""Telling a cancelled task from a cancelled gRPC call.

grpc.aio raises ``asyncio.CancelledError`` in the task awaiting a call that was cancelled
locally by anyone (``call.cancel()``, the channel closing, the call object being
collected), exactly as if the task itself had been cancelled. Only a task that was asked
to stop (``Task.cancel()``) has ``cancelling() > 0``.
"""

from __future__ import annotations

import asyncio

__all__ = ["cancel_requested"]


def cancel_requested() -> bool:
    """Whether the current task was asked to stop, rather than a call under it cancelled.

    Call it from inside a task (``False`` outside one: nobody can have asked).
    """
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0

"""Helpers shared by the engine tests: the demo method and message lookups, a leak check."""

from __future__ import annotations

import asyncio
from typing import Any

from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass

from workbench.core.calls.events import CallEvent
from workbench.core.schema.schema import Schema

PKG = "workbench.demo.v1"
DEMO = f"{PKG}.DemoService"


def method(schema: Schema, name: str) -> MethodDescriptor:
    return schema.method(f"{DEMO}/{name}")


def make(schema: Schema, name: str, **fields: Any) -> Message:
    return GetMessageClass(schema.message(f"{PKG}.{name}"))(**fields)


def kinds(events: list[CallEvent] | tuple[CallEvent, ...]) -> list[str]:
    return [type(ev).__name__ for ev in events]


async def no_tasks_left() -> list[asyncio.Task[Any]]:
    """Tasks other than the test's own still running once things have settled.

    grpc.aio ends a cancelled call's bookkeeping task when grpc core confirms the cancel
    from its poller thread, a few loop iterations later; so poll briefly (this bounds a
    wait, it does not time anything).
    """
    for _ in range(200):
        others = [
            t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()
        ]
        if not others:
            break
        await asyncio.sleep(0.01)
    return others

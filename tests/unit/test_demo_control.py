"""The embedded demo server's owner: one start shared by every caller, a clean stop."""

from __future__ import annotations

import asyncio
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest

from workbench.app.demo_control import DemoControl
from workbench.demo.server import DemoServerThread


def _listening(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, int(port))) == 0


# demo_server: a second grpc.aio server alive for the whole session, so stopping this one
# never shuts grpc.aio down underneath the test's loop.
async def test_starts_once_and_stops(demo_server: DemoServerThread) -> None:
    with ThreadPoolExecutor(1) as pool:
        demo = DemoControl(pool)
        assert demo.address is None
        first, second = await asyncio.gather(demo.start(), demo.start())
        assert first == second == demo.address
        assert await demo.start() == first
        assert _listening(first)
        await demo.stop()
        assert demo.address is None
        assert not _listening(first)
        await demo.stop()  # twice is fine
        with pytest.raises(RuntimeError, match="stopped"):
            await demo.start()


async def test_stop_before_start_is_a_no_op() -> None:
    with ThreadPoolExecutor(1) as pool:
        demo = DemoControl(pool)
        await demo.stop()
        assert demo.address is None

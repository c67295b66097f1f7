"""Fixtures for the core tests that call the demo server through the engine."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from workbench.core.calls.channels import ChannelManager, Target


@pytest.fixture
async def channels() -> AsyncIterator[ChannelManager]:
    """A channel manager closed after the test."""
    manager = ChannelManager()
    yield manager
    await manager.close()


@pytest.fixture
def target(demo_address: str) -> Target:
    """The demo server as a target."""
    return Target(demo_address)

"""The schema loader's states when a gRPC call is cancelled under a load nobody cancelled."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2

from tests.unit.ui import stalls
from workbench.core.calls.channels import Target
from workbench.core.schema.reflection import ReflectionSource
from workbench.core.schema.schema import Schema
from workbench.ui.views.connect import LoadState, Phase, SchemaLoader

RunAsync = Callable[[Coroutine[Any, Any, Any]], Any]


@pytest.fixture(autouse=True)
def _expected_interruptions(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests interrupt loads on purpose: keep them out of the run's summary."""
    monkeypatch.setattr(stalls.INTERRUPTED, "muted", True)


class InterruptedSource(ReflectionSource):
    """Reflection whose first ``interruptions`` loads see a real call cancelled under them.

    Each interrupted load starts a health check on the server and cancels the call object
    (not the task), as something outside the load could: grpc.aio then raises
    ``CancelledError`` in the awaiting task although nobody cancelled that task.
    """

    def __init__(self, address: str, interruptions: int) -> None:
        super().__init__(Target(address))
        self.interruptions = interruptions

    async def load(self) -> Schema:
        if self.interruptions:
            self.interruptions -= 1
            async with grpc.aio.insecure_channel(self.target.grpc_target) as channel:
                check = channel.unary_unary(
                    "/grpc.health.v1.Health/Check",
                    request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
                    response_deserializer=health_pb2.HealthCheckResponse.FromString,
                )
                call = check(health_pb2.HealthCheckRequest())
                call.cancel()
                await call  # raises CancelledError
        return await super().load()


def load(loader: SchemaLoader, source: InterruptedSource, run_async: RunAsync) -> list[Phase]:
    phases: list[Phase] = []
    loader.stateChanged.connect(lambda state: phases.append(state.phase))

    async def go() -> None:
        await loader.load(source, "Connecting…")

    run_async(go())
    return phases


def test_a_call_cancelled_under_a_load_is_retried_on_a_new_channel(
    qasync_loop: Any, run_async: RunAsync, demo_address: str, caplog: pytest.LogCaptureFixture
) -> None:
    loader = SchemaLoader()
    with caplog.at_level(logging.WARNING, logger="workbench.ui.views.connect"):
        phases = load(loader, InterruptedSource(demo_address, 1), run_async)
    assert phases == [Phase.LOADING, Phase.READY]
    assert loader.schema is not None and loader.schema.find_symbol("workbench.demo.v1.Tick")
    (record,) = caplog.records
    assert "a gRPC call was cancelled, though the load was not (try 1)" in record.getMessage()
    assert record.exc_info is not None  # where the cancellation came from, for the log
    run_async(loader.aclose())


def test_a_load_interrupted_twice_fails_with_the_reason(
    qasync_loop: Any, run_async: RunAsync, demo_address: str
) -> None:
    loader = SchemaLoader()
    phases = load(loader, InterruptedSource(demo_address, 2), run_async)
    assert phases == [Phase.LOADING, Phase.FAILED]
    state: LoadState = loader.state
    assert "was interrupted: a gRPC call was cancelled" in state.text
    assert "try again" in state.detail
    assert not loader.busy
    run_async(loader.aclose())


def test_cancel_still_means_cancel(
    qasync_loop: Any, run_async: RunAsync, demo_address: str
) -> None:
    loader = SchemaLoader()
    phases: list[Phase] = []
    loader.stateChanged.connect(lambda state: phases.append(state.phase))

    async def go() -> None:
        task = loader.load(InterruptedSource(demo_address, 0), "Connecting…")
        loader.cancel()
        await asyncio.gather(task, return_exceptions=True)

    run_async(go())
    assert phases == [Phase.LOADING, Phase.IDLE]
    assert loader.schema is None
    run_async(loader.aclose())

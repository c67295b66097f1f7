"""Call engine overhead against raw ``grpc.aio``, on the same server in the same run.

Run with ``.venv/bin/python -m bench.engine [--messages N] [--calls N] [--rounds N]``.

The demo server runs in a separate process (so its CPU does not count against the
client's), on 127.0.0.1. Two workloads:

* a server stream of small ``Tick`` messages (``DemoService/Countdown``), received through
  the engine (every event built, nothing decoded) and through raw ``grpc.aio``;
* sequential unary calls (``DemoService/Echo``).

The raw baseline serializes requests and keeps responses as bytes, exactly the work the
engine must do (the engine decodes lazily); a second raw variant decoding every response,
as a generated stub does, is printed for reference. Rounds alternate the variants (the order
reverses every round); the median and the best round of each are reported. The client CPU
per message counts every thread of the process, grpc's poller included.

On a shared 2-core machine the wall-clock rates swing by tens of percent from round to
round, far more than the engine costs. So the engine's own cost is also measured without
the network: the same ``Call`` over an in-memory stand-in for a grpc call, which isolates
what the engine adds per message and per call.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

PKG = "workbench.demo.v1"
COUNTDOWN = f"/{PKG}.DemoService/Countdown"
ECHO = f"/{PKG}.DemoService/Echo"


@dataclass
class Figure:
    """One measured run."""

    count: int
    wall: float
    cpu: float

    @property
    def rate(self) -> float:
        """Messages (or calls) per wall-clock second."""
        return self.count / self.wall

    @property
    def cpu_us(self) -> float:
        """Client CPU microseconds per message (or call)."""
        return self.cpu / self.count * 1e6


async def _measure(count: int, run: Callable[[], Awaitable[int]]) -> Figure:
    wall0, cpu0 = time.perf_counter(), time.process_time()
    got = await run()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    if got != count:
        raise RuntimeError(f"expected {count} messages, got {got}")
    return Figure(count, wall, cpu)


def _serve() -> None:
    """Child process: run the demo server on a free port and print the port."""
    from workbench.demo.server import serve_forever

    def ready(server: Any) -> None:
        print(server.port, flush=True)  # the parent reads the port from stdout

    asyncio.run(serve_forever("127.0.0.1", 0, on_ready=ready, reflection=False))


def start_server_process() -> tuple[subprocess.Popen[str], str]:
    """Start the demo server in a child process; returns it and its address."""
    env = {**os.environ, "GRPC_VERBOSITY": "NONE"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.engine", "--serve"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.isdigit():
        proc.kill()
        raise RuntimeError(f"the demo server did not start (printed {line!r})")
    return proc, f"127.0.0.1:{line}"


Variants = dict[str, tuple[int, Callable[[], Awaitable[int]]]]


class _Demo:
    """The demo methods and requests the workloads use."""

    def __init__(self, address: str, messages: int) -> None:
        from google.protobuf.message_factory import GetMessageClass

        from workbench.core.calls.channels import Target
        from workbench.demo.protos import demo_schema

        schema = demo_schema()
        self.target = Target(address)
        self.countdown = schema.method(f"{PKG}.DemoService/Countdown")
        self.echo = schema.method(f"{PKG}.DemoService/Echo")
        self.tick_cls = GetMessageClass(self.countdown.output_type)
        request_cls = GetMessageClass(self.countdown.input_type)
        self.stream_request = request_cls(count=messages, payload_size=16, label="bench")
        self.echo_request = GetMessageClass(self.echo.input_type)(string_value="hi", int32_value=4)


async def _count_received(call: Any) -> int:
    from workbench.core.calls.events import MessageReceived

    n = 0
    async for ev in call:
        if type(ev) is MessageReceived:
            n += 1
    return n


def stream_variants(channel: Any, demo: _Demo, messages: int) -> Variants:
    """Receive one server stream of ``messages`` ticks: engine, raw bytes, raw decoding."""
    from workbench.core.calls.engine import Call

    ser = type(demo.stream_request).SerializeToString
    raw = channel.unary_stream(COUNTDOWN, request_serializer=ser, _registered_method=True)
    stub = channel.unary_stream(
        COUNTDOWN,
        request_serializer=ser,
        response_deserializer=demo.tick_cls.FromString,
        _registered_method=True,
    )

    async def engine() -> int:
        call = Call(channel, demo.target, demo.countdown, demo.stream_request)
        return await _count_received(call)

    async def raw_stream(multicallable: Any) -> int:
        n = 0
        async for _ in multicallable(demo.stream_request):
            n += 1
        return n

    return {
        "stream raw": (messages, lambda: raw_stream(raw)),
        "stream engine": (messages, engine),
        "stream raw+decode": (messages, lambda: raw_stream(stub)),
    }


def unary_variants(channel: Any, demo: _Demo, calls: int) -> Variants:
    """``calls`` sequential unary calls: engine and raw."""
    from workbench.core.calls.engine import Call

    raw = channel.unary_unary(
        ECHO,
        request_serializer=type(demo.echo_request).SerializeToString,
        _registered_method=True,
    )

    async def engine() -> int:
        n = 0
        for _ in range(calls):
            n += await _count_received(Call(channel, demo.target, demo.echo, demo.echo_request))
        return n

    async def raw_calls() -> int:
        for _ in range(calls):
            await raw(demo.echo_request)
        return calls

    return {"unary raw": (calls, raw_calls), "unary engine": (calls, engine)}


async def run(address: str, messages: int, calls: int, rounds: int) -> dict[str, list[Figure]]:
    """Measure every variant ``rounds`` times, alternating; every figure, by variant."""
    import grpc.aio

    demo = _Demo(address, messages)
    async with grpc.aio.insecure_channel(address) as channel:
        await channel.channel_ready()
        variants = {
            **stream_variants(channel, demo, messages),
            **unary_variants(channel, demo, calls),
        }
        _, warm = unary_variants(channel, demo, 200)["unary raw"]
        await warm()
        figures: dict[str, list[Figure]] = {name: [] for name in variants}
        order = list(variants)
        for _ in range(rounds):
            for name in order:
                count, fn = variants[name]
                figures[name].append(await _measure(count, fn))
            order.reverse()  # no variant always runs first
    return figures


class _MemoryCall:
    """Just enough of a grpc.aio call for the engine, answering from memory at once."""

    def __init__(self, responses: list[bytes]) -> None:
        self._responses = responses

    async def initial_metadata(self) -> tuple[()]:
        return ()

    def done(self) -> bool:
        return False

    def __aiter__(self) -> Any:
        return self._stream()

    async def _stream(self) -> Any:
        for data in self._responses:
            yield data

    def __await__(self) -> Any:
        return self._first().__await__()

    async def _first(self) -> bytes:
        return self._responses[0]

    async def code(self) -> Any:
        import grpc

        return grpc.StatusCode.OK

    async def details(self) -> str:
        return ""

    async def trailing_metadata(self) -> tuple[()]:
        return ()

    def cancel(self) -> bool:
        return False


class _MemoryChannel:
    """A channel whose calls are :class:`_MemoryCall` objects."""

    def __init__(self, responses: list[bytes]) -> None:
        self._responses = responses

    def _factory(self, path: str, _registered_method: bool = False) -> Any:
        return lambda *args, **kwargs: _MemoryCall(self._responses)

    unary_unary = unary_stream = stream_unary = stream_stream = _factory


async def isolated_costs(messages: int, calls: int) -> tuple[float, float]:
    """The engine's own cost over in-memory calls: (µs per streamed message, µs per call)."""
    from workbench.core.calls.engine import Call

    demo = _Demo("127.0.0.1:1", messages)
    tick = demo.tick_cls(remaining=1, sequence=2, label="bench").SerializeToString()
    stream_channel = _MemoryChannel([tick] * messages)
    unary_channel = _MemoryChannel([demo.echo_request.SerializeToString()])
    per_message, per_call = [], []
    for _ in range(5):
        t = time.perf_counter()
        await _count_received(
            Call(stream_channel, demo.target, demo.countdown, demo.stream_request)
        )
        per_message.append((time.perf_counter() - t) / messages * 1e6)
        t = time.perf_counter()
        for _ in range(calls):
            await _count_received(Call(unary_channel, demo.target, demo.echo, demo.echo_request))
        per_call.append((time.perf_counter() - t) / calls * 1e6)
    return min(per_message), min(per_call)


def report(figures: dict[str, list[Figure]], isolated: tuple[float, float]) -> list[str]:
    """The figures as printable lines."""
    med = {
        name: Figure(
            figs[0].count,
            statistics.median(f.wall for f in figs),
            statistics.median(f.cpu for f in figs),
        )
        for name, figs in figures.items()
    }
    best = {name: min(figs, key=lambda f: f.wall) for name, figs in figures.items()}
    lines = [
        f"{'variant':<19}{'count':>8}{'median/s':>10}{'best/s':>9}{'worst/s':>9}"
        f"{'CPU µs/msg (median)':>21}"
    ]
    for name, figs in figures.items():
        m, b = med[name], best[name]
        worst = min(f.rate for f in figs)
        lines.append(
            f"{name:<19}{m.count:>8}{m.rate:>10,.0f}{b.rate:>9,.0f}{worst:>9,.0f}{m.cpu_us:>21.1f}"
        )
    for kind in ("stream", "unary"):
        em, rm = med[f"{kind} engine"], med[f"{kind} raw"]
        eb, rb = best[f"{kind} engine"], best[f"{kind} raw"]
        lines.append(
            f"{kind}: engine/raw rate {em.rate / rm.rate:.3f} (median), "
            f"{eb.rate / rb.rate:.3f} (best); CPU engine/raw {em.cpu_us / rm.cpu_us:.3f}"
        )
    msg_us, call_us = isolated
    raw_msg, raw_call = med["stream raw"].cpu_us, med["unary raw"].cpu_us
    lines.append(
        f"engine's own cost, in memory: {msg_us:.2f} µs per streamed message "
        f"({msg_us / raw_msg:.1%} of raw grpc.aio's {raw_msg:.0f} µs CPU), "
        f"{call_us:.1f} µs per unary call ({call_us / raw_call:.1%} of {raw_call:.0f} µs)"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.engine", description=__doc__)
    parser.add_argument("--messages", type=int, default=200_000, help="stream length")
    parser.add_argument("--calls", type=int, default=2_000, help="sequential unary calls")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("GRPC_VERBOSITY", "NONE")
    if args.serve:
        _serve()
        return 0
    proc, address = start_server_process()
    try:
        figures = asyncio.run(run(address, args.messages, args.calls, args.rounds))
    finally:
        proc.terminate()
        proc.wait(10)
    isolated = asyncio.run(isolated_costs(args.messages, args.calls))
    print(f"call engine vs raw grpc.aio; server: demo server, separate process, {address}")
    print(f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {args.rounds} rounds")
    for line in report(figures, isolated):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())

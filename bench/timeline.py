"""Streaming timeline: ingest rate, UI responsiveness, memory, and filtering a million rows.

Run with ``.venv/bin/python -m bench.timeline [--messages N] [--rows N] [--rounds N]``.

Everything runs in one process on a qasync loop over an offscreen QApplication; the demo
server runs in a separate process (``python -m workbench demo-server --port 0``). Four
measurements:

1. Ingest: ``DemoService/Countdown`` streams ``--messages`` small ticks into a shown
   :class:`TimelineView` (follow mode: the newest rows are painted every frame), against
   the bare engine on the same loop with the view hidden. Rounds alternate; best of each.
2. Responsiveness during those runs: a 10 ms timer records how late it fires (loop lag).
3. Memory: RSS growth for ``--rows`` received messages of 64 serialized bytes appended to
   a store (events built on the fly and dropped), then the same through the engine
   (``--engine-rows``; 0 skips it).
4. A ``--rows`` timeline in a shown view: filter times, and the time to paint a page after
   jumping to the middle (cold: previews made; warm: cached).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

PKG = "workbench.demo.v1"
PAYLOAD_BYTES = 64


@dataclass
class Run:
    """One measured stream."""

    count: int
    wall: float
    cpu: float
    lags: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Messages per wall-clock second."""
        return self.count / self.wall

    @property
    def cpu_us(self) -> float:
        """Client CPU microseconds per message."""
        return self.cpu / self.count * 1e6

    def lag_ms(self, q: float) -> float:
        """A quantile (0..1) of the loop lag, in ms."""
        if not self.lags:
            return 0.0
        ordered = sorted(self.lags)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def start_server() -> tuple[subprocess.Popen[str], str]:
    """``python -m workbench demo-server --port 0`` in a child process; returns its address."""
    env = {**os.environ, "GRPC_VERBOSITY": "NONE"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench", "demo-server", "--port", "0", "--no-reflection"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    prefix = "Demo server listening on "
    if not line.startswith(prefix):
        proc.kill()
        raise RuntimeError(f"the demo server did not start (printed {line!r})")
    return proc, line.removeprefix(prefix)


def rss() -> int:
    """Resident set size of this process in bytes (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class LagProbe:
    """A 10 ms precise timer recording how late each tick comes."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.lags: list[float] = []
        self._last = 0.0
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        """Start sampling (forgets earlier samples)."""
        self.lags = []
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> list[float]:
        """Stop; returns the lags in seconds."""
        self._timer.stop()
        return self.lags

    def _tick(self) -> None:
        now = time.perf_counter()
        self.lags.append(max(0.0, now - self._last - 0.010))
        self._last = now


async def measure(count: int, probe: LagProbe, run: Callable[[], Awaitable[int]]) -> Run:
    """Time ``run`` (which returns the messages it saw) with the lag probe running."""
    gc.collect()
    probe.start()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    got = await run()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    lags = probe.stop()
    if got != count:
        raise RuntimeError(f"expected {count} messages, got {got}")
    return Run(count, wall, cpu, lags)


async def ingest(address: str, messages: int, rounds: int, view: Any) -> dict[str, Run]:
    """Countdown into the shown timeline vs. the bare engine; best round of each."""
    import grpc.aio
    from google.protobuf.message_factory import GetMessageClass

    from workbench.core.calls.channels import Target
    from workbench.core.calls.engine import Call
    from workbench.core.calls.events import MessageReceived
    from workbench.demo.protos import demo_schema

    method = demo_schema().method(f"{PKG}.DemoService/Countdown")
    request = GetMessageClass(method.input_type)(count=messages, payload_size=16, label="bench")
    target = Target(address)
    channel = grpc.aio.insecure_channel(address)
    await channel.channel_ready()
    probe = LagProbe()

    async def raw() -> int:
        n = 0
        async with Call(channel, target, method, request) as call:
            async for ev in call:
                if type(ev) is MessageReceived:
                    n += 1
        return n

    async def timeline() -> int:
        view.clear()
        async with Call(channel, target, method, request) as call:
            await view.feeder.consume(call)
        return view.store.received

    best: dict[str, Run] = {}
    warm = GetMessageClass(method.input_type)(count=2000, label="warm")
    async for _ in Call(channel, target, method, warm):
        pass
    for _ in range(rounds):
        for name, fn in (("engine, no UI", raw), ("timeline, shown", timeline)):
            view.setVisible(name.startswith("timeline"))
            await asyncio.sleep(0.5)  # the first show paints the window: not part of a run
            run = await measure(messages, probe, fn)
            logger.info("%s: %.0f msg/s", name, run.rate)
            if name not in best or run.wall < best[name].wall:
                best[name] = run
    view.hide()
    view.clear()
    await channel.close()
    return best


def tick_events(rows: int) -> Iterator[Any]:
    """``rows`` MessageReceived events of 64-byte Ticks (labels ``user-0``..``user-999``)."""
    from google.protobuf.message_factory import GetMessageClass

    from workbench.core.calls.events import MessageReceived
    from workbench.demo.protos import demo_schema

    cls = GetMessageClass(demo_schema().method(f"{PKG}.DemoService/Countdown").output_type)
    tick = cls(remaining=500_000, sequence=500_000, label="user-000")
    tick.sent_at.GetCurrentTime()
    base = tick.ByteSize()
    tick.payload = b"\x00" * max(0, PAYLOAD_BYTES - base - 2)
    t = time.perf_counter()
    for i in range(rows):
        tick.sequence = 500_000 + i % 500_000  # same varint width throughout
        tick.remaining = 500_000 + (rows - i) % 500_000
        tick.label = f"user-{i % 1000:03d}"
        yield MessageReceived(t + i * 1e-5, i, tick.SerializeToString(), cls)


def memory(rows: int) -> tuple[float, float, Any]:
    """RSS bytes per message and payload bytes per message for ``rows`` appended events."""
    from workbench.core.timeline.store import TimelineStore

    store = TimelineStore()
    gc.collect()
    before = rss()
    for event in tick_events(rows):
        store.append_event(event)
    gc.collect()
    grown = rss() - before
    return grown / rows, store.bytes_received / rows, store


async def engine_memory(address: str, rows: int) -> tuple[float, float]:
    """RSS bytes per message for ``rows`` Countdown ticks through the engine into a store."""
    import grpc.aio
    from google.protobuf.message_factory import GetMessageClass

    from workbench.core.calls.channels import Target
    from workbench.core.calls.engine import Call
    from workbench.core.timeline.store import TimelineStore
    from workbench.demo.protos import demo_schema

    method = demo_schema().method(f"{PKG}.DemoService/Countdown")
    request_cls = GetMessageClass(method.input_type)
    channel = grpc.aio.insecure_channel(address)
    await channel.channel_ready()
    target = Target(address)
    # Size the payload so that a tick is 64 bytes, like the synthetic rows.
    probe = TimelineStore()
    async for ev in Call(channel, target, method, request_cls(count=1, label="bench")):
        probe.append_event(ev)
    # The probe tick has remaining=0 (not written) and sequence=1; in the long stream both
    # take 3-byte varints (+6), and the payload field adds its tag and length (+2).
    payload = max(0, PAYLOAD_BYTES - probe.bytes_received - 8)
    request = request_cls(count=rows, payload_size=payload, label="bench")
    store = TimelineStore()
    gc.collect()
    before = rss()
    async with Call(channel, target, method, request) as call:
        async for ev in call:
            store.append_event(ev)
    gc.collect()
    grown = rss() - before
    await channel.close()
    return grown / rows, store.bytes_received / max(1, store.received)


def big_timeline(store: Any) -> dict[str, float]:
    """Filter and paint times (ms) of a shown view over ``store`` (a million rows)."""
    from PySide6.QtWidgets import QApplication

    from workbench.core.timeline.rows import Direction
    from workbench.ui.timeline.timeline_view import TimelineView

    app = QApplication.instance()
    assert app is not None
    out: dict[str, float] = {}
    t0 = time.perf_counter()
    view = TimelineView(store)
    view.resize(1200, 800)
    view.show()
    app.processEvents()
    out["open view on the rows"] = time.perf_counter() - t0
    model, table = view.model, view.table

    def timed(name: str, fn: Callable[[], object]) -> None:
        start = time.perf_counter()
        fn()
        app.processEvents()
        out[name] = time.perf_counter() - start

    timed("filter 'user-042' (1,000 rows match)", lambda: model.set_filter("user-042"))
    timed("filter 'USER-04' (10,000 match)", lambda: model.set_filter("USER-04"))
    timed("filter 'user-' (every row matches)", lambda: model.set_filter("user-"))
    timed("filter 'nowhere' (no row matches)", lambda: model.set_filter("nowhere"))
    timed("direction filter only (↓)", lambda: model.set_filter("", {Direction.RECEIVED}))
    timed("clear the filter", lambda: model.set_filter("", set(Direction)))
    middle = model.index(model.rowCount() // 2, 0)
    table.set_following(False)
    bar, viewport = table.verticalScrollBar(), table.viewport()
    timed("jump to the middle + paint (cold)", lambda: (table.scrollTo(middle), viewport.repaint()))
    timed("paint the same page again (warm)", viewport.repaint)
    timed("page down + paint", lambda: (bar.setValue(bar.value() + 40), viewport.repaint()))
    view.close()
    return {k: v * 1000 for k, v in out.items()}


async def run_all(args: argparse.Namespace, address: str) -> list[str]:
    """Every measurement; returns the report lines."""
    from workbench.ui.timeline.timeline_view import TimelineView

    lines: list[str] = []
    view = TimelineView()
    view.resize(1200, 800)
    best = await ingest(address, args.messages, args.rounds, view)
    raw, ui = best["engine, no UI"], best["timeline, shown"]
    lines.append(f"1. ingest of {args.messages:,} Countdown ticks (best of {args.rounds})")
    lines.append(
        f"   {'variant':<18}{'msg/s':>10}{'CPU µs/msg':>12}{'lag p50':>9}{'p99':>8}{'max':>8}"
    )
    for name, run in best.items():
        lines.append(
            f"   {name:<18}{run.rate:>10,.0f}{run.cpu_us:>12.1f}{run.lag_ms(0.5):>7.1f}ms"
            f"{run.lag_ms(0.99):>6.1f}ms{run.lag_ms(1.0):>6.1f}ms"
        )
    lines.append(f"   timeline/engine rate: {ui.rate / raw.rate:.1%} (target ≥ 85%)")
    lines.append(
        f"2. loop lag with the timeline: p50 {ui.lag_ms(0.5):.1f} ms, p99 {ui.lag_ms(0.99):.1f} ms"
        f" (target ≤ 50), max {ui.lag_ms(1.0):.1f} ms (target ≤ 250); "
        f"{len(ui.lags)} samples"
    )
    per_row, payload, store = memory(args.rows)
    lines.append(
        f"3. memory, {args.rows:,} rows of {payload:.1f}-byte messages fed to the store: "
        f"{per_row:.1f} B/msg = payload + {per_row - payload:.1f} B (target ≤ payload + 120)"
    )
    if args.engine_rows:
        eng_row, eng_payload = await engine_memory(address, args.engine_rows)
        lines.append(
            f"   through the engine, {args.engine_rows:,} ticks of {eng_payload:.1f} B: "
            f"{eng_row:.1f} B/msg = payload + {eng_row - eng_payload:.1f} B (RSS includes "
            "grpc/allocator growth)"
        )
    lines.append(f"4. {len(store):,}-row timeline in a shown view (ms):")
    for name, ms in big_timeline(store).items():
        lines.append(f"   {name:<40}{ms:>10.1f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.timeline", description=__doc__)
    parser.add_argument("--messages", type=int, default=200_000, help="ingest stream length")
    parser.add_argument("--rounds", type=int, default=2, help="alternating ingest rounds")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows for memory/filter")
    parser.add_argument("--engine-rows", type=int, default=1_000_000, help="0 to skip")
    args = parser.parse_args(argv)
    os.environ.setdefault("GRPC_VERBOSITY", "NONE")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    logging.basicConfig(level=logging.WARNING)
    import qasync
    from PySide6.QtWidgets import QApplication

    load_before = os.getloadavg()[0]
    proc, address = start_server()
    try:
        app = QApplication.instance() or QApplication([])
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:
            lines = loop.run_until_complete(run_all(args, address))
    finally:
        proc.terminate()
        proc.wait(10)
    load = os.getloadavg()
    print(f"timeline benchmark; demo server in a separate process at {address}")
    print(
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}; 1-minute load average "
        f"{load_before:.1f} before, {load[0]:.1f} after (5-minute {load[1]:.1f})"
    )
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Feeding a call's events to a timeline: stored at once, shown once per frame.

A server can stream faster than anything can be drawn. Each event goes into the
:class:`~workbench.core.timeline.store.TimelineStore` as it arrives (a few microseconds, no
Qt call); the model is told about new rows only when a single-shot timer fires, at most once
per frame. The store is the buffer: there is no queue of events between the call and the
UI, so a flood costs the store's memory per message and nothing more, and a stalled UI
just shows more rows at its next frame.

Frames are paced by what they cost. A frame that shows a page or more of new rows (a
flood: the table repaints entirely) makes the next one wait ten times what the last frame
cost (sync plus repaint, as reported by a cost probe), between 16 and 100 ms, so the UI
takes about a tenth of the CPU a flood leaves and the call gets the rest. A trickle of
messages (a chat) is shown within 16 ms.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable, Callable, Iterable
from time import perf_counter

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from workbench.core.calls.events import CallEvent, Finished
from workbench.ui.models.timeline_model import TimelineModel

logger = logging.getLogger(__name__)

#: Milliseconds between two batches shown: one frame at 60 Hz.
FRAME_MS = 16
#: The longest wait between two batches during a flood.
MAX_FRAME_MS = 100
#: During a flood, frames wait this many times what the last one cost.
COST_FACTOR = 10
#: A batch of at least this many rows counts as a flood.
FLOOD_ROWS = 40


class TimelineFeeder(QObject):
    """Appends call events to a model's store and syncs the model once per frame.

    Use :meth:`consume` to drive a call (``await feeder.consume(call)``), or call
    :meth:`feed` for each event yourself.

    Signals:
        finished(object): the call's :class:`Finished` event, once its row is shown.
    """

    finished = Signal(object)

    def __init__(
        self, model: TimelineModel, interval_ms: int = FRAME_MS, parent: QObject | None = None
    ) -> None:
        """Feed ``model``'s store, syncing the model at most every ``interval_ms``."""
        super().__init__(parent)
        self._model = model
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.flush)
        self._scheduled = False
        self._reported: Finished | None = None
        self._cost_probe: Callable[[], float] | None = None
        self._base_ms = interval_ms
        self._next_ms = interval_ms

    @property
    def model(self) -> TimelineModel:
        """The model fed."""
        return self._model

    @property
    def interval_ms(self) -> int:
        """The shortest time between two syncs of the model, in milliseconds."""
        return self._base_ms

    @property
    def next_interval_ms(self) -> int:
        """The wait before the next sync (longer during floods)."""
        return self._next_ms

    def set_cost_probe(self, probe: Callable[[], float] | None) -> None:
        """Pace frames during floods by ``probe()``, the seconds a view's repaint takes."""
        self._cost_probe = probe

    def feed(self, event: CallEvent) -> None:
        """Store one event now; its row shows at the next frame."""
        self._model.store.append_event(event)
        if not self._scheduled:
            self._scheduled = True
            self._timer.start(self._next_ms)

    def feed_all(self, events: Iterable[CallEvent]) -> None:
        """Store several events; their rows show at the next frame."""
        append = self._model.store.append_event
        for event in events:
            append(event)
        if not self._scheduled:
            self._scheduled = True
            self._timer.start(self._next_ms)

    def flush(self) -> None:
        """Show every stored row now (the timer does this each frame)."""
        self._timer.stop()
        self._scheduled = False
        started = perf_counter()
        added = self._model.sync()
        if added >= FLOOD_ROWS:
            cost = perf_counter() - started
            if self._cost_probe is not None:
                cost += self._cost_probe()
            self._next_ms = int(min(MAX_FRAME_MS, max(self._base_ms, cost * 1000 * COST_FACTOR)))
        else:
            self._next_ms = self._base_ms
        finished = self._model.store.finished
        if finished is not None and finished is not self._reported:
            self._reported = finished
            self.finished.emit(finished)

    async def consume(self, events: AsyncIterable[CallEvent]) -> Finished | None:
        """Feed every event of a call (``async for`` over it) and show the last rows.

        Returns:
            The call's :class:`Finished` event (``None`` if the events ended without one,
            e.g. when the consuming task was cancelled).
        """
        append = self._model.store.append_event
        timer = self._timer
        try:
            async for event in events:
                append(event)
                if not self._scheduled:
                    self._scheduled = True
                    timer.start(self._next_ms)
        finally:
            self.flush()
        return self._model.store.finished

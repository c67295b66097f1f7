"""Debounced saving: many small changes, one write a moment after the last of them.

A :class:`SaveManager` wraps a ``save()`` callable. Each :meth:`SaveManager.mark_dirty`
(re)starts a timer on the event loop with ``loop.call_later``; the save runs when the changes
stop for ``delay`` seconds, and at the latest ``max_delay`` seconds after the first unsaved
change, so a setting dragged continuously is still saved now and then. Only the
``asyncio.AbstractEventLoop`` API is used, so the same code runs on qasync's Qt loop and on a
plain asyncio loop (tests, the CLI). :meth:`SaveManager.flush` saves at once; call it (or
:meth:`SaveManager.close`) on shutdown, where no timer will fire any more.

Modelled on qutebrowser's ``misc/savemanager.py`` (dirty saveables, saved on a timer and at
exit), without Qt.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from workbench.core.errors import WorkbenchError

logger = logging.getLogger(__name__)

__all__ = ["SaveManager"]


class SaveManager:
    """Runs ``save`` once the changes marked with :meth:`mark_dirty` have settled.

    All methods must be called from the event loop's thread (the GUI thread under qasync).

    Args:
        save: writes the current state; it may raise a :class:`WorkbenchError` (a write
            failure, a refused save), which is logged and passed to ``on_error``; anything
            else is a bug and propagates.
        what: how to name the saved thing in log messages, e.g. ``"settings"``.
        delay: seconds of quiet after the last change before saving.
        max_delay: the longest a change waits while changes keep coming.
        on_error: called with the error of a failed save (the GUI shows it); by default
            the failure is only logged.
        loop: the loop for the timer; ``None`` uses the running loop at the first
            :meth:`mark_dirty`, if there is one (otherwise only :meth:`flush` saves).
    """

    def __init__(
        self,
        save: Callable[[], object],
        *,
        what: str = "changes",
        delay: float = 1.0,
        max_delay: float = 10.0,
        on_error: Callable[[WorkbenchError], None] | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        if delay < 0 or max_delay < delay:
            raise ValueError(f"need 0 <= delay <= max_delay, got {delay} and {max_delay}")
        self._save = save
        self._what = what
        self._delay = delay
        self._max_delay = max_delay
        self._on_error = on_error
        self._loop = loop
        self._timer: asyncio.TimerHandle | None = None
        self._first_change: float | None = None  # loop time of the oldest unsaved change
        self._pending = False
        self._last_error = ""
        self._closed = False

    @property
    def pending(self) -> bool:
        """Whether a change is waiting to be saved."""
        return self._pending

    @property
    def scheduled(self) -> bool:
        """Whether a timer will save the pending change."""
        return self._timer is not None

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Use ``loop`` for the timer from now on (and schedule a change already pending)."""
        self._cancel_timer()
        self._loop = loop
        if self._pending:
            self._schedule()

    def mark_dirty(self) -> None:
        """Note a change: the save runs after ``delay`` seconds without another change."""
        if self._closed:
            logger.debug("%s changed after the save manager closed; not saved", self._what)
            return
        self._pending = True
        self._schedule()

    def flush(self) -> bool:
        """Save now if a change is pending.

        Returns:
            ``True`` when everything is saved (also when nothing was pending), ``False``
            when the save failed (the change stays pending; the error was reported).
        """
        self._cancel_timer()
        if not self._pending:
            return True
        return self._run_save()

    def close(self) -> bool:
        """Flush and stop: later changes are no longer saved (call on shutdown).

        Returns:
            What :meth:`flush` returned.
        """
        saved = self.flush()
        self._closed = True
        return saved

    def _schedule(self) -> None:
        loop = self._loop or _running_loop()
        if loop is None or loop.is_closed():
            return  # no loop: saved by the next flush()
        self._loop = loop
        now = loop.time()
        if self._first_change is None:
            self._first_change = now
        when = min(now + self._delay, self._first_change + self._max_delay)
        self._cancel_timer()
        self._timer = loop.call_at(when, self._on_timer)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _on_timer(self) -> None:
        self._timer = None
        if self._pending:
            self._run_save()

    def _run_save(self) -> bool:
        self._first_change = None
        try:
            self._save()
        except WorkbenchError as exc:
            # The same failure on every change (a read-only disk, a refused file) is
            # reported once, not once per keystroke.
            if exc.user_text() != self._last_error:
                self._last_error = exc.user_text()
                logger.warning("%s were not saved: %s", self._what, exc.user_text())
                if self._on_error is not None:
                    self._on_error(exc)
            return False
        self._pending = False
        if self._last_error:
            logger.info("%s saved again", self._what)
        self._last_error = ""
        return True


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None

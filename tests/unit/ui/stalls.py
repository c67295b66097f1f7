"""Connects that stalled during this run, reported at the end of the run (not hidden).

``calls_support.connect`` records each stall here, and :class:`InterruptedLoads` keeps the
loader's warnings about loads a stray gRPC cancellation interrupted (with where the
cancellation came from); the UI conftest prints both in the terminal summary, so a CI log
shows every occurrence.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Stall:
    """One connect that did not settle in time."""

    test: str
    address: str
    attempt: int
    state: str


RECORDED: list[Stall] = []


def record(address: str, attempt: int, state: str) -> None:
    """Note that connecting to ``address`` (try ``attempt``) stalled, with the loop ``state``."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "?").rsplit(" ", 1)[0]
    RECORDED.append(Stall(test, address, attempt, state))


class InterruptedLoads(logging.Handler):
    """Keeps the warnings of the schema loader and the reflection client, formatted."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.setFormatter(logging.Formatter("%(message)s"))
        self.texts: list[str] = []
        #: Set by tests that interrupt loads on purpose.
        self.muted = False

    def emit(self, record: logging.LogRecord) -> None:
        if self.muted:
            return
        test = os.environ.get("PYTEST_CURRENT_TEST", "?").rsplit(" ", 1)[0]
        self.texts.append(f"{test}: {self.format(record)}")


INTERRUPTED = InterruptedLoads()


def summary() -> str:
    """The report of every stall and interrupted load, or ``""`` when there was none."""
    lines = [line for text in INTERRUPTED.texts for line in text.splitlines()]
    for stall in RECORDED:
        lines.append(f"{stall.test}: connect to {stall.address} stalled (try {stall.attempt})")
        lines.extend("    " + line for line in stall.state.splitlines())
    return "\n".join(lines)

"""Connects that stalled during this run, reported at the end of the run (not hidden).

``calls_support.connect`` records each stall here; the UI conftest prints them in the
terminal summary, so a CI log shows every occurrence with what the loop was doing.
"""

from __future__ import annotations

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


def summary() -> str:
    """The report of every stall, or ``""`` when there was none."""
    lines = []
    for stall in RECORDED:
        lines.append(f"{stall.test}: connect to {stall.address} stalled (try {stall.attempt})")
        lines.extend("    " + line for line in stall.state.splitlines())
    return "\n".join(lines)

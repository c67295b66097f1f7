"""The smoke switch: ``WORKBENCH_QUIT_AFTER_LOAD=1`` quits once the schema load settles.

Packaging checks (``packaging/smoke_test.sh``) and start-up tests run the real application
offscreen and need to know it got as far as loading a schema. With the variable set, the
window prints one line on stdout and closes itself::

    WORKBENCH_LOADED ready: Connected to 127.0.0.1:50051 — 3 services (reflection v1)
    WORKBENCH_LOADED failed: Nothing is listening on 127.0.0.1:1
    WORKBENCH_LOADED idle: Not connected        (nothing to load was given)

This line is the one place the GUI prints instead of logging: it is the protocol.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

logger = logging.getLogger(__name__)

__all__ = ["ENV_VAR", "enabled", "quit_after_load", "report_and_close"]

ENV_VAR = "WORKBENCH_QUIT_AFTER_LOAD"
PREFIX = "WORKBENCH_LOADED"


def enabled() -> bool:
    """Whether the switch is on (``WORKBENCH_QUIT_AFTER_LOAD=1``)."""
    return os.environ.get(ENV_VAR, "").strip() == "1"


def quit_after_load(window: Any) -> None:
    """Close ``window`` (a ``MainWindow``) once its loader reports ready or failed."""
    from workbench.ui.views.connect import LoadState, Phase

    def on_state(state: LoadState) -> None:
        if state.phase in (Phase.READY, Phase.FAILED):
            window.loader.stateChanged.disconnect(on_state)
            report_and_close(window, state)

    window.loader.stateChanged.connect(on_state)


def report_and_close(window: Any, state: Any) -> None:
    """Print the ``WORKBENCH_LOADED`` line for ``state`` and close ``window`` soon."""
    from PySide6.QtCore import QTimer

    line = f"{PREFIX} {state.phase.value}: {state.text}"
    logger.info("smoke switch: %s", line)
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
    # Not now: the loader is still inside the signal emission that got us here.
    QTimer.singleShot(0, window.close)

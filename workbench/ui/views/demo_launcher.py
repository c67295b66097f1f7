"""The welcome page's "Try the demo server": start the embedded server, then connect.

The server itself is owned by the bootstrap (``workbench.app.demo_control``), which starts
it on its own worker thread and stops it at exit; the window only gets a coroutine
function that starts it (once) and returns its address.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from qasync import asyncSlot
from shiboken6 import isValid

from workbench.core.errors import WorkbenchError
from workbench.ui.bridges import UserMessage

if TYPE_CHECKING:
    from workbench.ui.views.main_window import MainWindow

logger = logging.getLogger(__name__)

__all__ = ["DemoLauncher", "DemoStarter"]

#: Starts the embedded demo server (the first time) and returns its address.
DemoStarter = Callable[[], Awaitable[str]]


class DemoLauncher(QObject):
    """Offers the demo on ``window``'s welcome page when ``starter`` is given.

    The object emits no signals of its own.

    Args:
        window: the main window.
        starter: starts the demo server; ``None`` hides "Try the demo server".
    """

    def __init__(self, window: MainWindow, starter: DemoStarter | None) -> None:
        super().__init__(window)
        self._window = window
        self._starter = starter
        window.welcome.set_demo_available(starter is not None)
        window.welcome.demoRequested.connect(self.try_demo)

    @asyncSlot()
    async def try_demo(self) -> None:
        """Start the demo server (the first time) and connect to it."""
        window = self._window
        if self._starter is None:
            return
        window.welcome.set_demo_busy(True)
        window.statusBar().showMessage("Starting the demo server…")
        try:
            address = await self._starter()
        except WorkbenchError as exc:
            logger.info("the demo server did not start: %s", exc)
            if isValid(window):
                window.banner.show_message(UserMessage.for_error(exc))
            return
        finally:
            if isValid(window):
                window.welcome.set_demo_busy(False)
                window.statusBar().clearMessage()
        if isValid(window):
            window.connect_to(address)

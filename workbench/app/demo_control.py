"""The embedded demo server's owner: started once on request, stopped at exit.

Both ``--demo`` and the welcome page's "Try the demo server" start it through
:meth:`DemoControl.start`. The server starts and stops on the plain worker thread of the
executor the bootstrap gives (never on qasync's executor: its QThread workers keep their
last work item, here the server, alive until the loop closes, and the server's grpc objects
must not die on a thread of their own choosing; see ``gui._grpc_aio_anchor``).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Executor

from workbench.demo.server import DemoServerThread

logger = logging.getLogger(__name__)

__all__ = ["DemoControl"]


class DemoControl:
    """Starts the demo server at most once and stops it on :meth:`stop`.

    Call from the event loop's thread only.

    Args:
        pool: a one-thread executor the server is started and stopped on.
    """

    def __init__(self, pool: Executor) -> None:
        self._pool = pool
        self._server: DemoServerThread | None = None
        self._starting: asyncio.Future[DemoServerThread] | None = None
        self._stopped = False

    @property
    def address(self) -> str | None:
        """``host:port`` of the running server, ``None`` before it runs."""
        return self._server.address if self._server is not None else None

    async def start(self) -> str:
        """Start the server, or reuse the one running; returns its address.

        Concurrent calls share one start.

        Raises:
            ServerStartError: the server could not start (a later call tries again).
            RuntimeError: called after :meth:`stop`.
        """
        if self._stopped:
            raise RuntimeError("the demo server was stopped for good")
        if self._server is not None:
            return self._server.address
        if self._starting is None:
            loop = asyncio.get_running_loop()
            self._starting = loop.run_in_executor(self._pool, DemoServerThread().start)
        starting = self._starting
        try:
            server = await asyncio.shield(starting)
        except BaseException:
            if self._starting is starting and starting.done():
                self._starting = None  # a failed start may be retried
            raise
        self._server = server
        logger.info("the demo server listens on %s", server.address)
        return server.address

    async def stop(self) -> None:
        """Stop the server (if it runs or is starting) and let go of it."""
        self._stopped = True
        starting, self._starting = self._starting, None
        if starting is not None and self._server is None:
            try:
                self._server = await starting
            except Exception:  # the start failed: nothing to stop
                logger.debug("the demo server never started", exc_info=True)
        server, self._server = self._server, None
        if server is not None:
            await asyncio.get_running_loop().run_in_executor(self._pool, server.stop)
            logger.info("stopped the demo server")

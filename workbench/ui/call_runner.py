"""The owner of a request tab's call: holds the running :class:`Call` and its task.

This is the Qt side of the engine's event stream (grpcurl's invocation event handler, as
signals): the runner iterates the call's events in a task of its own and re-emits each one,
so views never touch the call. It also holds what a person can do to a running call:
:meth:`CallRunner.cancel`, and on an open client or bidi stream :meth:`CallRunner.send` and
:meth:`CallRunner.half_close`.

A tab may be closed while its call runs; :meth:`CallRunner.shutdown` cancels the call and
silences the runner, so nothing is emitted into widgets that are going away.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message
from PySide6.QtCore import QObject, Signal

from workbench.core.calls.channels import ChannelManager, Target
from workbench.core.calls.engine import Call, RequestSource
from workbench.core.calls.events import Finished, HalfClosed
from workbench.core.calls.metadata import MetadataValue
from workbench.core.errors import UsageError, WorkbenchError

__all__ = ["CallRunner"]

logger = logging.getLogger(__name__)


class CallRunner(QObject):
    """Runs one call at a time and reports its events as signals.

    Signals:
        eventReceived(object): each :mod:`~workbench.core.calls.events` event, in order
            (``Started`` first, ``Finished`` last).
        failed(object): the call could not start (a :class:`WorkbenchError`, e.g. a
            certificate file that does not exist); no ``Finished`` follows.
        stateChanged(): the call started, half-closed or ended.

    Args:
        parent: the owning object (the request tab).
    """

    eventReceived = Signal(object)
    failed = Signal(object)
    stateChanged = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._call: Call | None = None
        self._task: asyncio.Task[Finished | None] | None = None
        self._half_closed = False
        self._silent = False

    # -- state ----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether a call is in flight."""
        return self._task is not None and not self._task.done()

    @property
    def interactive(self) -> bool:
        """Whether the call in flight takes messages through :meth:`send`."""
        return self.running and self._call is not None and self._call.interactive

    @property
    def can_send(self) -> bool:
        """Whether :meth:`send` may be used now (an open stream that has not half-closed)."""
        return self.interactive and not self._half_closed

    # -- running --------------------------------------------------------------------------

    def start(
        self,
        channels: ChannelManager,
        target: Target,
        method: MethodDescriptor,
        requests: RequestSource = None,
        *,
        metadata: Iterable[tuple[str, MetadataValue]] = (),
        timeout: float | None = None,
    ) -> asyncio.Task[Finished | None]:
        """Start a call in a new task (``requests=None`` opens an interactive stream).

        Returns:
            The task; it ends with the call's :class:`Finished` (``None`` if it could not
            start, see :attr:`failed`).

        Raises:
            UsageError: a call is already running, or the metadata, deadline or requests
                are unusable (nothing was sent).
        """
        if self.running:
            raise UsageError("a call is already running in this tab", hint="cancel it first")
        call = Call(channels, target, method, requests, metadata=metadata, timeout=timeout)
        self._call = call
        self._half_closed = False
        task = asyncio.ensure_future(self._drive(call))
        self._task = task
        self._emit_state()
        return task

    async def _drive(self, call: Call) -> Finished | None:
        finished: Finished | None = None
        try:
            async with call:
                async for event in call:
                    if isinstance(event, Finished):
                        finished = event
                    elif isinstance(event, HalfClosed):
                        self._half_closed = True
                    if not self._silent:
                        self.eventReceived.emit(event)
        except WorkbenchError as exc:
            logger.info("call to %s could not start: %s", call.method.full_name, exc)
            if not self._silent:
                self.failed.emit(exc)
        finally:
            if self._call is call:
                self._call = None
                self._task = None
            self._emit_state()
        return finished

    async def send(self, message: Message) -> None:
        """Send ``message`` on the open stream (pass a copy: the message is kept as sent).

        Raises:
            UsageError: no stream is open; CallClosed when it has half-closed or ended.
        """
        call = self._call
        if call is None or not self.interactive:
            raise UsageError("no stream is open", hint="press Send to open one")
        await call.send(message)

    async def half_close(self) -> None:
        """End the request stream of the open call (the server then finishes it)."""
        call = self._call
        if call is None or not self.interactive:
            return
        await call.half_close()
        self._half_closed = True
        self._emit_state()

    def cancel(self) -> None:
        """Cancel the call in flight: its events end with ``Finished(CANCELLED)``."""
        if self._call is not None:
            self._call.cancel()

    def shutdown(self) -> None:
        """Cancel the call and emit nothing more (the owner is going away)."""
        self._silent = True
        self.cancel()
        if self._task is not None:
            self._task.cancel()

    async def aclose(self) -> None:
        """:meth:`shutdown`, then wait until the call has released everything."""
        task = self._task
        self.shutdown()
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)

    def _emit_state(self) -> None:
        if not self._silent:
            self.stateChanged.emit()

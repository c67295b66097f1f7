"""The list of messages a client or bidi stream request sends, one of them shown in the form.

A saved streaming request keeps every message to send, in order. The tab shows one of them
in its request editor; editing the form edits that message. Send on the open stream sends
the message shown and moves on to the next one, so pressing Send repeatedly sends the list
in order; :meth:`StreamMessages.send_all` does that in one go.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from qasync import asyncSlot
from shiboken6 import isValid

from workbench.core.errors import MessageFormatError, RequestParseError
from workbench.core.messages.codec import parse_value, to_dict
from workbench.core.store.documents import dump_json
from workbench.ui.form.request_editor import EditorMode
from workbench.ui.views.request_tab import RequestTab

__all__ = ["StreamMessages"]

logger = logging.getLogger(__name__)

#: How long Send all waits for the stream to open and take its first message (s).
OPEN_TIMEOUT = 30.0


class StreamMessages(QObject):
    """Keeps a streaming tab's message list in step with its request editor.

    Signals:
        changed(): the list, the message shown or the busy state changed.
        loadProblem(str): a message does not fit the method's input type; it is shown as
            JSON with the problem marked ('' when the message shown is fine).

    Args:
        tab: the request tab (its editor shows the current message).
        parent: the owning object.
    """

    changed = Signal()
    loadProblem = Signal(str)

    def __init__(self, tab: RequestTab, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tab = tab
        self._messages: list[Any] = [{}]
        self._index = 0
        self._loading = False
        self._busy = False
        self._sent = asyncio.Event()
        self.commit()

    # -- state ----------------------------------------------------------------------------

    @property
    def index(self) -> int:
        """The position of the message shown."""
        return self._index

    @property
    def count(self) -> int:
        """How many messages there are."""
        return len(self._messages)

    @property
    def busy(self) -> bool:
        """Whether :meth:`send_all` is running."""
        return self._busy

    @property
    def loading(self) -> bool:
        """Whether the editor is being filled from the list (its edits are not the user's)."""
        return self._loading

    def values(self) -> list[Any]:
        """Every message as a JSON value, the one in the form included."""
        self.commit()
        return copy.deepcopy(self._messages)

    # -- editing --------------------------------------------------------------------------

    def set_messages(self, values: list[Any]) -> None:
        """Replace the list (e.g. from a saved request) and show its first message."""
        self._messages = copy.deepcopy(values) or [{}]
        self._index = 0
        self._load(0)

    def commit(self) -> None:
        """Copy the form's message into the list (called after each edit)."""
        if self._loading:
            return
        editor = self._tab.editor
        if editor.mode() is EditorMode.JSON and not editor.is_valid():
            return  # keep the last good version until the JSON parses again
        try:
            value = to_dict(editor.message(), pool=_pool(self._tab))
        except MessageFormatError as exc:
            logger.info("stream message %d kept as it was: %s", self._index, exc)
            return
        self._messages[self._index] = value

    def show(self, index: int) -> None:
        """Show message ``index`` in the form."""
        if not 0 <= index < len(self._messages) or index == self._index:
            return
        self.commit()
        self._index = index
        self._load(index)

    def previous(self) -> None:
        """Show the message before."""
        self.show(self._index - 1)

    def next(self) -> None:
        """Show the message after."""
        self.show(self._index + 1)

    def add(self) -> None:
        """Insert a copy of the message shown after it, and show the copy."""
        self.commit()
        self._messages.insert(self._index + 1, copy.deepcopy(self._messages[self._index]))
        self._index += 1
        self.changed.emit()

    def remove(self) -> None:
        """Remove the message shown (the last one stays)."""
        if len(self._messages) < 2:
            return
        del self._messages[self._index]
        self._index = min(self._index, len(self._messages) - 1)
        self._load(self._index)

    # -- sending --------------------------------------------------------------------------

    def note_sent(self) -> None:
        """The tab just took the form's message to send: move on to the next one."""
        self._sent.set()
        if not self._busy and self._index < len(self._messages) - 1:
            QTimer.singleShot(0, self._advance)

    def _advance(self) -> None:
        if isValid(self) and not self._busy:
            self.next()

    @asyncSlot()
    async def send_all(self) -> None:
        """Open the stream if needed and send every message in order (it stays open).

        Called directly, this returns the slot's task.
        """
        if self._busy:
            return
        self._busy = True
        self.changed.emit()
        try:
            await self._send_each()
        finally:
            if isValid(self):
                self._busy = False
                self.changed.emit()

    async def _send_each(self) -> None:
        tab = self._tab
        for i in range(len(self._messages)):
            self.show(i)
            if not tab.runner.running:
                if i > 0:
                    return  # the stream ended early (an error, or the server finished)
                self._sent.clear()
                task = tab.send()  # opens the stream with the form's message
                waiter = asyncio.ensure_future(self._sent.wait())
                await asyncio.wait(
                    {task, waiter}, timeout=OPEN_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
                )
                waiter.cancel()
                if not self._sent.is_set():
                    return  # it could not start (blocked, or failed: the tab says why)
            elif tab.runner.can_send:
                await tab.send()
            else:
                return
            if not isValid(tab):
                return

    # -- internals ------------------------------------------------------------------------

    def _load(self, index: int) -> None:
        editor = self._tab.editor
        value = self._messages[index]
        self._loading = True
        problem = ""
        try:
            try:
                message = parse_value(value, editor.descriptor(), _pool(self._tab))
            except RequestParseError as exc:
                # Keep the message as it was saved: shown as JSON, the problem marked.
                problem = f"message {index + 1}: {exc.message}"
                editor.set_mode(EditorMode.JSON)
                editor.json_editor().set_json(dump_json(value))
                editor.apply_json()
            else:
                editor.set_message(message)
        finally:
            self._loading = False
        self.loadProblem.emit(problem)
        self.changed.emit()


def _pool(tab: RequestTab) -> Any:
    schema = tab.editor.schema()
    return schema.pool if schema is not None else None

"""A method's request and its response, side by side, with Send, Cancel and a deadline.

The left side edits the request (the generated form or JSON, and the metadata); the right
side shows the last call's response. Send (Ctrl+Enter) runs the call through the tab's
:class:`~workbench.ui.call_runner.CallRunner` on the event loop, so calls in other tabs
carry on. Client and bidi streams are interactive: Send opens the stream with the form's
message, each further Send sends the form's message again (a copy, so the form stays
editable), End stream half-closes, and Cancel (Esc) cancels at any time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Protocol

from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import DecodeError, Message
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot
from shiboken6 import isValid

from workbench.core.calls.events import Finished
from workbench.core.calls.metadata import Metadata, MetadataValue
from workbench.core.errors import UsageError, WorkbenchError
from workbench.core.messages.dynamic import new_message
from workbench.core.schema.schema import MethodKind, Schema
from workbench.ui.call_runner import CallRunner
from workbench.ui.form.request_editor import EditorMode, RequestEditor
from workbench.ui.form.roles import Column as FormColumn
from workbench.ui.views.call_controls import CallControls
from workbench.ui.views.connect import Endpoint
from workbench.ui.views.metadata_table import MetadataTable, commit_open_editor
from workbench.ui.views.response_view import ResponseView

__all__ = ["EndpointProvider", "RequestTab", "SendHook"]

logger = logging.getLogger(__name__)

#: Where a tab's calls go; raises a WorkbenchError (e.g. no address) when there is nowhere.
EndpointProvider = Callable[[], Endpoint]
#: Narrower than this plus what the response needs, the response goes under the request
#: instead of beside it.
SIDE_BY_SIDE_WIDTH = 560
SPLIT_UNIT = 10_000
MIN_PANE_WIDTH = 240
MIN_PANE_HEIGHT = 140
# The form's name and type columns in a half-width tab, so its values keep room.
_FORM_NAME_WIDTH = 170
_FORM_TYPE_WIDTH = 130


def _no_endpoint() -> Endpoint:
    raise UsageError("not connected", hint="connect to a server first")


class SendHook(Protocol):
    """Turns the request as typed into the request as sent (``{{variables}}`` filled in).

    Set as :attr:`RequestTab.send_hook`; its methods raise a ``WorkbenchError`` when the
    request cannot be sent (the tab then shows it and sends nothing).
    """

    def block_reason(self) -> str:
        """Why the request cannot be sent as it is ('' when it can)."""
        ...

    def message(self, message: Message) -> Message:
        """The message to send for ``message`` (a copy the hook may replace)."""
        ...

    def metadata(self, entries: list[tuple[str, MetadataValue]]) -> list[tuple[str, MetadataValue]]:
        """The metadata to send for the tab's ``entries``."""
        ...


class RequestTab(QWidget):
    """Edit a request, send it, watch the response; one call at a time per tab.

    Parts (public attributes): :attr:`controls` (deadline, progress, buttons; its parts are
    also attributes of the tab: :attr:`deadline_edit`, :attr:`send_button`,
    :attr:`cancel_button`, :attr:`end_button`, :attr:`busy`, :attr:`elapsed`, :attr:`reason`),
    :attr:`editor` and :attr:`metadata` in :attr:`side_tabs`, :attr:`response` and
    :attr:`runner`.

    Signals:
        callStarted(): a call started from this tab (the tab list keeps such a tab open).
        edited(): the request or its metadata was edited (so is such a tab).
        runningChanged(bool): a call started or ended.

    Args:
        schema: the schema the method comes from.
        method: the method to call.
        endpoint: where calls go (see :data:`EndpointProvider`).
        parent: the parent widget.
    """

    callStarted = Signal()
    edited = Signal()
    runningChanged = Signal(bool)

    def __init__(
        self,
        schema: Schema,
        method: MethodDescriptor,
        endpoint: EndpointProvider = _no_endpoint,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("requestTab")
        self._method = method
        self._kind = MethodKind.of(method)
        self._endpoint = endpoint
        self._running = False
        self.runner = CallRunner(self)
        #: Rewrites what is sent (the workspace's variables); ``None`` sends it as typed.
        self.send_hook: SendHook | None = None

        self.controls = CallControls(self)
        self.deadline_edit = self.controls.deadline_edit
        self.send_button = self.controls.send_button
        self.cancel_button = self.controls.cancel_button
        self.end_button = self.controls.end_button
        self.busy = self.controls.busy
        self.elapsed = self.controls.elapsed
        self.reason = self.controls.reason
        self.editor = RequestEditor(method.input_type, schema=schema, parent=self)
        self.metadata = MetadataTable(parent=self)
        self.side_tabs = QTabWidget(self)
        self.side_tabs.setObjectName("requestSideTabs")
        self.side_tabs.setDocumentMode(True)
        self.side_tabs.addTab(self.editor, "Request")
        self.side_tabs.addTab(self.metadata, "Metadata")
        self.response = ResponseView(self._kind, schema.pool, self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("requestSplitter")
        self.splitter.addWidget(self.side_tabs)
        self.splitter.addWidget(self.response)
        self.splitter.setChildrenCollapsible(False)
        # Explicit minimums: a stream's timeline would otherwise make the window taller
        # than a small screen; squeezed this far it scrolls or clips instead.
        self.side_tabs.setMinimumSize(MIN_PANE_WIDTH, MIN_PANE_HEIGHT)
        self.response.setMinimumSize(MIN_PANE_WIDTH, MIN_PANE_HEIGHT)
        self.splitter.setSizes([SPLIT_UNIT, SPLIT_UNIT])  # half and half, whatever the hints
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.controls)
        layout.addWidget(self.splitter, 1)

        # Ctrl+Enter and Esc are the window's Send and Cancel actions (window_shortcuts.py):
        # one owner per key, and the shortcuts dialog lists them.
        self.controls.sendClicked.connect(self.send)
        self.controls.cancelClicked.connect(self.cancel)
        self.controls.endClicked.connect(self.end_stream)
        self.controls.deadlineEdited.connect(self._sync_controls)
        if self.response.stream_view is not None:
            self.response.stream_view.resendRequested.connect(self._resend)
        self.runner.eventReceived.connect(self.response.add_event)
        self.runner.failed.connect(self.response.show_failure)
        self.runner.stateChanged.connect(self._sync_controls)
        self._connect_editor()
        self.metadata.changed.connect(self._on_metadata_changed)
        self.refresh_defaults()
        self._sync_controls()

    # -- what the window and tests use ----------------------------------------------------

    @property
    def method(self) -> MethodDescriptor:
        """The method called."""
        return self._method

    def block_reason(self) -> str:
        """Why the request cannot be sent as it is ('' when it can)."""
        if not self.editor.is_valid():
            return self.editor.validity_text()
        if not self.metadata.is_valid():
            return f"metadata {self.metadata.validity_text()}"
        try:
            self.deadline()
        except UsageError as exc:
            return exc.message
        return self.send_hook.block_reason() if self.send_hook is not None else ""

    def deadline(self) -> float | None:
        """The deadline typed, in seconds (``None``: the connection's default).

        Raises:
            UsageError: the text is not a positive number of seconds.
        """
        return self.controls.deadline()

    def set_endpoint(self, endpoint: EndpointProvider) -> None:
        """Send this tab's calls where ``endpoint`` says (e.g. the request's own server)."""
        self._endpoint = endpoint
        self.refresh_defaults()

    def update_controls(self) -> None:
        """Check again whether the request can be sent (after its variables changed)."""
        self._sync_controls()

    def commit_edits(self) -> bool:
        """Put what is being typed into the request (before a send, or when the window closes).

        Returns:
            ``False`` when the JSON text does not parse.
        """
        commit_open_editor(self.editor.form_view())
        self.metadata.commit_pending()
        if self.editor.mode() is EditorMode.JSON:
            return self.editor.apply_json()
        return True

    def refresh_defaults(self) -> None:
        """Show the connection's default deadline (after its settings changed)."""
        try:
            default = self._endpoint().timeout
        except WorkbenchError:
            default = None
        self.controls.set_default_deadline(default)

    def rebind(self, schema: Schema, method: MethodDescriptor) -> None:
        """Edit requests of ``method`` from ``schema`` (a reload), keeping what was typed."""
        old = self.editor
        message = new_message(method.input_type)
        try:
            message.ParseFromString(old.message().SerializeToString())
        except DecodeError:
            logger.info("the request of %s does not fit the reloaded schema", method.full_name)
        self._method = method
        self.editor = RequestEditor(method.input_type, schema=schema, message=message, parent=self)
        if old.mode() is EditorMode.JSON:
            self.editor.set_mode(EditorMode.JSON)
        index = self.side_tabs.indexOf(old)
        self.side_tabs.removeTab(index)
        self.side_tabs.insertTab(index, self.editor, "Request")
        old.deleteLater()
        self._connect_editor()
        self.response.set_pool(schema.pool)
        self._sync_controls()

    def shutdown(self) -> None:
        """Cancel the call (the tab is closing); nothing more reaches the widgets."""
        self.runner.shutdown()

    async def aclose(self) -> None:
        """Cancel the call and wait until it has let go of its channel."""
        await self.runner.aclose()

    # -- slots ----------------------------------------------------------------------------

    @asyncSlot()
    async def send(self) -> None:
        """Send the request (Ctrl+Enter); on an open stream, send the form's message on it."""
        if not self.commit_edits():
            return
        if self.runner.can_send:
            await self._send_on_stream()
            return
        if self.runner.running or self.block_reason():
            return
        task = self._start_call()
        if task is None:
            return
        self.callStarted.emit()
        try:
            if self.runner.interactive:
                await self._send_on_stream()
            await task
        finally:
            if isValid(self):
                self._sync_controls()

    def cancel(self) -> None:
        """Cancel the running call (Esc): it ends with CANCELLED."""
        self.runner.cancel()

    @asyncSlot()
    async def end_stream(self) -> None:
        """Half-close the open stream: the server sees the end of the requests."""
        try:
            await self.runner.half_close()
        except WorkbenchError as exc:
            logger.info("half-close failed: %s", exc)

    # -- internals ------------------------------------------------------------------------

    def _start_call(self) -> asyncio.Task[Finished | None] | None:
        try:
            endpoint = self._endpoint()
            timeout = self.deadline() or endpoint.timeout
            own = self.metadata.entries()
            streaming = self._kind in (MethodKind.CLIENT_STREAMING, MethodKind.BIDI_STREAMING)
            message = None if streaming else self._message_copy()
            if self.send_hook is not None:
                own = self.send_hook.metadata(own)
                message = None if message is None else self.send_hook.message(message)
            return self.runner.start(
                endpoint.channels,
                endpoint.target,
                self._method,
                message,
                metadata=merge_metadata(endpoint.metadata, own),
                timeout=timeout,
            )
        except WorkbenchError as exc:
            self.response.show_failure(exc)
            return None

    async def _send_on_stream(self) -> None:
        try:
            message = self._message_copy()
            if self.send_hook is not None:
                message = self.send_hook.message(message)
            await self.runner.send(message)
        except WorkbenchError as exc:
            if self.runner.running and isValid(self):
                self.controls.show_reason(f"⚠ {exc.user_text()}")

    @asyncSlot(object)
    async def _resend(self, message: Message) -> None:
        """ "Send again" on a sent row of the stream: send it on the open stream."""
        if self.runner.can_send:
            try:
                await self.runner.send(message)
            except WorkbenchError as exc:
                logger.info("sending again failed: %s", exc)

    def _message_copy(self) -> Message:
        message = self.editor.message()
        copy = type(message)()
        copy.CopyFrom(message)
        return copy

    def _connect_editor(self) -> None:
        self.editor.validityChanged.connect(self._sync_controls)
        self.editor.messageChanged.connect(self.edited)
        header = self.editor.form_view().header()
        header.resizeSection(FormColumn.NAME, _FORM_NAME_WIDTH)
        header.resizeSection(FormColumn.TYPE, _FORM_TYPE_WIDTH)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Implements QWidget.resizeEvent: response beside the request, or under it if narrow."""
        super().resizeEvent(event)
        # Side by side only when both fit (a stream's timeline needs more room than a tree).
        needed = SIDE_BY_SIDE_WIDTH + self.response.minimumSizeHint().width()
        wide = event.size().width() >= needed
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.splitter.orientation() != orientation:
            self.splitter.setOrientation(orientation)
            # Under the request, a stream's timeline gets the larger part.
            stream = not wide and self.response.stream_view is not None
            self.splitter.setSizes([2 * SPLIT_UNIT, 5 * SPLIT_UNIT] if stream else [SPLIT_UNIT] * 2)

    def _on_metadata_changed(self) -> None:
        count = len(self.metadata.model().rows())
        title = f"Metadata ({count})" if count else "Metadata"
        self.side_tabs.setTabText(self.side_tabs.indexOf(self.metadata), title)
        self._sync_controls()
        self.edited.emit()

    def _sync_controls(self) -> None:
        running, can_send = self.runner.running, self.runner.can_send
        self.controls.show_state(
            running=running,
            interactive=self.runner.interactive,
            can_send=can_send,
            reason=self.block_reason(),
        )
        if self.response.stream_view is not None:
            self.response.stream_view.detail.set_resend_enabled(can_send)
        if running != self._running:
            self._running = running
            self.runningChanged.emit(running)


def merge_metadata(
    defaults: Metadata, own: Sequence[tuple[str, MetadataValue]]
) -> list[tuple[str, MetadataValue]]:
    """The connection's default metadata, less the keys the request sets, then the request's."""
    keys = {key.strip().lower() for key, _ in own}
    return [*(entry for entry in defaults if entry[0] not in keys), *own]

"""The response side of a request tab: status, timing, messages, headers, trailers, details.

The view is fed a call's events in order (:meth:`ResponseView.add_event`, connected to the
tab's :class:`~workbench.ui.call_runner.CallRunner`). A single response (unary and client
streaming) is shown decoded as a tree or JSON; the messages of a streaming call go to the
streaming timeline (created in :meth:`ResponseView._create_stream_view`), where every
message is listed with its index and time and the selected one is shown in full. A call
that fails says so in words with a hint, never with a traceback.
"""

from __future__ import annotations

import html
import logging

from google.protobuf import descriptor_pool
from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from workbench.core.calls.events import (
    CallEvent,
    Finished,
    HeadersReceived,
    MessageReceived,
    MessageSent,
    Started,
    TrailersReceived,
)
from workbench.core.calls.metadata import Metadata, format_value
from workbench.core.calls.status import StatusDetail
from workbench.core.errors import ResponseDecodeError, WorkbenchError
from workbench.core.schema.schema import MethodKind
from workbench.core.timeline.store import TimelineStore
from workbench.core.timeline.text import format_size
from workbench.ui import call_status, preferences
from workbench.ui.bridges import Level, UserMessage
from workbench.ui.timeline.timeline_view import TimelineView
from workbench.ui.views.message_banner import MessageBanner
from workbench.ui.views.message_view import MessageView

__all__ = ["ResponseView"]

logger = logging.getLogger(__name__)

_IDLE_TEXT = {
    MethodKind.UNARY: "No response yet.\nFill in the request and press Send (Ctrl+Enter).",
    MethodKind.SERVER_STREAMING: (
        "No responses yet.\nFill in the request and press Send (Ctrl+Enter);\n"
        "every message the server streams back is listed here."
    ),
    MethodKind.CLIENT_STREAMING: (
        "No response yet.\nSend (Ctrl+Enter) opens the stream with the message in the form.\n"
        "Change the form and Send again for each further message, then End stream:\n"
        "the server answers once."
    ),
    MethodKind.BIDI_STREAMING: (
        "No messages yet.\nSend (Ctrl+Enter) opens the stream with the message in the form.\n"
        "Change the form and Send again for each further message; replies are listed here.\n"
        "End stream when you are done."
    ),
}
_STREAMING_RESPONSES = (MethodKind.SERVER_STREAMING, MethodKind.BIDI_STREAMING)


class ResponseView(QWidget):
    """Everything about the last call of a tab.

    Parts (public attributes): :attr:`status` (the status code), :attr:`timing`,
    :attr:`banner` (what went wrong, with a hint), :attr:`tabs` holding :attr:`message_view`
    (the single response), :attr:`stream_view` (the timeline of a streaming call, else
    ``None``), the header and trailer tables and the error details tree. The view emits no
    signals of its own.

    Args:
        kind: the method's call shape (decides between single response and stream).
        pool: the schema's pool, to show ``Any`` fields.
        parent: the parent widget.
    """

    def __init__(
        self,
        kind: MethodKind,
        pool: descriptor_pool.DescriptorPool | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("responseView")
        self._kind = kind
        self._pool = pool
        self._started: Started | None = None
        self._finished: Finished | None = None
        self._first_response: float | None = None
        self._received = self._received_bytes = self._sent = 0
        self._headers: Metadata = ()
        self._trailers: Metadata = ()

        self.status = QLabel(self)
        self.status.setObjectName("callStatus")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.timing = QLabel(self)
        self.timing.setObjectName("callTiming")
        self.timing.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner = MessageBanner(self)
        self.message_view = MessageView(self)
        self.stream_view: TimelineView | None = None
        self._headers_table, self._headers_model = _metadata_table(self, "responseHeaders")
        self._trailers_table, self._trailers_model = _metadata_table(self, "responseTrailers")
        self._details_groups: list[tuple[str, list[str]]] = []
        self._details = QTextBrowser(self)
        self._details.setObjectName("errorDetails")
        self._details.setOpenExternalLinks(True)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("responseTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.message_view, "Response")
        if kind is not MethodKind.UNARY:
            self.stream_view = self._create_stream_view()
            self.tabs.addTab(self.stream_view, "Stream")
        self.tabs.addTab(self._headers_table, "Headers")
        self.tabs.addTab(self._trailers_table, "Trailers")
        self.tabs.addTab(self._details, "Error details")
        self.tabs.setTabVisible(0, kind not in _STREAMING_RESPONSES)

        self._build_layout()
        self.clear()

    def _build_layout(self) -> None:
        self._idle = QLabel(_IDLE_TEXT[self._kind], self)
        self._idle.setObjectName("responsePlaceholder")
        self._idle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._idle.setWordWrap(True)
        content = QWidget(self)
        header = QHBoxLayout()
        header.setSpacing(12)
        header.addWidget(self.status)
        header.addWidget(self.timing, 1)
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        column.addLayout(header)
        column.addWidget(self.banner)
        column.addWidget(self.tabs, 1)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self._idle)
        self._stack.addWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)

    def _create_stream_view(self) -> TimelineView:
        """The view of a streaming call's messages (the one place that picks it)."""
        cap = preferences.current().timeline_row_cap
        view = TimelineView(TimelineStore(max_rows=cap), parent=self)
        view.setObjectName("streamTimeline")
        view.splitter.setSizes([700, 300])  # in a tab, the list matters more than the detail
        return view

    # -- what tests and the tab read ------------------------------------------------------

    @property
    def finished(self) -> Finished | None:
        """The last call's final event (``None`` while running or before the first call)."""
        return self._finished

    @property
    def received(self) -> int:
        """Responses received in the last call."""
        return self._received

    def status_text(self) -> str:
        """The status line, e.g. ``✕ INVALID_ARGUMENT (3)``."""
        return self.status.text()

    def error_text(self) -> str:
        """The failure in words with its hint ('' when the call went fine)."""
        return self.banner.text() if self.banner.message is not None else ""

    def headers(self) -> Metadata:
        """The response headers of the last call."""
        return self._headers

    def trailers(self) -> Metadata:
        """The response trailers of the last call."""
        return self._trailers

    def details_text(self) -> str:
        """The rich error details, one group per detail: its type, then its lines."""
        out = []
        for title, lines in self._details_groups:
            out.append(title)
            out.extend(f"  {line}" for line in lines)
        return "\n".join(out)

    # -- feeding --------------------------------------------------------------------------

    def set_pool(self, pool: descriptor_pool.DescriptorPool | None) -> None:
        """Resolve ``Any`` fields with ``pool`` from now on (after a schema reload)."""
        self._pool = pool

    def clear(self) -> None:
        """Forget the last call and show the idle explanation."""
        self._reset()
        self._stack.setCurrentWidget(self._idle)

    def show_failure(self, error: WorkbenchError) -> None:
        """Say why a call could not start (nothing was sent)."""
        self._reset()
        self._stack.setCurrentIndex(1)
        outcome = call_status.describe_error(error)
        self._set_status("failed", "✕ Not sent")
        self.timing.setText("")
        self.banner.show_message(UserMessage(Level.ERROR, outcome.text, outcome.hint))

    def add_event(self, event: CallEvent) -> None:
        """Show one event of the call (in order, ``Started`` first)."""
        if isinstance(event, Started):
            self._on_started(event)
        elif self._started is None:
            return  # events of a call whose start we never saw
        if self.stream_view is not None:
            self.stream_view.feeder.feed(event)
        if isinstance(event, MessageReceived):
            self._on_message(event)
        elif isinstance(event, MessageSent):
            self._sent += 1
        elif isinstance(event, HeadersReceived):
            self._headers = event.metadata
            _fill_metadata(self._headers_model, event.metadata)
            self.tabs.setTabText(self.tabs.indexOf(self._headers_table), _count("Headers", event))
        elif isinstance(event, TrailersReceived):
            self._trailers = event.metadata
            _fill_metadata(self._trailers_model, event.metadata)
            title = _count("Trailers", event)
            self.tabs.setTabText(self.tabs.indexOf(self._trailers_table), title)
        elif isinstance(event, Finished):
            self._on_finished(event)

    # -- internals ------------------------------------------------------------------------

    def _reset(self) -> None:
        self._started = self._finished = None
        self._first_response = None
        self._received = self._received_bytes = self._sent = 0
        self._headers = self._trailers = ()
        self.banner.clear()
        self.message_view.show_message(None, placeholder="Waiting for the response…")
        if self.stream_view is not None:
            self.stream_view.clear()
        _fill_metadata(self._headers_model, ())
        _fill_metadata(self._trailers_model, ())
        self._show_details(())
        for widget, title in (
            (self._headers_table, "Headers"),
            (self._trailers_table, "Trailers"),
            (self._details, "Error details"),
        ):
            self.tabs.setTabText(self.tabs.indexOf(widget), title)

    def _on_started(self, event: Started) -> None:
        self._reset()
        self._started = event
        self._stack.setCurrentIndex(1)
        self._set_status("running", "◐ Running…")
        self.timing.setText(f"{event.method} on {event.target}")
        if self.stream_view is not None:
            self.tabs.setCurrentWidget(self.stream_view)
        else:
            self.tabs.setCurrentWidget(self.message_view)

    def _on_message(self, event: MessageReceived) -> None:
        self._received += 1
        self._received_bytes += event.size
        if self._first_response is None and self._started is not None:
            self._first_response = event.t - self._started.t
        if self._kind in _STREAMING_RESPONSES:
            return  # the timeline lists them; decoding each one here would be wasted work
        try:
            message = event.decode()
        except ResponseDecodeError as exc:
            self.message_view.show_message(None, placeholder=exc.user_text())
            return
        self.message_view.show_message(message, self._pool)

    def _on_finished(self, event: Finished) -> None:
        self._finished = event
        started = self._started
        timeout = started.timeout if started is not None else None
        method = started.method if started is not None else ""
        outcome = call_status.describe(event, timeout, method)
        code = event.code.value[0]
        if outcome.ok:
            self._set_status("ok", f"● {outcome.title}")
        else:
            self._set_status("failed", f"✕ {outcome.title} ({code})")
            self.banner.show_message(UserMessage(Level.ERROR, outcome.text, outcome.hint))
        self.timing.setText(self._timing_text(event))
        if self._received == 0 and self._kind not in _STREAMING_RESPONSES:
            self.message_view.show_message(None, placeholder="No response message.")
        self._show_details(event.details)
        if event.details:
            self.tabs.setCurrentWidget(self._details)
        elif self._kind not in _STREAMING_RESPONSES and self._received:
            self.tabs.setCurrentWidget(self.message_view)

    def _timing_text(self, event: Finished) -> str:
        parts = [f"{call_status.format_seconds(event.elapsed)} total"]
        if self._first_response is not None:
            first = call_status.format_seconds(self._first_response)
            parts.append(f"first response after {first}")
        if self._received:
            noun = "response" if self._received == 1 else "responses"
            parts.append(f"{self._received} {noun} ({format_size(self._received_bytes)})")
        else:
            parts.append("no response")
        if self._kind in (MethodKind.CLIENT_STREAMING, MethodKind.BIDI_STREAMING):
            parts.append(f"{self._sent} sent")
        return " · ".join(parts)

    def _show_details(self, details: tuple[StatusDetail, ...]) -> None:
        self._details_groups = [(d.type_name, detail_lines(d)) for d in details]
        parts = []
        for title, lines in self._details_groups:
            items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
            parts.append(f"<p style='margin-bottom:2px'><b>{html.escape(title)}</b></p>")
            parts.append(f"<ul style='margin-top:0'>{items}</ul>")
        self._details.setHtml("".join(parts))
        index = self.tabs.indexOf(self._details)
        title = f"Error details ({len(details)})" if details else "Error details"
        self.tabs.setTabText(index, title)

    def _set_status(self, outcome: str, text: str) -> None:
        self.status.setText(text)
        self.status.setProperty("outcome", outcome)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)


def detail_lines(detail: StatusDetail) -> list[str]:
    """A detail's lines without their indent, and without a heading that repeats the type."""
    lines = [line.strip() for line in detail.lines()]
    if len(lines) > 1 and lines[0].endswith(":"):
        lines = lines[1:]  # "bad request:" says what the group title already says
    return lines


def _count(title: str, event: HeadersReceived | TrailersReceived) -> str:
    return f"{title} ({len(event.metadata)})" if event.metadata else title


def _metadata_table(parent: QWidget, name: str) -> tuple[QTableView, QStandardItemModel]:
    """A read-only key/value table over a throwaway model (a handful of rows)."""
    model = QStandardItemModel(0, 2, parent)
    model.setHorizontalHeaderLabels(["Key", "Value"])
    table = QTableView(parent)
    table.setObjectName(name)
    table.setModel(model)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().resizeSection(0, 220)
    table.horizontalHeader().setStretchLastSection(True)
    return table, model


def _fill_metadata(model: QStandardItemModel, metadata: Metadata) -> None:
    model.removeRows(0, model.rowCount())
    for key, value in metadata:
        text = format_value(value)
        shown = QStandardItem(text)
        shown.setToolTip("binary value, shown as base64" if isinstance(value, bytes) else text)
        model.appendRow([QStandardItem(key), shown])

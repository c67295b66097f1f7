"""A call's timeline, ready to put in a window: toolbar, table, counters and detail pane.

Wiring it to a call::

    view = TimelineView()
    async with Call(channels, target, method, requests) as call:
        finished = await view.feeder.consume(call)

For a new call, :meth:`TimelineView.clear` (or give the model a new store).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QSplitter, QVBoxLayout, QWidget

from workbench.core.errors import WorkbenchError
from workbench.core.timeline import text
from workbench.core.timeline.export import ExportFormat, write_export
from workbench.core.timeline.rows import Direction
from workbench.core.timeline.store import TimelineStore
from workbench.ui.models.timeline_feeder import TimelineFeeder
from workbench.ui.models.timeline_model import TimelineModel
from workbench.ui.timeline.detail_pane import TimelineDetailPane
from workbench.ui.timeline.timeline_table import TimelineTable
from workbench.ui.timeline.timeline_toolbar import TimelineToolbar

logger = logging.getLogger(__name__)

#: Milliseconds between two updates of the counters while a call runs.
COUNTERS_MS = 250


class TimelineView(QWidget):
    """The streaming message timeline of one call.

    Parts (public attributes): :attr:`toolbar` (filter, direction toggles, keep-last cap,
    export), :attr:`table` (follow mode, "jump to latest"), :attr:`status` (live counters),
    :attr:`detail` (the selected row in full), over :attr:`model` fed by :attr:`feeder`.

    Signals:
        resendRequested(object): "Send again" on a sent message; carries a copy of it.
        exported(str): an export finished; carries the file path.
    """

    resendRequested = Signal(object)
    exported = Signal(str)

    def __init__(self, store: TimelineStore | None = None, parent: QWidget | None = None) -> None:
        """Show ``store`` (a new, empty one by default)."""
        super().__init__(parent)
        self.model = TimelineModel(store, self)
        self.feeder = TimelineFeeder(self.model, parent=self)
        self.toolbar = TimelineToolbar(self)
        self.table = TimelineTable(self)
        self.table.setModel(self.model)
        self.feeder.set_cost_probe(self.table.paint_cost)
        self.status = QLabel(self)
        self.status.setObjectName("timelineCounters")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail = TimelineDetailPane(self)
        self.toolbar.set_max_rows(self.model.store.max_rows)

        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.setSpacing(4)
        top_layout.addWidget(self.toolbar)
        top_layout.addWidget(self.table, 1)
        top_layout.addWidget(self.status)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        self._counters = QTimer(self)
        self._counters.setInterval(COUNTERS_MS)
        self._counters.timeout.connect(self.update_counters)
        self._export_task: asyncio.Future[int] | None = None

        self.toolbar.filterChanged.connect(self._on_filter)
        self.toolbar.maxRowsChanged.connect(self._on_cap)
        self.toolbar.exportRequested.connect(self.choose_export_file)
        self.model.synced.connect(self._on_synced)
        self.feeder.finished.connect(lambda _finished: self.update_counters())
        self.model.modelReset.connect(self.update_counters)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        self.detail.resendRequested.connect(self.resendRequested)
        self.update_counters()

    @property
    def store(self) -> TimelineStore:
        """The store shown."""
        return self.model.store

    def clear(self) -> None:
        """Forget every row (before a new call); keeps the filter and the cap."""
        self.store.clear()
        self.feeder.flush()
        self.detail.show_entry(None)
        self.table.set_following(True)
        self.update_counters()

    def set_filter(self, text: str = "", directions: frozenset[Direction] | None = None) -> None:
        """Filter the rows and show it in the toolbar (see :meth:`TimelineModel.set_filter`)."""
        self.model.set_filter(text, directions)
        self.toolbar.set_filter(self.model.filter_text, self.model.directions)

    def update_counters(self) -> None:
        """Show the current counters; stops refreshing them once the call has finished."""
        counters = self.store.counters()
        self.status.setText(text.format_counters(counters) if counters.rows else "No events yet")
        if not counters.running:
            self._counters.stop()

    def _on_synced(self, _added: int, _removed: int) -> None:
        if not self._counters.isActive():
            self.update_counters()
            if self.store.counters().running:
                self._counters.start()

    def _on_filter(self, text_: str, directions: frozenset[Direction]) -> None:
        current = self.table.currentIndex()
        event_id = self.model.event_id(current.row()) if current.isValid() else None
        self.model.set_filter(text_, directions)
        row = None if event_id is None else self.model.row_of_event(event_id)
        if row is not None and not self.table.following:
            self.table.select_row(row)
            self.table.scrollTo(self.model.index(row, 0))

    def _on_cap(self, max_rows: int | None) -> None:
        self.store.set_max_rows(max_rows)
        self.feeder.flush()
        self.update_counters()

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            entry = self.model.entry(current.row())
            if entry is not None:
                self.detail.show_entry(entry, self.store)

    # -- export ----------------------------------------------------------------------------

    def choose_export_file(self, fmt: ExportFormat) -> None:
        """Ask where to export (a non-blocking dialog), then export there."""
        dialog = QFileDialog(self, "Export the timeline")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(fmt.suffix.lstrip("."))
        name = "JSON Lines (*.jsonl)" if fmt is ExportFormat.JSONL else "Text (*.txt)"
        dialog.setNameFilters([name, "All files (*)"])
        dialog.fileSelected.connect(lambda path: self.export(Path(path), fmt))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def export(self, path: Path, fmt: ExportFormat) -> None:
        """Export the timeline to ``path``; in a worker thread when an event loop runs.

        The outcome shows in the counters line; :attr:`exported` is emitted on success.
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None:
            self._report_export(path, self._export_now(path, fmt))
            return
        self.status.setText(f"Exporting to {path}…")
        future = loop.run_in_executor(None, write_export, self.store, path, fmt)
        self._export_task = future
        future.add_done_callback(lambda f: self._finish_export(path, f))

    def _export_now(self, path: Path, fmt: ExportFormat) -> int | WorkbenchError:
        try:
            return write_export(self.store, path, fmt)
        except WorkbenchError as exc:
            return exc

    def _finish_export(self, path: Path, future: asyncio.Future[int]) -> None:
        if future.cancelled():
            return
        exc = future.exception()
        if exc is not None and not isinstance(exc, WorkbenchError):
            raise exc
        self._report_export(path, exc if isinstance(exc, WorkbenchError) else future.result())

    def _report_export(self, path: Path, outcome: int | WorkbenchError) -> None:
        if isinstance(outcome, WorkbenchError):
            logger.info("timeline export failed: %s", outcome)
            self.status.setText(f"⚠ {outcome.user_text()}")
            return
        self.status.setText(f"Exported {outcome:,} lines to {path}")
        self.exported.emit(str(path))

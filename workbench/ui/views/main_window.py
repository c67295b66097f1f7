"""The main window: the toolbar, the schema tree, the request tabs and the definition pane.

The window assembles parts that live in their own modules: the File menu
(:mod:`~workbench.ui.views.file_menu`), the toolbar with the address bar and connection
state (:mod:`~workbench.ui.views.main_toolbar`), the schema tree
(:mod:`~workbench.ui.views.schema_browser`), the request tabs and the definition pane for
services and types (:mod:`~workbench.ui.views.definition_pane`). What it keeps is the
wiring between them and the loader.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from google.protobuf.descriptor import MethodDescriptor
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncClose, asyncSlot

from workbench.core.schema.schema import Schema
from workbench.core.settings import SettingsStore
from workbench.ui import connection_store, resources
from workbench.ui.bridges import CrashReport, Level, MessageBridge, UserMessage
from workbench.ui.models.schema_tree_model import NodeKind
from workbench.ui.state import UiState
from workbench.ui.views.connect import ConnectionSettings, LoadState, Phase, SchemaLoader
from workbench.ui.views.connection_dialog import ConnectionDialog
from workbench.ui.views.connection_indicator import ConnectionIndicator
from workbench.ui.views.definition_pane import DefinitionPane
from workbench.ui.views.demo_launcher import DemoLauncher, DemoStarter
from workbench.ui.views.file_menu import FileMenu
from workbench.ui.views.help_menu import HelpMenu
from workbench.ui.views.main_toolbar import MainToolBar
from workbench.ui.views.message_banner import MessageBanner
from workbench.ui.views.method_tab import MethodTab
from workbench.ui.views.request_tabs import RequestTabs
from workbench.ui.views.schema_browser import SchemaBrowser
from workbench.ui.views.welcome import WelcomePage
from workbench.ui.views.window_session import WindowSession
from workbench.ui.views.window_shortcuts import WindowShortcuts
from workbench.ui.views.workspace_actions import WorkspaceActions
from workbench.ui.workspace_controller import WorkspaceController

logger = logging.getLogger(__name__)

APP_TITLE = "gRPC Workbench"
#: The definition pane's share of the work area when it first opens (or was squeezed shut).
_DEFINITION_SHARE = 0.35
#: Below this height (px) a revealed definition pane is given its share again.
_DEFINITION_MIN_HEIGHT = 80


class MainWindow(QMainWindow):
    """Browse a server's or a file's schema and open methods in request tabs.

    The parts are public attributes: :attr:`file` (the File menu and its actions, also
    reachable as ``act_*``), :attr:`toolbar` (with :attr:`address_box`,
    :attr:`connect_button` and :attr:`indicator`), :attr:`browser`, :attr:`welcome`,
    :attr:`tabs`, :attr:`definition` (with :attr:`detail` and :attr:`detail_title`),
    :attr:`banner` and :attr:`status_indicator`.

    Args:
        loader: owns connecting and loading (and the channels); the window only shows it.
        state: where geometry and splitter sizes are kept.
        bridge: user messages and crash reports to show; ``None`` for none.
        parent: the owning widget.
        workspace: the workspace, environment and history (opened by the caller).
        settings: the user settings (``None``: read them from the default file).
        demo: starts the demo server for the welcome page's "Try the demo server"
            (``None``: the button is not offered).

    Signals:
        closed(): the window has closed and released its channels.
    """

    closed = Signal()

    def __init__(
        self,
        loader: SchemaLoader | None = None,
        state: UiState | None = None,
        bridge: MessageBridge | None = None,
        parent: QWidget | None = None,
        *,
        workspace: WorkspaceController | None = None,
        settings: SettingsStore | None = None,
        demo: DemoStarter | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(APP_TITLE)
        self.setWindowIcon(resources.icon("app"))
        self.loader = loader or SchemaLoader(parent=self)
        self._state = state or UiState()
        self.settings_store = settings if settings is not None else SettingsStore.load()
        self._crash_box: QMessageBox | None = None
        self._closing = False
        self.workspace = workspace or WorkspaceController(state=self._state, parent=self)
        if self.workspace.parent() is None:
            self.workspace.setParent(self)  # deleted with the window, on this thread
        self._build()
        self.workspace_ui = WorkspaceActions(self)
        self.shortcuts = WindowShortcuts(self, self.workspace_ui.edit_menu)
        self.help = HelpMenu(self)
        self._restore()
        self.loader.stateChanged.connect(self._on_state)
        self.loader.schemaChanged.connect(self._on_schema)
        # After the window's own handlers: saved tabs reopen in an up-to-date window.
        self.session = WindowSession(self, self.settings_store, self._state)
        self.demo = DemoLauncher(self, demo)
        if bridge is not None:
            bridge.messageShown.connect(self.show_message)
            bridge.crashReported.connect(self.show_crash)

    # -- construction ---------------------------------------------------------------------

    def _build(self) -> None:
        self.file = FileMenu(self)
        self.file_menu = self.file.menu
        # The actions under their long-standing names (workspace actions and tests use them).
        self.act_open_proto = self.file.act_open_proto
        self.act_open_protoset = self.file.act_open_protoset
        self.act_reload = self.file.act_reload
        self.act_connection = self.file.act_connection
        self.act_new_tab = self.file.act_new_tab
        self.act_close_tab = self.file.act_close_tab
        self.act_quit = self.file.act_quit
        self.toolbar = MainToolBar(self.file, self)
        self.toolbar.connectRequested.connect(self._on_connect_clicked)
        self.address_box = self.toolbar.address_box
        self.connect_button = self.toolbar.connect_button
        self.indicator = self.toolbar.indicator
        self.addToolBar(self.toolbar)
        central = QWidget(self)
        column = QVBoxLayout(central)
        column.setContentsMargins(6, 6, 6, 0)
        column.setSpacing(6)
        self.banner = MessageBanner(self)
        column.addWidget(self.banner)
        column.addWidget(self._build_work_area(), 1)
        self.setCentralWidget(central)
        self.status_indicator = ConnectionIndicator(self)
        self.statusBar().addWidget(self.status_indicator, 1)

    def _build_work_area(self) -> QSplitter:
        self.browser = SchemaBrowser(self)
        self.browser.symbolSelected.connect(self._on_symbol_selected)
        self.browser.symbolActivated.connect(self._on_symbol_activated)
        self.welcome = WelcomePage(self)
        self.welcome.openProtoRequested.connect(self.file.choose_proto_files)
        self.welcome.openProtosetRequested.connect(self.file.choose_protosets)
        self.tabs = RequestTabs(self, endpoint=lambda: self.loader.endpoint(self.toolbar.address()))
        self.tabs.emptied.connect(lambda: self._center.setCurrentWidget(self.welcome))
        self._center: QStackedWidget = QStackedWidget(self)
        self._center.addWidget(self.welcome)
        self._center.addWidget(self.tabs)
        self.definition = DefinitionPane(self)  # hidden until a service or type is selected
        self.detail = self.definition.text
        self.detail_title = self.definition.title

        self.work_splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.work_splitter.setObjectName("workSplitter")
        self.work_splitter.addWidget(self._center)
        self.work_splitter.addWidget(self.definition)
        self.work_splitter.setStretchFactor(0, 3)
        self.work_splitter.setStretchFactor(1, 1)
        self.work_splitter.setChildrenCollapsible(False)
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.main_splitter.setObjectName("mainSplitter")
        self.left_tabs = QTabWidget(self)  # Schema | Collections | History
        self.left_tabs.setObjectName("leftTabs")
        self.left_tabs.setDocumentMode(True)
        self.left_tabs.addTab(self.browser, "Schema")
        self.main_splitter.addWidget(self.left_tabs)
        self.main_splitter.addWidget(self.work_splitter)
        self.main_splitter.setStretchFactor(1, 1)
        self.main_splitter.setChildrenCollapsible(False)
        return self.main_splitter

    def _restore(self) -> None:
        if not self._state.restore_window(self):
            self.resize(1200, 760)
        if not self._state.restore_splitter("main", self.main_splitter):
            self.main_splitter.setSizes([360, 840])
        if not self._state.restore_splitter("work", self.work_splitter):
            self.work_splitter.setSizes([500, 260])  # request tabs first; definitions below

    # -- public API (the bootstrap and tests drive the window through these) --------------

    def connect_to(self, address: str) -> object:
        """Put ``address`` in the address bar and connect; returns the slot's task."""
        self.address_box.setEditText(address)
        return self._on_connect_clicked()

    @asyncSlot(list, list)
    async def open_proto_files(
        self, files: Sequence[str], import_paths: Sequence[str] = ()
    ) -> None:
        """Compile and load ``files`` (called directly, this returns the slot's task)."""
        await self.loader.load_files(files, import_paths)

    @asyncSlot(list)
    async def open_protosets(self, paths: Sequence[str]) -> None:
        """Load the protoset files ``paths`` (called directly, returns the slot's task)."""
        await self.loader.load_protosets(paths)

    @asyncSlot()
    async def reload_schema(self) -> None:
        """Load the schema again from its server or files (returns the slot's task)."""
        task = self.loader.reload()
        if task is not None:
            await task

    def open_method(self, method: MethodDescriptor, *, pin: bool = False) -> MethodTab | None:
        """Show ``method`` in a request tab (the preview tab unless ``pin``)."""
        schema = self.loader.schema
        if schema is None:
            return None
        tab = self.tabs.open_method(schema, method, pin=pin)
        self._center.setCurrentWidget(self.tabs)
        return tab

    def new_tab(self) -> None:
        """Open another request tab for the method selected in the tree (Ctrl+T)."""
        desc = self._selected_descriptor()
        method = desc if isinstance(desc, MethodDescriptor) else None
        schema = self.loader.schema
        if schema is None or self.tabs.new_tab(schema, method) is None:
            self.statusBar().showMessage("Pick a method in the tree to open a tab for it", 6000)
            return
        self._center.setCurrentWidget(self.tabs)

    def show_tabs(self) -> None:
        """Show the request tabs (instead of the welcome page)."""
        self._center.setCurrentWidget(self.tabs)

    def edit_connection(self) -> ConnectionDialog | None:
        """Open the connection settings of the address in the bar (returns the dialog)."""
        target = self.loader.target
        address = (target.address if target else self.toolbar.address()).strip()
        if not address:
            self.banner.show_error("No server to set up", "type its address in the bar first")
            return None
        connection_store.restore_saved(self.loader, self._state, address)
        dialog = ConnectionDialog(address, self.loader.settings_for(address), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.applied.connect(lambda settings: self._apply_connection(address, settings))
        dialog.open()
        return dialog

    def show_message(self, message: UserMessage) -> None:
        """Show a bridge message: errors and warnings inline, the rest in the status bar."""
        if message.level is Level.INFO:
            self.statusBar().showMessage(message.text, 6000)
        else:
            self.banner.show_message(message)

    def show_crash(self, report: CrashReport) -> None:
        """Tell the user about a bug in a dialog that does not block the app."""
        if self._crash_box is not None and self._crash_box.isVisible():
            return  # one at a time: the log has every one of them
        box = QMessageBox(QMessageBox.Icon.Critical, "Unexpected error", "", parent=self)
        box.setText("Something went wrong inside gRPC Workbench. The app keeps running.")
        box.setInformativeText(report.summary)
        box.setDetailedText(report.details)
        box.setModal(False)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._crash_box = box
        box.show()

    # -- slots ----------------------------------------------------------------------------

    @asyncSlot()
    async def _on_connect_clicked(self) -> None:
        if self.loader.busy:
            self.loader.cancel()
            return
        address = self.toolbar.address()
        connection_store.restore_saved(self.loader, self._state, address)
        task = self.loader.connect_to(address)
        if task is not None:
            await task

    def _on_state(self, state: LoadState) -> None:
        self.toolbar.set_state(state)
        self.status_indicator.set_state(state)
        busy = state.phase is Phase.LOADING
        self.act_reload.setEnabled(not busy and self.loader.source is not None)
        if state.phase is Phase.FAILED and state.error is not None:
            self.banner.show_message(UserMessage.for_error(state.error))
        elif state.phase is Phase.FAILED:
            self.banner.show_error(state.text)
        elif state.phase in (Phase.LOADING, Phase.READY):
            self.banner.clear()
        if state.phase is Phase.READY and self.loader.target is not None:
            address = self.loader.target.address
            self.session.remember_target(address)
            self.setWindowTitle(f"{address} — {APP_TITLE}")
        elif state.phase is Phase.READY and self.loader.source is not None:
            self.setWindowTitle(f"{self.loader.source.describe()} — {APP_TITLE}")

    def _on_schema(self, schema: Schema) -> None:
        self.browser.set_schema(schema)
        self.welcome.set_has_schema(True)
        gone = self.tabs.rebind(schema)
        if gone:
            self.statusBar().showMessage(f"Closed {', '.join(gone)}: gone from the schema", 8000)
        self._show_definition(self._selected_descriptor())  # as the new schema defines it

    def _on_symbol_selected(self, desc: object, _kind: NodeKind | None) -> None:
        if isinstance(desc, MethodDescriptor):
            self.definition.clear()  # the method's tab has its definition
            self.open_method(desc)
        else:
            self._show_definition(desc)

    def _on_symbol_activated(self, desc: object, _kind: NodeKind | None) -> None:
        if isinstance(desc, MethodDescriptor):
            self.open_method(desc, pin=True)
        else:
            self._show_definition(desc)  # shows the pane again after its close button

    def _apply_connection(self, address: str, settings: ConnectionSettings) -> None:
        connection_store.remember(self.loader, self._state, address, settings)
        self.tabs.refresh_defaults()
        if self.loader.source is None or self.loader.target is not None:
            self.connect_to(address)  # the schema comes from this server: load it again

    # -- helpers --------------------------------------------------------------------------

    def _selected_descriptor(self) -> object:
        return self.browser.tree.currentIndex().data(Qt.ItemDataRole.UserRole)

    def _show_definition(self, desc: object) -> None:
        """Show a service's or type's definition under the tabs; hide the pane otherwise."""
        schema = self.loader.schema
        was_hidden = self.definition.isHidden()
        if schema is None or not self.definition.show_symbol(schema, desc):
            self.definition.clear()
            return
        sizes = self.work_splitter.sizes()
        if was_hidden and sizes[1] < _DEFINITION_MIN_HEIGHT:
            total = sum(sizes)
            share = int(total * _DEFINITION_SHARE)
            self.work_splitter.setSizes([total - share, share])

    def _save_state(self) -> None:
        self._state.save_window(self)
        self._state.save_splitter("main", self.main_splitter)
        if self.definition.isVisible():  # a hidden pane's size (0) is no size to restore
            self._state.save_splitter("work", self.work_splitter)
        self._state.sync()

    @asyncClose
    async def closeEvent(self, event: QCloseEvent) -> None:
        """Implements ``QWidget.closeEvent``: save the layout, close channels, then close."""
        if not self._closing:
            self._closing = True
            self._save_state()
            self.session.save()
            self.session.close()
            await self.tabs.aclose()
            await self.loader.aclose()
            self.workspace.close()
            self.closed.emit()
        event.accept()

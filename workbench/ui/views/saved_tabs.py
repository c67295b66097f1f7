"""Requests into tabs: open saved requests, history entries, grpcurl commands and drafts;
copy a request as a grpcurl command; keep each tab's binding in step with the collections.

Each method tab gets a :class:`~workbench.ui.request_binding.RequestBinding` as it is made.
A request whose method the loaded schema lacks opens as an
:class:`~workbench.ui.views.unopened_request.UnopenedRequest` (a warning, the request kept as
saved); with no schema at all, the request's own server is asked by reflection first.
A tab whose saved request is deleted keeps its content, saved nowhere; when an undo (or git)
brings the same file back, the tab is bound to it again. Saving lives in
:mod:`workbench.ui.views.tab_saver`; drafts (a restart's tabs) in :mod:`workbench.ui.tab_drafts`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from google.protobuf.descriptor import MethodDescriptor
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget
from qasync import asyncSlot
from shiboken6 import isValid

from workbench.core.errors import SymbolNotFound, WorkbenchError
from workbench.core.schema.schema import Schema
from workbench.core.store.checks import check_request
from workbench.core.store.drafts import TabDraft
from workbench.core.store.events import TreeEvent
from workbench.core.store.grpcurl import GrpcurlCommand, to_grpcurl
from workbench.core.store.requests import SavedRequest
from workbench.core.store.tree import FolderNode, Node, RequestNode, RootNode
from workbench.core.store.variables import apply_variables, substitute, variable_names
from workbench.core.store.workspace import Workspace
from workbench.ui.models.schema_tree_model import method_icon_name
from workbench.ui.request_binding import RequestBinding
from workbench.ui.tab_drafts import find_saved, reattach, restore_draft, saved_draft, tab_draft
from workbench.ui.views.method_tab import MethodTab
from workbench.ui.views.unopened_request import UnopenedRequest

if TYPE_CHECKING:
    from workbench.ui.views.main_window import MainWindow

__all__ = ["SavedTabs"]

logger = logging.getLogger(__name__)


class SavedTabs(QObject):
    """Opens requests in tabs and ties each method tab to the workspace.

    Signals:
        tabShown(object): a tab now shows a saved request or a history entry (the tab).

    Args:
        window: the main window (its tabs, loader, address bar and workspace controller).
    """

    tabShown = Signal(object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._controller = window.workspace
        self._store_ws: Workspace | None = None
        window.tabs.tabCreated.connect(self._bind)
        window.loader.schemaChanged.connect(self._on_schema)
        self._controller.workspaceChanged.connect(self._on_workspace)
        if self._controller.workspace is not None:
            self._on_workspace(self._controller.workspace)

    # -- bindings -------------------------------------------------------------------------

    def binding(self, tab: QWidget | None) -> RequestBinding | None:
        """The binding of a method tab (``None`` for other widgets)."""
        if not isinstance(tab, MethodTab):
            return None
        return tab.findChild(RequestBinding)

    def _bind(self, tab: MethodTab) -> None:
        window = self._window
        binding = RequestBinding(
            tab,
            self._controller,
            window.loader,
            lambda: window.loader.endpoint(window.address_box.currentText()),
            self._window_address,
        )
        binding.stateChanged.connect(lambda: self.retitle(tab))
        binding.bar.copyRequested.connect(lambda: self.copy_as_grpcurl(tab=tab))

    def _window_address(self) -> str:
        target = self._window.loader.target
        return target.address if target is not None else self._window.address_box.currentText()

    def retitle(self, tab: MethodTab) -> None:
        """Show the saved name (and the unsaved marker) in the tab's title."""
        binding = self.binding(tab)
        tabs = self._window.tabs
        index = tabs.indexOf(tab)
        if binding is None or index < 0 or binding.node is None:
            return
        tabs.setTabText(index, binding.title() or tab.method.name)
        unsaved = "\nUnsaved changes (Ctrl+S saves them)" if binding.dirty else ""
        tabs.setTabToolTip(index, f"{'/'.join(binding.node.names)} — {tab.full_name}{unsaved}")

    def tabs_of(self, node: RequestNode) -> list[QWidget]:
        """The tabs showing the saved request ``node``."""
        tabs = self._window.tabs
        found: list[QWidget] = []
        for i in range(tabs.count()):
            widget = tabs.widget(i)
            if widget is None:
                continue
            binding = self.binding(widget)
            shown = binding.node if binding is not None else getattr(widget, "node", None)
            if shown is node:
                found.append(widget)
        return found

    # -- opening --------------------------------------------------------------------------

    def open_node(self, node: RequestNode) -> QWidget | None:
        """Go to the tab of the saved request ``node``, opening one if there is none."""
        open_tabs = self.tabs_of(node)
        if open_tabs:
            self._window.tabs.setCurrentWidget(open_tabs[0])
            self._window.show_tabs()
            return open_tabs[0]
        return self.open_request(node.request, node)

    def open_request(
        self, request: SavedRequest, node: RequestNode | None = None
    ) -> QWidget | None:
        """Open ``request`` in a new tab (``node``: where it is saved).

        Returns the tab, or ``None`` when the schema is being loaded from the request's
        server first (the tab opens when it arrives).
        """
        schema = self._window.loader.schema
        method = _find_method(schema, request.method)
        if method is None and schema is None:
            address = self._resolved_address(request)
            if address:
                self._open_after_connect(request, node, address)
                return None
        if method is None or schema is None:
            return self._open_unopened(request, node, schema)
        tab, binding = self._new_tab(schema, method)
        binding.load(request, node)
        self.retitle(tab)
        self._window.show_tabs()
        self.tabShown.emit(tab)
        return tab

    def open_draft(self, schema: Schema, method: MethodDescriptor, draft: TabDraft) -> MethodTab:
        """Open ``draft`` in a new tab, bound to its saved request if the workspace has it."""
        tab, binding = self._new_tab(schema, method)
        node = find_saved(draft.saved, self._controller.workspace)
        if draft.saved is not None and node is None:
            logger.info(
                "%s is not in the open workspace: its draft opens saved nowhere",
                draft.saved.file(),
            )
        restore_draft(binding, draft, node)
        self.retitle(tab)
        return tab

    def _new_tab(
        self, schema: Schema, method: MethodDescriptor
    ) -> tuple[MethodTab, RequestBinding]:
        """A new tab for ``method``, kept open, and its binding."""
        tabs = self._window.tabs
        tab = tabs.new_tab(schema, method)
        assert tab is not None
        tabs.pin(tab)
        binding = self.binding(tab)
        assert binding is not None
        return tab, binding

    def draft_of(self, tab: QWidget | None, address: str) -> TabDraft | None:
        """The draft of a request tab (``None`` for other widgets); ``address``: the window's."""
        ws = self._controller.workspace
        directory = ws.directory if ws is not None else None
        binding = self.binding(tab)
        if binding is not None:
            return tab_draft(binding, directory, address)
        if isinstance(tab, UnopenedRequest):
            return saved_draft(tab.request, tab.node, directory, address)
        return None

    def open_grpcurl(self, command: GrpcurlCommand) -> QWidget | None:
        """Open a pasted grpcurl command as a new request (its .proto files loaded first)."""
        if command.notes:
            self._controller.info("; ".join(command.notes))
        sources = command.schema
        if self._window.loader.schema is None and (sources.proto_files or sources.protosets):
            self._open_after_files(command)
            return None
        return self.open_request(command.request)

    @asyncSlot(object, object, str)
    async def _open_after_connect(
        self, request: SavedRequest, node: RequestNode | None, address: str
    ) -> None:
        self._controller.info(f"Loading the schema from {address} to open {request.method}…")
        task = self._window.loader.connect_to(address)
        if task is not None:
            await task
        if isValid(self):
            schema = self._window.loader.schema
            self._open_loaded(request, node, schema)

    @asyncSlot(object)
    async def _open_after_files(self, command: GrpcurlCommand) -> None:
        sources = command.schema
        loader = self._window.loader
        if sources.proto_files:
            await loader.load_files(sources.proto_files, sources.import_paths)
        else:
            await loader.load_protosets(sources.protosets)
        if isValid(self):
            self._open_loaded(command.request, None, loader.schema)

    def _open_loaded(
        self, request: SavedRequest, node: RequestNode | None, schema: Schema | None
    ) -> None:
        if _find_method(schema, request.method) is not None:
            self.open_request(request, node)
        else:
            self._open_unopened(request, node, schema)

    def _open_unopened(
        self, request: SavedRequest, node: RequestNode | None, schema: Schema | None
    ) -> UnopenedRequest:
        if schema is None:
            problem = f"No schema is loaded, so {request.method} cannot be shown as a form."
            hint = "connect to the request's server, or open its .proto files"
        else:
            issue = next((i for i in check_request(request, schema) if i.where == "method"), None)
            problem = issue.message if issue else f"{request.method} is not in the schema"
            hint = issue.hint if issue else ""
        address = self._resolved_address(request)
        loaded = self._window.loader.target
        if schema is not None and loaded is not None and loaded.address == address:
            address = ""  # the schema already comes from there: nothing to offer
        widget = UnopenedRequest(
            request, node, problem, hint=hint, address=address, parent=self._window.tabs
        )
        widget.connectRequested.connect(self._window.connect_to)
        tabs = self._window.tabs
        index = tabs.addTab(widget, f"⚠ {request.name or request.method.rsplit('/', 1)[-1]}")
        tabs.setTabToolTip(index, f"{problem}\n{request.method}")
        tabs.setCurrentIndex(index)
        self._window.show_tabs()
        self.tabShown.emit(widget)
        return widget

    def _on_schema(self, schema: Schema) -> None:
        """A schema arrived: open the waiting requests whose method it has."""
        tabs = self._window.tabs
        for i in reversed(range(tabs.count())):
            widget = tabs.widget(i)
            if isinstance(widget, UnopenedRequest) and _find_method(schema, widget.full_name):
                current = tabs.currentWidget() is widget
                tabs.close_tab(i, force=True)
                tab = self.open_request(widget.request, widget.node)
                if tab is not None and not current:
                    tabs.setCurrentWidget(tab)

    def _resolved_address(self, request: SavedRequest) -> str:
        """The request's server with variables filled in ('' when they cannot be)."""
        address = request.target.address.strip()
        try:
            values, _ = self._controller.values()
        except WorkbenchError:
            values = {}
        if any(name not in values for name in variable_names(address)):
            return ""
        return substitute(address, values)

    # -- grpcurl --------------------------------------------------------------------------

    def copy_as_grpcurl(
        self, request: SavedRequest | None = None, *, tab: QWidget | None = None
    ) -> str | None:
        """Copy ``request`` (default: that of ``tab``, or the tab shown) as a grpcurl command.

        Variables of the environment in use are filled in, so the command runs as it is.
        """
        if request is None:
            tab = tab or self._window.tabs.currentWidget()
            binding = self.binding(tab)
            if binding is not None:
                try:
                    request = binding.snapshot(for_save=True)
                except WorkbenchError as exc:
                    self._controller.report(exc)
                    return None
            elif isinstance(tab, UnopenedRequest):
                request = tab.request
            else:
                self._window.statusBar().showMessage("Open a request tab to copy it", 6000)
                return None
        ws = self._controller.workspace
        try:
            values, _ = self._controller.values()
            text = to_grpcurl(
                apply_variables(request, values),
                tls_profiles=ws.settings.tls_profiles if ws is not None else None,
            )
        except WorkbenchError as exc:
            self._controller.report(exc)
            return None
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(text)
        env = self._controller.environment
        filled = f" (variables of {env} filled in)" if env and values else ""
        self._controller.info(f"Copied the grpcurl command{filled}")
        return text

    # -- following the collections --------------------------------------------------------

    def _on_workspace(self, ws: Workspace) -> None:
        if self._store_ws is not None:
            self._store_ws.collections.events.disconnect(self._on_tree_event)
        self._store_ws = ws
        ws.collections.events.connect(self._on_tree_event)
        for binding in self._bindings():
            binding.detach()  # another workspace: the old files are not these
        self._controller.rewatch()

    def _on_tree_event(self, event: TreeEvent) -> None:
        if event.kind == "inserted":
            self._reattach(event.node)
            return
        if event.kind == "removing":
            for binding in self._bindings():
                node = binding.node
                if node is not None and (node is event.node or _is_below(node, event.node)):
                    binding.deleting()  # while the node still knows its path
            return
        if event.kind not in ("changed", "moved", "removed"):
            return
        for binding in self._bindings():
            node = binding.node
            if node is None:
                continue
            if not in_tree(node):
                binding.detach()
                self._window.tabs.setTabText(
                    self._window.tabs.indexOf(binding.tab), binding.tab.method.name
                )
            elif node is event.node or _is_below(node, event.node):
                binding.node_changed()

    def _reattach(self, inserted: Node) -> None:
        """Bind tabs whose saved request was deleted to it again, if this brings it back."""
        nodes = [inserted, *(inserted.walk() if isinstance(inserted, FolderNode) else ())]
        restored = [n for n in nodes if isinstance(n, RequestNode)]
        orphans = [b for b in self._bindings() if b.deleted is not None]
        if not restored or not orphans:
            return
        ws = self._controller.workspace
        directory = ws.directory if ws is not None else None
        for binding in orphans:
            if any(reattach(binding, node, directory) for node in restored):
                self.retitle(binding.tab)

    def _bindings(self) -> list[RequestBinding]:
        tabs = self._window.tabs
        found = [self.binding(tabs.widget(i)) for i in range(tabs.count())]
        return [b for b in found if b is not None]


def _find_method(schema: Schema | None, name: str) -> MethodDescriptor | None:
    if schema is None:
        return None
    try:
        return schema.method(name)
    except SymbolNotFound:
        return None


def in_tree(node: Node) -> bool:
    """Whether ``node`` is still in its tree (not deleted, nor under a deleted folder)."""
    current: Node = node
    while current.parent is not None:
        if current not in current.parent.children:
            return False
        current = current.parent
    return isinstance(current, RootNode)


def _is_below(node: Node, ancestor: Node) -> bool:
    current = node.parent
    while current is not None:
        if current is ancestor:
            return True
        current = current.parent
    return False


def method_icons(schema: Schema) -> Any:
    """A resolver from a saved request's method to its kind's icon name."""

    def resolve(name: str) -> str | None:
        method = _find_method(schema, name)
        return method_icon_name(method) if method is not None else None

    return resolve

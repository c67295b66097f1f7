"""The request tabs: one per method, with a single preview tab reused while browsing.

Browsing replaces the preview tab; double-clicking a method, editing the request in the
preview tab or sending from it keeps it. :meth:`RequestTabs.new_tab` opens another tab for
a method already open (each tab runs its own calls).
"""

from __future__ import annotations

from collections.abc import Callable

from google.protobuf.descriptor import MethodDescriptor
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QWidget

from workbench.core.schema.schema import Schema
from workbench.ui import resources
from workbench.ui.models.schema_tree_model import method_icon_name
from workbench.ui.views.method_tab import MethodTab
from workbench.ui.views.request_tab import EndpointProvider

_PREVIEW_HINT = "\nPreview: double-click the method to keep this tab open"


class RequestTabs(QTabWidget):
    """Tabs of :class:`MethodTab`; browsing replaces one preview tab, pinning keeps a tab.

    Signals:
        emptied(): the last tab was closed.
        tabCreated(object): a :class:`MethodTab` was made (before it is shown).
    """

    emptied = Signal()
    tabCreated = Signal(object)

    def __init__(
        self, parent: QWidget | None = None, *, endpoint: EndpointProvider | None = None
    ) -> None:
        super().__init__(parent)
        self._endpoint = endpoint
        self.setObjectName("requestTabs")
        self.setDocumentMode(True)
        self.setTabsClosable(True)
        self.setMovable(True)
        self._preview: MethodTab | None = None
        #: Asked before a tab is closed by the user; ``False`` keeps it (e.g. unsaved edits).
        self.close_guard: Callable[[QWidget], bool] | None = None
        self.tabCloseRequested.connect(self.close_tab)

    @property
    def preview(self) -> MethodTab | None:
        """The tab that the next browsed method replaces, if any."""
        return self._preview

    def titles(self) -> list[str]:
        """The tab titles, left to right."""
        return [self.tabText(i) for i in range(self.count())]

    def open_method(
        self, schema: Schema, method: MethodDescriptor, *, pin: bool = False
    ) -> MethodTab:
        """Show ``method``: its own tab when open, else the preview tab (or a new one)."""
        for i in range(self.count()):
            tab = self.widget(i)
            if isinstance(tab, MethodTab) and tab.full_name == method.full_name:
                if pin and tab is self._preview:
                    self._preview = None
                    self.setTabToolTip(i, tab.full_name)
                self.setCurrentIndex(i)
                return tab
        tab = self._new_method_tab(schema, method)
        if self._preview is not None and not pin:
            index = self.indexOf(self._preview)
            old, self._preview = self._preview, None
            self.removeTab(index)
            old.deleteLater()
            index = self.insertTab(index, tab, method.name)
        else:
            index = self.addTab(tab, method.name)
        self._preview = None if pin else tab
        self.setTabToolTip(index, tab.full_name + ("" if pin else _PREVIEW_HINT))
        self.setTabIcon(index, resources.icon(method_icon_name(method)))
        self.setCurrentIndex(index)
        return tab

    def new_tab(self, schema: Schema, method: MethodDescriptor | None = None) -> MethodTab | None:
        """Open another tab for ``method`` (kept open), even when one is open already.

        Without ``method``, for the method of the current tab; ``None`` when there is none.
        """
        if method is None:
            current = self.current_tab()
            if current is None:
                return None
            method = current.method
        tab = self._new_method_tab(schema, method)
        same = sum(
            1
            for i in range(self.count())
            if isinstance(w := self.widget(i), MethodTab) and w.full_name == tab.full_name
        )
        title = method.name if same == 0 else f"{method.name} ({same + 1})"
        index = self.insertTab(self.currentIndex() + 1, tab, title)
        self.setTabToolTip(index, tab.full_name)
        self.setTabIcon(index, resources.icon(method_icon_name(method)))
        self.setCurrentIndex(index)
        return tab

    def current_tab(self) -> MethodTab | None:
        """The tab shown."""
        tab = self.currentWidget()
        return tab if isinstance(tab, MethodTab) else None

    def close_current(self) -> None:
        """Close the tab shown (Ctrl+W), if any."""
        if self.count():
            self.close_tab(self.currentIndex())

    def close_tab(self, index: int, *, force: bool = False) -> None:
        """Close the tab at ``index`` (cancelling its call, if one runs).

        Unless ``force``, :attr:`close_guard` may keep it open.
        """
        tab = self.widget(index)
        if not force and tab is not None and self.close_guard and not self.close_guard(tab):
            return
        self.removeTab(index)
        if tab is self._preview:
            self._preview = None
        if isinstance(tab, MethodTab):
            tab.request.shutdown()
        if tab is not None:
            tab.deleteLater()
        if self.count() == 0:
            self.emptied.emit()

    def rebind(self, schema: Schema) -> list[str]:
        """Point every tab at ``schema``; closes and returns the methods no longer in it."""
        gone: list[str] = []
        for i in reversed(range(self.count())):
            tab = self.widget(i)
            if isinstance(tab, MethodTab) and not tab.rebind(schema):
                gone.append(tab.full_name)
                self.close_tab(i, force=True)
        return gone

    def refresh_defaults(self) -> None:
        """Show the connection's current defaults in every tab."""
        for i in range(self.count()):
            tab = self.widget(i)
            if isinstance(tab, MethodTab):
                tab.request.refresh_defaults()

    async def aclose(self) -> None:
        """Cancel every tab's call and wait for them to end (before channels close)."""
        for i in range(self.count()):
            tab = self.widget(i)
            if isinstance(tab, MethodTab):
                await tab.request.aclose()

    def _new_method_tab(self, schema: Schema, method: MethodDescriptor) -> MethodTab:
        tab = MethodTab(schema, method, self, endpoint=self._endpoint)
        tab.request.callStarted.connect(lambda: self._keep(tab))
        tab.request.edited.connect(lambda: self._keep(tab))
        self.tabCreated.emit(tab)
        return tab

    def pin(self, tab: MethodTab) -> None:
        """Keep ``tab`` open while browsing (it stops being the preview tab)."""
        self._keep(tab)

    def _keep(self, tab: MethodTab) -> None:
        """Pin ``tab``: a tab with edits or a call is not replaced by browsing."""
        if tab is self._preview:
            self._preview = None
            self.setTabToolTip(self.indexOf(tab), tab.full_name)

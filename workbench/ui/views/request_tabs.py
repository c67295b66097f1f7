"""The request tabs: one per method, with a single preview tab reused while browsing."""

from __future__ import annotations

from google.protobuf.descriptor import MethodDescriptor
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QWidget

from workbench.core.schema.schema import Schema
from workbench.ui import resources
from workbench.ui.models.schema_tree_model import method_icon_name
from workbench.ui.views.method_tab import MethodTab

_PREVIEW_HINT = "\nPreview: double-click the method to keep this tab open"


class RequestTabs(QTabWidget):
    """Tabs of :class:`MethodTab`; browsing replaces one preview tab, pinning keeps a tab.

    Signals:
        emptied(): the last tab was closed.
    """

    emptied = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("requestTabs")
        self.setDocumentMode(True)
        self.setTabsClosable(True)
        self.setMovable(True)
        self._preview: MethodTab | None = None
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
        tab = MethodTab(schema, method, self)
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

    def close_tab(self, index: int) -> None:
        """Close the tab at ``index``."""
        tab = self.widget(index)
        self.removeTab(index)
        if tab is self._preview:
            self._preview = None
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
                self.close_tab(i)
        return gone

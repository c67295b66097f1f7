"""The window's link to the user settings: recent targets, open tabs, live preferences.

- The address bar lists :attr:`Settings.recent_targets` (the one list of recent servers;
  the window state's old list is moved there once) and starts with the latest in it, so
  Enter reconnects.
- The request tabs open at exit are saved as :attr:`Settings.open_tabs`; at the next start
  they reopen once the first schema loads, for each method it has (tabs of methods it
  lacks are dropped then). When no schema loads at all, they are kept for next time.
- The default deadline, the history size and (through :mod:`workbench.ui.preferences`)
  the timeline row cap follow the settings as they change.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from workbench.core.schema.schema import Schema
from workbench.core.settings import Settings, SettingsStore
from workbench.ui import preferences
from workbench.ui.session import migrate_recent_addresses, open_tabs_to_keep, restorable_methods
from workbench.ui.state import UiState
from workbench.ui.views.method_tab import MethodTab

if TYPE_CHECKING:
    from workbench.ui.views.main_window import MainWindow

logger = logging.getLogger(__name__)

__all__ = ["WindowSession"]


class WindowSession(QObject):
    """Keeps ``window`` and ``store`` in step; call :meth:`save` when the window closes.

    The object emits no signals of its own.

    Args:
        window: the main window (its address bar, loader, tabs and workspace exist).
        store: the user settings.
        state: the window state, for the one-time move of its recent addresses.
    """

    def __init__(self, window: MainWindow, store: SettingsStore, state: UiState) -> None:
        super().__init__(window)
        self._window = window
        self._store = store
        migrate_recent_addresses(state, store)
        self._pending = list(store.settings.open_tabs)
        self._restored = False
        self._applied: Settings | None = None
        preferences.use(store)
        self.fill_address_box()
        latest = store.settings.recent_targets
        if latest:
            window.address_box.setEditText(latest[0])
        # Connected after the window's own handler, so tabs are rebound before reopening.
        window.loader.schemaChanged.connect(self._on_schema)
        self._unsubscribe = store.subscribe(self._apply)
        self._apply(store.settings)

    @property
    def pending_tabs(self) -> int:
        """Saved tabs still waiting for a schema to reopen in."""
        return 0 if self._restored else len(self._pending)

    def remember_target(self, address: str) -> None:
        """Put ``address`` first in the recent targets and in the address bar's list."""
        self._store.remember_target(address)
        self.fill_address_box(select_first=True)

    def fill_address_box(self, *, select_first: bool = False) -> None:
        """List the recent targets in the address bar (keeping the text typed)."""
        box = self._window.address_box
        text = box.currentText()
        box.blockSignals(True)
        try:
            box.clear()
            box.addItems(list(self._store.settings.recent_targets))
            if select_first and box.count():
                box.setCurrentIndex(0)
            else:
                box.setCurrentIndex(-1)
                box.setEditText(text)
        finally:
            box.blockSignals(False)

    def save(self) -> None:
        """Record the open tabs in the settings (the autosave writes them)."""
        window = self._window
        target = window.loader.target
        address = target.address if target is not None else ""
        current = [
            (tab.method, address)
            for i in range(window.tabs.count())
            if isinstance(tab := window.tabs.widget(i), MethodTab)
        ]
        pending = [] if self._restored else self._pending
        self._store.update(open_tabs=open_tabs_to_keep(current, pending))

    def close(self) -> None:
        """Stop following the settings (the window is closing)."""
        self._unsubscribe()
        if preferences.store() is self._store:
            preferences.use(None)

    # -- internals ------------------------------------------------------------------------

    def _on_schema(self, schema: Schema) -> None:
        if self._restored:
            return
        self._restored = True
        if not self._pending:
            return
        methods = [m for service in schema.services() for m in service.methods]
        found, missing = restorable_methods(self._pending, methods)
        self._pending = []
        if missing:
            logger.info(
                "not reopening %s: not in the loaded schema", ", ".join(t.method for t in missing)
            )
        window = self._window
        first = None
        for method in found:
            tab = window.tabs.open_method(schema, method, pin=True)
            first = first or tab
        if first is not None:
            window.tabs.setCurrentWidget(first)
            window.show_tabs()

    def _apply(self, settings: Settings) -> None:
        before, self._applied = self._applied, settings
        window = self._window
        if before is None or before.default_deadline_seconds != settings.default_deadline_seconds:
            window.loader.default_deadline = settings.default_deadline_seconds
            window.tabs.refresh_defaults()
        if before is None or before.history_max_entries != settings.history_max_entries:
            window.workspace.set_history_limit(settings.history_max_entries)
        if before is not None and before.recent_targets != settings.recent_targets:
            self.fill_address_box()

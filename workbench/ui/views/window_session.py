"""The window's link to what it remembers: recent targets, open tabs, live preferences.

- The address bar lists :attr:`Settings.recent_targets` (the one list of recent servers;
  the window state's old list is moved there once) and starts with the latest in it, so
  Enter reconnects.
- Hot exit: every request tab is kept as a draft (:mod:`workbench.core.store.drafts`) when
  the window closes and a moment after each change, so a crash loses little. At the next
  start the tabs reopen with their content as soon as a schema with their method loads; a
  tab of a saved request that the open workspace still has is bound to it again (unsaved
  edits and all), and the tab that was shown is shown. Drafts whose method the schema lacks
  wait for one that has it, in this session or a later one: nothing typed is dropped. Closing
  the window therefore asks nothing about unsaved edits, as in VS Code.
- :attr:`Settings.open_tabs` still records each tab's method and address: without a usable
  drafts file (none yet, or a broken one) those reopen the tabs, with empty forms, and an
  older version of the app reads them too.
- The default deadline, the history size and (through :mod:`workbench.ui.preferences`)
  the timeline row cap follow the settings as they change.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from shiboken6 import isValid

from workbench.core.savemanager import SaveManager
from workbench.core.schema.schema import Schema
from workbench.core.settings import Settings, SettingsStore
from workbench.core.store.drafts import Drafts, DraftStore, TabDraft
from workbench.ui import preferences
from workbench.ui.session import (
    legacy_drafts,
    migrate_recent_addresses,
    open_tabs_of,
    split_drafts,
)
from workbench.ui.state import UiState
from workbench.ui.views.method_tab import MethodTab

if TYPE_CHECKING:
    from workbench.ui.views.main_window import MainWindow

logger = logging.getLogger(__name__)

__all__ = ["WindowSession"]

#: The drafts are written this many seconds after the last change of a tab...
DRAFT_SAVE_DELAY = 2.0
#: ...and at the latest this many seconds after the first unsaved one, while typing goes on.
DRAFT_SAVE_MAX_DELAY = 15.0


class WindowSession(QObject):
    """Keeps ``window``, ``store`` and the drafts in step; :meth:`save` when the window closes.

    The object emits no signals of its own.

    Args:
        window: the main window (its address bar, loader, tabs and workspace actions exist).
        store: the user settings.
        state: the window state, for the one-time move of its recent addresses.
        drafts: the drafts file (``None``: the default one, in the user state directory).
    """

    def __init__(
        self,
        window: MainWindow,
        store: SettingsStore,
        state: UiState,
        *,
        drafts: DraftStore | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._store = store
        migrate_recent_addresses(state, store)
        self._drafts = drafts if drafts is not None else DraftStore.load()
        kept = self._drafts.drafts
        if kept is not None:
            self._pending = list(kept.tabs)
            self._current = kept.tabs[kept.current] if kept.current is not None else None
        else:
            self._pending = legacy_drafts(store.settings.open_tabs)
            self._current = None
        self._kept = Drafts(tuple(self._pending))  # the drafts last written (or read)
        self._autosave = SaveManager(
            self.save_drafts,
            what="request drafts",
            delay=DRAFT_SAVE_DELAY,
            max_delay=DRAFT_SAVE_MAX_DELAY,
            on_error=window.workspace.report,
        )
        self._applied: Settings | None = None
        preferences.use(store)
        self.fill_address_box()
        latest = store.settings.recent_targets
        if latest:
            window.address_box.setEditText(latest[0])
        # Connected after the window's own handler, so tabs are rebound before reopening.
        window.loader.schemaChanged.connect(self._on_schema)
        tabs = window.tabs
        tabs.tabCreated.connect(self._follow)
        tabs.currentChanged.connect(self._changed)
        tabs.tabCloseRequested.connect(self._changed)
        tabs.tabBar().tabMoved.connect(self._changed)
        self._unsubscribe = store.subscribe(self._apply)
        self._apply(store.settings)

    @property
    def pending_tabs(self) -> int:
        """Drafts still waiting for a schema with their method to reopen in."""
        return len(self._pending)

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
        """Keep the tabs (the window is closing): write the drafts, record the open tabs.

        What is being typed (an open cell editor, JSON not parsed yet) is committed first.
        The settings' autosave writes the settings.
        """
        tabs = self._window.tabs
        for i in range(tabs.count()):
            tab = tabs.widget(i)
            if isinstance(tab, MethodTab):
                tab.request.commit_edits()
        self._autosave.mark_dirty()
        self._autosave.flush()  # a failure is logged and shown
        self._store.update(open_tabs=open_tabs_of(self._kept.tabs))

    def save_drafts(self) -> bool:
        """Write the drafts file now (the autosave calls this).

        Returns:
            Whether the file was written (``False``: it already held these drafts).

        Raises:
            StoreError: the drafts could not be saved (the old file is unchanged).
        """
        if not isValid(self):
            return False  # the window is gone (and saved its drafts as it closed)
        self._kept = self.drafts()
        return self._drafts.save(self._kept)

    def drafts(self) -> Drafts:
        """Every request tab as a draft: the open ones, then those waiting for a schema."""
        window = self._window
        target = window.loader.target
        address = target.address if target is not None else ""
        saved = window.workspace_ui.saved
        tabs: list[TabDraft] = []
        current = None
        for i in range(window.tabs.count()):
            widget = window.tabs.widget(i)
            draft = saved.draft_of(widget, address)
            if draft is None:
                continue
            if widget is window.tabs.currentWidget():
                current = len(tabs)
            tabs.append(draft)
        waiting = [i for i, d in enumerate(self._pending) if d is self._current]
        if current is None and waiting:
            current = len(tabs) + waiting[0]
        return Drafts((*tabs, *self._pending), current)

    def close(self) -> None:
        """Stop following the settings and saving drafts (the window is closing)."""
        self._autosave.close()
        self._unsubscribe()
        if preferences.store() is self._store:
            preferences.use(None)

    # -- internals ------------------------------------------------------------------------

    def _on_schema(self, schema: Schema) -> None:
        """Reopen the drafts whose method ``schema`` has; the others keep waiting."""
        if not self._pending:
            return
        methods = [m for service in schema.services() for m in service.methods]
        found, self._pending = split_drafts(self._pending, methods)
        if self._pending:
            logger.info(
                "keeping %d draft(s) for later: %s not in the loaded schema",
                len(self._pending),
                ", ".join(sorted({d.method for d in self._pending})),
            )
        if not found:
            return
        window = self._window
        saved = window.workspace_ui.saved
        shown = None
        for draft, method in found:
            tab = saved.open_draft(schema, method, draft)
            if shown is None or draft is self._current:
                shown = tab
        if shown is not None:
            window.tabs.setCurrentWidget(shown)
            window.show_tabs()
        self._changed()

    def _follow(self, tab: MethodTab) -> None:
        """Save the drafts a moment after each edit of ``tab`` (a new tab counts, too)."""
        binding = self._window.workspace_ui.saved.binding(tab)
        if binding is not None:
            binding.edited.connect(self._changed)
            binding.stateChanged.connect(self._changed)
        self._changed()

    def _changed(self, *_args: object) -> None:
        self._autosave.mark_dirty()

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

"""Window geometry, splitter sizes, recent workspaces and per-server connections.

This is the only place that uses QSettings.

Everything here is disposable UI state (losing it costs a window position), so it lives in
an INI file through ``QSettings`` rather than in the versioned user settings of the core.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter

logger = logging.getLogger(__name__)

#: Bumped when a stored value changes meaning; older state is then ignored, not misread.
STATE_VERSION = 1
MAX_RECENT_WORKSPACES = 8


def default_settings() -> QSettings:
    """The per-user INI file Qt picks for this application (``~/.config/grpc-workbench``)."""
    return QSettings(
        QSettings.Format.IniFormat,
        QSettings.Scope.UserScope,
        "grpc-workbench",
        "window-state",
    )


class UiState:
    """Reads and writes window state; every key is written and read here and nowhere else.

    Args:
        settings: where to store the state; ``None`` for :func:`default_settings`. Tests pass
            a ``QSettings`` on a file in a temporary directory.
    """

    def __init__(self, settings: QSettings | None = None) -> None:
        self._settings = settings if settings is not None else default_settings()
        stored = self._settings.value("version", STATE_VERSION)
        try:
            version = int(str(stored))
        except ValueError:
            version = 0
        if version != STATE_VERSION:
            logger.info("ignoring window state of version %s (want %s)", stored, STATE_VERSION)
            self._settings.clear()
        self._settings.setValue("version", STATE_VERSION)

    @property
    def settings(self) -> QSettings:
        """The underlying store (for tests and diagnostics)."""
        return self._settings

    # -- window and splitters -------------------------------------------------------------

    def save_window(self, window: QMainWindow) -> None:
        """Remember the window's geometry and its toolbar/dock layout."""
        self._settings.setValue("window/geometry", window.saveGeometry())
        self._settings.setValue("window/state", window.saveState(STATE_VERSION))

    def restore_window(self, window: QMainWindow) -> bool:
        """Put the window back where it was; ``False`` when nothing (usable) was stored."""
        geometry = self._bytes("window/geometry")
        state = self._bytes("window/state")
        restored = bool(geometry) and window.restoreGeometry(geometry)
        if state:
            window.restoreState(state, STATE_VERSION)
        return restored

    def save_splitter(self, name: str, splitter: QSplitter) -> None:
        """Remember the sizes of ``splitter`` under ``name``."""
        self._settings.setValue(f"splitters/{name}", splitter.saveState())

    def restore_splitter(self, name: str, splitter: QSplitter) -> bool:
        """Restore the sizes saved under ``name``; ``False`` when there were none."""
        state = self._bytes(f"splitters/{name}")
        return bool(state) and splitter.restoreState(state)

    # -- recent addresses (moved) ---------------------------------------------------------

    def take_recent_addresses(self) -> list[str]:
        """The recent addresses earlier versions kept here, removed as they are read.

        Recent servers now live in the user settings (``Settings.recent_targets``); the
        window moves these there once.
        """
        items = self._strings("recent/addresses")
        self._settings.remove("recent/addresses")
        return items

    # -- recent workspaces ----------------------------------------------------------------

    def recent_workspaces(self) -> list[str]:
        """Workspace folders opened, most recent first."""
        return self._strings("recent/workspaces")[:MAX_RECENT_WORKSPACES]

    def add_recent_workspace(self, directory: str) -> list[str]:
        """Put ``directory`` first in the recent workspaces; returns the new list."""
        items = [directory, *(d for d in self.recent_workspaces() if d != directory)]
        items = items[:MAX_RECENT_WORKSPACES]
        self._settings.setValue("recent/workspaces", items)
        return items

    def forget_recent_workspace(self, directory: str) -> list[str]:
        """Drop ``directory`` from the recent workspaces (it is gone); returns the new list."""
        items = [d for d in self.recent_workspaces() if d != directory]
        self._settings.setValue("recent/workspaces", items)
        return items

    # -- connection settings per server --------------------------------------------------

    def connection_settings(self, address: str) -> dict[str, Any] | None:
        """The connection settings saved for ``address`` (a JSON object), if any."""
        value = self._all_connections().get(address.strip())
        return value if isinstance(value, dict) else None

    def save_connection_settings(self, address: str, settings: dict[str, Any]) -> None:
        """Remember ``settings`` (JSON-ready) for ``address``."""
        stored = self._all_connections()
        stored[address.strip()] = settings
        self._settings.setValue("connections/settings", json.dumps(stored, sort_keys=True))

    def _all_connections(self) -> dict[str, Any]:
        text = self._settings.value("connections/settings", "")
        try:
            stored = json.loads(str(text)) if text else {}
        except ValueError:
            logger.info("ignoring unreadable saved connection settings")
            return {}
        return stored if isinstance(stored, dict) else {}

    def sync(self) -> None:
        """Write pending changes to disk now."""
        self._settings.sync()

    def _strings(self, key: str) -> list[str]:
        value = self._settings.value(key, [])
        # An INI file stores a one-element list as a plain string.
        if isinstance(value, str):
            items: list[object] = [value]
        else:
            items = list(value) if isinstance(value, (list, tuple)) else []
        return [str(a) for a in items if str(a).strip()]

    def _bytes(self, key: str) -> QByteArray:
        value = self._settings.value(key)
        return value if isinstance(value, QByteArray) else QByteArray()

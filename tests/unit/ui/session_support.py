"""A user's profile on disk, for starting the window again and again as a restart does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from tests.unit.ui.calls_support import WAIT_MS
from workbench.core import paths
from workbench.core.settings import SettingsStore
from workbench.core.store.history import History
from workbench.core.store.secrets import FileSecretStore
from workbench.ui.state import UiState
from workbench.ui.views.main_window import MainWindow
from workbench.ui.workspace_controller import WorkspaceController


class Profile:
    """The files a user's settings, window state and drafts live in.

    The drafts file is the default one: the UI tests' ``XDG_STATE_HOME`` is the test's own.
    """

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.settings_path = tmp_path / "config" / "settings.json"
        self.state_path = str(tmp_path / "window-state.ini")

    @property
    def drafts_path(self) -> Path:
        """Where the drafts of the open request tabs are kept."""
        return paths.drafts_path()

    def state(self) -> UiState:
        return UiState(QSettings(self.state_path, QSettings.Format.IniFormat))

    def window(self, qtbot: QtBot, *, workspace: Path | None = None, **kwargs: Any) -> MainWindow:
        """Start: load the settings and window state, open ``workspace``, show a window."""
        store = SettingsStore.load(self.settings_path)
        if workspace is not None:
            controller = WorkspaceController(
                state=self.state(),
                history=History(self.tmp_path / "history.sqlite3"),
                secrets=FileSecretStore(workspace),
            )
            controller.open(workspace, create=True)
            kwargs["workspace"] = controller
        win = MainWindow(state=self.state(), settings=store, **kwargs)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        return win

    def quit(self, qtbot: QtBot, window: MainWindow) -> None:
        """Close the window and save the settings, as the app does at exit."""
        closed: list[bool] = []
        window.closed.connect(lambda: closed.append(True))
        window.close()
        qtbot.waitUntil(lambda: bool(closed), timeout=WAIT_MS)
        window.settings_store.save()

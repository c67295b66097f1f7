"""The File menu's own actions: open .proto files or a protoset, reload, connection, tabs, quit.

The workspace actions (save, workspaces, import/export) are inserted into the same menu by
:class:`~workbench.ui.views.workspace_actions.WorkspaceActions`, before Quit.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog

if TYPE_CHECKING:
    from workbench.ui.views.main_window import MainWindow

logger = logging.getLogger(__name__)

__all__ = ["FileMenu"]

_PROTO_FILTER = "Protocol Buffers (*.proto);;All files (*)"
_PROTOSET_FILTER = "Protosets (*.protoset *.pb *.bin *.desc);;All files (*)"


class FileMenu:
    """Adds the File menu to ``window``'s menu bar (call it before the other menus).

    Actions (public attributes): :attr:`act_open_proto` (Ctrl+O), :attr:`act_open_protoset`,
    :attr:`act_reload` (F5; enabled once there is a source to reload), :attr:`act_connection`,
    :attr:`act_new_tab` (Ctrl+T), :attr:`act_close_tab` (Ctrl+W), :attr:`act_quit`. The file
    dialogs start in the folder the last file was chosen from.

    Args:
        window: the main window; the actions reach its loader and tabs when triggered, so
            they may be built first.
    """

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self._last_dir = str(Path.home())
        self.act_open_proto = QAction("Open .proto files…", window)
        self.act_open_proto.setShortcut(QKeySequence.StandardKey.Open)
        self.act_open_proto.triggered.connect(self.choose_proto_files)
        self.act_open_protoset = QAction("Open protoset…", window)
        self.act_open_protoset.triggered.connect(self.choose_protosets)
        self.act_reload = QAction("Reload schema", window)
        self.act_reload.setIconText("Reload")  # the toolbar's short label
        self.act_reload.setShortcut(QKeySequence.StandardKey.Refresh)
        self.act_reload.setToolTip("Load the schema again from the same server or files (F5)")
        self.act_reload.setEnabled(False)
        self.act_reload.triggered.connect(window.reload_schema)
        self.act_connection = QAction("Connection…", window)
        self.act_connection.setToolTip("TLS, certificates, default metadata and deadline")
        self.act_connection.triggered.connect(window.edit_connection)
        self.act_new_tab = QAction("New request tab", window)
        self.act_new_tab.setShortcut(QKeySequence("Ctrl+T"))
        self.act_new_tab.triggered.connect(window.new_tab)
        self.act_close_tab = QAction("Close tab", window)
        self.act_close_tab.setShortcut(QKeySequence("Ctrl+W"))
        # Through a lambda: the tabs are built after the actions.
        self.act_close_tab.triggered.connect(lambda: window.tabs.close_current())  # noqa: PLW0108
        window.addActions([self.act_new_tab, self.act_close_tab])
        self.act_quit = QAction("Quit", window)
        self.act_quit.setShortcut(QKeySequence.StandardKey.Quit)
        self.act_quit.triggered.connect(window.close)

        self.menu = menu = window.menuBar().addMenu("&File")
        menu.addActions([self.act_open_proto, self.act_open_protoset, self.act_reload])
        menu.addSeparator()
        menu.addActions([self.act_connection, self.act_new_tab, self.act_close_tab])
        menu.addSeparator()
        menu.addAction(self.act_quit)

    def choose_proto_files(self) -> None:
        """Ask for .proto files and load them (nothing when the dialog is cancelled)."""
        files = self._choose("Open .proto files", _PROTO_FILTER)
        if files:
            self._window.open_proto_files(files)

    def choose_protosets(self) -> None:
        """Ask for protoset files and load them (nothing when the dialog is cancelled)."""
        files = self._choose("Open protoset", _PROTOSET_FILTER)
        if files:
            self._window.open_protosets(files)

    def _choose(self, title: str, filters: str) -> list[str]:
        files, _ = QFileDialog.getOpenFileNames(self._window, title, self._last_dir, filters)
        if files:
            self._last_dir = str(Path(files[0]).parent)
        return list(files)

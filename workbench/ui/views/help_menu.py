"""The Help menu: keyboard shortcuts, the log folder, and About."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QMainWindow
from shiboken6 import isValid

from workbench.core.paths import log_dir
from workbench.ui.views.about_dialog import AboutDialog
from workbench.ui.views.shortcuts_dialog import ShortcutsDialog

logger = logging.getLogger(__name__)

__all__ = ["HelpMenu"]


class HelpMenu:
    """Adds the Help menu to ``window``'s menu bar (call it after the other menus).

    Actions (public attributes): :attr:`act_shortcuts` (Ctrl+/), :attr:`act_log_folder`,
    :attr:`act_about`. The dialogs open non-modally; the last one opened is kept in
    :attr:`dialog` (for tests and screenshots).

    Args:
        window: the main window.
    """

    def __init__(self, window: QMainWindow) -> None:
        self._window = window
        self.dialog: AboutDialog | ShortcutsDialog | None = None
        self.menu = window.menuBar().addMenu("&Help")
        self.menu.setObjectName("helpMenu")
        self.act_shortcuts = QAction("Keyboard shortcuts…", window)
        self.act_shortcuts.setShortcut(QKeySequence("Ctrl+/"))
        self.act_shortcuts.triggered.connect(self.show_shortcuts)
        self.act_log_folder = QAction("Open log folder", window)
        self.act_log_folder.setToolTip(str(log_dir()))
        self.act_log_folder.triggered.connect(self.open_log_folder)
        self.act_about = QAction("About gRPC Workbench", window)
        self.act_about.setMenuRole(QAction.MenuRole.AboutRole)
        self.act_about.triggered.connect(self.show_about)
        self.menu.addAction(self.act_shortcuts)
        self.menu.addAction(self.act_log_folder)
        self.menu.addSeparator()
        self.menu.addAction(self.act_about)
        window.addAction(self.act_shortcuts)

    def show_shortcuts(self) -> ShortcutsDialog:
        """Open the list of keyboard shortcuts."""
        dialog = ShortcutsDialog(self._window)
        self._show(dialog)
        return dialog

    def show_about(self) -> AboutDialog:
        """Open the About dialog."""
        dialog = AboutDialog(self._window)
        self._show(dialog)
        return dialog

    def open_log_folder(self) -> bool:
        """Open the log folder in the file manager; ``False`` (and a status note) on failure."""
        folder = log_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)  # a file manager cannot open nothing
        except OSError as exc:
            logger.warning("cannot create the log folder %s: %s", folder, exc.strerror)
        opened = QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
        if not opened:
            logger.info("no application opened %s", folder)
            self._window.statusBar().showMessage(
                f"Could not open the log folder; it is {folder}", 10_000
            )
        return bool(opened)

    def _show(self, dialog: AboutDialog | ShortcutsDialog) -> None:
        if self.dialog is not None and isValid(self.dialog):
            self.dialog.close()
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setModal(False)
        self.dialog = dialog
        dialog.show()

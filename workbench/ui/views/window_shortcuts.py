"""The window's keyboard actions: the Go and Request menus, and Settings….

=================  ================================================================
Ctrl+L             put the cursor in the address bar (text selected)
Ctrl+F             put the cursor in the schema filter box
Ctrl+P             quick-open any method by a few letters of its name
Ctrl+Enter         send the request of the tab shown (also Ctrl+Return)
Esc                cancel the call of the tab shown (only while one runs, so Esc keeps
                   closing popups and cancelling cell edits otherwise)
Ctrl+,             open the settings
=================  ================================================================

They are ``QAction`` s on the window, so the shortcuts dialog lists them and there is one
owner per key: a tab's widgets must not register the same keys.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from google.protobuf.descriptor import MethodDescriptor
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu
from shiboken6 import isValid

from workbench.ui.views.quick_open import QuickOpen
from workbench.ui.views.settings_dialog import SettingsDialog

if TYPE_CHECKING:
    from workbench.ui.views.main_window import MainWindow
    from workbench.ui.views.request_tab import RequestTab

logger = logging.getLogger(__name__)

__all__ = ["WindowShortcuts"]

_WATCHED = "cancelShortcutWatched"


class WindowShortcuts(QObject):
    """Creates the navigation, request and settings actions of ``window``.

    Actions (public attributes): :attr:`act_focus_address`, :attr:`act_focus_filter`,
    :attr:`act_quick_open`, :attr:`act_send`, :attr:`act_cancel`, :attr:`act_settings`.
    The object emits no signals of its own.

    Args:
        window: the main window; it must have its address bar, browser and tabs already.
        settings_menu: the menu that gets "Settings…" (``None``: only the shortcut works).
        settings_before: the action in ``settings_menu`` to put it before (``None``: last).
    """

    def __init__(
        self,
        window: MainWindow,
        settings_menu: QMenu | None = None,
        settings_before: QAction | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self.palette: QuickOpen | None = None
        self.settings_dialog: SettingsDialog | None = None

        self.act_focus_address = self._action("Go to address bar", "Ctrl+L", self.focus_address)
        self.act_focus_filter = self._action(
            "Find in schema", QKeySequence.StandardKey.Find, window.browser.focus_filter
        )
        self.act_quick_open = self._action("Go to method…", "Ctrl+P", self.quick_open)
        self.act_send = self._action("Send", "Ctrl+Return", self.send)
        self.act_send.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.act_send.setToolTip("Send the request (on an open stream: send another message)")
        self.act_cancel = self._action("Cancel call", Qt.Key.Key_Escape, self.cancel)
        self.act_settings = self._action("Settings…", "Ctrl+,", self.open_settings)
        self.act_settings.setMenuRole(QAction.MenuRole.PreferencesRole)

        go = window.menuBar().addMenu("&Go")
        go.addActions([self.act_focus_address, self.act_focus_filter, self.act_quick_open])
        request = window.menuBar().addMenu("&Request")
        request.addActions([self.act_send, self.act_cancel])
        if settings_menu is not None and settings_before is not None:
            settings_menu.insertSeparator(settings_before)
            settings_menu.insertAction(settings_before, self.act_settings)
        elif settings_menu is not None:
            settings_menu.addSeparator()
            settings_menu.addAction(self.act_settings)
        window.welcome.connectRequested.connect(self.focus_address)
        window.tabs.currentChanged.connect(self._on_current_tab)
        self._on_current_tab()

    # -- slots ----------------------------------------------------------------------------

    def focus_address(self) -> None:
        """Put the cursor in the address bar with its text selected (Ctrl+L)."""
        box = self._window.address_box
        box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        line = box.lineEdit()
        if line is not None:
            line.selectAll()

    def quick_open(self) -> QuickOpen | None:
        """Open the method palette over the loaded schema (Ctrl+P)."""
        schema = self._window.loader.schema
        if schema is None:
            self._window.statusBar().showMessage(
                "Connect to a server or open .proto files first: there are no methods yet", 6000
            )
            return None
        if self.palette is None:
            self.palette = QuickOpen(self._window)
            self.palette.methodChosen.connect(self._open_method)
        self.palette.set_schema(schema)
        self.palette.popup(self._window)
        return self.palette

    def send(self) -> None:
        """Send the request of the tab shown (Ctrl+Enter)."""
        request = self._current_request()
        if request is not None:
            request.send()

    def cancel(self) -> None:
        """Cancel the call of the tab shown (Esc)."""
        request = self._current_request()
        if request is not None:
            request.cancel()

    def open_settings(self) -> SettingsDialog:
        """Show the settings dialog (Ctrl+,); one at a time."""
        dialog = self.settings_dialog
        if dialog is None or not isValid(dialog):
            dialog = SettingsDialog(self._window.settings_store, self._window)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.settings_dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    # -- internals ------------------------------------------------------------------------

    def _action(
        self,
        text: str,
        keys: str | QKeySequence.StandardKey | Qt.Key,
        slot: Callable[[], object],
    ) -> QAction:
        action = QAction(text, self._window)
        action.setShortcut(QKeySequence(keys))
        action.triggered.connect(lambda _checked=False: slot())
        self._window.addAction(action)  # active wherever the focus is in the window
        return action

    def _open_method(self, method: MethodDescriptor) -> None:
        window = self._window
        window.browser.select(method.full_name)
        tab = window.open_method(method, pin=True)
        if tab is not None:
            tab.request.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def _current_request(self) -> RequestTab | None:
        tab = self._window.tabs.current_tab()
        return tab.request if tab is not None else None

    def _on_current_tab(self, _index: int = -1) -> None:
        request = self._current_request()
        if request is not None and not request.property(_WATCHED):
            request.setProperty(_WATCHED, True)
            request.runningChanged.connect(lambda _running: self._sync())
        self._sync()

    def _sync(self) -> None:
        request = self._current_request()
        self.act_send.setEnabled(request is not None)
        # Esc belongs to popups, cell editors and dialogs unless a call can be cancelled.
        self.act_cancel.setEnabled(request is not None and request.runner.running)

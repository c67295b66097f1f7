"""Screenshots of the application chrome: welcome, quick-open, settings, About, shortcuts.

Run through ``scripts/screenshots.py`` (which calls :func:`shoot_app` last); every window
gets settings of its own in a temporary folder, so reruns give the same pictures and the
user's own settings are never read or written.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QWidget
from screenshots import (
    DEMO_SERVICE,
    SIZE,
    close,
    fresh_settings,
    fresh_state,
    open_tab,
    settle,
    wait_for,
)

from workbench.core.settings import SettingsStore
from workbench.ui import theme
from workbench.ui.appearance import Appearance
from workbench.ui.views.connect import Phase
from workbench.ui.views.main_window import MainWindow
from workbench.ui.views.settings_dialog import SettingsDialog

__all__ = ["shoot_app"]

logger = logging.getLogger("screenshots")


def _window(state_dir: Path, address: str, store: SettingsStore | None = None) -> MainWindow:
    """A window with fresh state and settings; its demo button "starts" ``address``."""
    state = fresh_state(state_dir)
    settings = store or fresh_settings(state_dir)

    async def demo() -> str:
        return address

    window = MainWindow(state=state, settings=settings, demo=demo)
    window.resize(*SIZE)
    window.show()
    return window


def _current_method(window: MainWindow) -> str:
    tab = window.tabs.current_tab()
    return tab.full_name if tab is not None else ""


def _save(pixmap: QPixmap, out: Path, name: str) -> None:
    path = out / f"{name}.png"
    if not pixmap.save(str(path)):
        raise OSError(f"could not write {path}")
    logger.info("saved %s", path.name)


def _composite(window: QWidget, *overlays: QWidget) -> QPixmap:
    """The window with popups and dialogs painted where they are on screen, outlined.

    Offscreen there is no window manager to draw frames or shadows.
    """
    pixmap = window.grab()
    painter = QPainter(pixmap)
    origin = window.mapToGlobal(QPoint(0, 0))
    for overlay in overlays:
        top_left = overlay.mapToGlobal(QPoint(0, 0)) - origin
        painter.drawPixmap(top_left, overlay.grab())
        painter.setPen(QColor("#71717a"))
        painter.drawRect(QRect(top_left, overlay.size()).adjusted(0, 0, -1, -1))
    painter.end()
    return pixmap


def _center_over(dialog: QWidget, window: QWidget) -> None:
    center = window.mapToGlobal(window.rect().center())
    dialog.move(center - QPoint(dialog.width() // 2, dialog.height() // 2))


async def shoot_app(address: str, out: Path, state_dir: Path) -> None:
    """Welcome, quick-open, settings (and the dark theme it switches to), About, shortcuts."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    store = SettingsStore.load(state_dir / "settings-app.json")
    appearance = Appearance(app, store)  # what the app does at start: the theme follows it
    store.update(theme="light")
    window = _window(state_dir, address, store)
    await settle()
    _save(window.grab(), out, "25-welcome")

    window.welcome.demo_button.click()  # "Try the demo server": here, the running one
    await wait_for(lambda: window.loader.state.phase is Phase.READY, "the demo connection")
    await open_tab(window, "Chat")
    palette = window.shortcuts.quick_open()
    assert palette is not None
    palette.filter_edit.setText("dsecho")
    await settle()
    _save(_composite(window, palette), out, "26-quick-open")
    palette.choose_current()
    await wait_for(lambda: _current_method(window) == f"{DEMO_SERVICE}.Echo", "the Echo tab")

    dialog = window.shortcuts.open_settings()
    assert isinstance(dialog, SettingsDialog)
    _center_over(dialog, window)
    await settle()
    _save(dialog.grab(), out, "27-settings")
    dialog.theme_box.setCurrentIndex(dialog.theme_box.findData("dark"))  # applied at once
    dialog.font_size.setValue(12)
    await settle()
    _save(_composite(window, dialog), out, "28-settings-dark")
    dialog.close()

    about = window.help.show_about()
    _center_over(about, window)
    await settle()
    _save(about.grab(), out, "29-about")
    about.close()

    shortcuts = window.help.show_shortcuts()
    _center_over(shortcuts, window)
    await settle()
    _save(shortcuts.grab(), out, "30-shortcuts")
    shortcuts.close()
    await close(window)

    dark = _window(state_dir, address, store)  # a first start in the dark theme
    dark.browser.filter_edit.setFocus(Qt.FocusReason.OtherFocusReason)
    await settle()
    _save(dark.grab(), out, "31-welcome-dark")
    await close(dark)
    appearance.close()
    theme.reset()
    theme.apply_theme(app, "light", extra_sheet="")

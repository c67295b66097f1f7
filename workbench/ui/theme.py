"""Light and dark appearance that follows the system colour scheme."""

from __future__ import annotations

import logging
import string
from dataclasses import asdict, dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from workbench.ui import resources

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Colors:
    """The few colours the style sheet and status texts need beyond the palette."""

    ok: str
    busy: str
    error: str
    error_bg: str
    error_text: str
    warning: str
    warning_bg: str
    warning_text: str
    border: str


LIGHT = Colors(
    ok="#15803d",
    busy="#1d4ed8",
    error="#dc2626",
    error_bg="#fef2f2",
    error_text="#991b1b",
    warning="#d97706",
    warning_bg="#fffbeb",
    warning_text="#92400e",
    border="#d4d4d8",
)
DARK = Colors(
    ok="#4ade80",
    busy="#93c5fd",
    error="#f87171",
    error_bg="#3b1518",
    error_text="#fecaca",
    warning="#fbbf24",
    warning_bg="#3a2a0a",
    warning_text="#fde68a",
    border="#3f3f46",
)


def is_dark() -> bool:
    """Whether the system asks for a dark appearance."""
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        return False
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


def colors() -> Colors:
    """The colours of the system's current scheme."""
    return DARK if is_dark() else LIGHT


def apply_theme(app: QApplication, scheme: str = "system") -> None:
    """Use Fusion with a palette and style sheet for the colour scheme.

    Args:
        app: the application.
        scheme: ``"system"`` to follow the system (also when it changes later), or
            ``"light"``/``"dark"`` to force one (screenshots, tests).
    """
    app.setStyle("Fusion")
    if scheme == "system":
        _apply(app, is_dark())
        app.styleHints().colorSchemeChanged.connect(lambda _scheme: _apply(app, is_dark()))
    else:
        _apply(app, scheme == "dark")


def _apply(app: QApplication, dark: bool) -> None:
    style = app.style()
    app.setPalette(dark_palette() if dark else style.standardPalette())
    sheet = string.Template(resources.read_text("themes", "workbench.qss"))
    app.setStyleSheet(sheet.safe_substitute(asdict(DARK if dark else LIGHT)))
    logger.debug("applied the %s theme", "dark" if dark else "light")


def dark_palette() -> QPalette:
    """A neutral dark palette for Fusion."""
    p = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    base, window, text = QColor("#1e1e22"), QColor("#2a2a2f"), QColor("#e4e4e7")
    p.setColor(role.Window, window)
    p.setColor(role.WindowText, text)
    p.setColor(role.Base, base)
    p.setColor(role.AlternateBase, QColor("#26262b"))
    p.setColor(role.ToolTipBase, QColor("#3f3f46"))
    p.setColor(role.ToolTipText, text)
    p.setColor(role.PlaceholderText, QColor("#a1a1aa"))
    p.setColor(role.Text, text)
    p.setColor(role.Button, window)
    p.setColor(role.ButtonText, text)
    p.setColor(role.BrightText, QColor("#f87171"))
    p.setColor(role.Link, QColor("#93c5fd"))
    p.setColor(role.Highlight, QColor("#2563eb"))
    p.setColor(role.HighlightedText, QColor("#ffffff"))
    p.setColor(role.Light, QColor("#3f3f46"))
    p.setColor(role.Mid, QColor("#27272a"))
    p.setColor(role.Dark, QColor("#18181b"))
    disabled = QColor("#71717a")
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(group.Disabled, r, disabled)
    return p

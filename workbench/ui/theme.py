"""Light and dark appearance: follows the system colour scheme, or a forced one.

:func:`apply_theme` styles the application; :func:`is_dark` and :func:`colors` answer for
the scheme in effect (the forced one, else the system's), so widgets that pick colours in
code agree with the palette.
"""

from __future__ import annotations

import logging
import string
from dataclasses import asdict, dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from workbench.ui import resources

logger = logging.getLogger(__name__)

#: The style sheet template in ``resources/themes/`` (a test points it at a missing file).
STYLE_SHEET = "workbench.qss"

# The scheme asked for ("system", "light" or "dark"), a style sheet appended to the theme's
# (the editor font), and whether the system-scheme signal is connected yet.
_scheme = "system"
_extra_sheet = ""
_following: set[int] = set()


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
    """Whether the appearance in effect is dark (a forced scheme, else the system's)."""
    if _scheme in ("light", "dark"):
        return _scheme == "dark"
    return system_is_dark()


def system_is_dark() -> bool:
    """Whether the system asks for a dark appearance."""
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        return False
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


def colors() -> Colors:
    """The colours of the scheme in effect."""
    return DARK if is_dark() else LIGHT


def apply_theme(
    app: QApplication, scheme: str = "system", *, extra_sheet: str | None = None
) -> None:
    """Use Fusion with a palette and style sheet for the colour scheme.

    Args:
        app: the application.
        scheme: ``"system"`` to follow the system (also when it changes later), or
            ``"light"``/``"dark"`` to force one.
        extra_sheet: style sheet rules to append to the theme's (the editor font);
            ``None`` keeps the ones given before.
    """
    global _scheme, _extra_sheet  # noqa: PLW0603 - the one application's appearance
    _scheme = scheme if scheme in ("light", "dark") else "system"
    if extra_sheet is not None:
        _extra_sheet = extra_sheet
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    if id(app) not in _following:
        # Connected once: applying a theme again must not stack up handlers.
        _following.add(id(app))
        app.styleHints().colorSchemeChanged.connect(lambda _scheme: _follow_system(app))
    _apply(app, is_dark())


def reset() -> None:
    """Forget a forced scheme and extra rules (tests put the application back with it)."""
    global _scheme, _extra_sheet
    _scheme, _extra_sheet = "system", ""


def _follow_system(app: QApplication) -> None:
    if _scheme == "system":
        _apply(app, is_dark())


def _apply(app: QApplication, dark: bool) -> None:
    style = app.style()
    app.setPalette(dark_palette() if dark else style.standardPalette())
    template = resources.read_text("themes", STYLE_SHEET)
    if not template:  # read_text logged why; the palette alone still gives a usable app
        logger.warning("theme style sheet %s is missing: using the plain palette", STYLE_SHEET)
    sheet = string.Template(template).safe_substitute(asdict(DARK if dark else LIGHT))
    app.setStyleSheet(sheet + ("\n" + _extra_sheet if _extra_sheet else ""))
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

"""Applies the appearance settings (theme, editor font) to the application, live.

:class:`Appearance` applies them once when created and again whenever the store changes
one of them, so the Settings dialog's choices show at once in every window. The editor
font reaches the text panes through the application style sheet, by class name or object
name, so editors created later (a new tab's) get it too without being told.
"""

from __future__ import annotations

import logging
import re

from PySide6.QtWidgets import QApplication

from workbench.core.settings import Settings, SettingsStore
from workbench.ui import theme

logger = logging.getLogger(__name__)

__all__ = ["EDITOR_SELECTORS", "Appearance", "editor_font_sheet"]

#: The text panes that use the editor font: the request JSON editor, the definition panes,
#: the response JSON and the timeline's detail views.
EDITOR_SELECTORS = (
    "JsonEditor",
    "QPlainTextEdit#detailPane",
    "QPlainTextEdit#methodDefinitions",
    "QPlainTextEdit#responseJson",
    "TimelineDetailPane QPlainTextEdit",
)
_UNSAFE = re.compile(r'["\\{};\n\r]')


def editor_font_sheet(family: str, size: int) -> str:
    """The style sheet rule giving the editor panes ``family`` at ``size`` points."""
    safe = _UNSAFE.sub("", family).strip() or "monospace"
    selectors = ",\n".join(EDITOR_SELECTORS)
    return f'{selectors} {{\n    font-family: "{safe}";\n    font-size: {int(size)}pt;\n}}\n'


class Appearance:
    """Keeps the application's theme and editor font in line with a settings store.

    Args:
        app: the application to style.
        store: the settings; their ``theme``, ``editor_font_family`` and
            ``editor_font_size`` are applied now and after every change.
    """

    def __init__(self, app: QApplication, store: SettingsStore) -> None:
        self._app = app
        self._applied: tuple[str, str, int] | None = None
        self.apply(store.settings)
        self._unsubscribe = store.subscribe(self.apply)

    def apply(self, settings: Settings) -> None:
        """Apply ``settings``' theme and editor font (nothing when they did not change)."""
        wanted = (settings.theme, settings.editor_font_family, settings.editor_font_size)
        if wanted == self._applied:
            return
        self._applied = wanted
        sheet = editor_font_sheet(settings.editor_font_family, settings.editor_font_size)
        theme.apply_theme(self._app, settings.theme, extra_sheet=sheet)
        logger.debug("appearance: %s theme, editor font %s %spt", *wanted)

    def close(self) -> None:
        """Stop following the store."""
        self._unsubscribe()

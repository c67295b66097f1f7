"""The settings in effect, for widgets made long after the window (a new stream's timeline).

The window installs its :class:`~workbench.core.settings.SettingsStore` here with
:func:`use`; code deep in a tab reads :func:`current` instead of having the store passed
down through every layer. Without a store, the defaults apply.
"""

from __future__ import annotations

from workbench.core.settings import Settings, SettingsStore

__all__ = ["current", "store", "use"]

_store: SettingsStore | None = None
_DEFAULTS = Settings()


def use(new: SettingsStore | None) -> None:
    """Make ``new`` the store in effect (``None``: the defaults)."""
    global _store  # noqa: PLW0603 - one app-wide store, set by the window that owns it
    _store = new


def store() -> SettingsStore | None:
    """The store in effect, if any."""
    return _store


def current() -> Settings:
    """The settings in effect."""
    return _store.settings if _store is not None else _DEFAULTS

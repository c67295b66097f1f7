"""The user's settings: a typed, validated, versioned ``settings.json`` in the config folder.

:class:`Settings` is an immutable value; every instance is valid (its constructor checks
each field). :class:`SettingsStore` owns the file: it loads it, hands out the current
:class:`Settings`, applies changes (:meth:`SettingsStore.update`), tracks whether memory
differs from disk (``dirty``) and saves atomically. :func:`autosave` connects a store to a
:class:`~workbench.core.savemanager.SaveManager`, which saves a moment after the last change.

Reading never fails and never loses anything (qutebrowser ``config/configfiles.py``,
napari ``settings/_migrations.py``):

- missing file: defaults (a first start is not a problem, so this is only logged at INFO);
- not JSON, not a settings file, or unreadable as such: defaults, a WARNING naming the file
  and the problem, and the file is moved aside as ``settings.json.corrupt-<timestamp>``;
- an older format version: upgraded in memory, one step per version (``migrations.py``);
  the first save keeps the original as ``settings.json.v<N>.bak``;
- a newer format version (or a file that cannot be read at all): defaults in memory, a
  WARNING, and the file is left untouched: :meth:`SettingsStore.save` refuses with
  :class:`~workbench.core.errors.SettingsSaveRefused` rather than overwrite it;
- one bad field: that field's default and a WARNING; the other fields are kept;
- unknown fields: kept and written back unchanged (a hand edit, or an add-on's key).
"""

from workbench.core.settings.migrations import MIGRATIONS, SETTINGS_VERSION, migrate
from workbench.core.settings.store import SettingsStore, autosave, settings_path
from workbench.core.settings.values import (
    FIELD_NAMES,
    MAX_RECENT_TARGETS,
    THEMES,
    OpenTab,
    Settings,
    Theme,
)

__all__ = [
    "FIELD_NAMES",
    "MAX_RECENT_TARGETS",
    "MIGRATIONS",
    "SETTINGS_VERSION",
    "THEMES",
    "OpenTab",
    "Settings",
    "SettingsStore",
    "Theme",
    "autosave",
    "migrate",
    "settings_path",
]

"""Upgrades of older settings files, one step per format version.

``MIGRATIONS[n]`` turns the body of a version ``n`` file (the object without its ``format``
and ``version`` header) into version ``n + 1``; the current version is the number of steps.
To change the format: append a step, and the loader applies every step a file still needs.
A step must not fail on values of the wrong type: it passes them on unchanged, and the field
checks report them and fall back to the default.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final

logger = logging.getLogger(__name__)

__all__ = ["MIGRATIONS", "SETTINGS_VERSION", "Migration", "migrate"]

Migration = Callable[[dict[str, Any]], dict[str, Any]]


def _v0_to_v1(doc: dict[str, Any]) -> dict[str, Any]:
    """Version 0 (the pre-release layout without a header) to version 1.

    Version 0 was a flat object: ``dark_mode`` (bool), ``font`` (``"Family Size"``),
    ``deadline_ms`` (int, 0 for none), ``recent`` (list) and ``history_limit``. Values of the
    wrong type are passed on unchanged, for the field checks to report.
    """
    old = dict(doc)
    new: dict[str, Any] = {}
    if "dark_mode" in old:
        dark = old.pop("dark_mode")
        new["theme"] = ("dark" if dark else "system") if isinstance(dark, bool) else dark
    if "font" in old:
        font = old.pop("font")
        family, _, size = font.rpartition(" ") if isinstance(font, str) else ("", "", "")
        if family and size.isdigit():
            new["editor_font_family"], new["editor_font_size"] = family, int(size)
        else:
            new["editor_font_family"] = font
    if "deadline_ms" in old:
        ms = old.pop("deadline_ms")
        is_number = isinstance(ms, int | float | Decimal) and not isinstance(ms, bool)
        new["default_deadline_seconds"] = (float(ms) / 1000 or None) if is_number else ms
    if "recent" in old:
        new["recent_targets"] = old.pop("recent")
    if "history_limit" in old:
        new["history_max_entries"] = old.pop("history_limit")
    new.update(old)  # anything else is carried over as an unknown field
    return new


#: ``MIGRATIONS[n]`` turns a version ``n`` document into version ``n + 1``.
MIGRATIONS: Final[tuple[Migration, ...]] = (_v0_to_v1,)

#: The format version this code writes (and the newest it reads).
SETTINGS_VERSION: Final = len(MIGRATIONS)


def migrate(
    body: dict[str, Any], version: int, migrations: tuple[Migration, ...] = MIGRATIONS
) -> dict[str, Any]:
    """Upgrade a document body (header removed) from ``version`` to ``len(migrations)``.

    Raises:
        ValueError: ``version`` is negative or newer than the migrations know.
    """
    if not 0 <= version <= len(migrations):
        raise ValueError(f"cannot migrate settings version {version}")
    for step in range(version, len(migrations)):
        body = migrations[step](body)
        logger.info("migrated settings from version %d to %d", step, step + 1)
    return body

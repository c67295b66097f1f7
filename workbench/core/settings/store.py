"""The settings file: loading (with repairs and upgrades), change tracking, atomic saving."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from workbench.core.errors import (
    FileFormatError,
    SettingsSaveRefused,
    SettingValueError,
    StoreError,
    WorkbenchError,
)
from workbench.core.paths import config_dir
from workbench.core.savemanager import SaveManager
from workbench.core.settings.migrations import SETTINGS_VERSION, migrate
from workbench.core.settings.values import FIELD_NAMES, MAX_RECENT_TARGETS, Settings
from workbench.core.store.atomic import atomic_write, read_with_fingerprint
from workbench.core.store.documents import FORMAT_PREFIX, dump_document, load_json_bytes

logger = logging.getLogger(__name__)

__all__ = ["SettingsStore", "autosave", "settings_path"]

_KIND: Final = "settings"


def settings_path() -> Path:
    """The settings file: ``<config dir>/settings.json``."""
    return config_dir() / "settings.json"


class SettingsStore:
    """The settings file and the settings read from it.

    Create it with :meth:`load`. Changes go through :meth:`update` (or the helpers built on
    it), which notifies subscribers and marks the store dirty; :meth:`save` writes the file.

    Args:
        path: the settings file; ``None`` for :func:`settings_path`.
    """

    def __init__(self, path: Path | None = None) -> None:
        self._path = path if path is not None else settings_path()
        self._settings = Settings()
        self._extra: dict[str, Any] = {}
        self._problems: list[str] = []
        self._refusal: SettingsSaveRefused | None = None
        self._backup: tuple[Path, bytes] | None = None  # the pre-migration file, kept once
        self._dirty = False
        self._subscribers: list[Callable[[Settings], None]] = []

    @classmethod
    def load(cls, path: Path | None = None) -> SettingsStore:
        """Read the settings file; never raises (see the module docstring for what happens).

        Args:
            path: the settings file; ``None`` for :func:`settings_path`.
        """
        store = cls(path)
        store._read()
        return store

    @property
    def path(self) -> Path:
        """The settings file."""
        return self._path

    @property
    def settings(self) -> Settings:
        """The current settings."""
        return self._settings

    @property
    def dirty(self) -> bool:
        """Whether the settings in memory differ from the file."""
        return self._dirty

    @property
    def problems(self) -> list[str]:
        """What was wrong with the file when it was loaded (each also logged as a WARNING)."""
        return list(self._problems)

    @property
    def writable(self) -> bool:
        """Whether :meth:`save` may write the file (``False`` for a newer version's file)."""
        return self._refusal is None

    def update(self, **changes: Any) -> Settings:
        """Change some fields, e.g. ``store.update(theme="dark")``.

        Returns:
            The new settings.

        Raises:
            SettingValueError: an unknown field, or a value of the wrong type or range;
                nothing is changed then.
        """
        unknown = sorted(set(changes) - set(FIELD_NAMES))
        if unknown:
            raise SettingValueError(unknown[0], "there is no such setting")
        new = dataclasses.replace(self._settings, **changes)
        if new != self._settings:
            self._settings = new
            self._dirty = True
            for callback in list(self._subscribers):
                callback(new)
        return new

    def remember_target(self, address: str) -> Settings:
        """Move ``address`` to the front of the recent targets (keeping at most 15)."""
        address = address.strip()
        rest = [a for a in self._settings.recent_targets if a != address]
        return self.update(
            recent_targets=([address] if address else []) + rest[: MAX_RECENT_TARGETS - 1]
        )

    def forget_target(self, address: str) -> Settings:
        """Remove ``address`` from the recent targets."""
        kept = [a for a in self._settings.recent_targets if a != address]
        return self.update(recent_targets=kept)

    def subscribe(self, callback: Callable[[Settings], None]) -> Callable[[], None]:
        """Call ``callback(settings)`` after every change; returns the unsubscribe function."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def to_bytes(self) -> bytes:
        """The file content for the current settings (format header, fields, unknown fields)."""
        body = self._settings.to_body()
        body.update((k, v) for k, v in sorted(self._extra.items()) if k not in body)
        return dump_document(_KIND, SETTINGS_VERSION, body)

    def save(self) -> bool:
        """Write the file if the settings changed since it was read or written.

        Returns:
            Whether the file was written.

        Raises:
            SettingsSaveRefused: the file belongs to a newer version, or could not be read;
                it is left as it is and the settings stay dirty.
            StoreWriteError: the file could not be written (the old one is unchanged).
        """
        if not self._dirty:
            return False
        if self._refusal is not None:
            raise self._refusal
        self._path.parent.mkdir(parents=True, exist_ok=True)
        if self._backup is not None:
            backup, original = self._backup
            if not backup.exists():
                atomic_write(backup, original, what=f"the settings backup {backup}")
                logger.info("kept the settings file from before the upgrade as %s", backup)
            self._backup = None
        atomic_write(self._path, self.to_bytes(), what=f"the settings file {self._path}")
        self._dirty = False
        logger.debug("saved %s", self._path)
        return True

    # -- reading ------------------------------------------------------------------------------

    def _read(self) -> None:
        try:
            data, _ = read_with_fingerprint(self._path)
        except FileNotFoundError:
            logger.info("no settings file at %s yet; using the defaults", self._path)
            return
        except StoreError as exc:
            self._refuse(str(exc), "make the file readable, then restart")
            return
        try:
            body, version = self._parse(data)
        except FileFormatError as exc:
            self._set_corrupt(exc.message)
            return
        if version > SETTINGS_VERSION:
            self._refuse(
                f"{self._path}: written by a newer grpc-workbench (settings version {version};"
                f" this version reads up to {SETTINGS_VERSION})",
                "update grpc-workbench, or move the file away to start from the defaults",
            )
            return
        if version < SETTINGS_VERSION:
            try:
                body = migrate(body, version)
            except (TypeError, ValueError, KeyError, AttributeError) as exc:
                self._set_corrupt(f"{self._path}: cannot upgrade from version {version}: {exc}")
                return
            self._backup = (self._path.with_name(f"{self._path.name}.v{version}.bak"), data)
            self._dirty = True  # written in the current format at the next save
        self._settings, self._extra, problems = Settings.from_body(body)
        for problem in problems:
            self._report(f"{self._path}: {problem}")

    def _parse(self, data: bytes) -> tuple[dict[str, Any], int]:
        doc = load_json_bytes(data, self._path)
        if not isinstance(doc, dict):
            raise FileFormatError(
                f"{self._path}: expected a JSON object, found {type(doc).__name__}"
            )
        if "format" not in doc and "version" not in doc:
            return doc, 0  # the version 0 layout had no header
        expected = FORMAT_PREFIX + _KIND
        if doc.get("format") != expected:
            raise FileFormatError(
                f'{self._path}: not a settings file (expected "format": "{expected}", '
                f"found {doc.get('format')!r})"
            )
        version = doc.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 0:
            raise FileFormatError(
                f'{self._path}: "version" must be a whole number, found {version!r}'
            )
        body = {k: v for k, v in doc.items() if k not in ("format", "version")}
        return body, version

    def _report(self, problem: str) -> None:
        self._problems.append(problem)
        logger.warning("%s", problem)

    def _refuse(self, problem: str, hint: str) -> None:
        self._report(f"{problem}; using the default settings and leaving the file unchanged")
        self._refusal = SettingsSaveRefused(
            f"not saving the settings: {problem}",
            path=self._path,
            hint=hint + "; changes made now last until the app quits",
        )

    def _set_corrupt(self, problem: str) -> None:
        """Move the unusable file aside, so the next save cannot overwrite it."""
        stamp = time.strftime("%Y%m%dT%H%M%S")
        aside = self._path.with_name(f"{self._path.name}.corrupt-{stamp}")
        counter = 1
        while aside.exists():
            aside = self._path.with_name(f"{self._path.name}.corrupt-{stamp}-{counter}")
            counter += 1
        try:
            os.replace(self._path, aside)
        except OSError as exc:
            self._refuse(
                f"{problem} (and it could not be moved aside: {exc.strerror})", "fix or remove it"
            )
            return
        self._report(f"{problem}; using the default settings (the file was kept as {aside.name})")


def autosave(
    store: SettingsStore,
    *,
    loop: asyncio.AbstractEventLoop | None = None,
    delay: float = 1.0,
    on_error: Callable[[WorkbenchError], None] | None = None,
) -> SaveManager:
    """Save ``store`` ``delay`` seconds after its last change; call ``close()`` at exit.

    A store that is already dirty (just upgraded from an older version) is saved soon.

    Args:
        store: the settings to save.
        loop: the loop for the timer (default: the running loop at the first change).
        delay: seconds of quiet before saving.
        on_error: shows a failed save to the user (it is always logged).

    Returns:
        The save manager; ``close()`` it on shutdown to save what is still pending.
    """
    manager = SaveManager(store.save, what="settings", delay=delay, on_error=on_error, loop=loop)
    store.subscribe(lambda _settings: manager.mark_dirty())
    if store.dirty:
        manager.mark_dirty()
    return manager

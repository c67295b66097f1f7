"""The settings value: :class:`Settings`, immutable, and valid by construction.

Each field has a check that normalises a JSON value (a list becomes a tuple) or rejects it.
The constructor runs every check, so ``dataclasses.replace(settings, theme="neon")`` raises;
:meth:`Settings.from_body` runs them per field and falls back to the default for a bad one.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final, Literal

from workbench.core.errors import SettingValueError

__all__ = ["FIELD_NAMES", "MAX_RECENT_TARGETS", "THEMES", "OpenTab", "Settings", "Theme"]

Theme = Literal["system", "light", "dark"]
THEMES: Final[tuple[Theme, ...]] = ("system", "light", "dark")
MAX_RECENT_TARGETS: Final = 15
_MAX_DEADLINE: Final = 365 * 86400.0
_MAX_HISTORY: Final = 1_000_000


# A check returns the normalised value, raises ValueError for an unusable one, and appends
# to ``notes`` what it repaired (an item dropped from a list).
_Check = Callable[[Any, list[str]], Any]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _choice(*options: str) -> _Check:
    def check(value: Any, _notes: list[str]) -> Any:
        if value not in options:
            raise ValueError(f"expected one of {', '.join(options)}, found {value!r}")
        return value

    return check


def _text(value: Any, _notes: list[str]) -> Any:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise ValueError(f"expected a non-empty name, found {value!r}")
    return value.strip()


def _integer(low: int, high: int, *, optional: bool = False) -> _Check:
    def check(value: Any, _notes: list[str]) -> Any:
        if value is None and optional:
            return None
        if _is_number(value) and value == int(value) and low <= value <= high:
            return int(value)
        null = " or null" if optional else ""
        raise ValueError(f"expected a whole number from {low} to {high}{null}, found {value!r}")

    return check


def _deadline(value: Any, _notes: list[str]) -> Any:
    if value is None:
        return None
    if _is_number(value) and math.isfinite(value) and 0 < value <= _MAX_DEADLINE:
        return float(value)
    raise ValueError(f"expected seconds above 0 (at most {_MAX_DEADLINE:.0f}) or null")


def _flag(value: Any, _notes: list[str]) -> Any:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, found {value!r}")
    return value


def _targets(value: Any, notes: list[str]) -> Any:
    if not isinstance(value, list | tuple):
        raise ValueError(f"expected a list of addresses, found {value!r}")
    kept: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            notes.append(f"dropped {item!r} (not an address)")
        elif item.strip() not in kept:
            kept.append(item.strip())
    if len(kept) > MAX_RECENT_TARGETS:
        notes.append(f"kept the first {MAX_RECENT_TARGETS} of {len(kept)} addresses")
    return tuple(kept[:MAX_RECENT_TARGETS])


def _tabs(value: Any, notes: list[str]) -> Any:
    if not isinstance(value, list | tuple):
        raise ValueError(f"expected a list of tabs, found {value!r}")
    tabs: list[OpenTab] = []
    for item in value:
        if isinstance(item, OpenTab):
            tabs.append(item)
            continue
        method = item.get("method") if isinstance(item, dict) else None
        address = item.get("address", "") if isinstance(item, dict) else None
        if isinstance(method, str) and "/" in method and isinstance(address, str):
            tabs.append(OpenTab(method, address))
        else:
            notes.append(f'dropped {item!r} (expected {{"method": "pkg.Service/Method", ...}})')
    return tuple(tabs)


_CHECKS: Final[dict[str, _Check]] = {
    "theme": _choice(*THEMES),
    "editor_font_family": _text,
    "editor_font_size": _integer(4, 72),
    "default_deadline_seconds": _deadline,
    "history_max_entries": _integer(0, _MAX_HISTORY),
    "timeline_row_cap": _integer(1, 1_000_000_000, optional=True),
    "recent_targets": _targets,
    "open_tabs": _tabs,
    "confirm_before_overwrite": _flag,
}


@dataclass(frozen=True)
class OpenTab:
    """A request tab open when the app last closed, to reopen at the next start.

    Attributes:
        method: the full method name, ``pkg.Service/Method``.
        address: the server the tab called (``''`` when the schema came from files).
    """

    method: str
    address: str = ""


@dataclass(frozen=True)
class Settings:
    """The user's settings; every instance is valid.

    Attributes:
        theme: ``"system"``, ``"light"`` or ``"dark"``.
        editor_font_family: the font of the JSON and text editors.
        editor_font_size: its size in points (4 to 72).
        default_deadline_seconds: the deadline a new request starts with; ``None`` for none.
        history_max_entries: calls kept in the history (0 keeps none).
        timeline_row_cap: the most rows a call's timeline keeps; ``None`` for no limit.
        recent_targets: recently used server addresses, newest first (at most 15).
        open_tabs: the request tabs to reopen at start.
        confirm_before_overwrite: ask before a save replaces a file changed on disk.

    Raises:
        SettingValueError: a field has the wrong type or is out of range.
    """

    theme: Theme = "system"
    editor_font_family: str = "monospace"
    editor_font_size: int = 11
    default_deadline_seconds: float | None = None
    history_max_entries: int = 1000
    timeline_row_cap: int | None = None
    recent_targets: tuple[str, ...] = ()
    open_tabs: tuple[OpenTab, ...] = ()
    confirm_before_overwrite: bool = True

    def __post_init__(self) -> None:
        for name, check in _CHECKS.items():
            notes: list[str] = []
            try:
                value = check(getattr(self, name), notes)
            except ValueError as exc:
                raise SettingValueError(name, str(exc)) from None
            if notes:
                raise SettingValueError(name, "; ".join(notes))
            object.__setattr__(self, name, value)  # the normalised form (lists to tuples)

    def to_body(self) -> dict[str, Any]:
        """The fields as JSON values, in declaration order (the file's key order)."""
        body = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        body["recent_targets"] = list(self.recent_targets)
        body["open_tabs"] = [{"method": t.method, "address": t.address} for t in self.open_tabs]
        return body

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> tuple[Settings, dict[str, Any], list[str]]:
        """Settings from a current-version body, each bad field replaced by its default.

        Returns:
            The settings, the unknown fields (to write back unchanged), and one message per
            field that was repaired or replaced by its default.
        """
        defaults = cls()
        values: dict[str, Any] = {}
        problems: list[str] = []
        for name, check in _CHECKS.items():
            if name not in body:
                continue
            notes: list[str] = []
            try:
                values[name] = check(body[name], notes)
            except ValueError as exc:
                default = getattr(defaults, name)
                problems.append(f"{name}: {exc}; using the default {default!r}")
                continue
            problems.extend(f"{name}: {note}" for note in notes)
        extra = {k: v for k, v in body.items() if k not in _CHECKS}
        return cls(**values), extra, problems


#: The settings' field names, in file order.
FIELD_NAMES: Final = tuple(_CHECKS)

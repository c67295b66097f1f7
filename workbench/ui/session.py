"""What the window remembers in the user settings: recent targets and the open tabs.

Recent targets live in :attr:`Settings.recent_targets` only (the versioned settings file);
the window state's old list is moved there once by :func:`migrate_recent_addresses`. The
request tabs open at exit are saved as :class:`~workbench.core.settings.OpenTab` (method
and address) and reopened at the next start, after the first schema loads, for each method
that schema has.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from google.protobuf.descriptor import MethodDescriptor

from workbench.core.settings import MAX_RECENT_TARGETS, OpenTab, Settings, SettingsStore
from workbench.ui.state import UiState

logger = logging.getLogger(__name__)

__all__ = [
    "method_key",
    "migrate_recent_addresses",
    "open_tabs_to_keep",
    "restorable_methods",
]


def method_key(method: MethodDescriptor) -> str:
    """``pkg.Service/Method``: how a saved tab names its method."""
    return f"{method.containing_service.full_name}/{method.name}"


def migrate_recent_addresses(state: UiState, store: SettingsStore) -> Settings:
    """Move the window state's recent addresses into the settings' recent targets, once.

    Addresses already in the settings keep their place; the old ones follow, up to the
    limit. The window state forgets them, so this happens only once.
    """
    old = state.take_recent_addresses()
    current = list(store.settings.recent_targets)
    merged = current + [a for a in old if a not in current]
    if merged[:MAX_RECENT_TARGETS] == current:
        return store.settings
    logger.info("moved %d recent address(es) from the window state to the settings", len(old))
    return store.update(recent_targets=merged[:MAX_RECENT_TARGETS])


def restorable_methods(
    pending: Iterable[OpenTab], methods: Iterable[MethodDescriptor]
) -> tuple[list[MethodDescriptor], list[OpenTab]]:
    """Split saved tabs into the methods a schema has and the tabs it lacks.

    Args:
        pending: the saved tabs, in tab order.
        methods: every method of the schema.

    Returns:
        The methods to reopen (in the saved order, each once) and the tabs left over.
    """
    by_key = {method_key(m): m for m in methods}
    found: list[MethodDescriptor] = []
    missing: list[OpenTab] = []
    for tab in pending:
        method = by_key.get(tab.method)
        if method is None:
            missing.append(tab)
        elif method not in found:
            found.append(method)
    return found, missing


def open_tabs_to_keep(
    current: Iterable[tuple[MethodDescriptor, str]], pending: Iterable[OpenTab]
) -> tuple[OpenTab, ...]:
    """The tabs to save at exit: those open now, then saved ones not reopened yet.

    Args:
        current: each open tab's method and the address its calls go to ('' for none).
        pending: saved tabs this session never got to reopen (no schema was loaded).
    """
    out: list[OpenTab] = []
    for method, address in current:
        tab = OpenTab(method_key(method), address)
        if tab not in out:
            out.append(tab)
    out += [tab for tab in pending if tab not in out]
    return tuple(out)

"""What the window remembers between sessions: recent targets and the open request tabs.

Recent targets live in :attr:`Settings.recent_targets` only (the versioned settings file);
the window state's old list is moved there once by :func:`migrate_recent_addresses`. The
request tabs open at exit are kept as drafts (:mod:`workbench.core.store.drafts`) and
reopened with their content once a schema with their method loads. Their methods and
addresses are also recorded in :attr:`Settings.open_tabs`: with no usable drafts file (none
yet, or a broken one), and for an older version of the app, those still reopen the tabs,
with empty forms (:func:`legacy_drafts`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from google.protobuf.descriptor import MethodDescriptor

from workbench.core.settings import MAX_RECENT_TARGETS, OpenTab, Settings, SettingsStore
from workbench.core.store.drafts import TabDraft
from workbench.core.store.requests import SavedRequest
from workbench.ui.state import UiState

logger = logging.getLogger(__name__)

__all__ = [
    "legacy_drafts",
    "method_key",
    "migrate_recent_addresses",
    "open_tabs_of",
    "split_drafts",
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


def legacy_drafts(tabs: Iterable[OpenTab]) -> list[TabDraft]:
    """Drafts for the tabs an older version recorded in the settings (an empty form each)."""
    return [TabDraft(SavedRequest(tab.method), address=tab.address) for tab in tabs]


def split_drafts(
    pending: Iterable[TabDraft], methods: Iterable[MethodDescriptor]
) -> tuple[list[tuple[TabDraft, MethodDescriptor]], list[TabDraft]]:
    """Split drafts into those whose method a schema has (with it) and the others.

    Args:
        pending: the drafts, in tab order.
        methods: every method of the schema.

    Returns:
        The drafts to reopen now with their methods, and the drafts left waiting (each in
        the order given; two drafts of one method are two tabs).
    """
    by_key = {method_key(m): m for m in methods}
    found: list[tuple[TabDraft, MethodDescriptor]] = []
    missing: list[TabDraft] = []
    for draft in pending:
        method = by_key.get(draft.method)
        if method is None:
            missing.append(draft)
        else:
            found.append((draft, method))
    return found, missing


def open_tabs_of(drafts: Iterable[TabDraft]) -> tuple[OpenTab, ...]:
    """The tabs to record in the settings for ``drafts`` (each method and address once)."""
    out: list[OpenTab] = []
    for draft in drafts:
        tab = OpenTab(draft.method, draft.address)
        if tab not in out:
            out.append(tab)
    return tuple(out)

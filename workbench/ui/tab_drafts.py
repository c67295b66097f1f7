"""A request tab as a draft and back: what a restart, or an undone delete, brings back.

:func:`tab_draft` writes a method tab down as a :class:`~workbench.core.store.drafts.TabDraft`
(through its :class:`~workbench.ui.request_binding.RequestBinding`): the request as typed,
the editor's view, and which saved request it shows, with or without unsaved edits.
:func:`restore_draft` shows one in a new tab, bound again to its saved request when that is
still in the open workspace (:func:`find_saved`). :func:`reattach` binds a tab whose saved
request was deleted to the same file when an undo restores it.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path, PurePosixPath

from workbench.core.store.drafts import SavedRef, TabDraft, saved_ref
from workbench.core.store.requests import SavedRequest
from workbench.core.store.tree import RequestNode
from workbench.core.store.workspace import Workspace
from workbench.ui.form.request_editor import EditorMode
from workbench.ui.request_binding import RequestBinding, sha256_of

__all__ = ["find_saved", "reattach", "restore_draft", "saved_draft", "tab_draft"]

logger = logging.getLogger(__name__)


def tab_draft(binding: RequestBinding, workspace: Path | None, address: str) -> TabDraft:
    """The tab of ``binding`` as a draft.

    Args:
        binding: the tab's binding.
        workspace: the open workspace's folder (where the tab's saved request is).
        address: the window's server.
    """
    editor = binding.tab.request.editor
    json_mode = editor.mode() is EditorMode.JSON
    json_text = None
    if json_mode and not editor.is_valid() and binding.stream is None:
        json_text = editor.json_editor().json()  # kept as typed: it does not parse
    ref = None
    if binding.node is not None and workspace is not None:
        ref = _ref(workspace, binding.node, binding.loaded_sha256(), dirty=binding.dirty)
    return TabDraft(
        binding.snapshot(),
        address=address,
        json_mode=json_mode,
        json_text=json_text,
        saved=ref,
    )


def saved_draft(
    request: SavedRequest, node: RequestNode | None, workspace: Path | None, address: str
) -> TabDraft:
    """A draft of a tab that shows ``request`` as saved in ``node`` (not in a form)."""
    ref = None
    if node is not None and workspace is not None:
        ref = _ref(workspace, node, sha256_of(node.fingerprint), dirty=False)
    return TabDraft(request, address=address, saved=ref)


def _ref(workspace: Path, node: RequestNode, sha256: str, *, dirty: bool) -> SavedRef | None:
    try:
        return saved_ref(workspace, node.path, sha256=sha256, dirty=dirty)
    except ValueError:
        return None  # not a file of this workspace


def find_saved(ref: SavedRef | None, workspace: Workspace | None) -> RequestNode | None:
    """The saved request ``ref`` names, if it is in ``workspace`` (``None``: it is not)."""
    if ref is None or workspace is None:
        return None
    if Path(ref.workspace).resolve() != workspace.directory.resolve():
        return None
    file = workspace.directory.joinpath(*PurePosixPath(ref.path).parts)
    return next((n for n in workspace.collections.requests() if n.path == file), None)


def restore_draft(binding: RequestBinding, draft: TabDraft, node: RequestNode | None) -> None:
    """Show ``draft`` in the tab of ``binding``, as an edit of ``node`` (if any).

    A draft of a saved request without unsaved edits shows the file as it is now. One with
    edits shows them, marked unsaved iff they differ from the file; if the file changed on
    disk since the edits began, saving asks before overwriting it.
    """
    ref = draft.saved
    if node is not None and ref is not None and not ref.dirty:
        binding.load(node.request, node)
        _show_editor(binding, draft.json_mode, None)
        return
    baseline = None
    if node is not None:
        binding.load(node.request, node)  # the file as the tab shows it
        baseline = binding.baseline
    binding.load(draft.request, node)
    _show_editor(binding, draft.json_mode, draft.json_text)
    stale = bool(
        node is not None
        and ref is not None
        and ref.sha256
        and ref.sha256 != sha256_of(node.fingerprint)
    )
    binding.edit_of(baseline, stale=stale)


def _show_editor(binding: RequestBinding, json_mode: bool, json_text: str | None) -> None:
    editor = binding.tab.request.editor
    if json_mode:
        editor.set_mode(EditorMode.JSON)
    if json_text is not None and binding.stream is None:
        editor.json_editor().set_json(json_text)
        editor.apply_json()  # marks where it does not parse
        binding.bar.show_warning("")  # not "the saved body does not fit": it is a draft


def reattach(binding: RequestBinding, node: RequestNode, workspace: Path | None) -> bool:
    """Bind the tab again to ``node`` if it is the file deleted under it (an undo).

    The tab keeps what it shows, marked unsaved where that differs from the file.

    Returns:
        Whether ``node`` was that file (same place, same content) and the tab took it.
    """
    lost = binding.deleted
    if (
        lost is None
        or binding.node is not None
        or node.path != lost.path
        or sha256_of(node.fingerprint) != lost.file_sha256
    ):
        return False
    draft = tab_draft(binding, None, "")
    ref = _ref(workspace, node, lost.tab_sha256, dirty=True) if workspace is not None else None
    restore_draft(binding, replace(draft, saved=ref), node)
    logger.info("the tab of %s shows it again", node.path)
    return True

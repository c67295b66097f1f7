"""The collections of a workspace: an evented tree of folders and saved requests on disk.

``collections/<collection>/<folder>/.../<request>.request.json``: one folder per collection
and folder, one file per request. Every operation changes the disk first and the tree
second, so the tree never shows what is not saved; the tree's events then tell the views.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from workbench.core.errors import ConflictError, NameTakenError, StoreError, UsageError
from workbench.core.store import undo
from workbench.core.store.atomic import TEMP_PREFIX, atomic_write, read_if_changed
from workbench.core.store.documents import FileProblem
from workbench.core.store.events import EventEmitter, TreeEvent
from workbench.core.store.names import check_name, same_name, unique_name
from workbench.core.store.requests import SavedRequest
from workbench.core.store.scan import Scanner, ScanResult
from workbench.core.store.tree import (
    CollectionNode,
    CollectionTree,
    FolderNode,
    Node,
    RequestNode,
    RootNode,
)

logger = logging.getLogger(__name__)

__all__ = ["CollectionStore"]


def _what(node: Node) -> str:
    if isinstance(node, RequestNode):
        return "request"
    return "collection" if isinstance(node, CollectionNode) else "folder"


class CollectionStore:
    """Collections, folders and saved requests under one ``collections`` folder.

    Attributes:
        tree: the evented tree (``tree.root.children`` are the collections).
        problems: files that could not be read, by path; reported, never touched.
    """

    def __init__(self, directory: Path) -> None:
        """Manage the collections under ``directory``; call :meth:`rescan` to load them."""
        self.directory = directory
        self.tree = CollectionTree(directory)
        self.problems: dict[Path, FileProblem] = {}
        self._scanner = Scanner(self.tree, self.problems)

    @property
    def events(self) -> EventEmitter[TreeEvent]:
        """The tree's events."""
        return self.tree.events

    @property
    def root(self) -> RootNode:
        """The invisible root; its children are the collections."""
        return self.tree.root

    def collections(self) -> list[CollectionNode]:
        """The collections, sorted by name."""
        return [c for c in self.root.children if isinstance(c, CollectionNode)]

    def requests(self) -> Iterator[RequestNode]:
        """Every saved request, depth first."""
        return (n for n in self.root.walk() if isinstance(n, RequestNode))

    def find(self, names: tuple[str, ...] | list[str]) -> Node | None:
        """The node at ``names`` (collection, folders..., request), or ``None``."""
        return self.tree.find(names)

    def rescan(self) -> ScanResult:
        """Load or re-sync everything from disk (emits events for each difference)."""
        result = ScanResult()
        self._scanner.sync(self.root, result)
        return result

    def sync_path(self, path: Path) -> ScanResult:
        """Re-sync the part of the tree holding ``path`` (after an undo, for example)."""
        result = ScanResult()
        node: FolderNode = self.root
        with contextlib.suppress(ValueError):
            for part in path.relative_to(self.directory).parts[:-1]:
                child = node.child(part)
                if not isinstance(child, FolderNode):
                    break
                node = child
        self._scanner.sync(node, result)
        return result

    # -- creating -------------------------------------------------------------------------

    def create_collection(self, name: str) -> CollectionNode:
        """Create an empty collection.

        Raises:
            InvalidNameError, NameTakenError, StoreWriteError.
        """
        node = CollectionNode(check_name(name, "collection"))
        self._make_folder(self.root, node)
        return node

    def create_folder(self, parent: FolderNode, name: str) -> FolderNode:
        """Create an empty folder in a collection or folder.

        Raises:
            InvalidNameError, NameTakenError, StoreWriteError.
        """
        if isinstance(parent, RootNode):
            raise UsageError("folders go inside a collection", hint="create a collection first")
        node = FolderNode(check_name(name, "folder"))
        self._make_folder(parent, node)
        return node

    def _make_folder(self, parent: FolderNode, node: FolderNode) -> None:
        path = parent.path / node.name
        self._check_free(parent, node.name, path, _what(node))
        try:
            path.mkdir(parents=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create {path}: {exc.strerror or exc}",
                path=path,
                hint=f"check that {path.parent} is writable",
            ) from None
        self.tree.insert(parent, node)

    # -- saving ---------------------------------------------------------------------------

    def save(self, node: RequestNode, request: SavedRequest, *, force: bool = False) -> None:
        """Overwrite a saved request with a new version.

        Args:
            node: the request's node.
            request: the new content (its name is ignored: use :meth:`rename`).
            force: overwrite even if the file changed on disk since it was loaded.

        Raises:
            ConflictError: the file changed or vanished on disk (without ``force``).
            StoreWriteError: the file could not be written; the old file is unchanged.
        """
        path = node.path
        if not force:
            try:
                fresh = read_if_changed(path, node.fingerprint)
            except FileNotFoundError:
                raise ConflictError(
                    f"{path} was deleted on disk since it was loaded",
                    path=path,
                    hint="save again to write it anew, or discard your edit",
                ) from None
            if fresh is not None:
                raise ConflictError(
                    f"{path} changed on disk since it was loaded",
                    path=path,
                    hint="reload it to see the other change, or overwrite it",
                )
        request = request.renamed(node.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        node.fingerprint = atomic_write(path, request.to_bytes(), what=f'request "{node.name}"')
        node.request = request
        self.tree.changed(node)

    def save_as(self, parent: FolderNode, request: SavedRequest, name: str = "") -> RequestNode:
        """Save ``request`` as a new file in ``parent``.

        Args:
            parent: a collection or folder.
            request: the request.
            name: its name (default: ``request.name``).

        Raises:
            InvalidNameError, NameTakenError: the name is unusable or taken (a file that
                could not be read counts as taken: it is never overwritten).
            StoreWriteError: the file could not be written.
        """
        if isinstance(parent, RootNode):
            raise UsageError("requests go inside a collection", hint="create a collection first")
        name = check_name(name or request.name, "request")
        request = request.renamed(name)
        node = RequestNode(request, None)
        node.parent = parent  # for the path only; inserted below
        path = node.path
        node.parent = None
        self._check_free(parent, name, path, "request")
        node.fingerprint = atomic_write(path, request.to_bytes(), what=f'request "{name}"')
        self.tree.insert(parent, node)
        return node

    # -- renaming, duplicating, moving ----------------------------------------------------

    def rename(self, node: Node, new_name: str) -> None:
        """Rename a request, folder or collection (and its file or folder).

        Raises:
            InvalidNameError, NameTakenError, StoreError.
        """
        what = _what(node)
        check_name(new_name, what)
        if new_name == node.name:
            return
        parent = node.parent
        assert parent is not None
        old = node.path
        new = old.with_name(new_name + (old.name[len(node.name) :]))
        if not same_name(new_name, node.name):
            self._check_free(parent, new_name, new, what)
        self._rename_on_disk(old, new, what)
        if isinstance(node, RequestNode):
            node.request = node.request.renamed(new_name)
        else:
            self._scanner.moved_folder(old, new)
        self.tree.move(node, parent, new_name)

    def duplicate(self, node: Node) -> Node:
        """Copy a request, folder or collection beside itself as "<name> copy".

        Raises:
            StoreError: the copy could not be written (a partial copy of a folder is
                removed again).
        """
        parent = node.parent
        assert parent is not None
        name = unique_name(node.name, [c.name for c in parent.children])
        if isinstance(node, RequestNode):
            return self.save_as(parent, node.request, name)
        target = parent.path / name
        try:
            shutil.copytree(node.path, target, ignore=shutil.ignore_patterns(TEMP_PREFIX + "*"))
        except OSError as exc:
            shutil.rmtree(target, ignore_errors=True)
            raise StoreError(
                f"cannot copy {node.path}: {exc}", path=target, hint="check free disk space"
            ) from None
        copy: FolderNode = (
            CollectionNode(name) if isinstance(node, CollectionNode) else FolderNode(name)
        )
        self.tree.insert(parent, copy)
        self._scanner.sync(copy, ScanResult())
        return copy

    def move(self, node: Node, new_parent: FolderNode) -> None:
        """Move a request or folder into another folder or collection.

        Raises:
            UsageError: moving a folder into itself, a collection, or a request to the root.
            NameTakenError: the destination has something of the same name.
            StoreError: the file system refused.
        """
        if node.parent is new_parent:
            return
        if isinstance(node, CollectionNode) or isinstance(new_parent, RootNode):
            raise UsageError(
                "collections stay at the top level", hint="drop it inside a collection instead"
            )
        if isinstance(node, FolderNode) and (new_parent is node or node in _ancestors(new_parent)):
            raise UsageError(f"cannot move folder {node.name!r} into itself")
        old = node.path
        new = new_parent.path / old.name
        self._check_free(new_parent, node.name, new, _what(node))
        self._rename_on_disk(old, new, _what(node))
        if isinstance(node, FolderNode):
            self._scanner.moved_folder(old, new)
        self.tree.move(node, new_parent)

    # -- deleting -------------------------------------------------------------------------

    def delete(self, node: Node) -> undo.Snapshot:
        """Delete a request, folder or collection; returns what was deleted, for undo.

        Raises:
            StoreError: a folder holds files the app does not own (nothing is deleted),
                or the file system refused.
        """
        parent = node.parent
        assert parent is not None
        what = _what(node)
        description = f'delete {what} "{node.name}"'
        if isinstance(node, RequestNode):
            try:
                snap = undo.snapshot_file(node.path, description, "collections")
            except StoreError:
                if node.path.exists():
                    raise
                snap = None  # already gone on disk: just drop it from the tree
        else:
            assert isinstance(node, FolderNode)
            owned = {n.path for n in node.walk() if isinstance(n, RequestNode)}
            snap = undo.snapshot_folder(node.path, description, owned.__contains__)
        if snap is not None:
            undo.remove(snap)
        if isinstance(node, FolderNode):
            self._scanner.forget_under(node.path)
        self.tree.remove(node)
        return snap or undo.Snapshot(description, node.path, (), (), "collections")

    # -- internals ------------------------------------------------------------------------

    def _check_free(self, parent: FolderNode, name: str, path: Path, what: str) -> None:
        clash = next((c for c in parent.children if same_name(c.name, name)), None)
        if clash is not None:
            where = f"in {'/'.join(parent.names)}" if parent.names else "at the top level"
            raise NameTakenError(
                f"{_what(clash)} {clash.name!r} already exists {where}",
                hint=f"choose another name for the {what}",
            )
        if path.exists() or path in self.problems:
            raise NameTakenError(
                f"{path} already exists on disk", hint=f"choose another name for the {what}"
            )

    def _rename_on_disk(self, old: Path, new: Path, what: str) -> None:
        try:
            # POSIX rename silently replaces a file that appeared at `new` after our check;
            # link + unlink cannot replace anything, so use it where the file system has
            # hard links (a case-only rename must be a real rename).
            if old.is_file() and not same_name(old.name, new.name):
                try:
                    os.link(old, new)
                except FileExistsError:
                    raise
                except OSError:
                    old.rename(new)  # no hard links here (FAT, some network shares)
                else:
                    old.unlink()
            else:
                old.rename(new)
        except FileExistsError:
            raise NameTakenError(f"{new} already exists on disk") from None
        except OSError as exc:
            raise StoreError(
                f"cannot move {what} {old} to {new}: {exc.strerror or exc}", path=old
            ) from None


def _ancestors(node: Node) -> list[Node]:
    out: list[Node] = []
    current = node.parent
    while current is not None:
        out.append(current)
        current = current.parent
    return out

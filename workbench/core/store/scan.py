"""Bring the collection tree in line with the folders on disk (initial load and rescans).

One walk serves both: loading is a sync of an empty tree. A file is re-read only when its
mtime or size changed, and counts as changed only when its content hash did, so a rescan
after ``git pull`` touches just what the pull changed. A file that cannot be used is
recorded as a :class:`FileProblem` and left out of the tree; it is never written to, and it
is reported again only when it changes.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from workbench.core.errors import FileFormatError, StoreError
from workbench.core.store.atomic import Fingerprint, read_if_changed
from workbench.core.store.documents import FileProblem
from workbench.core.store.requests import REQUEST_SUFFIX, load_request
from workbench.core.store.tree import (
    CollectionNode,
    CollectionTree,
    FolderNode,
    RequestNode,
    RootNode,
)

logger = logging.getLogger(__name__)

__all__ = ["ScanResult", "Scanner"]


@dataclass
class ScanResult:
    """What a sync found.

    Attributes:
        added: request files and folders that appeared.
        changed: request files whose content changed.
        removed: request files and folders that disappeared (or became unreadable).
        problems: files newly found unreadable (or unreadable in a new way).
    """

    added: list[Path] = field(default_factory=list)
    changed: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)


def _listing(directory: Path) -> tuple[list[str], dict[str, Path]]:
    """Sub-folder names and request files (by request name) of ``directory``."""
    folders: list[str] = []
    requests: dict[str, Path] = {}
    try:
        entries = list(os.scandir(directory))
    except (FileNotFoundError, NotADirectoryError):
        return folders, requests
    except OSError as exc:
        logger.warning("cannot list %s: %s", directory, exc)
        return folders, requests
    for entry in entries:
        if entry.name.startswith("."):
            continue  # .git, .workbench, our temporary files, editors' swap files
        if entry.is_dir(follow_symlinks=False):
            folders.append(entry.name)
        elif entry.name.endswith(REQUEST_SUFFIX) and len(entry.name) > len(REQUEST_SUFFIX):
            requests[entry.name[: -len(REQUEST_SUFFIX)]] = Path(entry.path)
    return folders, requests


class Scanner:
    """Syncs folders of a :class:`CollectionTree` with the disk.

    Attributes:
        problems: unreadable files by path, shared with the owning store.
    """

    def __init__(self, tree: CollectionTree, problems: dict[Path, FileProblem]) -> None:
        """Sync ``tree``, recording unreadable files in ``problems``."""
        self.tree = tree
        self.problems = problems
        self._problem_prints: dict[Path, Fingerprint] = {}

    def sync(self, folder: FolderNode, result: ScanResult) -> None:
        """Make ``folder``'s subtree match its folder on disk, emitting tree events."""
        names, files = _listing(folder.path)
        disk_folders = set(names)
        for child in list(folder.children):
            if isinstance(child, FolderNode):
                if child.name in disk_folders:
                    self.sync(child, result)
                else:
                    result.removed.append(child.path)
                    self.forget_under(child.path)
                    self.tree.remove(child)
            elif isinstance(child, RequestNode):
                if child.name in files:
                    self._refresh(child, result)
                else:
                    result.removed.append(child.path)
                    self.tree.remove(child)
        for name in sorted(disk_folders - {c.name for c in folder.folders()}):
            node: FolderNode = (
                CollectionNode(name) if isinstance(folder, RootNode) else FolderNode(name)
            )
            self.tree.insert(folder, node)
            result.added.append(node.path)
            self.sync(node, result)
        if isinstance(folder, RootNode):
            return  # files directly under collections/ belong to no collection
        known = {c.name for c in folder.requests()}
        for name, path in sorted(files.items()):
            if name not in known:
                self._add(folder, name, path, result)
        self._forget_vanished(folder.path, files)

    def _forget_vanished(self, directory: Path, files: dict[str, Path]) -> None:
        present = set(files.values())
        for path in [p for p in self.problems if p.parent == directory and p not in present]:
            del self.problems[path]
            self._problem_prints.pop(path, None)

    def _read(self, path: Path, known: Fingerprint | None) -> tuple[bytes, Fingerprint] | None:
        try:
            return read_if_changed(path, known)
        except FileNotFoundError:
            return None
        except StoreError as exc:
            self._report(path, FileProblem(path, exc.message, exc.hint), None, ScanResult())
            return None

    def _add(self, folder: FolderNode, name: str, path: Path, result: ScanResult) -> None:
        fresh = self._read(path, self._problem_prints.get(path))
        if fresh is None:
            return  # an unchanged problem file, or it vanished meanwhile
        data, fp = fresh
        try:
            request = load_request(data, path, name=name)
        except FileFormatError as exc:
            problem = FileProblem(path, exc.message.removeprefix(f"{path}: "), exc.hint)
            self._report(path, problem, fp, result)
            return
        self.problems.pop(path, None)
        self._problem_prints.pop(path, None)
        self.tree.insert(folder, RequestNode(request, fp))
        result.added.append(path)

    def _refresh(self, node: RequestNode, result: ScanResult) -> None:
        path = node.path
        fresh = self._read(path, node.fingerprint)
        if fresh is None:
            return
        data, fp = fresh
        try:
            request = load_request(data, path, name=node.name)
        except FileFormatError as exc:
            # The file was broken by hand: drop it from the tree, keep it on disk.
            problem = FileProblem(path, exc.message.removeprefix(f"{path}: "), exc.hint)
            self._report(path, problem, fp, result)
            result.removed.append(path)
            self.tree.remove(node)
            return
        node.request = request
        node.fingerprint = fp
        result.changed.append(path)
        self.tree.changed(node)

    def _report(
        self, path: Path, problem: FileProblem, fp: Fingerprint | None, result: ScanResult
    ) -> None:
        if self.problems.get(path) != problem:
            logger.warning("skipping %s", problem)
            result.problems.append(problem)
        self.problems[path] = problem
        if fp is not None:
            self._problem_prints[path] = fp

    def forget_under(self, directory: Path) -> None:
        """Drop the problems of files under ``directory`` (it is gone)."""
        for path in [p for p in self.problems if p.is_relative_to(directory)]:
            del self.problems[path]
            self._problem_prints.pop(path, None)

    def moved_folder(self, old: Path, new: Path) -> None:
        """Re-key the problems under a folder that was moved or renamed."""
        for path in [p for p in self.problems if p.is_relative_to(old)]:
            new_path = new / path.relative_to(old)
            self.problems[new_path] = replace(self.problems.pop(path), path=new_path)
            fp = self._problem_prints.pop(path, None)
            if fp is not None:
                self._problem_prints[new_path] = fp

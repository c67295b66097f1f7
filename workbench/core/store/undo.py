"""Deleting with undo: the deleted bytes stay in memory until the user undoes or quits.

A delete first takes a :class:`Snapshot` of exactly what is on disk (not what the app has
in memory, which may be older), then removes it; :func:`restore` writes the same bytes back.
A folder is only deleted when every file in it is one the app owns: a file it could not read,
or any foreign file, makes the delete refuse, because the app never deletes what it did not
understand.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workbench.core.errors import ConflictError, StoreError
from workbench.core.store.atomic import atomic_write

__all__ = ["JUNK_FILES", "Snapshot", "remove", "restore", "snapshot_file", "snapshot_folder"]

#: Files operating systems drop into folders; deleting them with the folder loses nothing.
JUNK_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


@dataclass(frozen=True)
class Snapshot:
    """What a delete removed.

    Attributes:
        description: for an Undo menu entry, e.g. ``delete request "Get user"``.
        root: the deleted file or folder.
        files: every file's path and bytes.
        dirs: folders to recreate, parents before children.
        area: ``"collections"`` or ``"environments"``: what to rescan after a restore.
    """

    description: str
    root: Path
    files: tuple[tuple[Path, bytes], ...]
    dirs: tuple[Path, ...]
    area: str


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise StoreError(f"cannot read {path} to delete it: {exc.strerror or exc}") from None


def snapshot_file(path: Path, description: str, area: str) -> Snapshot:
    """A snapshot of one file."""
    return Snapshot(description, path, ((path, _read(path)),), (), area)


def snapshot_folder(
    folder: Path, description: str, owned: Callable[[Path], bool], area: str = "collections"
) -> Snapshot:
    """A snapshot of a folder and everything in it.

    Args:
        folder: the folder.
        description: for the Undo menu.
        owned: whether the app may delete a file (a request it loaded successfully).
        area: what to rescan after a restore.

    Raises:
        StoreError: the folder holds files the app does not own; they are named.
    """
    files: list[tuple[Path, bytes]] = []
    dirs: list[Path] = [folder]
    foreign: list[str] = []
    for current, subdirs, names in os.walk(folder):
        base = Path(current)
        subdirs.sort()
        for d in subdirs:
            if d.startswith("."):
                foreign.append(str((base / d).relative_to(folder)) + "/")
            dirs.append(base / d)
        for name in sorted(names):
            path = base / name
            if owned(path) or name in JUNK_FILES:
                files.append((path, _read(path)))
            else:
                foreign.append(str(path.relative_to(folder)))
    if foreign:
        shown = ", ".join(foreign[:5]) + (
            f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        )
        raise StoreError(
            f"not deleting {folder}: it holds files grpc-workbench did not write or could "
            f"not read: {shown}",
            path=folder,
            hint="move or delete those files yourself first",
        )
    return Snapshot(description, folder, tuple(files), tuple(dirs), area)


def remove(snapshot: Snapshot) -> None:
    """Delete what ``snapshot`` holds from disk.

    Raises:
        StoreError: a file or folder could not be deleted (what was deleted stays in the
            snapshot, so undo still restores everything).
    """
    try:
        for path, _ in snapshot.files:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        for directory in reversed(snapshot.dirs):
            with contextlib.suppress(FileNotFoundError):
                directory.rmdir()
    except OSError as exc:
        raise StoreError(
            f"cannot delete {snapshot.root}: {exc.strerror or exc}",
            path=snapshot.root,
            hint="check the folder's permissions; use Undo to restore what was deleted",
        ) from None


def restore(snapshot: Snapshot) -> None:
    """Write the snapshot's folders and files back.

    Raises:
        ConflictError: something now exists where a deleted file was; nothing is written.
        StoreWriteError: a file could not be written.
    """
    clashes = [p for p, _ in snapshot.files if p.exists()]
    if snapshot.root.exists() and not snapshot.dirs:
        clashes.append(snapshot.root)
    if clashes:
        raise ConflictError(
            f"cannot undo {snapshot.description}: {clashes[0]} exists again",
            path=clashes[0],
            hint="rename or remove the new file first",
        )
    for directory in snapshot.dirs or (snapshot.root.parent,):
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create {directory}: {exc.strerror or exc}", path=directory
            ) from None
    for path, data in snapshot.files:
        atomic_write(path, data)

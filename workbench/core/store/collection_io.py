"""A whole collection as one file (``grpc-workbench/collection``, version 1), for sharing
outside git: e-mail, a ticket, another workspace.

The file nests folders and requests (``items``) in tree order and carries the TLS profiles
its requests refer to. It never holds environments or secrets. Importing creates a new
collection; nothing existing is overwritten, and a failed import leaves nothing behind.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

from workbench.core.errors import FileFormatError, NameTakenError, StoreError
from workbench.core.store.atomic import atomic_write, read_with_fingerprint
from workbench.core.store.documents import dump_document, parse_document
from workbench.core.store.names import check_name, same_name
from workbench.core.store.requests import (
    REQUEST_SUFFIX,
    SavedRequest,
    TlsSettings,
    request_body,
    request_from_body,
    tls_body,
    tls_from_body,
)
from workbench.core.store.tree import CollectionNode, FolderNode, RequestNode
from workbench.core.store.workspace import Workspace

__all__ = [
    "export_collection",
    "import_collection",
    "read_collection_file",
    "write_collection_file",
]

_VERSION = 1


def _items(folder: FolderNode) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for child in folder.children:
        if isinstance(child, RequestNode):
            out.append(
                {"type": "request", "name": child.name, "request": request_body(child.request)}
            )
        elif isinstance(child, FolderNode):
            out.append({"type": "folder", "name": child.name, "items": _items(child)})
    return out


def export_collection(workspace: Workspace, collection: CollectionNode) -> bytes:
    """The export file's bytes for ``collection`` (with the TLS profiles it uses)."""
    used = {
        n.request.target.tls
        for n in collection.walk()
        if isinstance(n, RequestNode) and isinstance(n.request.target.tls, str)
    }
    profiles = {
        name: tls_body(tls)
        for name, tls in sorted(workspace.settings.tls_profiles.items())
        if name in used
    }
    body = {"name": collection.name, "tls_profiles": profiles, "items": _items(collection)}
    return dump_document("collection", _VERSION, body)


def write_collection_file(workspace: Workspace, collection: CollectionNode, path: Path) -> None:
    """Export ``collection`` to ``path`` (atomically).

    Raises:
        StoreWriteError: the file could not be written.
    """
    atomic_write(path, export_collection(workspace, collection))


def read_collection_file(path: Path) -> dict[str, Any]:
    """Read and check an export file.

    Returns:
        The document (``name``, ``tls_profiles``, ``items``).

    Raises:
        FileFormatError: not an export file, a newer version, or malformed items.
        StoreError: the file cannot be read.
    """
    try:
        data, _ = read_with_fingerprint(path)
    except FileNotFoundError:
        raise StoreError(f"collection file not found: {path}", path=path) from None
    doc = parse_document(data, path, kind="collection", max_version=_VERSION)
    if not isinstance(doc.get("name"), str) or not isinstance(doc.get("items"), list):
        raise FileFormatError(f'{path}: expected "name" and "items"', path=path)
    return doc


def _plan(
    items: list[Any],
    where: str,
    out: list[tuple[tuple[str, ...], SavedRequest | None]],
    prefix: tuple[str, ...],
) -> None:
    """Validate ``items`` into (names, request-or-None-for-folder) in creation order."""
    seen: list[str] = []
    for i, item in enumerate(items):
        at = f"{where}[{i}]"
        if not isinstance(item, dict) or item.get("type") not in ("folder", "request"):
            raise FileFormatError(f"{at}: expected a folder or request item")
        name = item.get("name")
        if not isinstance(name, str):
            raise FileFormatError(f"{at}.name: expected a string")
        check_name(name, item["type"])
        if any(same_name(name, s) for s in seen):
            raise FileFormatError(f"{at}: {name!r} appears twice in the same folder")
        seen.append(name)
        if item["type"] == "folder":
            out.append(((*prefix, name), None))
            sub = item.get("items") or []
            if not isinstance(sub, list):
                raise FileFormatError(f"{at}.items: expected a list")
            _plan(sub, f"{at}.items", out, (*prefix, name))
        else:
            body = item.get("request")
            if not isinstance(body, dict):
                raise FileFormatError(f"{at}.request: expected an object")
            try:
                request = request_from_body(body, name=name)
            except FileFormatError as exc:
                raise FileFormatError(f"{at}.request.{exc.message}") from None
            out.append(((*prefix, name), request))


def import_collection(
    workspace: Workspace, path: Path, *, name: str | None = None
) -> tuple[CollectionNode, list[str]]:
    """Import an export file as a new collection.

    Args:
        workspace: where to create it.
        path: the export file.
        name: the new collection's name (default: the one in the file).

    Returns:
        The new collection and notes (e.g. a TLS profile that already existed with other
        settings and was kept).

    Raises:
        FileFormatError: the file is not a valid export (nothing is created).
        NameTakenError: a collection of that name exists; import under another name.
        StoreError: writing failed (nothing is left behind).
    """
    doc = read_collection_file(path)
    coll_name = check_name(name or doc["name"], "collection")
    plan: list[tuple[tuple[str, ...], SavedRequest | None]] = []
    try:
        _plan(doc["items"], "items", plan, ())
    except FileFormatError as exc:
        raise FileFormatError(f"{path}: {exc.message}", path=path) from None
    if any(same_name(c.name, coll_name) for c in workspace.collections.collections()):
        raise NameTakenError(
            f"a collection called {coll_name!r} already exists",
            hint="import it under another name",
        )
    notes = _merge_profiles(workspace, doc.get("tls_profiles") or {}, path)
    directory = workspace.collections.directory / coll_name
    if directory.exists():
        raise NameTakenError(
            f"{directory} already exists on disk", hint="import it under another name"
        )
    try:
        directory.mkdir(parents=True)
        for names, request in plan:
            target = directory.joinpath(*names)
            if request is None:
                target.mkdir()
            else:
                atomic_write(target.with_name(target.name + REQUEST_SUFFIX), request.to_bytes())
    except (OSError, StoreError) as exc:
        shutil.rmtree(directory, ignore_errors=True)
        if isinstance(exc, StoreError):
            raise
        raise StoreError(f"cannot import into {directory}: {exc}", path=directory) from None
    workspace.collections.sync_path(directory)
    node = workspace.collections.find([coll_name])
    assert isinstance(node, CollectionNode)
    return node, notes


def _merge_profiles(workspace: Workspace, profiles: Any, path: Path) -> list[str]:
    if not isinstance(profiles, dict):
        raise FileFormatError(f"{path}: tls_profiles: expected an object", path=path)
    notes: list[str] = []
    merged = dict(workspace.settings.tls_profiles)
    for pname, value in profiles.items():
        tls = tls_from_body(value, f"tls_profiles.{pname}")
        if not isinstance(tls, TlsSettings):
            raise FileFormatError(f"{path}: tls_profiles.{pname}: expected an object", path=path)
        if pname not in merged:
            merged[pname] = tls
        elif merged[pname] != tls:
            notes.append(f"TLS profile {pname!r} already exists with other settings; kept those")
    if merged != dict(workspace.settings.tls_profiles):
        workspace.save_settings(replace(workspace.settings, tls_profiles=merged))
    return notes

"""A whole collection exported to one file and imported into another workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.core.errors import FileFormatError, InvalidNameError, NameTakenError
from workbench.core.store.collection_io import (
    export_collection,
    import_collection,
    write_collection_file,
)
from workbench.core.store.requests import SavedRequest, SavedTarget, TlsSettings
from workbench.core.store.secrets import FileSecretStore
from workbench.core.store.tree import RequestNode
from workbench.core.store.workspace import Workspace
from workbench.core.store.workspace_file import WorkspaceSettings


def make(root: Path) -> Workspace:
    return Workspace.create(root, secrets=FileSecretStore(root))


def requests_of(ws: Workspace, collection: str) -> dict[str, SavedRequest]:
    return {
        "/".join(n.names[1:]): n.request
        for n in ws.collections.requests()
        if n.names[0] == collection
    }


def test_export_then_import_elsewhere(tmp_path: Path) -> None:
    src = make(tmp_path / "a")
    src.save_settings(
        WorkspaceSettings(tls_profiles={"prod": TlsSettings(cacert="ca.pem"), "x": TlsSettings()})
    )
    store = src.collections
    users = store.create_collection("users")
    admin = store.create_folder(users, "admin")
    store.create_folder(users, "empty")
    store.save_as(users, SavedRequest("a.B/List", SavedTarget("h:1"), ({"page": 1},)), "List")
    store.save_as(
        admin,
        SavedRequest(
            "a.B/Del", SavedTarget("h:1", tls="prod"), ({"id": "7"}, {"id": "8"}), timeout=2.0
        ),
        "Delete",
    )
    path = tmp_path / "users.collection.json"
    write_collection_file(src, users, path)
    text = path.read_text()
    assert text.startswith('{\n  "format": "grpc-workbench/collection",\n  "version": 1,\n')
    assert '"prod"' in text and '"x"' not in text  # only the profiles it uses

    dst = make(tmp_path / "b")
    node, notes = import_collection(dst, path)
    assert notes == []
    assert node.name == "users"
    assert requests_of(dst, "users") == requests_of(src, "users")
    assert dst.collections.find(["users", "empty"]) is not None
    assert dst.settings.tls_profiles == {"prod": TlsSettings(cacert="ca.pem")}
    # Re-exporting the import gives the same file.
    assert export_collection(dst, node) == path.read_bytes()

    with pytest.raises(NameTakenError, match="'users' already exists") as info:
        import_collection(dst, path)
    assert info.value.hint == "import it under another name"
    copy, _ = import_collection(dst, path, name="users 2")
    assert isinstance(dst.collections.find(["users 2", "admin", "Delete"]), RequestNode)
    assert copy.name == "users 2"


def test_bad_export_file_creates_nothing(tmp_path: Path) -> None:
    dst = make(tmp_path / "b")
    path = tmp_path / "bad.json"
    path.write_text(
        '{"format": "grpc-workbench/collection", "version": 1, "name": "c", "items": ['
        '{"type": "request", "name": "ok", "request": {"method": "a.B/C"}},'
        '{"type": "request", "name": "no/slash", "request": {"method": "a.B/C"}}]}'
    )
    with pytest.raises(InvalidNameError, match="no/slash"):
        import_collection(dst, path)
    path.write_text(
        '{"format": "grpc-workbench/collection", "version": 1, "name": "c", "items": ['
        '{"type": "request", "name": "r", "request": {"method": 1}}]}'
    )
    with pytest.raises(FileFormatError, match=r"items\[0\]\.request\.method"):
        import_collection(dst, path)
    assert list((dst.directory / "collections").iterdir()) == []
    assert dst.collections.collections() == []

"""Workspace operations, their tree events, external changes, conflicts and bad files."""

from __future__ import annotations

import hashlib
import os
from dataclasses import replace
from pathlib import Path

import pytest

from workbench.core.errors import (
    ConflictError,
    InvalidNameError,
    NameTakenError,
    StoreError,
    UsageError,
)
from workbench.core.store.environments import Environment
from workbench.core.store.events import TreeEvent
from workbench.core.store.requests import SavedRequest, SavedTarget
from workbench.core.store.secrets import FileSecretStore
from workbench.core.store.tree import CollectionNode, FolderNode, RequestNode
from workbench.core.store.workspace import Workspace

REQ = SavedRequest(
    method="workbench.demo.v1.DemoService/Echo",
    target=SavedTarget("localhost:50051"),
    messages=({"stringValue": "x"},),
)


def open_ws(directory: Path) -> Workspace:
    return Workspace.open(directory, create=True, secrets=FileSecretStore(directory))


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return open_ws(tmp_path / "ws")


class Recorder:
    """Collects tree events as (kind, node path names, row[, new row])."""

    def __init__(self, workspace: Workspace) -> None:
        self.events: list[TreeEvent] = []
        workspace.collections.events.connect(self.events.append)

    def take(self) -> list[tuple[object, ...]]:
        out: list[tuple[object, ...]] = []
        for e in self.events:
            row: tuple[object, ...] = (e.kind, "/".join(e.parent.names) or "<root>", e.index)
            if e.new_index is not None:
                assert e.new_parent is not None
                row += ("/".join(e.new_parent.names) or "<root>", e.new_index)
            out.append(row)
        self.events.clear()
        return out


def digests(directory: Path) -> dict[str, str]:
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def test_create_lays_out_the_workspace(ws: Workspace) -> None:
    d = ws.directory
    assert (
        (d / "workbench.json").read_text().startswith('{\n  "format": "grpc-workbench/workspace"')
    )
    assert (d / "collections").is_dir() and (d / "environments").is_dir()
    assert (d / ".workbench" / ".gitignore").read_text().endswith("*\n")
    assert ws.name == "ws"
    assert ws.problems == []


def test_not_a_workspace_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is not a grpc-workbench workspace"):
        Workspace.open(tmp_path)


def test_operations_emit_paired_events_and_keep_rows_sorted(ws: Workspace) -> None:
    rec = Recorder(ws)
    store = ws.collections
    users = store.create_collection("users")
    admin = store.create_folder(users, "admin")
    b = store.save_as(users, REQ, "b")
    a = store.save_as(users, REQ, "A")
    assert [c.name for c in users.children] == ["admin", "A", "b"]
    assert rec.take() == [
        ("inserting", "<root>", 0),
        ("inserted", "<root>", 0),
        ("inserting", "users", 0),
        ("inserted", "users", 0),
        ("inserting", "users", 1),
        ("inserted", "users", 1),
        ("inserting", "users", 1),
        ("inserted", "users", 1),
    ]
    store.rename(a, "c")  # moves below "b"
    assert [c.name for c in users.children] == ["admin", "b", "c"]
    assert (users.path / "c.request.json").exists() and not (users.path / "A.request.json").exists()
    events = list(rec.events)
    assert rec.take() == [("moving", "users", 1, "users", 2), ("moved", "users", 1, "users", 2)]
    assert events[0].qt_destination_row == 3
    store.rename(b, "bb")  # same row: only changed
    assert rec.take() == [("changed", "users", 1)]
    store.move(b, admin)
    assert (admin.path / "bb.request.json").exists()
    assert rec.take() == [
        ("moving", "users", 1, "users/admin", 0),
        ("moved", "users", 1, "users/admin", 0),
    ]
    copy = store.duplicate(b)
    assert copy.name == "bb copy" and isinstance(copy, RequestNode)
    assert store.duplicate(b).name == "bb copy 2"
    folder_copy = store.duplicate(admin)
    assert isinstance(folder_copy, FolderNode)
    assert [c.name for c in folder_copy.children] == ["bb", "bb copy", "bb copy 2"]
    rec.take()
    store.save(copy, replace(copy.request, notes="edited"))
    assert rec.take() == [("changed", "users/admin", 1)]
    reopened = open_ws(ws.directory)
    names = sorted("/".join(n.names) for n in reopened.collections.requests())
    assert names == [
        "users/admin copy/bb",
        "users/admin copy/bb copy",
        "users/admin copy/bb copy 2",
        "users/admin/bb",
        "users/admin/bb copy",
        "users/admin/bb copy 2",
        "users/c",
    ]


def test_bad_names_and_taken_names(ws: Workspace) -> None:
    store = ws.collections
    users = store.create_collection("users")
    store.save_as(users, REQ, "Get")
    with pytest.raises(NameTakenError, match="already exists in users"):
        store.save_as(users, REQ, "get")  # same file on macOS and Windows
    for bad in ("a/b", "", " x", ".hidden", "CON", "what?"):
        with pytest.raises(InvalidNameError):
            store.save_as(users, REQ, bad)
    with pytest.raises(UsageError, match="inside a collection"):
        store.save_as(store.root, REQ, "top")
    f = store.create_folder(users, "f")
    g = store.create_folder(f, "g")
    with pytest.raises(UsageError, match="into itself"):
        store.move(f, g)


def test_delete_and_undo_restore_the_exact_bytes(ws: Workspace) -> None:
    store = ws.collections
    users = store.create_collection("users")
    node = store.save_as(users, REQ, "Get")
    (users.path / ".DS_Store").write_bytes(b"junk")
    file, folder = node.path, users.path
    file.write_bytes(file.read_bytes().replace(b'"x"', b'"edited outside"'))
    before = digests(ws.directory)
    rec = Recorder(ws)
    ws.delete(node)
    assert not file.exists()
    ws.delete(users)
    assert not folder.exists()
    assert ws.undo_description == 'delete collection "users"'
    assert [e.kind for e in rec.events] == ["removing", "removed"] * 2
    assert ws.undo() is not None
    assert ws.undo() is not None
    assert ws.undo() is None
    assert digests(ws.directory) == before  # the on-disk edit came back, not the stale copy
    restored = store.find(["users", "Get"])
    assert isinstance(restored, RequestNode)
    assert restored.request.messages == ({"stringValue": "edited outside"},)


def test_folder_with_foreign_or_broken_files_is_not_deleted(ws: Workspace) -> None:
    store = ws.collections
    users = store.create_collection("users")
    store.save_as(users, REQ, "ok")
    (users.path / "broken.request.json").write_text("{oops")
    (users.path / "README.md").write_text("mine")
    ws.rescan()
    before = digests(ws.directory)
    with pytest.raises(StoreError) as info:
        ws.delete(users)
    assert "README.md" in info.value.message and "broken.request.json" in info.value.message
    assert digests(ws.directory) == before
    assert store.find(["users", "ok"]) is not None


def test_corrupt_and_future_files_are_reported_skipped_and_untouched(ws: Workspace) -> None:
    store = ws.collections
    users = store.create_collection("users")
    store.save_as(users, REQ, "good")
    (users.path / "bad json.request.json").write_text('{"format": "grpc-workbench/request",\n')
    (users.path / "future.request.json").write_text(
        '{"format": "grpc-workbench/request", "version": 2, "method": "a.B/C"}'
    )
    (users.path / "wrong.request.json").write_text(
        '{"format": "grpc-workbench/request", "version": 1, "method": 5}'
    )
    env_dir = ws.directory / "environments"
    (env_dir / "dev.env.json").write_text("not json")
    before = digests(ws.directory)

    reopened = open_ws(ws.directory)
    problems = {p.path.name: p.message for p in reopened.problems}
    assert set(problems) == {
        "bad json.request.json",
        "future.request.json",
        "wrong.request.json",
        "dev.env.json",
    }
    assert "invalid JSON" in problems["bad json.request.json"]
    assert "line 2" in problems["bad json.request.json"]
    assert "newer grpc-workbench (format version 2" in problems["future.request.json"]
    assert "method: expected a string" in problems["wrong.request.json"]
    assert [n.name for n in reopened.collections.requests()] == ["good"]
    assert len(reopened.environments) == 0
    # Nothing the app does may touch them: saving over them, rescanning, deleting around them.
    users2 = reopened.collections.find(["users"])
    assert isinstance(users2, CollectionNode)
    with pytest.raises(NameTakenError):
        reopened.collections.save_as(users2, REQ, "future")
    with pytest.raises(StoreError, match="not overwritten"):
        reopened.environments.save(Environment("dev", {"a": "b"}), force=True)
    assert not reopened.rescan().problems  # reported once, not on every rescan
    assert digests(ws.directory) == before


def test_rescan_picks_up_external_changes(ws: Workspace) -> None:
    store = ws.collections
    users = store.create_collection("users")
    keep = store.save_as(users, REQ, "keep")
    gone = store.save_as(users, REQ, "gone")
    rec = Recorder(ws)
    # Another editor / git pull: change one, delete one, add a folder with a request.
    keep.path.write_bytes(keep.path.read_bytes().replace(b'"x"', b'"y"'))
    os.utime(keep.path, ns=(1, 1))
    gone.path.unlink()
    (users.path / "new").mkdir()
    (users.path / "new" / "added.request.json").write_bytes(REQ.to_bytes())
    (ws.directory / "collections" / "orders").mkdir()
    changes = ws.rescan()
    assert sorted(p.name for p in changes.added) == ["added.request.json", "new", "orders"]
    assert [p.name for p in changes.changed] == ["keep.request.json"]
    assert [p.name for p in changes.removed] == ["gone.request.json"]
    assert keep.request.messages == ({"stringValue": "y"},)
    assert [c.name for c in users.children] == ["new", "keep"]
    kinds = [e.kind for e in rec.events]
    assert kinds.count("inserted") == 3 and kinds.count("removed") == 1 and "changed" in kinds
    assert not ws.rescan()  # nothing new


def test_hand_broken_file_leaves_the_tree_and_comes_back_when_fixed(ws: Workspace) -> None:
    users = ws.collections.create_collection("users")
    path = ws.collections.save_as(users, REQ, "r").path
    good = path.read_bytes()
    path.write_text("{ broken")
    changes = ws.rescan()
    assert [p.path.name for p in changes.problems] == ["r.request.json"]
    assert ws.collections.find(["users", "r"]) is None
    assert path.read_text() == "{ broken"
    path.write_bytes(good)
    changes = ws.rescan()
    assert [p.name for p in changes.added] == ["r.request.json"]
    assert ws.problems == []


def test_saving_over_an_external_change_is_a_conflict(ws: Workspace) -> None:
    users = ws.collections.create_collection("users")
    node = ws.collections.save_as(users, REQ, "r")
    theirs = node.path.read_bytes().replace(b'"x"', b'"theirs"')
    node.path.write_bytes(theirs)
    mine = replace(node.request, notes="mine")
    with pytest.raises(ConflictError, match="changed on disk since it was loaded"):
        ws.collections.save(node, mine)
    assert node.path.read_bytes() == theirs
    ws.collections.save(node, mine, force=True)
    assert b'"notes": "mine"' in node.path.read_bytes()
    node.path.unlink()
    with pytest.raises(ConflictError, match="deleted on disk"):
        ws.collections.save(node, mine)


def test_settings_conflict_and_corrupt_settings_are_never_overwritten(ws: Workspace) -> None:
    path = ws.directory / "workbench.json"
    path.write_text(path.read_text().replace('"name": "ws"', '"name": "renamed"'))
    with pytest.raises(ConflictError):
        ws.save_settings(ws.settings)
    assert ws.rescan().changed == [path]
    assert ws.name == "renamed"
    path.write_text("{")
    assert [p.path for p in ws.rescan().problems] == [path]
    assert ws.name == "renamed"  # the last good settings stay in use
    with pytest.raises(StoreError, match="not overwritten"):
        ws.save_settings(ws.settings, force=True)
    assert path.read_text() == "{"


def test_external_tls_profile_and_targets(ws: Workspace) -> None:
    from workbench.core.store.requests import TlsSettings
    from workbench.core.store.workspace_file import WorkspaceSettings

    ws.save_settings(
        WorkspaceSettings(name="api", tls_profiles={"prod": TlsSettings(cacert="certs/ca.pem")})
    )
    target = ws.target(SavedTarget("{{host}}:443", tls="prod"), {"host": "api.example.com"})
    assert target.address == "api.example.com:443"
    assert target.tls.ca_file == str(ws.directory / "certs" / "ca.pem")
    with pytest.raises(UsageError, match="TLS profile 'dev' is not defined"):
        ws.target(SavedTarget("h:1", tls="dev"))


def test_default_workspace_lives_in_the_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workbench.core import paths
    from workbench.core.store.runner import resolve_saved

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    default = Workspace.open_default(secrets=FileSecretStore(paths.default_workspace_dir()))
    assert default.directory == tmp_path / "data" / "grpc-workbench" / "workspace"
    scratch = default.collections.create_collection("scratch")
    default.collections.save_as(scratch, REQ, "try")
    elsewhere = tmp_path / "not-a-workspace"
    elsewhere.mkdir()
    workspace, node = resolve_saved("scratch/try", cwd=elsewhere)
    assert workspace.directory == default.directory
    assert node.request == REQ.renamed("try")

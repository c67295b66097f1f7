"""The collection tree model: an adapter over the store's events, checked by Qt's model tester."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt

from tests.unit.ui.workspace.conftest import tree_labels
from workbench.core.store.requests import SavedRequest, SavedTarget
from workbench.core.store.tree import CollectionNode, FolderNode
from workbench.core.store.workspace import Workspace
from workbench.ui.models.collection_model import (
    MIME_TYPE,
    CollectionModel,
    ItemRole,
    KindRole,
    NodeKind,
)

pytestmark = pytest.mark.gui


def request(name: str = "", method: str = "pkg.Svc/Get") -> SavedRequest:
    return SavedRequest(method, SavedTarget("localhost:1"), ({"id": "1"},), name=name)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    ws = Workspace.create(tmp_path / "ws")
    users = ws.collections.create_collection("users")
    admin = ws.collections.create_folder(users, "admin")
    ws.collections.save_as(users, request(), "Get user")
    ws.collections.save_as(admin, request(), "Delete user")
    ws.collections.create_collection("orders")
    return ws


@pytest.fixture
def model(workspace: Workspace, qtmodeltester: Any, qapp: Any) -> CollectionModel:
    model = CollectionModel()
    model.set_store(workspace.collections)
    qtmodeltester.check(model)  # stays attached: every change below is checked too
    return model


def test_rows_mirror_the_store(model: CollectionModel) -> None:
    assert tree_labels(model) == [
        "orders",
        "users",
        "users/admin",
        "users/admin/Delete user",
        "users/Get user",
    ]
    users = model.index(1, 0)
    assert users.data(KindRole) is NodeKind.COLLECTION
    assert isinstance(users.data(ItemRole), CollectionNode)
    get = model.index(1, 0, users)
    assert get.data(KindRole) is NodeKind.REQUEST
    assert "pkg.Svc/Get" in get.data(Qt.ItemDataRole.ToolTipRole)
    flags = model.flags(get)
    assert flags & Qt.ItemFlag.ItemIsEditable and flags & Qt.ItemFlag.ItemIsDragEnabled
    assert not flags & Qt.ItemFlag.ItemIsDropEnabled
    assert not model.flags(users) & Qt.ItemFlag.ItemIsDragEnabled  # collections stay put
    assert model.flags(QModelIndex()) == Qt.ItemFlag.NoItemFlags


def test_store_changes_become_row_signals(
    model: CollectionModel, workspace: Workspace, qtmodeltester: Any
) -> None:
    store = workspace.collections
    users = store.find(["users"])
    admin = store.find(["users", "admin"])
    assert isinstance(users, FolderNode) and isinstance(admin, FolderNode)
    inserted: list[tuple[int, int]] = []
    moved: list[int] = []
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    model.rowsMoved.connect(lambda *args: moved.append(args[4]))

    store.save_as(users, request(), "Add user")
    assert tree_labels(model)[-2:] == ["users/Add user", "users/Get user"]
    assert inserted == [(1, 1)]
    node = store.find(["users", "Add user"])
    assert node is not None
    # Renamed past its sibling: a move, in both directions.
    assert model.setData(model.index_of(node), "Zap user")
    assert tree_labels(model)[-2:] == ["users/Get user", "users/Zap user"]
    store.rename(node, "Aardvark")
    assert tree_labels(model)[-2:] == ["users/Aardvark", "users/Get user"]
    assert len(moved) == 2
    # Into another folder, by drag and drop.
    data = model.mimeData([model.index_of(node)])
    assert data.hasFormat(MIME_TYPE)
    assert model.dropMimeData(data, Qt.DropAction.MoveAction, -1, 0, model.index_of(admin))
    assert "users/admin/Aardvark" in tree_labels(model)
    # Dropped onto a request: into that request's folder.
    get = store.find(["users", "Get user"])
    data = model.mimeData([model.index_of(node)])
    assert model.dropMimeData(data, Qt.DropAction.MoveAction, -1, 0, model.index_of(get))
    assert "users/Aardvark" in tree_labels(model)

    copy = store.duplicate(admin)
    labels = tree_labels(model)
    assert "users/admin copy" in labels and "users/admin copy/Delete user" in labels
    workspace.delete(copy)
    assert "users/admin copy" not in tree_labels(model)
    workspace.undo()
    assert "users/admin copy/Delete user" in tree_labels(model)
    qtmodeltester.check(model)


def test_external_changes_and_another_workspace(
    model: CollectionModel, workspace: Workspace, tmp_path: Path, qtmodeltester: Any
) -> None:
    folder = workspace.directory / "collections" / "orders"
    (folder / "List.request.json").write_bytes(request().to_bytes())
    (workspace.directory / "collections" / "users" / "Get user.request.json").unlink()
    workspace.rescan()
    assert "orders/List" in tree_labels(model)
    assert "users/Get user" not in tree_labels(model)
    other = Workspace.create(tmp_path / "other")
    other.collections.create_collection("solo")
    model.set_store(other.collections)
    assert tree_labels(model) == ["solo"]
    workspace.collections.create_collection("ignored")  # the old store no longer drives it
    assert tree_labels(model) == ["solo"]
    qtmodeltester.check(model)


def test_refused_renames_and_drops_say_why(model: CollectionModel, workspace: Workspace) -> None:
    errors: list[Any] = []
    model.errorOccurred.connect(errors.append)
    store = workspace.collections
    get = store.find(["users", "Get user"])
    users = store.find(["users"])
    assert get is not None and users is not None
    assert not model.setData(model.index_of(get), "CON")
    assert "reserved" in errors[-1].message
    assert not model.setData(model.index_of(users), "orders")  # taken
    assert "already exists" in errors[-1].message
    data = model.mimeData([model.index_of(users)])  # a collection does not move
    assert not model.canDropMimeData(data, Qt.DropAction.MoveAction, -1, 0, QModelIndex())


def test_method_icons_follow_the_schema(model: CollectionModel, workspace: Workspace) -> None:
    changed: list[Any] = []
    model.dataChanged.connect(lambda *args: changed.append(args[2]))
    model.set_method_icons(lambda method: "unary" if method == "pkg.Svc/Get" else None)
    assert changed and all(Qt.ItemDataRole.DecorationRole in roles for roles in changed)
    get = store_index(model, workspace, ["users", "Get user"])
    assert not get.data(Qt.ItemDataRole.DecorationRole).isNull()


def store_index(model: CollectionModel, workspace: Workspace, names: list[str]) -> QModelIndex:
    node = workspace.collections.find(names)
    return model.index_of(node)

"""The tree's events are enough to mirror it, the way a Qt model adapter will.

A shadow model that only sees the events (and applies moves with Qt's ``beginMoveRows``
row arithmetic) must equal the real tree after every operation, rescans included.
"""

from __future__ import annotations

import random
from pathlib import Path

from workbench.core.store.events import EventEmitter, TreeEvent
from workbench.core.store.requests import SavedRequest, SavedTarget
from workbench.core.store.secrets import FileSecretStore
from workbench.core.store.tree import FolderNode, Node, RequestNode
from workbench.core.store.workspace import Workspace

REQ = SavedRequest("a.B/C", SavedTarget("h:1"), ({},))


class Shadow:
    """Rows per parent, maintained from events alone, checking each begin/end pair."""

    def __init__(self, root: FolderNode) -> None:
        self.rows: dict[int, list[Node]] = {id(root): []}
        self.pending: TreeEvent | None = None

    def __call__(self, e: TreeEvent) -> None:
        rows = self.rows.setdefault(id(e.parent), [])
        if e.kind == "inserting":
            assert self.pending is None and 0 <= e.index <= len(rows)
            self.pending = e
        elif e.kind == "inserted":
            assert self.pending is not None and self.pending.node is e.node
            self.pending = None
            rows.insert(e.index, e.node)
            self._adopt(e.node)
        elif e.kind == "removing":
            assert self.pending is None and rows[e.index] is e.node
            self.pending = e
        elif e.kind == "removed":
            assert self.pending is not None and self.pending.node is e.node
            self.pending = None
            del rows[e.index]
        elif e.kind == "moving":
            assert self.pending is None and rows[e.index] is e.node
            assert e.new_parent is not None
            dest = self.rows.setdefault(id(e.new_parent), [])
            # Qt refuses no-op moves; the store must never announce one.
            assert not (e.new_parent is e.parent and e.qt_destination_row in (e.index, e.index + 1))
            assert 0 <= e.qt_destination_row <= len(dest)
            self.pending = e
        elif e.kind == "moved":
            assert self.pending is not None and self.pending.node is e.node
            assert e.new_parent is not None and e.new_index is not None
            self.pending = None
            del rows[e.index]
            self.rows.setdefault(id(e.new_parent), []).insert(e.new_index, e.node)
        elif e.kind == "changed":
            assert rows[e.index] is e.node

    def _adopt(self, node: Node) -> None:
        # A subtree inserted at once: its children are fetched by the view on demand.
        if isinstance(node, FolderNode):
            self.rows[id(node)] = list(node.children)
            for child in node.children:
                self._adopt(child)

    def check(self, folder: FolderNode) -> None:
        assert self.pending is None
        assert [id(n) for n in self.rows.get(id(folder), [])] == [id(n) for n in folder.children]
        for child in folder.folders():
            self.check(child)


def _free(folder: FolderNode, name: str) -> bool:
    return name.casefold() not in {c.name.casefold() for c in folder.children}


def _random_step(ws: Workspace, rng: random.Random, step: int) -> None:
    """One random operation that is valid in the current tree."""
    store = ws.collections
    folders = [n for n in store.root.walk() if isinstance(n, FolderNode)]
    requests = list(store.requests())
    name = f"{rng.choice(['alpha', 'Beta', 'gamma', 'delta', 'Eps', 'zeta'])}{rng.randint(0, 3)}"
    op = rng.choice(["req", "folder", "rename", "move", "dup", "delete", "undo", "external"])
    parent = rng.choice(folders)
    if op == "req" and _free(parent, name):
        store.save_as(parent, REQ, name)
    elif op == "folder" and len(folders) < 12 and _free(parent, name):
        store.create_folder(parent, name)
    elif op == "rename" and (folders or requests):
        node = rng.choice([*folders, *requests])
        if node.parent is not None and _free(node.parent, name):
            store.rename(node, name)
    elif op == "move" and requests:
        movable = [*requests, *[f for f in folders if f.parent is not store.root]]
        moving: Node = rng.choice(movable)
        inside = isinstance(moving, FolderNode) and (parent is moving or _inside(parent, moving))
        if _free(parent, moving.name) and not inside:
            store.move(moving, parent)
    elif op == "dup" and requests:
        store.duplicate(rng.choice(requests))
    elif op == "delete" and requests:
        ws.delete(rng.choice(requests))
    elif op == "undo":
        ws.undo()
    elif op == "external" and requests:
        victim: RequestNode = rng.choice(requests)
        victim.path.unlink()
        (victim.path.parent / f"ext{step}.request.json").write_bytes(REQ.to_bytes())
        ws.rescan()


def test_random_operations_are_mirrored_by_events(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "ws", secrets=FileSecretStore(tmp_path / "ws"))
    shadow = Shadow(ws.collections.root)
    ws.collections.events.connect(shadow)
    store = ws.collections
    for c in ("one", "two"):
        store.create_collection(c)
    rng = random.Random(7)
    for step in range(150):
        _random_step(ws, rng, step)
        shadow.check(store.root)
    reopened = Workspace.open(ws.directory, secrets=FileSecretStore(ws.directory))
    assert sorted(n.names for n in reopened.collections.requests()) == sorted(
        n.names for n in store.requests()
    )


def _inside(node: Node, ancestor: Node) -> bool:
    while node.parent is not None:
        if node.parent is ancestor:
            return True
        node = node.parent
    return False


def test_a_failing_listener_does_not_stop_the_others() -> None:
    emitter: EventEmitter[int] = EventEmitter()
    seen: list[int] = []

    def broken(_: int) -> None:
        raise RuntimeError("view bug")

    emitter.connect(broken)
    emitter.connect(seen.append)
    emitter.emit(1)
    emitter.disconnect(broken)
    emitter.disconnect(broken)
    emitter.emit(2)
    assert seen == [1, 2]

"""The collection tree: collections → folders → saved requests, mirroring the folders on disk.

Nodes know their place (parent, name) and compute their path from it, so moving or renaming
a folder moves its whole subtree without touching the children. Children are kept sorted —
folders first, then requests, each by name case-insensitively — which is also the order a
file manager shows, so a row index never depends on the order files were created in.

Every structural change goes through :class:`CollectionTree`, which emits the
:class:`~workbench.core.store.events.TreeEvent` pairs a Qt model adapter needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from workbench.core.store.atomic import Fingerprint
from workbench.core.store.events import EventEmitter, TreeEvent
from workbench.core.store.names import name_key
from workbench.core.store.requests import REQUEST_SUFFIX, SavedRequest

__all__ = ["CollectionNode", "CollectionTree", "FolderNode", "Node", "RequestNode", "RootNode"]


class Node:
    """A node of the collection tree.

    Attributes:
        name: the node's name; also its file or folder name.
        parent: the folder holding it (``None`` only for the root).
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.parent: FolderNode | None = None

    @property
    def path(self) -> Path:
        """The node's file (requests) or folder."""
        assert self.parent is not None
        return self.parent.path / self.filename

    @property
    def filename(self) -> str:
        """The node's file or folder name."""
        return self.name

    @property
    def names(self) -> tuple[str, ...]:
        """Names from the collection down to this node, e.g. ``("users", "admin", "Get")``."""
        if self.parent is None:
            return ()
        return (*self.parent.names, self.name)

    @property
    def collection(self) -> CollectionNode | None:
        """The collection this node belongs to (itself for a collection)."""
        node: Node | None = self
        while node is not None and not isinstance(node, CollectionNode):
            node = node.parent
        return node

    def row(self) -> int:
        """The node's index among its parent's children."""
        assert self.parent is not None
        return self.parent.children.index(self)

    def sort_key(self) -> tuple[int, str, str]:
        """Folders before requests, then by name."""
        return (1 if isinstance(self, RequestNode) else 0, *name_key(self.name))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({'/'.join(self.names) or '<root>'!r})"


class FolderNode(Node):
    """A folder: holds folders and requests."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.children: list[Node] = []

    def child(self, name: str) -> Node | None:
        """The child called ``name`` (exact match), or ``None``."""
        return next((c for c in self.children if c.name == name), None)

    def folders(self) -> list[FolderNode]:
        """The child folders."""
        return [c for c in self.children if isinstance(c, FolderNode)]

    def requests(self) -> list[RequestNode]:
        """The child requests."""
        return [c for c in self.children if isinstance(c, RequestNode)]

    def walk(self) -> Iterator[Node]:
        """Every node below this one, depth first, parents before children."""
        for child in self.children:
            yield child
            if isinstance(child, FolderNode):
                yield from child.walk()

    def insertion_index(self, node: Node) -> int:
        """Where ``node`` goes among the children to keep them sorted."""
        key = node.sort_key()
        for i, child in enumerate(self.children):
            if child is not node and child.sort_key() > key:
                return i - (1 if node in self.children[:i] else 0)
        return len(self.children) - (1 if node in self.children else 0)


class CollectionNode(FolderNode):
    """A collection: a top-level folder under ``collections/``."""


class RootNode(FolderNode):
    """The invisible root whose children are the collections; its path is fixed."""

    def __init__(self, directory: Path) -> None:
        super().__init__("")
        self._directory = directory

    @property
    def path(self) -> Path:
        """The ``collections`` folder."""
        return self._directory


class RequestNode(Node):
    """A saved request and the fingerprint of its file as last read or written.

    Attributes:
        request: the request (its ``name`` equals the node's).
        fingerprint: what the file looked like when loaded or saved; a save checks it.
    """

    def __init__(self, request: SavedRequest, fingerprint: Fingerprint | None) -> None:
        super().__init__(request.name)
        self.request = request
        self.fingerprint = fingerprint

    @property
    def filename(self) -> str:
        """``<name>.request.json``."""
        return self.name + REQUEST_SUFFIX


class CollectionTree:
    """The root and the structural operations that emit events.

    Attributes:
        root: the invisible root; its children are the collections.
        events: every :class:`TreeEvent`.
    """

    def __init__(self, directory: Path) -> None:
        """A tree for the collections under ``directory`` (initially empty)."""
        self.root = RootNode(directory)
        self.events: EventEmitter[TreeEvent] = EventEmitter()

    def insert(self, parent: FolderNode, node: Node) -> None:
        """Add ``node`` under ``parent`` at its sorted place."""
        index = parent.insertion_index(node)
        self.events.emit(TreeEvent("inserting", node, parent, index))
        node.parent = parent
        parent.children.insert(index, node)
        self.events.emit(TreeEvent("inserted", node, parent, index))

    def remove(self, node: Node) -> None:
        """Take ``node`` (and its subtree) out of the tree."""
        parent = node.parent
        assert parent is not None
        index = parent.children.index(node)
        self.events.emit(TreeEvent("removing", node, parent, index))
        del parent.children[index]
        node.parent = None
        self.events.emit(TreeEvent("removed", node, parent, index))

    def move(self, node: Node, new_parent: FolderNode, new_name: str | None = None) -> None:
        """Move and/or rename ``node``; emits ``moving``/``moved`` when its row changes.

        A rename that keeps the row emits ``changed`` only.
        """
        parent = node.parent
        assert parent is not None
        index = parent.children.index(node)
        old_name = node.name
        node.name = new_name if new_name is not None else node.name
        new_index = new_parent.insertion_index(node)
        if new_parent is parent and new_index == index:
            self.changed(node)
            return
        node.name = old_name
        self.events.emit(TreeEvent("moving", node, parent, index, new_parent, new_index))
        del parent.children[index]
        node.name = new_name if new_name is not None else node.name
        new_parent.children.insert(new_index, node)
        node.parent = new_parent
        self.events.emit(TreeEvent("moved", node, parent, index, new_parent, new_index))

    def changed(self, node: Node) -> None:
        """Announce that ``node``'s content (not its place) changed."""
        parent = node.parent
        assert parent is not None
        self.events.emit(TreeEvent("changed", node, parent, parent.children.index(node)))

    def find(self, names: tuple[str, ...] | list[str]) -> Node | None:
        """The node at ``names`` (collection first), or ``None``."""
        node: Node = self.root
        for name in names:
            if not isinstance(node, FolderNode):
                return None
            found = node.child(name)
            if found is None:
                return None
            node = found
        return node

"""A tiny event emitter and the events of the evented store containers (no Qt).

The store's containers (the collection tree, the environment list) announce every change
before and after it happens, in the vocabulary of napari's evented containers, so that a Qt
model can adapt them one to one::

    inserting -> beginInsertRows    inserted -> endInsertRows
    removing  -> beginRemoveRows    removed  -> endRemoveRows
    moving    -> beginMoveRows      moved    -> endMoveRows
    changed   -> dataChanged

Listeners are plain callables. One failing listener is logged and does not stop the others
or leave the container half-changed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, Literal, TypeVar

if TYPE_CHECKING:
    from workbench.core.store.environments import Environment
    from workbench.core.store.tree import FolderNode, Node

logger = logging.getLogger(__name__)

__all__ = ["EnvironmentEvent", "EventEmitter", "EventKind", "TreeEvent"]

E = TypeVar("E")

EventKind = Literal["inserting", "inserted", "removing", "removed", "moving", "moved", "changed"]


class EventEmitter(Generic[E]):
    """Calls every connected listener with each emitted event, in connection order."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[E], object]] = []

    def connect(self, listener: Callable[[E], object]) -> Callable[[E], object]:
        """Add ``listener``; returns it so this works as a decorator."""
        self._listeners.append(listener)
        return listener

    def disconnect(self, listener: Callable[[E], object]) -> None:
        """Remove ``listener`` (no error when it was not connected)."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def emit(self, event: E) -> None:
        """Deliver ``event`` to every listener."""
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                # A broken view must not corrupt the store: the change goes ahead.
                logger.exception("event listener %r failed on %r", listener, event)


@dataclass(frozen=True)
class TreeEvent:
    """One change of the collection tree.

    Attributes:
        kind: what happens; ``-ing`` kinds come before the change, the others after it.
        node: the node inserted, removed, moved or changed.
        parent: its parent (for ``moving``/``moved``: the old parent). The tree root stands
            for the invisible root (an invalid ``QModelIndex``).
        index: its row under ``parent`` (for ``moving``/``moved``: the old row).
        new_parent: ``moving``/``moved`` only: the parent after the move.
        new_index: ``moving``/``moved`` only: the row after the move.
    """

    kind: EventKind
    node: Node
    parent: FolderNode
    index: int
    new_parent: FolderNode | None = None
    new_index: int | None = None

    @property
    def qt_destination_row(self) -> int:
        """The ``destinationChild`` for ``QAbstractItemModel.beginMoveRows``.

        Qt counts the destination row *before* the node leaves its old place, which differs
        from :attr:`new_index` when a node moves down under the same parent.
        """
        assert self.new_index is not None
        if self.new_parent is self.parent and self.new_index > self.index:
            return self.new_index + 1
        return self.new_index


@dataclass(frozen=True)
class EnvironmentEvent:
    """One change of the environment list (kept sorted by name).

    Attributes:
        kind: ``inserting``/``inserted``/``removing``/``removed``/``changed``.
        index: the environment's row in :meth:`EnvironmentStore.names`.
        environment: the environment concerned (the new one for ``changed``).
    """

    kind: EventKind
    index: int
    environment: Environment

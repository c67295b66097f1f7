"""The one interface all schema sources implement."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from workbench.core.schema.schema import Schema


@runtime_checkable
class DescriptorSource(Protocol):
    """Something that can produce a :class:`Schema`.

    Implementations: ``ProtoFileSource`` (.proto files + import paths), ``ProtosetSource``
    (FileDescriptorSet files) and ``ReflectionSource`` (server reflection v1 / v1alpha).
    ``load`` is a coroutine for all of them so callers never care which one they hold;
    file sources do their CPU-heavy work in an executor so a GUI loop never stalls.
    """

    def describe(self) -> str:
        """A short human description ('reflection at host:port', '3 .proto files')."""
        ...

    async def load(self) -> Schema:
        """Build the schema; raises a ``WorkbenchError`` subclass on user-caused failure."""
        ...

"""The implementation of ``workbench.demo.inventory.v1.InventoryService``: an in-memory table."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import grpc.aio
from google.protobuf.descriptor_pool import DescriptorPool

from workbench.demo.handlers import Dynamic, DynamicService

_PKG = "workbench.demo.inventory.v1"

# (sku, name, category number, quantity, price units, price nanos, tags)
_SEED: tuple[tuple[str, str, int, int, int, int, tuple[str, ...]], ...] = (
    ("HW-001", "Claw hammer", 1, 25, 14, 990_000_000, ("tools", "steel")),
    ("HW-002", "Box of 100 screws", 1, 140, 3, 490_000_000, ("tools",)),
    ("FD-001", "Sourdough loaf", 2, 12, 4, 200_000_000, ("bakery", "fresh")),
    ("FD-002", "Dark chocolate", 2, 60, 2, 750_000_000, ("sweets",)),
    ("BK-001", "The Protocol Buffers Handbook", 3, 7, 39, 0, ("books", "reference")),
)


class InventoryService(DynamicService):
    """A small stock table, seeded with a few items; every server has its own copy."""

    service_name = f"{_PKG}.InventoryService"

    def __init__(self, pool: DescriptorPool) -> None:
        super().__init__(pool)
        self._item_cls = self.message_class(f"{_PKG}.Item")
        self._items: dict[str, Dynamic] = {}
        for sku, name, category, quantity, units, nanos, tags in _SEED:
            item = self._item_cls(
                sku=sku, name=name, category=category, quantity=quantity, tags=list(tags)
            )
            item.price.currency_code = "EUR"
            item.price.units, item.price.nanos = units, nanos
            self._store(item)

    def _store(self, item: Dynamic) -> Dynamic:
        stored = self._item_cls()
        stored.CopyFrom(item)
        stored.updated_at.GetCurrentTime()
        self._items[stored.sku] = stored
        return stored

    async def _lookup(self, sku: str, context: grpc.aio.ServicerContext) -> Dynamic:
        item = self._items.get(sku)
        if item is None:
            known = ", ".join(sorted(self._items))
            await context.abort(
                grpc.StatusCode.NOT_FOUND, f"no item with SKU {sku!r}; known SKUs: {known}"
            )
        assert item is not None
        return item

    async def get_item(self, request: Dynamic, context: grpc.aio.ServicerContext) -> Dynamic:
        """Return one item by SKU, or fail with NOT_FOUND."""
        return await self._lookup(request.sku, context)

    async def list_items(
        self, request: Dynamic, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[Dynamic]:
        """Stream the items of one category (or all), up to ``limit``."""
        sent = 0
        for item in list(self._items.values()):
            if request.category and item.category != request.category:
                continue
            if request.limit and sent >= request.limit:
                return
            sent += 1
            yield item

    async def add_items(
        self, request_iterator: AsyncIterator[Dynamic], context: grpc.aio.ServicerContext
    ) -> Dynamic:
        """Add or replace every streamed item; answer with their SKUs."""
        skus: list[str] = []
        async for item in request_iterator:
            if not item.sku:
                await context.abort(
                    grpc.StatusCode.INVALID_ARGUMENT,
                    f"item {len(skus) + 1} has no sku; every item needs one",
                )
            skus.append(self._store(item).sku)
        return self.new(f"{_PKG}.AddItemsResponse", count=len(skus), skus=skus)

    async def update_item(self, request: Dynamic, context: grpc.aio.ServicerContext) -> Dynamic:
        """Copy the fields named in the mask (all when empty) onto the stored item."""
        current = await self._lookup(request.item.sku, context)
        updated = self._item_cls()
        updated.CopyFrom(current)
        mask = request.update_mask
        if not mask.paths:
            updated.CopyFrom(request.item)
        else:
            if not mask.IsValidForDescriptor(self._item_cls.DESCRIPTOR):
                await context.abort(
                    grpc.StatusCode.INVALID_ARGUMENT,
                    f"update_mask {', '.join(mask.paths)!r} names fields Item does not have",
                )
            mask.MergeMessage(
                request.item, updated, replace_message_field=True, replace_repeated_field=True
            )
        return self._store(updated)

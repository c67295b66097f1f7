"""The schema tree model and its filter proxy."""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf import descriptor_pb2
from PySide6.QtCore import QModelIndex, Qt

from workbench.core.schema.schema import Schema
from workbench.ui.models.schema_filter_proxy import SchemaFilterProxy
from workbench.ui.models.schema_tree_model import (
    FullNameRole,
    ItemRole,
    KindRole,
    NodeKind,
    SchemaTreeModel,
)

DEMO = "workbench.demo.v1.DemoService"


def names(model: Any, parent: QModelIndex | None = None) -> list[str]:
    """Labels of the rows under ``parent``."""
    parent = parent or QModelIndex()
    return [str(model.index(r, 0, parent).data()) for r in range(model.rowCount(parent))]


def find(model: Any, label: str, parent: QModelIndex | None = None) -> QModelIndex:
    """The row labelled ``label`` under ``parent``."""
    parent = parent or QModelIndex()
    for r in range(model.rowCount(parent)):
        index = model.index(r, 0, parent)
        if index.data() == label:
            return index
    raise AssertionError(f"{label!r} not among {names(model, parent)}")


@pytest.fixture
def model(demo_schema: Schema) -> SchemaTreeModel:
    tree = SchemaTreeModel()
    tree.set_schema(demo_schema)
    return tree


@pytest.fixture
def proxy(model: SchemaTreeModel) -> SchemaFilterProxy:
    filtered = SchemaFilterProxy()
    filtered.setSourceModel(model)
    return filtered


def test_model_passes_the_model_tester(model: SchemaTreeModel, qtmodeltester: Any) -> None:
    qtmodeltester.check(model)


def test_empty_and_reset_models_pass_the_model_tester(
    demo_schema: Schema, qtmodeltester: Any
) -> None:
    tree = SchemaTreeModel()
    qtmodeltester.check(tree)
    tree.set_schema(demo_schema)
    tree.set_schema(None)
    assert tree.rowCount() == 0
    qtmodeltester.check(tree)


def test_proxy_passes_the_model_tester_while_filtering(
    proxy: SchemaFilterProxy, qtmodeltester: Any
) -> None:
    qtmodeltester.check(proxy)
    proxy.set_filter_text("echo")
    qtmodeltester.check(proxy)


def test_top_level_is_services_then_messages_and_enums(model: SchemaTreeModel) -> None:
    top = names(model)
    assert top[-2:] == ["Messages", "Enums"]
    assert DEMO in top
    assert top[:-2] == sorted(top[:-2])
    service = find(model, DEMO)
    assert names(model, service)[:4] == ["Echo", "Countdown", "Sum", "Chat"]
    assert "workbench.demo.v1.CountdownRequest" in names(model, find(model, "Messages"))
    assert "workbench.demo.v1.Color" in names(model, find(model, "Enums"))


def test_roles_expose_descriptor_kind_icon_and_comments(model: SchemaTreeModel) -> None:
    service = find(model, DEMO)
    chat = find(model, "Chat", service)
    desc = chat.data(ItemRole)
    assert desc.full_name == f"{DEMO}.Chat"
    assert chat.data(KindRole) is NodeKind.METHOD
    assert chat.data(FullNameRole) == f"{DEMO}.Chat"
    assert not chat.data(Qt.ItemDataRole.DecorationRole).isNull()
    tooltip = chat.data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip.startswith("rpc Chat(stream workbench.demo.v1.ChatMessage) returns (stream")
    assert "Bidirectional streaming" in tooltip  # the proto comment
    messages = find(model, "Messages")
    assert messages.data(ItemRole) is None
    assert messages.data(KindRole) is NodeKind.MESSAGES
    assert "message types" in messages.data(Qt.ItemDataRole.ToolTipRole)


def test_method_kinds_get_distinct_icons(model: SchemaTreeModel) -> None:
    service = find(model, DEMO)
    keys = {
        find(model, name, service).data(Qt.ItemDataRole.DecorationRole).cacheKey()
        for name in ("Echo", "Countdown", "Sum", "Chat")
    }
    assert len(keys) == 4


def test_nodes_are_created_lazily(model: SchemaTreeModel) -> None:
    root = model.root_node
    assert root._children is None  # nothing asked for yet
    model.index(0, 0)
    assert root._children is not None
    assert sum(c is not None for c in root._children) == 1


def test_index_of_finds_each_kind(model: SchemaTreeModel) -> None:
    assert model.index_of(f"{DEMO}/Sum").data() == "Sum"
    assert model.index_of(f"{DEMO}.Sum").data() == "Sum"
    assert model.index_of(DEMO).data() == DEMO
    assert model.index_of("google.protobuf.Empty").data() == "google.protobuf.Empty"
    assert model.index_of("workbench.demo.v1.Color").data(KindRole) is NodeKind.ENUM
    assert not model.index_of("no.such.Thing").isValid()


def test_filter_matches_every_word_of_the_full_name(proxy: SchemaFilterProxy) -> None:
    proxy.set_filter_text("DemoService count")
    assert names(proxy) == [DEMO]
    assert names(proxy, find(proxy, DEMO)) == ["Countdown"]


def test_filter_keeps_the_methods_of_a_matching_service(proxy: SchemaFilterProxy) -> None:
    proxy.set_filter_text("inventoryservice")
    assert names(proxy) == ["workbench.demo.inventory.v1.InventoryService"]
    assert len(names(proxy, proxy.index(0, 0))) == 4


def test_filter_reaches_messages_and_enums_but_not_group_titles(
    proxy: SchemaFilterProxy,
) -> None:
    proxy.set_filter_text("countdownrequest")
    assert names(proxy) == ["Messages"]
    assert names(proxy, find(proxy, "Messages")) == ["workbench.demo.v1.CountdownRequest"]
    proxy.set_filter_text("enums")
    assert names(proxy) == []


def test_filter_accepts_service_slash_method_and_clears(proxy: SchemaFilterProxy) -> None:
    proxy.set_filter_text("DemoService/EchoMeta")
    assert names(proxy, find(proxy, DEMO)) == ["EchoMetadata"]
    proxy.set_filter_text("  ")
    assert "Messages" in names(proxy)
    assert proxy.filter_text == ""


def _big_schema(services: int, messages: int) -> Schema:
    """A synthetic schema of ``services`` services (3 methods each) and ``messages`` types."""
    fds = descriptor_pb2.FileDescriptorSet()
    types = fds.file.add(name="big/types.proto", package="big.types", syntax="proto3")
    for i in range(messages):
        msg = types.message_type.add(name=f"Type{i:05d}")
        msg.field.add(
            name="id",
            number=1,
            type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
            label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL,
        )
    api = fds.file.add(name="big/api.proto", package="big.api", syntax="proto3")
    api.dependency.append("big/types.proto")
    for i in range(services):
        svc = api.service.add(name=f"Service{i:04d}")
        for j in range(3):
            svc.method.add(
                name=f"Call{j}",
                input_type=f".big.types.Type{(i * 3 + j) % messages:05d}",
                output_type=".big.types.Type00000",
                server_streaming=j == 1,
            )
    return Schema.from_file_descriptor_set(fds)


def test_large_schema_opens_lazily_and_filters() -> None:
    schema = _big_schema(services=500, messages=5000)
    tree = SchemaTreeModel()
    tree.set_schema(schema)
    assert tree.rowCount() == 501  # 500 services and "Messages" (no enums, no group)
    messages = tree.index(500, 0)
    assert tree.rowCount(messages) == 5000
    proxy = SchemaFilterProxy()
    proxy.setSourceModel(tree)
    proxy.set_filter_text("type04999")
    assert names(proxy) == ["Messages"]
    assert names(proxy, proxy.index(0, 0)) == ["big.types.Type04999"]
    proxy.set_filter_text("service0499 call2")
    assert names(proxy, proxy.index(0, 0)) == ["Call2"]

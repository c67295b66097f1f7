"""Schema: lookups, short names, nested types, comments, and proto2/proto3/editions files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2

from workbench.core.errors import SchemaError, SymbolNotFound
from workbench.core.schema.files import ProtoFileSource
from workbench.core.schema.schema import Comments, MethodKind, Schema

FILES = {
    "acme/shop/v1/shop.proto": """
        syntax = "proto3";
        package acme.shop.v1;

        import "acme/stock/v1/stock.proto";

        // Detached: not attached to anything.

        // Sells items.
        service Shop {
          // One item.
          rpc GetItem (GetItemRequest) returns (Item);
          rpc ListItems (GetItemRequest) returns (stream Item);
          rpc AddItems (stream Item) returns (Item);
          rpc Chat (stream Item) returns (stream Item); // Talks.
        }

        message GetItemRequest { string id = 1; }

        // A shop item.
        message Item {
          // Where it sits.
          message Shelf {
            message Slot { int32 n = 1; }
            Slot slot = 1;
          }
          enum Size {
            SIZE_UNSPECIFIED = 0;
            SMALL = 1; /* Tiny. */
          }
          string id = 1; // The id.
          Shelf shelf = 2;
          map<string, int32> counts = 3;
          oneof price {
            // In cents.
            int64 cents = 4;
          }
          acme.stock.v1.Item stock = 5;
        }
        """,
    "acme/stock/v1/stock.proto": """
        syntax = "proto3";
        package acme.stock.v1;

        // Stock service: same short service name as nothing, same Item as shop.
        service Stock {
          rpc GetItem (Item) returns (Item);
        }

        message Item { int32 quantity = 1; }

        enum Level { LEVEL_UNSPECIFIED = 0; LOW = 1; }
        """,
    "legacy/old.proto": """
        syntax = "proto2";
        package legacy;
        message Old {
          required string id = 1;
          optional int32 n = 2 [default = 7];
        }
        """,
    "modern/ed.proto": """
        edition = "2023";
        package modern;
        message New {
          int32 implicit = 1 [features.field_presence = IMPLICIT];
          int32 explicit = 2;
        }
        """,
}


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> Schema:
    root = tmp_path_factory.mktemp("schema")
    paths: list[str | Path] = []
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        paths.append(path)
    return ProtoFileSource(paths, [root]).load_sync()


# -- lookups --------------------------------------------------------------------------------


def test_files_and_enumeration(schema: Schema) -> None:
    assert schema.files == list(FILES)
    assert [s.full_name for s in schema.services()] == ["acme.shop.v1.Shop", "acme.stock.v1.Stock"]
    names = [m.full_name for m in schema.messages()]
    assert names == sorted(names)
    assert {
        "acme.shop.v1.Item",
        "acme.shop.v1.Item.Shelf",
        "acme.shop.v1.Item.Shelf.Slot",
        "acme.stock.v1.Item",
        "legacy.Old",
        "modern.New",
    } <= set(names)
    assert not any(n.endswith("CountsEntry") for n in names)  # map entries are not messages
    assert {e.full_name for e in schema.enums()} >= {
        "acme.shop.v1.Item.Size",
        "acme.stock.v1.Level",
    }
    assert {f.name for f in schema.file_descriptors()} >= set(FILES)


def test_service_and_method_lookups(schema: Schema) -> None:
    shop = schema.service("acme.shop.v1.Shop")
    assert schema.service(".acme.shop.v1.Shop") is shop
    assert schema.service("Shop") is shop  # a unique short name
    get = schema.method("acme.shop.v1.Shop/GetItem")
    assert schema.method("acme.shop.v1.Shop.GetItem") is get
    assert schema.method("Shop/GetItem") is get
    assert get.input_type.full_name == "acme.shop.v1.GetItemRequest"


def test_method_kinds(schema: Schema) -> None:
    kinds = {m.name: MethodKind.of(m) for m in schema.service("Shop").methods}
    assert kinds == {
        "GetItem": MethodKind.UNARY,
        "ListItems": MethodKind.SERVER_STREAMING,
        "AddItems": MethodKind.CLIENT_STREAMING,
        "Chat": MethodKind.BIDI_STREAMING,
    }


def test_message_and_enum_lookups(schema: Schema) -> None:
    slot = schema.message("acme.shop.v1.Item.Shelf.Slot")
    assert slot.containing_type is schema.message("acme.shop.v1.Item.Shelf")
    assert schema.enum(".acme.shop.v1.Item.Size").values_by_name["SMALL"].number == 1
    with pytest.raises(SymbolNotFound) as info:
        schema.message("acme.shop.v1.Itme")
    assert "acme.shop.v1.Item" in info.value.suggestions
    with pytest.raises(SymbolNotFound):
        schema.enum("acme.shop.v1.Item")


def test_find_symbol_of_every_kind(schema: Schema) -> None:
    found = {
        name: schema.find_symbol(name)
        for name in (
            "acme.shop.v1.Shop",
            "acme.shop.v1.Shop.GetItem",
            "acme.shop.v1.Shop/GetItem",
            "acme.shop.v1.Item",
            "acme.shop.v1.Item.Size",
            "acme.shop.v1.Item.id",
            "acme.shop.v1.Item.price",
        )
    }
    assert found["acme.shop.v1.Shop.GetItem"] is found["acme.shop.v1.Shop/GetItem"]
    assert found["acme.shop.v1.Item.id"].number == 1  # type: ignore[union-attr]
    assert found["acme.shop.v1.Item.price"].name == "price"


def test_find_symbol_enum_value(schema: Schema) -> None:
    value = schema.find_symbol("acme.stock.v1.LOW")
    assert value.name == "LOW"


def test_same_short_name_in_two_packages(schema: Schema) -> None:
    assert schema.find_symbol("Shop").full_name == "acme.shop.v1.Shop"
    assert schema.find_symbol("Level").full_name == "acme.stock.v1.Level"
    with pytest.raises(SymbolNotFound) as info:
        schema.find_symbol("Item")
    assert sorted(info.value.suggestions) == ["acme.shop.v1.Item", "acme.stock.v1.Item"]
    assert "did you mean" in info.value.hint


def test_unknown_names_suggest_close_ones(schema: Schema) -> None:
    with pytest.raises(SymbolNotFound) as info:
        schema.service("acme.shop.v1.Shp")
    assert info.value.suggestions[0] == "acme.shop.v1.Shop"
    with pytest.raises(SymbolNotFound) as info:
        schema.method("acme.shop.v1.Shop/GetIten")
    assert info.value.suggestions == ["acme.shop.v1.Shop/GetItem"]
    with pytest.raises(SymbolNotFound) as info:
        schema.method("GetItem")
    assert sorted(info.value.suggestions) == [
        "acme.shop.v1.Shop/GetItem",
        "acme.stock.v1.Stock/GetItem",
    ]


# -- comments -------------------------------------------------------------------------------


def test_comments(schema: Schema) -> None:
    shop = schema.service("Shop")
    assert schema.has_source_info()
    notes = schema.comments(shop)
    assert notes.leading == " Sells items.\n"
    assert notes.detached == (" Detached: not attached to anything.\n",)
    assert notes.text == "Sells items."
    assert schema.comments(shop.methods_by_name["GetItem"]).text == "One item."
    assert schema.comments(shop.methods_by_name["Chat"]).trailing == " Talks.\n"
    item = schema.message("acme.shop.v1.Item")
    assert schema.comments(item.fields_by_name["id"]).text == "The id."
    assert schema.comments(item.fields_by_name["cents"]).text == "In cents."
    assert schema.comments(item.nested_types_by_name["Shelf"]).text == "Where it sits."
    small = schema.enum("acme.shop.v1.Item.Size").values_by_name["SMALL"]
    assert schema.comments(small).text == "Tiny."


def test_missing_comments_are_empty(schema: Schema) -> None:
    notes = schema.comments(schema.message("acme.stock.v1.Item"))
    assert notes == Comments()
    assert not notes
    assert notes.text == ""


# -- syntaxes -------------------------------------------------------------------------------


def test_proto2_and_editions_files(schema: Schema) -> None:
    old = schema.message("legacy.Old").fields_by_name
    assert old["id"].is_required
    assert old["n"].default_value == 7
    new = schema.message("modern.New").fields_by_name
    assert not new["implicit"].has_presence
    assert new["explicit"].has_presence


# -- construction ---------------------------------------------------------------------------


def test_round_trip_through_a_descriptor_set(schema: Schema) -> None:
    fds = schema.file_descriptor_set()
    order = [f.name for f in fds.file]
    assert order.index("acme/stock/v1/stock.proto") < order.index("acme/shop/v1/shop.proto")
    reversed_set = descriptor_pb2.FileDescriptorSet(file=list(reversed(fds.file)))
    again = Schema.from_file_descriptor_set(reversed_set, origin="copy")
    assert again.files == list(reversed(order))  # every file when none are named
    assert again.origin == "copy"
    assert again.message("acme.shop.v1.Item.Shelf.Slot").fields_by_name["n"].number == 1


def test_incomplete_set_is_a_schema_error() -> None:
    fds = descriptor_pb2.FileDescriptorSet()
    fds.file.add(name="a.proto", dependency=["b.proto"])
    with pytest.raises(SchemaError, match=r"a.proto imports 'b.proto'") as info:
        Schema.from_file_descriptor_set(fds)
    assert "--include_imports" in info.value.hint


def test_import_cycle_is_a_schema_error() -> None:
    fds = descriptor_pb2.FileDescriptorSet()
    fds.file.add(name="a.proto", dependency=["b.proto"])
    fds.file.add(name="b.proto", dependency=["a.proto"])
    with pytest.raises(SchemaError, match=r"import cycle: a.proto -> b.proto -> a.proto"):
        Schema.from_file_descriptor_set(fds)


def test_invalid_descriptor_is_a_schema_error() -> None:
    fds = descriptor_pb2.FileDescriptorSet()
    bad = fds.file.add(name="bad.proto", package="p")
    bad.message_type.add(name="M").field.add(
        name="f",
        number=1,
        type=descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE,
        type_name=".p.Nope",
    )
    with pytest.raises(SchemaError, match=r"bad.proto: invalid descriptor"):
        Schema.from_file_descriptor_set(fds)

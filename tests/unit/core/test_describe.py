"""describe: descriptors rendered back into proto syntax, as ``grpcurl describe`` shows them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from workbench.core.schema.describe import (
    describe_enum,
    describe_heading,
    describe_message,
    describe_method,
    describe_service,
    describe_symbol,
    full_name,
)
from workbench.core.schema.files import ProtoFileSource
from workbench.core.schema.schema import Schema

DEMO = Path(__file__).resolve().parents[3] / "protos" / "workbench" / "demo" / "v1"

SHOP = r"""
syntax = "proto3";

package shop.v1;

import "google/api/annotations.proto";
import "google/protobuf/descriptor.proto";
import "google/protobuf/timestamp.proto";

extend google.protobuf.FieldOptions {
  bool sensitive = 50001;
}

// Sells things.
service Shop {
  option deprecated = false;
  // Looks up one item.
  rpc GetItem(GetItemRequest) returns (Item) {
    option (google.api.http) = { get: "/v1/items/{id}" };
  }
  rpc Watch(GetItemRequest) returns (stream Item); // Streams.
  /* Uploads many.
     Answers once. */
  rpc Upload(stream Item) returns (Item) { option deprecated = true; }
  rpc Chat(stream Item) returns (stream Item);
}

message GetItemRequest {
  string id = 1; // The item id.
}

// An item for sale.
message Item { // after the brace
  // Kinds of item.
  enum Kind {
    KIND_UNSPECIFIED = 0;
    BOOK = 1; // Paper.
    FOOD = 2 [deprecated = true];
    reserved 5 to 9, 20 to max;
    reserved "TOY";
  }
  message Price {
    int64 units = 1;
    string currency = 2;
  }
  string id = 1;
  Kind kind = 2;
  optional string note = 3;
  map<string, Price> prices = 4;
  repeated string tags = 5 [json_name = "labels"];
  // What is in stock.
  oneof stock {
    // How many are left.
    int32 count = 6;
    bool sold_out = 7;
  }
  google.protobuf.Timestamp created = 8 [deprecated = true];
  repeated int32 sizes = 9 [packed = false];
  string secret = 11 [(sensitive) = true];
  map<int64, Kind> by_number = 16;
  reserved 10, 12 to 15;
  reserved "old_name";
}

message Empty {}

enum Color {
  option allow_alias = true;
  COLOR_UNSPECIFIED = 0;
  RED = 1;
  CRIMSON = 1 [deprecated = true];
}
"""

OLD = r"""
syntax = "proto2";
package old;

message Record {
  required string id = 1;
  optional int32 copies = 2 [default = -3];
  optional string title = 3 [default = "un\"titled\n"];
  optional bytes raw = 4 [default = "\001\377"];
  optional double ratio = 5 [default = inf];
  optional State state = 6 [default = ACTIVE];
  repeated int32 nums = 7 [packed = true];
  optional group Result = 8 {
    optional string url = 9;
  }
  oneof choice {
    string a = 10;
    int32 b = 11;
  }
  extensions 100 to 199, 1000 to max;
  extend Record {
    optional int32 nested_ext = 101;
  }
  enum State { NEW = 1; ACTIVE = 2; }
}

extend Record {
  repeated string tags = 100;
}
"""

EDITIONS = """
edition = "2023";
package ed;

message Thing {
  int32 implicit = 1 [features.field_presence = IMPLICIT];
  int32 plain = 2;
  repeated int32 expanded = 3 [features.repeated_field_encoding = EXPANDED];
  Thing child = 4 [features.message_encoding = DELIMITED];
  string legacy = 5 [features.field_presence = LEGACY_REQUIRED];
  reserved foo_bar;
}
"""


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> Schema:
    root = tmp_path_factory.mktemp("describe")
    for name, text in (("shop.proto", SHOP), ("old.proto", OLD), ("ed.proto", EDITIONS)):
        (root / name).write_text(text.lstrip(), encoding="utf-8")
    return ProtoFileSource([root / "shop.proto", root / "old.proto", root / "ed.proto"]).load_sync()


def expect(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def test_service(schema: Schema) -> None:
    assert describe_service(schema, schema.service("shop.v1.Shop")) == expect(
        """
        // Sells things.
        service Shop {
          option deprecated = false;
          // Looks up one item.
          rpc GetItem ( .shop.v1.GetItemRequest ) returns ( .shop.v1.Item ) {
            option (google.api.http) = { get: "/v1/items/{id}" };
          }
          rpc Watch ( .shop.v1.GetItemRequest ) returns ( stream .shop.v1.Item ); // Streams.
          // Uploads many.
          // Answers once.
          rpc Upload ( stream .shop.v1.Item ) returns ( .shop.v1.Item ) {
            option deprecated = true;
          }
          rpc Chat ( stream .shop.v1.Item ) returns ( stream .shop.v1.Item );
        }
        """
    )


def test_method(schema: Schema) -> None:
    assert describe_method(schema, schema.method("shop.v1.Shop/Watch")) == (
        "rpc Watch ( .shop.v1.GetItemRequest ) returns ( stream .shop.v1.Item ); // Streams."
    )
    assert describe_symbol(schema, schema.method("shop.v1.Shop/Chat")) == (
        "rpc Chat ( stream .shop.v1.Item ) returns ( stream .shop.v1.Item );"
    )


def test_message_with_map_oneof_nested_optional_and_reserved(schema: Schema) -> None:
    assert describe_message(schema, schema.message("shop.v1.Item")) == expect(
        """
        // An item for sale.
        message Item { // after the brace
          string id = 1;
          .shop.v1.Item.Kind kind = 2;
          optional string note = 3;
          map<string, .shop.v1.Item.Price> prices = 4;
          repeated string tags = 5 [json_name = "labels"];
          // What is in stock.
          oneof stock {
            // How many are left.
            int32 count = 6;
            bool sold_out = 7;
          }
          .google.protobuf.Timestamp created = 8 [deprecated = true];
          repeated int32 sizes = 9 [packed = false];
          string secret = 11 [(shop.v1.sensitive) = true];
          map<int64, .shop.v1.Item.Kind> by_number = 16;
          message Price {
            int64 units = 1;
            string currency = 2;
          }
          // Kinds of item.
          enum Kind {
            KIND_UNSPECIFIED = 0;
            BOOK = 1; // Paper.
            FOOD = 2 [deprecated = true];
            reserved 5 to 9, 20 to max;
            reserved "TOY";
          }
          reserved 10, 12 to 15;
          reserved "old_name";
        }
        """
    )


def test_empty_message(schema: Schema) -> None:
    assert describe_symbol(schema, schema.message("shop.v1.Empty")) == "message Empty {\n}"


def test_enum(schema: Schema) -> None:
    assert describe_enum(schema, schema.enum("shop.v1.Color")) == expect(
        """
        enum Color {
          option allow_alias = true;
          COLOR_UNSPECIFIED = 0;
          RED = 1;
          CRIMSON = 1 [deprecated = true];
        }
        """
    )


def test_field_oneof_enum_value_and_extension(schema: Schema) -> None:
    pool = schema.pool
    assert describe_symbol(schema, pool.FindFieldByName("shop.v1.Item.prices")) == (
        "map<string, .shop.v1.Item.Price> prices = 4;"
    )
    assert describe_symbol(schema, pool.FindFieldByName("shop.v1.Item.count")) == (
        "// How many are left.\nint32 count = 6;"
    )
    assert describe_symbol(schema, pool.FindFieldByName("shop.v1.GetItemRequest.id")) == (
        "string id = 1; // The item id."
    )
    assert describe_symbol(schema, pool.FindOneofByName("shop.v1.Item.stock")) == expect(
        """
        // What is in stock.
        oneof stock {
          // How many are left.
          int32 count = 6;
          bool sold_out = 7;
        }
        """
    )
    book = schema.enum("shop.v1.Item.Kind").values_by_name["BOOK"]
    assert describe_symbol(schema, book) == "BOOK = 1; // Paper."
    assert describe_symbol(schema, pool.FindExtensionByName("old.tags")) == expect(
        """
        extend .old.Record {
          repeated string tags = 100;
        }
        """
    )


def test_proto2_labels_defaults_groups_and_extensions(schema: Schema) -> None:
    assert describe_symbol(schema, schema.message("old.Record")) == expect(
        r"""
        message Record {
          required string id = 1;
          optional int32 copies = 2 [default = -3];
          optional string title = 3 [default = "un\"titled\n"];
          optional bytes raw = 4 [default = "\001\377"];
          optional double ratio = 5 [default = inf];
          optional .old.Record.State state = 6 [default = ACTIVE];
          repeated int32 nums = 7 [packed = true];
          optional group Result = 8 {
            optional string url = 9;
          }
          oneof choice {
            string a = 10;
            int32 b = 11;
          }
          enum State {
            NEW = 1;
            ACTIVE = 2;
          }
          extensions 100 to 199, 1000 to max;
          extend .old.Record {
            optional int32 nested_ext = 101;
          }
        }
        """
    )


def test_editions_features(schema: Schema) -> None:
    assert describe_symbol(schema, schema.message("ed.Thing")) == expect(
        """
        message Thing {
          int32 implicit = 1 [features.field_presence = IMPLICIT];
          int32 plain = 2;
          repeated int32 expanded = 3 [features.repeated_field_encoding = EXPANDED];
          .ed.Thing child = 4 [features.message_encoding = DELIMITED];
          string legacy = 5 [features.field_presence = LEGACY_REQUIRED];
          reserved "foo_bar";
        }
        """
    )


def test_headings(schema: Schema) -> None:
    pool = schema.pool
    kind = schema.enum("shop.v1.Item.Kind")
    cases = [
        (schema.service("shop.v1.Shop"), "shop.v1.Shop is a service:"),
        (schema.method("shop.v1.Shop/Chat"), "shop.v1.Shop.Chat is a method:"),
        (schema.message("shop.v1.Item"), "shop.v1.Item is a message:"),
        (kind, "shop.v1.Item.Kind is an enum:"),
        (kind.values_by_name["BOOK"], "shop.v1.Item.BOOK is an enum value:"),
        (pool.FindFieldByName("shop.v1.Item.note"), "shop.v1.Item.note is a field:"),
        (pool.FindOneofByName("shop.v1.Item.stock"), "shop.v1.Item.stock is a oneof:"),
        (pool.FindExtensionByName("shop.v1.sensitive"), "shop.v1.sensitive is an extension:"),
    ]
    for desc, heading in cases:
        assert describe_heading(desc) == heading
    assert full_name(schema.enum("shop.v1.Color").values[0]) == "shop.v1.COLOR_UNSPECIFIED"


def test_without_source_info_there_are_no_comments(schema: Schema) -> None:
    fds = schema.file_descriptor_set()
    for fp in fds.file:
        fp.ClearField("source_code_info")
    bare = Schema.from_file_descriptor_set(fds)
    assert describe_symbol(bare, bare.method("shop.v1.Shop/Watch")) == (
        "rpc Watch ( .shop.v1.GetItemRequest ) returns ( stream .shop.v1.Item );"
    )


@pytest.mark.skipif(not (DEMO / "demo.proto").exists(), reason="demo protos not written yet")
def test_demo_protos() -> None:
    demo = ProtoFileSource(sorted(DEMO.glob("*.proto"))).load_sync()
    service = describe_symbol(demo, demo.service("workbench.demo.v1.DemoService"))
    assert service.startswith("// ")
    assert "\nservice DemoService {\n" in service
    assert (
        "  rpc Countdown ( .workbench.demo.v1.CountdownRequest )"
        " returns ( stream .workbench.demo.v1.Tick );"
    ) in service
    assert (
        "  rpc Chat ( stream .workbench.demo.v1.ChatMessage )"
        " returns ( stream .workbench.demo.v1.ChatReply );"
    ) in service
    legacy = describe_symbol(demo, demo.message("workbench.demo.v1.LegacyRecord"))
    assert "  required string id = 1;\n" in legacy
    assert '  optional string title = 3 [default = "untitled"];\n' in legacy
    assert (
        "  optional .workbench.demo.v1.LegacyRecord.State state = 4 [default = STATE_ACTIVE];\n"
        in legacy
    )
    assert "    // Just created.\n    STATE_NEW = 1;\n" in legacy
    # Every symbol the schema lists renders without error.
    for desc in (*demo.services(), *demo.messages(), *demo.enums()):
        assert describe_symbol(demo, desc)

"""ProtoFileSource: compiling .proto files, errors users cause, and import-root detection."""

from __future__ import annotations

import textwrap
import threading
from pathlib import Path

import pytest

from workbench.core.errors import (
    AmbiguousProtoPath,
    FileAccessError,
    MissingImportError,
    ProtoDiagnostic,
    ProtoParseError,
)
from workbench.core.schema.files import (
    ProtoFileSource,
    bundled_include_dirs,
    compile_proto_files,
)
from workbench.core.schema.importroots import display_path
from workbench.core.schema.schema import Schema
from workbench.core.schema.sources import DescriptorSource

DEMO = Path(__file__).resolve().parents[3] / "protos" / "workbench" / "demo" / "v1"


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def load(files: list[Path | str], import_paths: list[Path | str] | None = None) -> Schema:
    return ProtoFileSource(files, import_paths or []).load_sync()


HELLO = """
    syntax = "proto3";

    // Greets people.
    package hello.v1;

    // The greeting service.
    service Greeter {
      // Says hello.
      rpc SayHello (HelloRequest) returns (HelloReply);
    }

    message HelloRequest {
      string name = 1; // Who to greet.
    }

    message HelloReply { string message = 1; }
"""


# -- compiling ------------------------------------------------------------------------------


def test_simple_file_compiles(tmp_path: Path) -> None:
    path = write(tmp_path, "hello.proto", HELLO)
    source = ProtoFileSource([path])
    assert isinstance(source, DescriptorSource)
    assert source.describe() == "1 .proto file (hello.proto)"
    schema = source.load_sync()
    assert schema.files == ["hello.proto"]
    assert schema.origin == "1 .proto file"
    assert [s.full_name for s in schema.services()] == ["hello.v1.Greeter"]
    assert schema.method("hello.v1.Greeter/SayHello").output_type.full_name == "hello.v1.HelloReply"


def test_comments_come_with_the_schema(tmp_path: Path) -> None:
    schema = load([write(tmp_path, "hello.proto", HELLO)])
    assert schema.has_source_info()
    assert schema.comments(schema.service("hello.v1.Greeter")).leading == " The greeting service.\n"
    assert schema.comments(schema.method("hello.v1.Greeter.SayHello")).text == "Says hello."
    name = schema.message("hello.v1.HelloRequest").fields_by_name["name"]
    assert schema.comments(name).trailing == " Who to greet.\n"


async def test_load_compiles_off_the_event_loop_thread(tmp_path: Path) -> None:
    seen: list[str] = []

    class Spy(ProtoFileSource):
        def load_sync(self) -> Schema:
            seen.append(threading.current_thread().name)
            return super().load_sync()

    schema = await Spy([write(tmp_path, "hello.proto", HELLO)]).load()
    assert schema.files == ["hello.proto"]
    assert seen
    assert seen[0] != threading.current_thread().name


def test_well_known_and_google_protos_need_no_import_path(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "api.proto",
        """
        syntax = "proto3";
        package api;
        import "google/protobuf/timestamp.proto";
        import "google/protobuf/struct.proto";
        import "google/rpc/status.proto";
        import "google/type/date.proto";
        message Event {
          google.protobuf.Timestamp at = 1;
          google.protobuf.Struct data = 2;
          google.rpc.Status status = 3;
          google.type.Date day = 4;
        }
        """,
    )
    schema = load([path])
    fields = schema.message("api.Event").fields_by_name
    assert fields["status"].message_type.full_name == "google.rpc.Status"
    assert fields["day"].message_type.full_name == "google.type.Date"
    assert schema.files == ["api.proto"]
    # Explicit import paths do not hide the bundled ones.
    assert load([path], [tmp_path]).files == ["api.proto"]


def test_transitive_imports(tmp_path: Path) -> None:
    write(tmp_path, "lib/c.proto", 'syntax = "proto3"; package lib; message C { int32 v = 1; }')
    write(
        tmp_path,
        "lib/b.proto",
        'syntax = "proto3"; package lib; import "lib/c.proto"; message B { C c = 1; }',
    )
    top = write(
        tmp_path,
        "app/a.proto",
        'syntax = "proto3"; package app; import "lib/b.proto"; message A { lib.B b = 1; }',
    )
    for schema in (load([top], [tmp_path]), load([top])):
        assert schema.files == ["app/a.proto"]
        c = schema.message("app.A").fields_by_name["b"].message_type.fields_by_name["c"]
        assert c.message_type.full_name == "lib.C"


def test_same_short_names_in_nested_packages(tmp_path: Path) -> None:
    write(tmp_path, "acme/v1/item.proto", 'syntax = "proto3"; package acme.v1; message Item {}')
    write(
        tmp_path,
        "acme/store/v1/item.proto",
        'syntax = "proto3"; package acme.store.v1; import "acme/v1/item.proto";'
        " message Item { acme.v1.Item base = 1; }",
    )
    schema = load(
        [tmp_path / "acme/v1/item.proto", tmp_path / "acme/store/v1/item.proto"], [tmp_path]
    )
    assert schema.files == ["acme/v1/item.proto", "acme/store/v1/item.proto"]
    assert {m.full_name for m in schema.messages()} >= {"acme.v1.Item", "acme.store.v1.Item"}


def test_same_file_twice_is_compiled_once(tmp_path: Path) -> None:
    path = write(tmp_path, "hello.proto", HELLO)
    assert load([path, tmp_path / "." / "hello.proto"]).files == ["hello.proto"]


def test_proto2_required_and_defaults(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "old.proto",
        """
        syntax = "proto2";
        package old;
        message Record {
          enum State { NEW = 1; ACTIVE = 2; }
          required string id = 1;
          optional int32 copies = 2 [default = 3];
          optional string title = 3 [default = "untitled"];
          optional State state = 4 [default = ACTIVE];
        }
        """,
    )
    fields = load([path]).message("old.Record").fields_by_name
    assert fields["id"].is_required
    assert fields["copies"].has_default_value
    assert fields["copies"].default_value == 3
    assert fields["title"].default_value == "untitled"
    assert fields["state"].default_value == 2


def test_editions_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ed.proto",
        """
        edition = "2023";
        package ed;
        message Thing {
          int32 implicit = 1 [features.field_presence = IMPLICIT];
          int32 explicit = 2;
          repeated int32 expanded = 3 [features.repeated_field_encoding = EXPANDED];
        }
        """,
    )
    fields = load([path]).message("ed.Thing").fields_by_name
    assert not fields["implicit"].has_presence
    assert fields["explicit"].has_presence
    assert not fields["expanded"].is_packed


def test_compile_proto_files_takes_names_relative_to_import_paths(tmp_path: Path) -> None:
    write(tmp_path, "hello/v1/hello.proto", HELLO)
    fds = compile_proto_files(["hello/v1/hello.proto"], [str(tmp_path)])
    names = [f.name for f in fds.file]
    assert names[-1] == "hello/v1/hello.proto"
    assert fds.file[-1].HasField("source_code_info")
    assert all(Path(d).is_dir() for d in bundled_include_dirs())


# -- errors ---------------------------------------------------------------------------------


def test_syntax_error_names_file_line_and_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "api/bad.proto", 'syntax = "proto3";\nmessage B {\n  int32 a = 1\n}\n')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ProtoParseError) as info:
        load(["api/bad.proto"])
    assert info.value.diagnostics[0] == ProtoDiagnostic("api/bad.proto", 4, 1, 'Expected ";".')
    assert str(info.value) == 'api/bad.proto:4:1: Expected ";".'


def test_undefined_type_is_a_parse_error(tmp_path: Path) -> None:
    path = write(tmp_path, "t.proto", 'syntax = "proto3";\nmessage T {\n  Nope n = 1;\n}\n')
    with pytest.raises(ProtoParseError) as info:
        load([path])
    diag = info.value.diagnostics[0]
    assert (diag.file, diag.line, diag.column) == (str(path), 3, 3)
    assert diag.message == '"Nope" is not defined.'


def test_missing_import_names_import_importer_line_and_searched_dirs(tmp_path: Path) -> None:
    inc = tmp_path / "include"
    inc.mkdir()
    path = write(
        tmp_path,
        "src/svc.proto",
        """
        syntax = "proto3";
        package svc;

        import "google/protobuf/empty.proto";
        import "shared/money.proto";
        """,
    )
    with pytest.raises(MissingImportError) as info:
        load([path], [inc])
    err = info.value
    assert err.import_name == "shared/money.proto"
    assert err.importer == str(path)
    assert err.line == 5
    assert err.searched[:2] == [str(inc), str(tmp_path / "src")]
    assert err.searched[2:] == [display_path(d) for d in bundled_include_dirs()]
    assert f'{path}:5: import "shared/money.proto" was not found' in str(err)


def test_missing_import_without_import_paths(tmp_path: Path) -> None:
    path = write(tmp_path, "a.proto", 'syntax = "proto3";\nimport "nowhere/x.proto";\n')
    with pytest.raises(MissingImportError) as info:
        load([path])
    assert (info.value.import_name, info.value.line) == ("nowhere/x.proto", 2)
    assert info.value.searched[0] == str(tmp_path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileAccessError, match=r"proto file not found: .*nope.proto"):
        load([tmp_path / "nope.proto"])


def test_directory_given_as_file(tmp_path: Path) -> None:
    with pytest.raises(FileAccessError, match=r"is a directory"):
        load([tmp_path])


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "secret.proto", HELLO)
    real_read_text = Path.read_text

    def deny(self: Path, *args: object, **kwargs: object) -> str:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_text(self, *args, **kwargs)  # type: ignore[arg-type]

    # Tests often run as root, which chmod cannot lock out.
    monkeypatch.setattr(Path, "read_text", deny)
    with pytest.raises(FileAccessError, match=r"cannot read .*secret.proto: Permission denied"):
        load([path])


def test_missing_import_path(tmp_path: Path) -> None:
    path = write(tmp_path, "hello.proto", HELLO)
    with pytest.raises(FileAccessError, match=r"import path .*nothere does not exist"):
        load([path], [tmp_path / "nothere"])


# -- import paths ---------------------------------------------------------------------------


def test_file_outside_the_import_paths(tmp_path: Path) -> None:
    write(tmp_path, "shared/money.proto", 'syntax = "proto3"; package shared; message Money {}')
    path = write(
        tmp_path,
        "elsewhere/svc.proto",
        'syntax = "proto3"; package svc; import "money.proto"; message S { shared.Money m = 1; }',
    )
    schema = load([path], [tmp_path / "shared"])
    assert schema.files == ["svc.proto"]
    assert schema.message("svc.S").fields_by_name["m"].message_type.full_name == "shared.Money"


def test_file_named_relative_to_an_import_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "protos/hello/v1/hello.proto", HELLO)
    monkeypatch.chdir(tmp_path)
    schema = load(["hello/v1/hello.proto"], ["protos"])
    assert schema.files == ["hello/v1/hello.proto"]


def test_file_under_two_nested_import_paths_is_ambiguous(tmp_path: Path) -> None:
    path = write(tmp_path, "protos/hello/hello.proto", HELLO)
    with pytest.raises(AmbiguousProtoPath) as info:
        load([path], [tmp_path / "protos", tmp_path / "protos/hello"])
    names = [name for name, _ in info.value.candidates]
    assert names == ["hello/hello.proto", "hello.proto"]
    assert "-I" in info.value.hint


def test_name_found_in_two_places_is_ambiguous(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "hello.proto", HELLO)
    write(tmp_path, "inc/hello.proto", HELLO.replace("hello.v1", "other"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(AmbiguousProtoPath, match=r"hello.proto is ambiguous"):
        load(["hello.proto"], ["inc"])


def test_two_files_with_one_name_are_ambiguous(tmp_path: Path) -> None:
    a = write(tmp_path, "a/v1/service.proto", 'syntax = "proto3"; package a; message A {}')
    b = write(tmp_path, "b/v1/service.proto", 'syntax = "proto3"; package b; message B {}')
    with pytest.raises(AmbiguousProtoPath, match=r'"service\.proto"'):
        load([a, b])


def test_root_detected_from_import_lines(tmp_path: Path) -> None:
    write(
        tmp_path,
        "proj/protos/acme/common/money.proto",
        'syntax = "proto3"; package acme.money; message Money {}',
    )
    shop = write(
        tmp_path,
        "proj/protos/acme/shop/v1/shop.proto",
        """
        syntax = "proto3";
        package shop;  // does not mirror the directories
        import "acme/common/money.proto";
        message Price { acme.money.Money amount = 1; }
        """,
    )
    schema = load([shop])
    assert schema.files == ["acme/shop/v1/shop.proto"]
    assert "acme/common/money.proto" in [f.name for f in schema.file_descriptors()]


def test_imported_file_given_too_keeps_its_import_name(tmp_path: Path) -> None:
    money = write(tmp_path, "common/money.proto", 'syntax = "proto3"; message Money {}')
    shop = write(
        tmp_path,
        "shop/shop.proto",
        'syntax = "proto3"; import "common/money.proto"; message Price { Money m = 1; }',
    )
    assert load([money, shop]).files == ["common/money.proto", "shop/shop.proto"]


def test_root_detected_from_the_package(tmp_path: Path) -> None:
    path = write(tmp_path, "x/foo/bar/f.proto", 'syntax = "proto3"; package foo.bar; message F {}')
    assert load([path]).files == ["foo/bar/f.proto"]


def test_buf_v1_module_root(tmp_path: Path) -> None:
    write(tmp_path, "proj/buf.yaml", "version: v1\nbreaking:\n  use:\n    - FILE\n")
    path = write(tmp_path, "proj/svc/x.proto", 'syntax = "proto3"; package other; message X {}')
    assert load([path]).files == ["svc/x.proto"]


def test_buf_v1beta1_build_roots(tmp_path: Path) -> None:
    write(
        tmp_path, "proj/buf.yaml", "version: v1beta1\nbuild:\n  roots:\n    - proto\n    - vendor\n"
    )
    write(tmp_path, "proj/vendor/lib/y.proto", 'syntax = "proto3"; package lib; message Y {}')
    path = write(
        tmp_path,
        "proj/proto/svc/x.proto",
        'syntax = "proto3"; package svc; import "lib/y.proto"; message X { lib.Y y = 1; }',
    )
    assert load([path]).files == ["svc/x.proto"]


def test_buf_work_yaml_directories(tmp_path: Path) -> None:
    write(
        tmp_path,
        "proj/buf.work.yaml",
        "version: v1\ndirectories:\n  - proto   # our code\n  - third_party\n",
    )
    write(tmp_path, "proj/proto/buf.yaml", "version: v1\n")
    write(tmp_path, "proj/third_party/ext/y.proto", 'syntax = "proto3"; package ext; message Y {}')
    path = write(
        tmp_path,
        "proj/proto/svc/x.proto",
        'syntax = "proto3"; package svc; import "ext/y.proto"; message X { ext.Y y = 1; }',
    )
    assert load([path]).files == ["svc/x.proto"]


def test_buf_v2_modules(tmp_path: Path) -> None:
    write(
        tmp_path,
        "proj/buf.yaml",
        """
        version: v2
        modules:
          - path: proto
            name: buf.build/acme/api
          - path: "vendor"
        deps:
          - buf.build/googleapis/googleapis
        """,
    )
    write(tmp_path, "proj/vendor/lib/y.proto", 'syntax = "proto3"; package lib; message Y {}')
    path = write(
        tmp_path,
        "proj/proto/svc/x.proto",
        'syntax = "proto3"; package other; import "lib/y.proto"; message X { lib.Y y = 1; }',
    )
    assert load([path]).files == ["svc/x.proto"]


# -- the real demo protos -------------------------------------------------------------------


@pytest.mark.skipif(not (DEMO / "demo.proto").exists(), reason="demo protos not written yet")
@pytest.mark.parametrize("with_import_path", [True, False])
def test_demo_protos(with_import_path: bool) -> None:
    files: list[Path | str] = sorted(DEMO.glob("*.proto"))
    schema = load(files, [DEMO.parents[2]] if with_import_path else None)
    assert schema.files == [f"workbench/demo/v1/{Path(f).name}" for f in files]
    services = [s.full_name for s in schema.services()]
    assert "workbench.demo.v1.DemoService" in services
    countdown = schema.method("workbench.demo.v1.DemoService/Countdown")
    assert countdown.server_streaming
    assert "counts down" in schema.comments(countdown).text

"""The pieces behind ProtoFileSource: source scanning, buf config, protoc's diagnostics."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.core.errors import FileAccessError, MissingImportError, ProtoDiagnostic
from workbench.core.schema.bufconfig import YamlSubsetError, buf_roots, parse_yaml_subset
from workbench.core.schema.files import bundled_include_dirs
from workbench.core.schema.importroots import (
    ImportLine,
    display_path,
    scan_imports,
    scan_package,
    strip_comments,
)
from workbench.core.schema.protoc import error_for, parse_diagnostics, run_in_process

# -- scanning .proto source -----------------------------------------------------------------


def test_scan_imports_skips_comments_and_keeps_line_numbers() -> None:
    text = (
        'syntax = "proto3";\n'
        '// import "commented/out.proto";\n'
        "/* a block\n"
        '   import "also/out.proto"; */\n'
        'import "a/b.proto";\n'
        "import public 'pub.proto';  // trailing\n"
        'import weak "weak.proto";\n'
        'option go_package = "x // not a comment";\n'
        'import  "c.proto" ;\n'
    )
    assert scan_imports(text) == [
        ImportLine("a/b.proto", 5),
        ImportLine("pub.proto", 6),
        ImportLine("weak.proto", 7),
        ImportLine("c.proto", 9),
    ]


def test_strip_comments_keeps_strings_and_newlines() -> None:
    text = 'a = "// x"; // gone\n/* b\n c */ d\n'
    assert strip_comments(text) == 'a = "// x"; \n    \n      d\n'


def test_scan_package() -> None:
    assert scan_package("// package nope;\nsyntax = 'proto3';\npackage acme.shop.v1 ;") == (
        "acme.shop.v1"
    )
    assert scan_package('syntax = "proto3";') == ""


def test_display_path_is_relative_inside_the_working_directory(tmp_path: Path) -> None:
    assert display_path(tmp_path / "a" / "b.proto", tmp_path) == "a/b.proto"
    assert display_path(tmp_path, tmp_path) == "."
    assert display_path("/elsewhere/x.proto", tmp_path) == "/elsewhere/x.proto"
    assert display_path("relative/name.proto", tmp_path) == "relative/name.proto"


# -- the YAML subset ------------------------------------------------------------------------


def test_yaml_subset_reads_buf_configs() -> None:
    text = """
# buf v2
version: v2   # comment
modules:
  - path: proto
    name: buf.build/acme/api
    excludes: [proto/tmp, 'proto/old']
  - path: "vendor # not a comment"
deps:
- buf.build/googleapis/googleapis
lint:
  use:
    - STANDARD
empty:
"""
    assert parse_yaml_subset(text) == {
        "version": "v2",
        "modules": [
            {
                "path": "proto",
                "name": "buf.build/acme/api",
                "excludes": ["proto/tmp", "proto/old"],
            },
            {"path": "vendor # not a comment"},
        ],
        "deps": ["buf.build/googleapis/googleapis"],
        "lint": {"use": ["STANDARD"]},
        "empty": None,
    }


def test_yaml_subset_nested_items_and_empty_documents() -> None:
    assert parse_yaml_subset("") is None
    assert parse_yaml_subset("# only a comment\n---\n") is None
    assert parse_yaml_subset("- a\n-\n  - b\n- []\n") == ["a", ["b"], []]


@pytest.mark.parametrize("text", ["key: {a: 1}", "a: 1\n  b: 2\n", "just words", "k: |\n  text\n"])
def test_yaml_subset_rejects_what_it_does_not_understand(text: str) -> None:
    with pytest.raises(YamlSubsetError):
        parse_yaml_subset(text)


def test_buf_roots(tmp_path: Path) -> None:
    (tmp_path / "a" / "proto" / "deep").mkdir(parents=True)
    (tmp_path / "a" / "vendor").mkdir()
    assert buf_roots(tmp_path / "a" / "proto" / "deep") == []
    (tmp_path / "a" / "buf.yaml").write_text("version: v1\n")
    assert buf_roots(tmp_path / "a" / "proto" / "deep") == [(tmp_path / "a").resolve()]
    (tmp_path / "a" / "buf.yaml").write_text(
        "version: v2\nmodules:\n  - path: proto\n  - path: vendor\n  - path: missing\n"
    )
    assert buf_roots(tmp_path / "a" / "proto") == [
        (tmp_path / "a" / "proto").resolve(),
        (tmp_path / "a" / "vendor").resolve(),
    ]


def test_buf_v1_module_inside_a_workspace_yields_the_whole_workspace(tmp_path: Path) -> None:
    for d in ("ws/api", "ws/lib"):
        (tmp_path / d).mkdir(parents=True)
        (tmp_path / d / "buf.yaml").write_text("version: v1\n")
    (tmp_path / "ws" / "buf.work.yaml").write_text("version: v1\ndirectories:\n  - api\n  - lib\n")
    expected = [(tmp_path / "ws" / "api").resolve(), (tmp_path / "ws" / "lib").resolve()]
    assert buf_roots(tmp_path / "ws" / "api") == expected


def test_broken_buf_yaml_is_ignored(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "buf.yaml").write_text("version: {v1}\n")
    assert buf_roots(tmp_path) == [tmp_path.resolve()]
    assert "ignoring" in caplog.text


# -- protoc's diagnostics -------------------------------------------------------------------


def test_parse_diagnostics_splits_errors_and_warnings(tmp_path: Path) -> None:
    stderr = (
        "missing/y.proto: File not found.\n"
        'a/x.proto:3:1: Import "missing/y.proto" was not found or had errors.\n'
        'a/x.proto:3:1: Import "missing/y.proto" was not found or had errors.\n'
        "a/x.proto:4:1: warning: Import google/protobuf/empty.proto is unused.\n"
        'C:\\work\\api.proto:7:12: "Foo" is not defined.\n'
        "Could not make proto path relative: nothere.proto: No such file or directory\n"
        "something odd\n"
    )
    errors, warnings = parse_diagnostics(stderr)
    assert errors == [
        ProtoDiagnostic("missing/y.proto", None, None, "File not found."),
        ProtoDiagnostic("a/x.proto", 3, 1, 'Import "missing/y.proto" was not found or had errors.'),
        ProtoDiagnostic("C:\\work\\api.proto", 7, 12, '"Foo" is not defined.'),
        ProtoDiagnostic(
            "nothere.proto",
            None,
            None,
            "Could not make proto path relative: (No such file or directory)",
        ),
        ProtoDiagnostic("protoc", None, None, "something odd"),
    ]
    assert [w.line for w in warnings] == [4]


def test_error_for_a_missing_import(tmp_path: Path) -> None:
    errors, _ = parse_diagnostics(
        "x.proto: File not found.\n"
        "other.proto: File not found.\n"
        'api/y.proto:3:1: Import "x.proto" was not found or had errors.\n'
    )
    err = error_for(errors, [tmp_path])
    assert isinstance(err, MissingImportError)
    assert (err.import_name, err.importer, err.line) == ("x.proto", "api/y.proto", 3)
    assert err.searched == [str(tmp_path)]


def test_error_for_an_input_not_on_the_import_paths(tmp_path: Path) -> None:
    errors, _ = parse_diagnostics(
        "Could not make proto path relative: gone.proto: No such file or directory\n"
    )
    err = error_for(errors, [tmp_path])
    assert isinstance(err, FileAccessError)
    assert "gone.proto not found on the import paths" in str(err)


def test_in_process_protoc_captures_its_stderr(tmp_path: Path) -> None:
    (tmp_path / "bad.proto").write_text('syntax = "proto3";\nmessage {\n')
    code, stderr = run_in_process(
        [f"-I{tmp_path}", f"--descriptor_set_out={tmp_path}/o", "bad.proto"]
    )
    assert code == 1
    assert f"{tmp_path}/bad.proto:2:9: Expected message name." in stderr
    # fd 2 is ours again afterwards: protoc output no longer lands in a capture file.
    code, stderr = run_in_process(
        [
            *(f"-I{d}" for d in bundled_include_dirs()),
            f"--descriptor_set_out={tmp_path}/o",
            "google/protobuf/empty.proto",
        ]
    )
    assert (code, stderr) == (0, "")

"""ProtosetSource (serialized FileDescriptorSets) and CompositeSource."""

from __future__ import annotations

import gzip
import json
import random
import textwrap
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2

from workbench.core.errors import (
    FileAccessError,
    ProtosetError,
    ReflectionNotSupported,
    SchemaError,
)
from workbench.core.schema.composite import CompositeSource, merge_schemas
from workbench.core.schema.files import ProtoFileSource
from workbench.core.schema.protoset import ProtosetSource, read_protoset
from workbench.core.schema.schema import Schema
from workbench.core.schema.sources import DescriptorSource

API = """
    syntax = "proto3";
    package api;
    import "google/protobuf/timestamp.proto";
    import "google/rpc/status.proto";
    import "common.proto";

    // Does things.
    service Api {
      // Gets a thing.
      rpc Get (common.Ref) returns (google.rpc.Status);
    }
    message Event { google.protobuf.Timestamp at = 1; }
"""
COMMON = """
    syntax = "proto3";
    package common;
    // A reference.
    message Ref { string id = 1; }
"""


@pytest.fixture
def protos(tmp_path: Path) -> Path:
    root = tmp_path / "protos"
    root.mkdir()
    (root / "api.proto").write_text(textwrap.dedent(API))
    (root / "common.proto").write_text(textwrap.dedent(COMMON))
    return root


def compiled(protos: Path, name: str = "api.proto") -> descriptor_pb2.FileDescriptorSet:
    return ProtoFileSource([protos / name]).load_sync().file_descriptor_set()


def write_set(path: Path, fds: descriptor_pb2.FileDescriptorSet) -> Path:
    path.write_bytes(fds.SerializeToString())
    return path


def subset(
    fds: descriptor_pb2.FileDescriptorSet, *names: str, source_info: bool = True
) -> descriptor_pb2.FileDescriptorSet:
    out = descriptor_pb2.FileDescriptorSet()
    for fp in fds.file:
        if fp.name in names:
            out.file.add().CopyFrom(fp)
            if not source_info:
                out.file[-1].ClearField("source_code_info")
    return out


# -- good sets ------------------------------------------------------------------------------


def test_protoset_loads_with_comments(protos: Path, tmp_path: Path) -> None:
    path = write_set(tmp_path / "api.protoset", compiled(protos))
    source = ProtosetSource([path])
    assert isinstance(source, DescriptorSource)
    assert source.describe() == "protoset api.protoset"
    schema = source.load_sync()
    assert schema.files == ["api.proto"]
    assert schema.origin == "protoset api.protoset"
    assert schema.comments(schema.method("api.Api/Get")).text == "Gets a thing."
    assert schema.message("common.Ref").fields_by_name["id"].number == 1


async def test_async_load(protos: Path, tmp_path: Path) -> None:
    path = write_set(tmp_path / "api.protoset", compiled(protos))
    schema = await ProtosetSource([str(path)]).load()
    assert [s.full_name for s in schema.services()] == ["api.Api"]


def test_sets_sharing_files_merge(protos: Path, tmp_path: Path) -> None:
    full = compiled(protos)
    a = write_set(tmp_path / "a.protoset", full)
    # The second set repeats common.proto without its comments: still the same file.
    b = write_set(tmp_path / "b.protoset", subset(full, "common.proto", source_info=False))
    source = ProtosetSource([b, a])
    assert source.describe() == "2 protoset files"
    schema = source.load_sync()
    assert schema.comments(schema.message("common.Ref")).text == "A reference."


def test_sets_disagreeing_about_a_file(protos: Path, tmp_path: Path) -> None:
    a = write_set(tmp_path / "a.protoset", compiled(protos, "common.proto"))
    (protos / "common.proto").write_text(textwrap.dedent(COMMON).replace("id = 1", "id = 2"))
    b = write_set(tmp_path / "b.protoset", compiled(protos, "common.proto"))
    with pytest.raises(ProtosetError, match=r"both contain common.proto, with different contents"):
        ProtosetSource([a, b]).load_sync()


def test_missing_google_imports_come_from_the_runtime(protos: Path, tmp_path: Path) -> None:
    fds = subset(compiled(protos), "api.proto", "common.proto")
    schema = ProtosetSource([write_set(tmp_path / "x.protoset", fds)]).load_sync()
    assert schema.method("api.Api/Get").output_type.full_name == "google.rpc.Status"
    assert schema.files == ["api.proto"]


def test_missing_imports_are_named(protos: Path, tmp_path: Path) -> None:
    fds = subset(compiled(protos), "api.proto")
    path = write_set(tmp_path / "x.protoset", fds)
    with pytest.raises(ProtosetError) as info:
        ProtosetSource([path]).load_sync()
    assert 'api.proto imports "common.proto", which is not in' in str(info.value)
    assert "--include_imports" in info.value.hint


# -- not protosets --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is empty"),
        (json.dumps({"file": [{"name": "a.proto"}]}).encode(), "is a JSON document"),
        (b'syntax = "proto3";\nmessage A {}\n', "looks like .proto source"),
        (b"// comment first\npackage a;\n", "looks like .proto source"),
        (gzip.compress(b"x"), "gzip-compressed"),
        (random.Random(7).randbytes(512), "do not parse as one"),
        (b"\x08\x96\x01", "do not parse as one"),  # valid wire format, but not a set
        (b"hello, this is just some text\n", "do not parse as one"),
    ],
)
def test_not_a_protoset(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "x.protoset"
    path.write_bytes(content)
    with pytest.raises(ProtosetError) as info:
        read_protoset(path)
    assert expected in str(info.value)
    assert "not a protoset" in str(info.value)
    assert "protoc --descriptor_set_out=x.protoset --include_imports" in info.value.hint


def test_single_file_descriptor_is_recognised(tmp_path: Path) -> None:
    fp = descriptor_pb2.FileDescriptorProto(name="one.proto", package="one")
    fp.message_type.add(name="M")
    path = tmp_path / "one.pb"
    path.write_bytes(fp.SerializeToString())
    with pytest.raises(ProtosetError, match=r"single FileDescriptorProto \(one.proto\)"):
        read_protoset(path)


def test_missing_and_directory(tmp_path: Path) -> None:
    with pytest.raises(FileAccessError, match=r"protoset file not found"):
        read_protoset(tmp_path / "nope.protoset")
    with pytest.raises(FileAccessError, match=r"is a directory"):
        read_protoset(tmp_path)


# -- composite ------------------------------------------------------------------------------


class Fixed:
    """A DescriptorSource returning a fixed schema (or raising)."""

    def __init__(self, result: Schema | Exception, name: str) -> None:
        self.result = result
        self.name = name

    def describe(self) -> str:
        return self.name

    async def load(self) -> Schema:
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


def schema_of(fds: descriptor_pb2.FileDescriptorSet, origin: str) -> Schema:
    return Schema.from_file_descriptor_set(fds, origin=origin)


async def test_composite_falls_back_without_reflection(protos: Path) -> None:
    files = schema_of(compiled(protos), "files")
    source = CompositeSource(
        Fixed(ReflectionNotSupported("no reflection"), "server"), Fixed(files, "files")
    )
    assert isinstance(source, DescriptorSource)
    assert source.describe() == "server, with files"
    assert await source.load() is files


async def test_composite_adds_comments_and_files_from_the_fallback(protos: Path) -> None:
    full = compiled(protos)
    served = schema_of(subset(full, *(fp.name for fp in full.file), source_info=False), "server")
    (protos / "extra.proto").write_text('syntax = "proto3"; package extra; message Extra {}')
    local_fds = compiled(protos)
    local_fds.file.extend(compiled(protos, "extra.proto").file)
    schema = await CompositeSource(
        Fixed(served, "server"), Fixed(schema_of(local_fds, "files"), "files")
    ).load()
    assert not served.has_source_info()
    assert schema.comments(schema.service("api.Api")).text == "Does things."
    assert schema.message("extra.Extra").full_name == "extra.Extra"
    assert schema.files == served.files
    assert schema.origin == "server, with files"


async def test_composite_ignores_a_failing_or_conflicting_fallback(protos: Path) -> None:
    served = schema_of(compiled(protos), "server")
    broken = Fixed(SchemaError("bad file"), "files")
    assert await CompositeSource(Fixed(served, "server"), broken).load() is served
    # The same message under another file name cannot share a pool with the original.
    other = descriptor_pb2.FileDescriptorSet()
    clash = other.file.add()
    clash.CopyFrom(subset(compiled(protos), "common.proto").file[0])
    clash.name = "elsewhere/common.proto"
    assert merge_schemas(served, schema_of(other, "files")) is served

"""Schema from protoset files: serialized ``FileDescriptorSet``s, as protoc writes them.

A protoset made without ``--include_imports`` lacks the files it imports. Imports of Google
protos that the protobuf runtime and googleapis-common-protos carry (well-known types,
``google/rpc/status.proto``...) are filled in from there; any other gap is an error naming
the file, the missing import and how to rebuild the set.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from google.protobuf import descriptor_pb2
from google.protobuf.message import DecodeError

from workbench.core.errors import FileAccessError, ProtosetError
from workbench.core.schema.importroots import display_path
from workbench.core.schema.schema import Schema

logger = logging.getLogger(__name__)

HOW_TO_MAKE = (
    "make one with: protoc --descriptor_set_out=x.protoset --include_imports"
    " -I <import path> <files>.proto"
)
_GOOGLE_PROTO = re.compile(r"^google(/[A-Za-z_]\w*)+\.proto$")
_PROTO_WORDS = ("syntax", "edition", "package", "import", "message", "service", "option")


class ProtosetSource:
    """A :class:`~workbench.core.schema.sources.DescriptorSource` over protoset files."""

    def __init__(self, paths: Sequence[str | Path]) -> None:
        """Remember the files; nothing is read until :meth:`load`.

        Args:
            paths: protoset files (serialized FileDescriptorSets), merged into one schema.
        """
        self.paths = [Path(p) for p in paths]

    def describe(self) -> str:
        """'protoset api.protoset' or '3 protoset files'."""
        if len(self.paths) == 1:
            return f"protoset {self.paths[0].name}"
        return f"{len(self.paths)} protoset files"

    async def load(self) -> Schema:
        """Read and index the sets in the loop's default executor (large sets take a while)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self.load_sync)

    def load_sync(self) -> Schema:
        """Read, merge and check the sets, then build the schema (blocking).

        Raises:
            FileAccessError: a file is missing or unreadable.
            ProtosetError: a file is not a protoset, two sets disagree, or imports are missing.
        """
        named = [(display_path(p.resolve()), read_protoset(p)) for p in self.paths]
        merged = merge_descriptor_sets(named)
        sources = ", ".join(name for name, _ in named)
        complete_imports(merged, sources)
        return Schema.from_file_descriptor_set(
            merged, files=_top_level(merged.file), origin=self.describe()
        )


def read_protoset(path: str | Path) -> descriptor_pb2.FileDescriptorSet:
    """Parse one protoset file.

    Raises:
        FileAccessError: the file is missing, a directory or unreadable.
        ProtosetError: the bytes are not a FileDescriptorSet; the message says what they look
            like (empty, JSON, .proto source, gzip, a single FileDescriptorProto...).
    """
    p = Path(path)
    shown = display_path(p.resolve())
    if not p.exists():
        raise FileAccessError(f"protoset file not found: {shown}")
    if p.is_dir():
        raise FileAccessError(f"{shown} is a directory, not a protoset file")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise FileAccessError(
            f"cannot read {shown}: {exc.strerror or exc}", hint="check the file's permissions"
        ) from exc
    looks = _looks_like(data)
    if looks:
        raise ProtosetError(f"{shown} is not a protoset: it {looks}", hint=HOW_TO_MAKE)
    try:
        fds = descriptor_pb2.FileDescriptorSet.FromString(data)
    except DecodeError:
        fds = None
    if fds is None or not _plausible(fds):
        raise ProtosetError(
            f"{shown} is not a protoset (a serialized FileDescriptorSet): "
            f"{_single_file_or_binary(data)}",
            hint=HOW_TO_MAKE,
        )
    return fds


def _looks_like(data: bytes) -> str:
    """What ``data`` obviously is instead of a protoset ('' when nothing obvious)."""
    if not data:
        return "is empty"
    if data[:2] == b"\x1f\x8b":
        return "is gzip-compressed; decompress it first"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped[:1] in ("{", "["):
        try:
            json.loads(stripped)
        except ValueError:
            pass
        else:
            return "is a JSON document; protosets are binary"
    first_word = stripped.split(None, 1)[0] if stripped.split() else ""
    if first_word.startswith(("//", "/*")) or first_word in _PROTO_WORDS:
        return "looks like .proto source; open it as a .proto file instead, or compile it"
    return ""


def _plausible(fds: descriptor_pb2.FileDescriptorSet) -> bool:
    """Random bytes can parse as a message full of unknown fields; a real set cannot.

    Unknown fields inside a file are tolerated when its name looks right: a newer protoc may
    write descriptor fields this protobuf runtime does not know yet.
    """
    if not fds.file or not _no_unknown_fields(fds):
        return False
    return all(
        bool(f.name)
        and f.name.isprintable()
        and (f.name.endswith(".proto") or _no_unknown_fields(f))
        for f in fds.file
    )


def _no_unknown_fields(
    msg: descriptor_pb2.FileDescriptorSet | descriptor_pb2.FileDescriptorProto,
) -> bool:
    from google.protobuf import unknown_fields

    return len(unknown_fields.UnknownFieldSet(msg)) == 0


def _single_file_or_binary(data: bytes) -> str:
    try:
        single = descriptor_pb2.FileDescriptorProto.FromString(data)
    except DecodeError:
        single = None
    if single is not None and single.name.endswith(".proto") and _no_unknown_fields(single):
        return f"it looks like a single FileDescriptorProto ({single.name}), not a set"
    return "the bytes do not parse as one"


def merge_descriptor_sets(
    sets: Sequence[tuple[str, descriptor_pb2.FileDescriptorSet]],
) -> descriptor_pb2.FileDescriptorSet:
    """Union of ``(source name, set)`` pairs; a file in several sets must be the same file.

    Copies that differ only in source info (comments) count as the same; the copy with
    comments is kept.

    Raises:
        ProtosetError: two sets hold different files under one name.
    """
    chosen: dict[str, tuple[str, descriptor_pb2.FileDescriptorProto]] = {}
    for source, fds in sets:
        for fp in fds.file:
            seen = chosen.get(fp.name)
            if seen is None:
                chosen[fp.name] = (source, fp)
                continue
            if _without_source_info(seen[1]) != _without_source_info(fp):
                raise ProtosetError(
                    f"{seen[0]} and {source} both contain {fp.name}, with different contents",
                    hint="rebuild the protosets from the same .proto files, or load only one",
                )
            if fp.HasField("source_code_info") and not seen[1].HasField("source_code_info"):
                chosen[fp.name] = (source, fp)
    out = descriptor_pb2.FileDescriptorSet()
    out.file.extend(fp for _, fp in chosen.values())
    return out


def _without_source_info(fp: descriptor_pb2.FileDescriptorProto) -> bytes:
    copy = descriptor_pb2.FileDescriptorProto()
    copy.CopyFrom(fp)
    copy.ClearField("source_code_info")
    return copy.SerializeToString(deterministic=True)


def complete_imports(fds: descriptor_pb2.FileDescriptorSet, sources: str) -> None:
    """Add missing imports the runtime carries (Google protos); fail on any other gap.

    Raises:
        ProtosetError: a file imports something neither the set nor the runtime has.
    """
    have = {fp.name for fp in fds.file}
    pending = [(fp.name, dep) for fp in fds.file for dep in fp.dependency]
    while pending:
        importer, dep = pending.pop(0)
        if dep in have:
            continue
        bundled = _runtime_file(dep)
        if bundled is None:
            raise ProtosetError(
                f'{importer} imports "{dep}", which is not in {sources}',
                hint="rebuild the protoset with --include_imports so it carries its imports",
            )
        logger.debug("%s: %s not in the set; using the bundled copy", sources, dep)
        fds.file.append(bundled)
        have.add(dep)
        pending.extend((dep, d) for d in bundled.dependency)


def _runtime_file(name: str) -> descriptor_pb2.FileDescriptorProto | None:
    """``name`` from the generated Google modules we ship (``google/rpc/status.proto``...)."""
    if not _GOOGLE_PROTO.match(name):
        return None
    module_name = name.removesuffix(".proto").replace("/", ".") + "_pb2"
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    fp = descriptor_pb2.FileDescriptorProto()
    module.DESCRIPTOR.CopyToProto(fp)
    return fp if fp.name == name else None


def _top_level(files: Iterable[descriptor_pb2.FileDescriptorProto]) -> list[str]:
    """Files no other file in the set imports: the ones the set was made from."""
    protos = list(files)
    imported = {dep for fp in protos for dep in fp.dependency}
    return [fp.name for fp in protos if fp.name not in imported] or [fp.name for fp in protos]

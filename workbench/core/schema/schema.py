"""The one schema every source produces: a descriptor pool plus lookups and comments.

Nothing downstream of a :class:`Schema` knows whether its descriptors came from .proto files,
a protoset or server reflection.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.descriptor import (
    Descriptor,
    EnumDescriptor,
    EnumValueDescriptor,
    FieldDescriptor,
    FileDescriptor,
    MethodDescriptor,
    OneofDescriptor,
    ServiceDescriptor,
)

from workbench.core.errors import SchemaError, SymbolNotFound

AnyDescriptor = (
    ServiceDescriptor
    | MethodDescriptor
    | Descriptor
    | FieldDescriptor
    | EnumDescriptor
    | EnumValueDescriptor
    | OneofDescriptor
)


class MethodKind(enum.Enum):
    """The four shapes of a gRPC call."""

    UNARY = "unary"
    SERVER_STREAMING = "server-streaming"
    CLIENT_STREAMING = "client-streaming"
    BIDI_STREAMING = "bidi"

    @classmethod
    def of(cls, method: MethodDescriptor) -> MethodKind:
        """The kind of ``method``."""
        client, server = method.client_streaming, method.server_streaming
        if client and server:
            return cls.BIDI_STREAMING
        if client:
            return cls.CLIENT_STREAMING
        if server:
            return cls.SERVER_STREAMING
        return cls.UNARY


@dataclass(frozen=True)
class Comments:
    """Comments attached to a declaration in its .proto source."""

    leading: str = ""
    trailing: str = ""
    detached: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.leading or self.trailing or self.detached)

    @property
    def text(self) -> str:
        """Leading and trailing comments joined, stripped: what a tooltip shows."""
        parts = [p.strip() for p in (self.leading, self.trailing) if p.strip()]
        return "\n".join(parts)


# Field numbers in descriptor.proto, used to build SourceCodeInfo paths.
_FILE_MESSAGE, _FILE_ENUM, _FILE_SERVICE = 4, 5, 6
_MSG_FIELD, _MSG_NESTED, _MSG_ENUM, _MSG_ONEOF = 2, 3, 4, 8
_ENUM_VALUE = 2
_SERVICE_METHOD = 2


class Schema:
    """Services, methods, messages and enums from one descriptor pool.

    Build it with :meth:`from_file_descriptor_set`; sources do exactly that.

    Attributes:
        pool: the descriptor pool holding every file, including dependencies.
        files: names of the files the user asked for (not their imports), in order.
        origin: a short human description of where the schema came from.
    """

    def __init__(
        self,
        pool: descriptor_pool.DescriptorPool,
        file_protos: Iterable[descriptor_pb2.FileDescriptorProto],
        *,
        files: Iterable[str] | None = None,
        origin: str = "",
    ) -> None:
        self.pool = pool
        self._protos = {fp.name: fp for fp in file_protos}
        self.files = list(files) if files is not None else list(self._protos)
        self.origin = origin
        self._comments: dict[tuple[str, tuple[int, ...]], Comments] | None = None
        self._paths: dict[str, tuple[str, tuple[int, ...]]] | None = None

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def from_file_descriptor_set(
        cls,
        fds: descriptor_pb2.FileDescriptorSet,
        *,
        files: Iterable[str] | None = None,
        origin: str = "",
    ) -> Schema:
        """Build a schema from a set of files (dependencies may come in any order)."""
        protos = {fp.name: fp for fp in fds.file}
        pool = descriptor_pool.DescriptorPool()
        added: set[str] = set()

        def add(name: str, chain: tuple[str, ...]) -> None:
            if name in added:
                return
            if name in chain:
                raise SchemaError(f"import cycle: {' -> '.join((*chain, name))}")
            fp = protos.get(name)
            if fp is None:
                raise SchemaError(
                    f"{chain[-1] if chain else '?'} imports {name!r}, which is not in the schema",
                    hint="the descriptor set is incomplete; build it with --include_imports",
                )
            for dep in fp.dependency:
                add(dep, (*chain, name))
            try:
                pool.Add(fp)
            except (TypeError, ValueError) as exc:
                raise SchemaError(f"{name}: invalid descriptor: {exc}") from exc
            added.add(name)

        for name in protos:
            add(name, ())
        return cls(pool, fds.file, files=files, origin=origin)

    def file_descriptor_set(self) -> descriptor_pb2.FileDescriptorSet:
        """All files of the schema, dependencies first: writable as a protoset."""
        out = descriptor_pb2.FileDescriptorSet()
        done: set[str] = set()

        def visit(name: str) -> None:
            if name in done or name not in self._protos:
                return
            done.add(name)
            for dep in self._protos[name].dependency:
                visit(dep)
            out.file.append(self._protos[name])

        for name in self._protos:
            visit(name)
        return out

    def file_proto(self, name: str) -> descriptor_pb2.FileDescriptorProto | None:
        """The file as the source gave it (with comments when it had them), or ``None``."""
        return self._protos.get(name)

    # -- enumeration ----------------------------------------------------------------------

    def file_descriptors(self) -> Iterator[FileDescriptor]:
        """Every file in the pool (requested files and their imports)."""
        for name in self._protos:
            yield self.pool.FindFileByName(name)

    def services(self) -> list[ServiceDescriptor]:
        """All services, sorted by full name."""
        found = [s for f in self.file_descriptors() for s in f.services_by_name.values()]
        return sorted(found, key=lambda s: s.full_name)

    def messages(self) -> list[Descriptor]:
        """All message types including nested ones (map entries excluded), sorted."""
        out: list[Descriptor] = []

        def walk(d: Descriptor) -> None:
            if d.GetOptions().map_entry:
                return
            out.append(d)
            for n in d.nested_types:
                walk(n)

        for f in self.file_descriptors():
            for d in f.message_types_by_name.values():
                walk(d)
        return sorted(out, key=lambda d: d.full_name)

    def enums(self) -> list[EnumDescriptor]:
        """All enum types including nested ones, sorted."""
        out: list[EnumDescriptor] = []
        for f in self.file_descriptors():
            out.extend(f.enum_types_by_name.values())
        for m in self.messages():
            out.extend(m.enum_types)
        return sorted(out, key=lambda e: e.full_name)

    # -- lookups --------------------------------------------------------------------------

    def service(self, name: str) -> ServiceDescriptor:
        """The service called ``name`` (full name; a unique short name is accepted too)."""
        name = name.lstrip(".")
        try:
            return self.pool.FindServiceByName(name)
        except KeyError:
            pass
        short = [s for s in self.services() if s.name == name]
        if len(short) == 1:
            return short[0]
        names = [s.full_name for s in self.services()]
        if len(short) > 1:
            raise SymbolNotFound("service", name, suggestions=[s.full_name for s in short])
        raise SymbolNotFound("service", name, suggestions=_close(name, names))

    def method(self, name: str) -> MethodDescriptor:
        """A method as ``pkg.Service/Method`` or ``pkg.Service.Method``."""
        name = name.lstrip(".").strip()
        if "/" in name:
            svc_name, _, meth = name.rpartition("/")
        else:
            svc_name, _, meth = name.rpartition(".")
        if not svc_name or not meth:
            raise SymbolNotFound(
                "method",
                name,
                suggestions=[
                    f"{s.full_name}/{name}" for s in self.services() if name in s.methods_by_name
                ][:5],
            )
        svc = self.service(svc_name)
        found = svc.methods_by_name.get(meth)
        if found is None:
            raise SymbolNotFound(
                "method",
                f"{svc.full_name}/{meth}",
                suggestions=[f"{svc.full_name}/{m}" for m in _close(meth, svc.methods_by_name)],
            )
        return found

    def message(self, name: str) -> Descriptor:
        """The message type with full name ``name``."""
        try:
            return self.pool.FindMessageTypeByName(name.lstrip("."))
        except KeyError:
            names = [m.full_name for m in self.messages()]
            raise SymbolNotFound("message", name, suggestions=_close(name, names)) from None

    def enum(self, name: str) -> EnumDescriptor:
        """The enum type with full name ``name``."""
        try:
            return self.pool.FindEnumTypeByName(name.lstrip("."))
        except KeyError:
            names = [e.full_name for e in self.enums()]
            raise SymbolNotFound("enum", name, suggestions=_close(name, names)) from None

    def find_symbol(self, name: str) -> AnyDescriptor:
        """Any service, method, message, enum, field or enum value by full name.

        ``pkg.Service/Method`` is accepted for methods.
        """
        name = name.lstrip(".").strip()
        if "/" in name:
            return self.method(name)
        finders = (
            self.pool.FindServiceByName,
            self.pool.FindMessageTypeByName,
            self.pool.FindEnumTypeByName,
            self.pool.FindMethodByName,
            self.pool.FindFieldByName,
            self.pool.FindOneofByName,
        )
        for finder in finders:
            try:
                found: AnyDescriptor = finder(name)
            except KeyError:
                continue
            return found
        value = self._enum_value(name)
        if value is not None:
            return value
        candidates: list[ServiceDescriptor | Descriptor | EnumDescriptor] = [
            *self.services(),
            *self.messages(),
            *self.enums(),
        ]
        short = [d for d in candidates if d.name == name]
        if len(short) == 1:
            return short[0]
        everything = [d.full_name for d in (*self.services(), *self.messages(), *self.enums())] + [
            m.full_name for s in self.services() for m in s.methods
        ]
        suggestions = [d.full_name for d in short] if short else _close(name, everything)
        raise SymbolNotFound("symbol", name, suggestions=suggestions)

    def _enum_value(self, name: str) -> EnumValueDescriptor | None:
        """An enum value by its full name (values are scoped to the enum's parent)."""
        for e in self.enums():
            value = e.values_by_name.get(name.rsplit(".", 1)[-1])
            if value is not None and _key_of(value) == f"EnumValueDescriptor:{name}":
                return value
        return None

    # -- comments -------------------------------------------------------------------------

    def comments(self, desc: AnyDescriptor) -> Comments:
        """The source comments of ``desc``; empty when the source carried none."""
        if self._comments is None:
            self._index_source_info()
        assert self._comments is not None and self._paths is not None
        key = self._paths.get(_key_of(desc))
        if key is None:
            return Comments()
        return self._comments.get(key, Comments())

    def has_source_info(self) -> bool:
        """Whether any file carries comments/locations (reflection often strips them)."""
        return any(fp.HasField("source_code_info") for fp in self._protos.values())

    def _index_source_info(self) -> None:
        comments: dict[tuple[str, tuple[int, ...]], Comments] = {}
        paths: dict[str, tuple[str, tuple[int, ...]]] = {}
        for fp in self._protos.values():
            for loc in fp.source_code_info.location:
                if loc.leading_comments or loc.trailing_comments or loc.leading_detached_comments:
                    comments[(fp.name, tuple(loc.path))] = Comments(
                        loc.leading_comments,
                        loc.trailing_comments,
                        tuple(loc.leading_detached_comments),
                    )
            _index_paths(fp, paths)
        self._comments = comments
        self._paths = paths


def _key_of(desc: AnyDescriptor) -> str:
    if isinstance(desc, EnumValueDescriptor):
        # Enum values have no full_name: they are scoped to the enum's parent, like C++.
        parent = desc.type.full_name.rpartition(".")[0]
        full = f"{parent}.{desc.name}" if parent else desc.name
        return f"EnumValueDescriptor:{full}"
    return f"{type(desc).__name__}:{desc.full_name}"


def _index_paths(
    fp: descriptor_pb2.FileDescriptorProto, out: dict[str, tuple[str, tuple[int, ...]]]
) -> None:
    """Map each declaration's full name to its SourceCodeInfo path."""
    pkg = f"{fp.package}." if fp.package else ""

    def enum(e: descriptor_pb2.EnumDescriptorProto, prefix: str, path: tuple[int, ...]) -> None:
        full = prefix + e.name
        out[f"EnumDescriptor:{full}"] = (fp.name, path)
        # Enum values are scoped to the enum's parent, as in the descriptor pool.
        for i, v in enumerate(e.value):
            out[f"EnumValueDescriptor:{prefix}{v.name}"] = (fp.name, (*path, _ENUM_VALUE, i))

    def message(m: descriptor_pb2.DescriptorProto, prefix: str, path: tuple[int, ...]) -> None:
        full = prefix + m.name
        out[f"Descriptor:{full}"] = (fp.name, path)
        for i, f in enumerate(m.field):
            out[f"FieldDescriptor:{full}.{f.name}"] = (fp.name, (*path, _MSG_FIELD, i))
        for i, o in enumerate(m.oneof_decl):
            out[f"OneofDescriptor:{full}.{o.name}"] = (fp.name, (*path, _MSG_ONEOF, i))
        for i, n in enumerate(m.nested_type):
            message(n, full + ".", (*path, _MSG_NESTED, i))
        for i, e in enumerate(m.enum_type):
            enum(e, full + ".", (*path, _MSG_ENUM, i))

    for i, m in enumerate(fp.message_type):
        message(m, pkg, (_FILE_MESSAGE, i))
    for i, e in enumerate(fp.enum_type):
        enum(e, pkg, (_FILE_ENUM, i))
    for i, s in enumerate(fp.service):
        full = pkg + s.name
        out[f"ServiceDescriptor:{full}"] = (fp.name, (_FILE_SERVICE, i))
        for j, meth in enumerate(s.method):
            out[f"MethodDescriptor:{full}.{meth.name}"] = (
                fp.name,
                (_FILE_SERVICE, i, _SERVICE_METHOD, j),
            )


def _close(name: str, candidates: Iterable[str]) -> list[str]:
    """Up to three candidates that look like ``name`` (for 'did you mean')."""
    cands = list(candidates)
    by_short = {c.rsplit(".", 1)[-1]: c for c in cands}
    hits = difflib.get_close_matches(name, cands, n=3, cutoff=0.6)
    for short in difflib.get_close_matches(name.rsplit(".", 1)[-1], list(by_short), n=3):
        if by_short[short] not in hits:
            hits.append(by_short[short])
    return hits[:3]

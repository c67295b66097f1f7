"""Render descriptors back into proto syntax, the way ``grpcurl describe`` shows them.

Type names are printed fully qualified with a leading dot (``.pkg.Msg``) so they are
unambiguous without the file's imports; doc comments (leading and trailing) are kept,
detached comments are not. The layout is compact: no blank lines inside blocks.

Descriptor details that Python's descriptor objects do not expose (labels, reserved ranges,
``json_name`` as written, proto2 defaults as written) are read from the ``*DescriptorProto``
each descriptor copies itself into.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias, TypeVar

from google.protobuf import descriptor_pb2
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
from google.protobuf.message import Message

from workbench.core.schema.proto_text import (
    OptionFormatter,
    comment_lines,
    default_json_name,
    default_literal,
    format_ranges,
    quote,
)
from workbench.core.schema.schema import AnyDescriptor, Comments, Schema

_INDENT = "  "
_FDP = descriptor_pb2.FieldDescriptorProto
_EDITION_2024 = 1001

Lines: TypeAlias = list[str]
_SCALAR_NAMES: dict[int, str] = {
    int(value): name.removeprefix("TYPE_").lower() for name, value in _FDP.Type.items()
}
_P = TypeVar("_P", bound=Message)

# Checked with isinstance: upb's descriptor classes are not the ones google.protobuf.descriptor
# names, only registered as their instances.
_KINDS: tuple[tuple[type, str], ...] = (
    (ServiceDescriptor, "a service"),
    (MethodDescriptor, "a method"),
    (Descriptor, "a message"),
    (EnumDescriptor, "an enum"),
    (FieldDescriptor, "a field"),
    (EnumValueDescriptor, "an enum value"),
    (OneofDescriptor, "a oneof"),
)


def full_name(desc: AnyDescriptor) -> str:
    """The fully-qualified name of ``desc`` (enum values are scoped like their enum)."""
    if isinstance(desc, EnumValueDescriptor):
        # upb's EnumValueDescriptor has no full_name; values live beside their enum.
        scope = desc.type.full_name.rpartition(".")[0]
        return f"{scope}.{desc.name}" if scope else desc.name
    return desc.full_name


def describe_heading(desc: AnyDescriptor) -> str:
    """grpcurl's heading line: ``pkg.Foo is a message:``."""
    kind = next((k for cls, k in _KINDS if isinstance(desc, cls)), "a symbol")
    if isinstance(desc, FieldDescriptor) and desc.is_extension:
        kind = "an extension"
    return f"{full_name(desc)} is {kind}:"


def describe_symbol(schema: Schema, desc: AnyDescriptor) -> str:
    """``desc`` in proto syntax, with its doc comments (no trailing newline)."""
    return "\n".join(_Printer(schema).render(desc))


def describe_service(schema: Schema, service: ServiceDescriptor) -> str:
    """A ``service`` block with one ``rpc`` line per method."""
    return describe_symbol(schema, service)


def describe_method(schema: Schema, method: MethodDescriptor) -> str:
    """One ``rpc Name ( .pkg.Req ) returns ( stream .pkg.Resp );`` declaration."""
    return describe_symbol(schema, method)


def describe_message(schema: Schema, message: Descriptor) -> str:
    """A ``message`` block with its fields, oneofs, nested types and reserved ranges."""
    return describe_symbol(schema, message)


def describe_enum(schema: Schema, enum: EnumDescriptor) -> str:
    """An ``enum`` block with its values."""
    return describe_symbol(schema, enum)


class _Printer:
    """One rendering pass; caches per-file syntax lookups."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.options = OptionFormatter(schema.pool)
        self._files: dict[str, descriptor_pb2.FileDescriptorProto] = {}

    def render(self, desc: AnyDescriptor) -> Lines:
        if isinstance(desc, ServiceDescriptor):
            return self.service(desc, "")
        if isinstance(desc, MethodDescriptor):
            sp = _copy(desc.containing_service, descriptor_pb2.ServiceDescriptorProto())
            return self.method(desc, sp.method[desc.index], "")
        if isinstance(desc, Descriptor):
            return self.message(desc, "")
        if isinstance(desc, EnumDescriptor):
            return self.enum(desc, "")
        if isinstance(desc, EnumValueDescriptor):
            ep = _copy(desc.type, descriptor_pb2.EnumDescriptorProto())
            return self.enum_value(desc, ep.value[desc.index], "")
        if isinstance(desc, OneofDescriptor):
            mp = _copy(desc.containing_type, descriptor_pb2.DescriptorProto())
            return self.oneof(desc, mp, "")
        if desc.is_extension:
            return self.extends([desc], "")
        assert desc.containing_type is not None
        mp = _copy(desc.containing_type, descriptor_pb2.DescriptorProto())
        return self.field(desc, mp.field[desc.index], "")

    # -- comments and blocks --------------------------------------------------------------

    def comments(self, desc: AnyDescriptor | None) -> Comments:
        return Comments() if desc is None else self.schema.comments(desc)

    def leaf(self, desc: AnyDescriptor | None, text: str, ind: str) -> Lines:
        """A one-line declaration: leading comment above, a one-line trailing one beside."""
        notes = self.comments(desc)
        trailing = comment_lines(notes.trailing)
        line = ind + text
        if len(trailing) == 1:
            return [*_as_comment(notes.leading, ind), f"{line} {trailing[0]}"]
        return [*_as_comment(notes.leading, ind), line, *_as_comment(notes.trailing, ind)]

    def block(self, desc: AnyDescriptor | None, opener: str, body: Lines, ind: str) -> Lines:
        """``opener {`` … ``}``; a trailing comment belongs after the ``{`` as protoc reads it."""
        notes = self.comments(desc)
        trailing = comment_lines(notes.trailing)
        head = f"{ind}{opener} {{"
        inner = ind + _INDENT
        if len(trailing) == 1:
            head, notes_inside = f"{head} {trailing[0]}", []
        else:
            notes_inside = [inner + t for t in trailing]
        return [*_as_comment(notes.leading, ind), head, *notes_inside, *body, f"{ind}}}"]

    def option_lines(self, options: Message, ind: str, skip: Sequence[str] = ()) -> Lines:
        return [f"{ind}option {o};" for o in self.options.format(options, skip=skip)]

    # -- services -------------------------------------------------------------------------

    def service(self, service: ServiceDescriptor, ind: str) -> Lines:
        sp = _copy(service, descriptor_pb2.ServiceDescriptorProto())
        inner = ind + _INDENT
        body = self.option_lines(sp.options, inner)
        for method, mp in zip(service.methods, sp.method, strict=True):
            body += self.method(method, mp, inner)
        return self.block(service, f"service {service.name}", body, ind)

    def method(
        self, method: MethodDescriptor, mp: descriptor_pb2.MethodDescriptorProto, ind: str
    ) -> Lines:
        req = _stream(method.client_streaming) + _type_ref(method.input_type)
        resp = _stream(method.server_streaming) + _type_ref(method.output_type)
        text = f"rpc {method.name} ( {req} ) returns ( {resp} )"
        options = self.option_lines(mp.options, ind + _INDENT)
        if options:
            return self.block(method, text, options, ind)
        return self.leaf(method, text + ";", ind)

    # -- messages -------------------------------------------------------------------------

    def message(self, message: Descriptor, ind: str) -> Lines:
        return self.block(message, f"message {message.name}", self.message_body(message, ind), ind)

    def message_body(self, message: Descriptor, ind: str) -> Lines:
        mp = _copy(message, descriptor_pb2.DescriptorProto())
        inner = ind + _INDENT
        body = self.option_lines(mp.options, inner, skip=("map_entry",))
        done_oneofs: set[int] = set()
        synthetic = _synthetic_oneofs(mp)
        for field, fp in zip(message.fields, mp.field, strict=True):
            oneof = field.containing_oneof
            if oneof is None or oneof.index in synthetic:
                body += self.field(field, fp, inner)
            elif oneof.index not in done_oneofs:
                done_oneofs.add(oneof.index)
                body += self.oneof(oneof, mp, inner)
        groups = {f.message_type for f in message.fields if self.is_group(f)}
        for nested in message.nested_types:
            if not nested.GetOptions().map_entry and nested not in groups:
                body += self.message(nested, inner)
        for enum in message.enum_types:
            body += self.enum(enum, inner)
        body += [f"{inner}extensions {format_ranges(mp.extension_range, exclusive=True)};"] * bool(
            mp.extension_range
        )
        body += self.extends(list(message.extensions), inner)
        reserved = format_ranges(mp.reserved_range, exclusive=True)
        body += [f"{inner}reserved {reserved};"] * bool(reserved)
        if mp.reserved_name:
            body.append(f"{inner}reserved {self.reserved_names(message.file, mp.reserved_name)};")
        return body

    def oneof(self, oneof: OneofDescriptor, mp: descriptor_pb2.DescriptorProto, ind: str) -> Lines:
        inner = ind + _INDENT
        body = self.option_lines(mp.oneof_decl[oneof.index].options, inner)
        for field in oneof.fields:
            body += self.field(field, mp.field[field.index], inner)
        return self.block(oneof, f"oneof {oneof.name}", body, ind)

    def extends(self, extensions: Sequence[FieldDescriptor], ind: str) -> Lines:
        """``extend .pkg.Msg { … }`` blocks, one per extended message, in first-seen order."""
        by_extendee: dict[str, list[FieldDescriptor]] = {}
        for ext in extensions:
            assert ext.containing_type is not None
            by_extendee.setdefault(ext.containing_type.full_name, []).append(ext)
        out: Lines = []
        for extendee, fields in by_extendee.items():
            body: Lines = []
            for ext in fields:
                body += self.field(ext, self.extension_proto(ext), ind + _INDENT)
            out += self.block(None, f"extend .{extendee}", body, ind)
        return out

    def extension_proto(self, ext: FieldDescriptor) -> descriptor_pb2.FieldDescriptorProto:
        scope = ext.extension_scope
        if scope is not None:
            protos = _copy(scope, descriptor_pb2.DescriptorProto()).extension
        else:
            protos = self.file_proto(_file_of(ext)).extension
        return next(p for p in protos if p.name == ext.name)

    def field(
        self, field: FieldDescriptor, fp: descriptor_pb2.FieldDescriptorProto, ind: str
    ) -> Lines:
        label = self.label(field, fp)
        options = self.field_options(field, fp)
        suffix = f" [{', '.join(options)}]" if options else ""
        if self.is_group(field):
            assert field.message_type is not None
            opener = f"{label}group {field.message_type.name} = {field.number}{suffix}"
            return self.block(field, opener, self.message_body(field.message_type, ind), ind)
        return self.leaf(
            field, f"{label}{self.type_of(field)} {field.name} = {field.number}{suffix};", ind
        )

    def label(self, field: FieldDescriptor, fp: descriptor_pb2.FieldDescriptorProto) -> str:
        if _map_entry(field) is not None:
            return ""
        if fp.label == _FDP.LABEL_REPEATED:
            return "repeated "
        oneof = field.containing_oneof
        if oneof is not None and not fp.proto3_optional:
            return ""
        syntax = self.file_proto(_file_of(field)).syntax
        if syntax in ("", "proto2"):
            return "required " if fp.label == _FDP.LABEL_REQUIRED else "optional "
        return "optional " if fp.proto3_optional else ""

    def type_of(self, field: FieldDescriptor) -> str:
        entry = _map_entry(field)
        if entry is not None:
            key, value = entry.fields_by_name["key"], entry.fields_by_name["value"]
            return f"map<{self.type_of(key)}, {self.type_of(value)}>"
        if field.message_type is not None:
            return _type_ref(field.message_type)
        if field.enum_type is not None:
            return _type_ref(field.enum_type)
        return _SCALAR_NAMES[field.type]

    def is_group(self, field: FieldDescriptor) -> bool:
        """proto2 group syntax; editions spell the same encoding as a feature option."""
        return field.type == FieldDescriptor.TYPE_GROUP and self.file_proto(
            _file_of(field)
        ).syntax in ("", "proto2")

    def field_options(
        self, field: FieldDescriptor, fp: descriptor_pb2.FieldDescriptorProto
    ) -> list[str]:
        out = []
        if fp.HasField("default_value"):
            out.append(f"default = {default_literal(fp)}")
        custom_json = fp.HasField("json_name") and fp.json_name != default_json_name(fp.name)
        if custom_json and not field.is_extension:
            out.append(f"json_name = {quote(fp.json_name)}")
        return out + self.options.format(fp.options)

    # -- enums ----------------------------------------------------------------------------

    def enum(self, enum: EnumDescriptor, ind: str) -> Lines:
        ep = _copy(enum, descriptor_pb2.EnumDescriptorProto())
        inner = ind + _INDENT
        body = self.option_lines(ep.options, inner)
        for value, vp in zip(enum.values, ep.value, strict=True):
            body += self.enum_value(value, vp, inner)
        reserved = format_ranges(ep.reserved_range, exclusive=False)
        body += [f"{inner}reserved {reserved};"] * bool(reserved)
        if ep.reserved_name:
            body.append(f"{inner}reserved {self.reserved_names(enum.file, ep.reserved_name)};")
        return self.block(enum, f"enum {enum.name}", body, ind)

    def enum_value(
        self, value: EnumValueDescriptor, vp: descriptor_pb2.EnumValueDescriptorProto, ind: str
    ) -> Lines:
        options = self.options.format(vp.options)
        suffix = f" [{', '.join(options)}]" if options else ""
        return self.leaf(value, f"{value.name} = {value.number}{suffix};", ind)

    # -- files ----------------------------------------------------------------------------

    def file_proto(self, file: FileDescriptor) -> descriptor_pb2.FileDescriptorProto:
        found = self._files.get(file.name)
        if found is None:
            found = self._files[file.name] = _copy(file, descriptor_pb2.FileDescriptorProto())
        return found

    def reserved_names(self, file: FileDescriptor, names: Sequence[str]) -> str:
        fp = self.file_proto(file)
        if fp.syntax == "editions" and fp.edition >= _EDITION_2024:
            return ", ".join(names)  # edition 2024 writes reserved names as identifiers
        return ", ".join(f'"{n}"' for n in names)


def _copy(desc: object, proto: _P) -> _P:
    """``desc`` as its ``*DescriptorProto`` (the only place labels and ranges are kept)."""
    copier: Any = desc
    copier.CopyToProto(proto)
    return proto


def _file_of(field: FieldDescriptor) -> FileDescriptor:
    file: FileDescriptor = field.file  # type: ignore[attr-defined]  # missing from the stubs
    return file


def _as_comment(text: str, ind: str) -> Lines:
    return [ind + line for line in comment_lines(text)]


def _type_ref(desc: Descriptor | EnumDescriptor) -> str:
    return f".{desc.full_name}"


def _stream(streaming: bool) -> str:
    return "stream " if streaming else ""


def _map_entry(field: FieldDescriptor) -> Descriptor | None:
    """The synthetic entry type when ``field`` is a map field."""
    entry = field.message_type
    if entry is not None and field.is_repeated and entry.GetOptions().map_entry:
        return entry
    return None


def _synthetic_oneofs(mp: descriptor_pb2.DescriptorProto) -> set[int]:
    """Oneofs protoc made for proto3 ``optional`` fields; they are not written as oneofs."""
    return {f.oneof_index for f in mp.field if f.proto3_optional and f.HasField("oneof_index")}

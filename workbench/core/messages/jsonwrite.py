"""Message → JSON-ready dict in the protobuf JSON mapping.

Our own writer rather than ``json_format.MessageToDict`` because we want fields in
declaration order even with defaults emitted (MessageToDict appends the defaults after the
set fields), map keys sorted so saved collections diff cleanly, and an unknown ``Any`` type
reported with its field path.
"""

from __future__ import annotations

import math
from typing import Any

from google.protobuf import descriptor_pool
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import DecodeError, Message

from workbench.core.errors import MessageFormatError
from workbench.core.messages import wkt
from workbench.core.messages.dynamic import descriptor_of, new_message
from workbench.core.messages.fieldpath import (
    field_path,
    index_path,
    is_map_field,
    key_path,
    map_entry_fields,
)
from workbench.core.messages.scalars import compact_number, write_map_key, write_scalar

__all__ = ["write_message"]

_FLOAT_WORDS = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def write_message(
    msg: Message,
    *,
    pool: descriptor_pool.DescriptorPool,
    emit_defaults: bool = False,
    original_names: bool = False,
) -> Any:
    """The JSON value of ``msg`` (a dict for ordinary messages).

    Args:
        msg: the message.
        pool: resolves the types named by ``Any`` fields.
        emit_defaults: also write fields without presence that hold their default (zero
            scalars, empty lists and maps), as protobuf's ``always_print_fields_with_no_presence``.
        original_names: use proto field names instead of lowerCamelCase JSON names.

    Raises:
        MessageFormatError: an ``Any`` holds a type the pool does not know, or bytes that do
            not decode as that type.
    """
    return _Writer(pool, emit_defaults, original_names).message(msg, "")


class _Writer:
    def __init__(
        self, pool: descriptor_pool.DescriptorPool, emit_defaults: bool, original_names: bool
    ) -> None:
        self.pool = pool
        self.emit_defaults = emit_defaults
        self.original_names = original_names

    def message(self, msg: Message, path: str) -> Any:
        desc = descriptor_of(msg)
        full = desc.full_name
        m: Any = msg
        if full in wkt.WRAPPERS:
            return write_scalar(m.value, desc.fields_by_name["value"])
        if full in wkt.STRING_WKTS:
            tmp = wkt.STRING_WKTS[full].FromString(msg.SerializeToString())
            try:
                return tmp.ToJsonString()
            except ValueError as exc:
                raise MessageFormatError(f"cannot write {full} as JSON: {exc}", path=path) from exc
        if full == wkt.STRUCT:
            return self.struct(m, path)
        if full == wkt.VALUE:
            return self.value(m, path)
        if full == wkt.LIST_VALUE:
            return [self.value(v, index_path(path, i)) for i, v in enumerate(m.values)]
        if full == wkt.ANY:
            return self.any(m, path)
        return self.fields(msg, path)

    def fields(self, msg: Message, path: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        present = {f.number for f, _ in msg.ListFields() if not f.is_extension}
        for field in descriptor_of(msg).fields:
            if field.number not in present and (field.has_presence or not self.emit_defaults):
                continue
            key = field.name if self.original_names else field.json_name
            out[key] = self.field(getattr(msg, field.name), field, field_path(path, field.name))
        return out

    def field(self, value: Any, field: FieldDescriptor, path: str) -> Any:
        if is_map_field(field):
            key_field, value_field = map_entry_fields(field)
            return {
                write_map_key(k): self.single(
                    value[k], value_field, key_path(path, write_map_key(k), key_field)
                )
                for k in sorted(value)
            }
        if field.is_repeated:
            return [self.single(v, field, index_path(path, i)) for i, v in enumerate(value)]
        return self.single(value, field, path)

    def single(self, value: Any, field: FieldDescriptor, path: str) -> Any:
        if field.message_type is not None:
            return self.message(value, path)
        return write_scalar(value, field)

    def struct(self, msg: Any, path: str) -> dict[str, Any]:
        return {k: self.value(msg.fields[k], key_path(path, k)) for k in sorted(msg.fields)}

    def value(self, msg: Any, path: str) -> Any:
        kind = msg.WhichOneof("kind")
        if kind == "struct_value":
            return self.struct(msg.struct_value, path)
        if kind == "list_value":
            return [self.value(v, index_path(path, i)) for i, v in enumerate(msg.list_value.values)]
        if kind == "number_value":
            number: float = msg.number_value
            # JSON has no NaN/Infinity; protobuf's writer refuses them here. Showing a server's
            # response matters more than strictness, so write them as the float-field strings.
            return compact_number(number) if math.isfinite(number) else _FLOAT_WORDS[str(number)]
        if kind in ("bool_value", "string_value"):
            return getattr(msg, kind)
        return None  # null_value, or no kind set at all

    def any(self, msg: Any, path: str) -> dict[str, Any]:
        type_url: str = msg.type_url
        if not type_url and not msg.value:
            return {}
        desc = wkt.find_any_type(self.pool, type_url)
        if desc is None:
            name = wkt.type_name_of_url(type_url)
            raise MessageFormatError(
                f'cannot show the google.protobuf.Any of type "{type_url}": '
                f"message {name} is not in the loaded schema",
                path=path,
                hint=f"load the .proto file or protoset that defines {name}, "
                "or view the message as text format",
            )
        inner = new_message(desc)
        try:
            inner.ParseFromString(msg.value)
        except DecodeError as exc:
            raise MessageFormatError(
                f'the google.protobuf.Any bytes are not a valid "{desc.full_name}"', path=path
            ) from exc
        out: dict[str, Any] = {"@type": type_url}
        if desc.full_name in wkt.SPECIAL_JSON:
            out["value"] = self.message(inner, field_path(path, "value"))
        else:
            out.update(self.fields(inner, path))
        return out

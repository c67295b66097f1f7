"""Dynamic message classes for descriptors that come from a schema, not from generated code.

Every schema (files, protoset, reflection) builds its own descriptor pool, so message types
are only known at run time. ``message_factory.GetMessageClass`` turns a descriptor into a
class; the upb backend also mixes in the well-known-type helpers (``Timestamp.FromJsonString``
and friends) by full name, so these classes behave like generated ones.
"""

from __future__ import annotations

import functools
from typing import cast

from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor
from google.protobuf.message import DecodeError, Message

from workbench.core.errors import RequestParseError

__all__ = ["decode", "descriptor_of", "message_class", "new_message"]


# Bounded, because every schema reload brings a new pool with new descriptors.
@functools.lru_cache(maxsize=4096)
def message_class(desc: Descriptor) -> type[Message]:
    """The message class for ``desc`` (one class per descriptor, cached).

    Args:
        desc: a message descriptor from any pool.

    Returns:
        A class whose instances are messages of type ``desc``.
    """
    return message_factory.GetMessageClass(desc)


def descriptor_of(msg: Message) -> Descriptor:
    """The descriptor of ``msg``'s type.

    The stubs type ``Message.DESCRIPTOR`` as a union with the upb class; at run time the
    upb class *is* ``google.protobuf.descriptor.Descriptor``, so this only narrows the type.
    """
    return cast(Descriptor, msg.DESCRIPTOR)


def new_message(desc: Descriptor) -> Message:
    """An empty message of type ``desc``."""
    return message_class(desc)()


def decode(desc: Descriptor, data: bytes) -> Message:
    """Parse the protobuf wire bytes ``data`` as a message of type ``desc``.

    Args:
        desc: the expected message type.
        data: serialized message bytes.

    Returns:
        The decoded message.

    Raises:
        RequestParseError: the bytes are not a valid encoding of ``desc``.
    """
    msg = new_message(desc)
    try:
        msg.ParseFromString(data)
    except DecodeError as exc:
        raise RequestParseError(
            f"{len(data)} bytes are not a valid {desc.full_name} message: {exc}",
            hint="the bytes may belong to another message type or be truncated",
        ) from exc
    return msg

"""What the engine needs to know about a method, computed once, and request validation."""

from __future__ import annotations

import functools
import weakref
from collections.abc import AsyncIterable, Iterable, Sequence
from typing import Any

import grpc.aio
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.descriptor_pool import DescriptorPool
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass

from workbench.core.errors import UsageError
from workbench.core.schema.schema import MethodKind

#: What a call takes as requests: one message, a sequence or iterable, an async iterable,
#: or ``None`` for an interactive client/bidi stream fed with :meth:`Call.send`.
RequestSource = Message | Iterable[Message] | AsyncIterable[Message] | None
#: A validated request stream of a client/bidi streaming call (``None``: interactive).
StreamSource = Iterable[Message] | AsyncIterable[Message] | None


class MethodInfo:
    """Per-method facts every call needs: shape, HTTP/2 path, output class, pool."""

    __slots__ = ("input", "kind", "method", "output_cls", "path", "pool")

    def __init__(self, method: MethodDescriptor) -> None:
        self.method = method
        self.kind = MethodKind.of(method)
        self.path = f"/{method.containing_service.full_name}/{method.name}"
        self.input = method.input_type
        self.output_cls: type[Message] = GetMessageClass(method.output_type)
        self.pool: DescriptorPool = method.containing_service.file.pool

    def check_request(self, message: object, index: int) -> None:
        """Raise if ``message`` is not of the method's input type.

        Raises:
            UsageError: naming the request's position, its type and the expected type.
        """
        desc = getattr(message, "DESCRIPTOR", None)
        # A message class from another pool (e.g. generated code) is fine if it has the name.
        if desc is self.input or getattr(desc, "full_name", None) == self.input.full_name:
            return
        got = getattr(desc, "full_name", type(message).__name__)
        raise UsageError(
            f"request {index} for {self.method.full_name} is a {got}, "
            f"expected {self.input.full_name}"
        )

    def single_request(self, requests: RequestSource) -> Message:
        """The one request of a unary or server-streaming call.

        Raises:
            UsageError: there is not exactly one message, or it has the wrong type.
        """
        name = self.method.full_name
        if isinstance(requests, Message):
            msg = requests
        elif requests is None or isinstance(requests, AsyncIterable):
            raise UsageError(f"{name} takes exactly one request message")
        else:
            msgs = list(requests)
            if len(msgs) != 1:
                raise UsageError(
                    f"{name} takes exactly one request message, got {len(msgs)}",
                    hint="only client- and bidi-streaming methods take several",
                )
            msg = msgs[0]
        self.check_request(msg, 0)
        return msg

    def stream_source(self, requests: RequestSource) -> StreamSource:
        """The requests of a client/bidi streaming call; sequences are checked up front.

        Raises:
            UsageError: a message of a sequence has the wrong type.
        """
        if isinstance(requests, Message):
            self.check_request(requests, 0)
            return (requests,)
        if isinstance(requests, Sequence):
            for i, m in enumerate(requests):
                self.check_request(m, i)
        return requests


@functools.lru_cache(maxsize=1024)
def method_info(method: MethodDescriptor) -> MethodInfo:
    """The (cached) facts of ``method``; bounded, so reloaded schemas age out."""
    return MethodInfo(method)


# Multicallables per channel and path. Registering the method with the channel once lets
# grpc core skip interning the path on every call, as generated stubs do.
_callables: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def multicallable(channel: grpc.aio.Channel, info: MethodInfo) -> Any:
    """grpc's callable for the method on ``channel``, without (de)serializers: bytes pass."""
    try:
        per_channel = _callables[channel]
    except KeyError:
        per_channel = _callables[channel] = {}
    fn = per_channel.get(info.path)
    if fn is None:
        factory = {
            MethodKind.UNARY: channel.unary_unary,
            MethodKind.SERVER_STREAMING: channel.unary_stream,
            MethodKind.CLIENT_STREAMING: channel.stream_unary,
            MethodKind.BIDI_STREAMING: channel.stream_stream,
        }[info.kind]
        fn = factory(info.path, _registered_method=True)
        per_channel[info.path] = fn
    return fn

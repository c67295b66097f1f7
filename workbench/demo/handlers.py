"""Serve a service described by a descriptor pool, without generated ``_pb2`` code.

Each implementation subclasses :class:`DynamicService` and defines one coroutine (or async
generator, for server-streaming methods) per RPC, named like the RPC in snake_case. Messages
are dynamic classes obtained from the pool with ``GetMessageClass``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar

import grpc
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.descriptor_pool import DescriptorPool
from google.protobuf.message_factory import GetMessageClass

#: A message of a class made at run time: its fields are attributes no type checker knows.
Dynamic = Any

_HandlerFactory = Callable[..., grpc.RpcMethodHandler]

# grpc picks the handler shape from (client_streaming, server_streaming).
_FACTORIES: dict[tuple[bool, bool], _HandlerFactory] = {
    (False, False): grpc.unary_unary_rpc_method_handler,
    (False, True): grpc.unary_stream_rpc_method_handler,
    (True, False): grpc.stream_unary_rpc_method_handler,
    (True, True): grpc.stream_stream_rpc_method_handler,
}


def snake_case(name: str) -> str:
    """``EchoMetadata`` -> ``echo_metadata``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


class DynamicService:
    """Base of a service implemented over dynamic messages.

    Attributes:
        service_name: full name of the service in the pool, set by subclasses.
        pool: the descriptor pool the service and its messages come from.
    """

    service_name: ClassVar[str]

    def __init__(self, pool: DescriptorPool) -> None:
        self.pool = pool

    def message_class(self, full_name: str) -> type[Dynamic]:
        """The dynamic message class for ``full_name`` (e.g. ``workbench.demo.v1.Tick``)."""
        return GetMessageClass(self.pool.FindMessageTypeByName(full_name))

    def new(self, full_name: str, **fields: Any) -> Dynamic:
        """A new message of type ``full_name`` initialised with ``fields``."""
        return self.message_class(full_name)(**fields)

    def generic_handler(self) -> grpc.GenericRpcHandler:
        """A grpc handler routing every method of the service to this object.

        Raises:
            TypeError: a method of the service has no implementation (a programming error).
        """
        service = self.pool.FindServiceByName(self.service_name)
        handlers = {method.name: self._method_handler(method) for method in service.methods}
        return grpc.method_handlers_generic_handler(service.full_name, handlers)

    def _method_handler(self, method: MethodDescriptor) -> grpc.RpcMethodHandler:
        impl = getattr(self, snake_case(method.name), None)
        if impl is None:
            raise TypeError(f"{type(self).__name__} does not implement {method.full_name}")
        request_cls = GetMessageClass(method.input_type)
        response_cls = GetMessageClass(method.output_type)
        factory = _FACTORIES[(method.client_streaming, method.server_streaming)]
        return factory(
            impl,
            request_deserializer=request_cls.FromString,
            response_serializer=response_cls.SerializeToString,
        )

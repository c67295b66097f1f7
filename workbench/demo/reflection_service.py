"""Server reflection for ``grpc.aio`` servers, under both the v1 and the v1alpha names.

grpcio-reflection only ships ``grpc.reflection.v1alpha.ServerReflection``. Servers written in
other languages also serve ``grpc.reflection.v1.ServerReflection``, and modern clients (ours,
grpcurl, Postman) try v1 first. The two protos have identical messages and field numbers, so
one servicer, speaking v1alpha's message classes, serves both: only the method path differs.

The reflection services describe themselves too: their own descriptors are served from a
private pool when the application's pool does not hold them, so ``describe`` works on them as
it does against a Go server.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import grpc
import grpc.aio
from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.descriptor import Descriptor, FieldDescriptor, FileDescriptor
from grpc_reflection.v1alpha import reflection_pb2
from grpc_reflection.v1alpha._async import ReflectionServicer

logger = logging.getLogger(__name__)

#: Full service name of each reflection API version we can serve.
REFLECTION_SERVICES = {
    "v1": "grpc.reflection.v1.ServerReflection",
    "v1alpha": "grpc.reflection.v1alpha.ServerReflection",
}
_METHOD = "ServerReflectionInfo"

_V1ALPHA_PACKAGE = "grpc.reflection.v1alpha"
_V1_PACKAGE = "grpc.reflection.v1"
_V1_FILE = "grpc/reflection/v1/reflection.proto"


def add_reflection_services(
    server: grpc.aio.Server,
    pool: descriptor_pool.DescriptorPool,
    service_names: Sequence[str],
    *,
    versions: Sequence[str] = ("v1", "v1alpha"),
    source_files: Callable[[str], descriptor_pb2.FileDescriptorProto | None] | None = None,
) -> None:
    """Register the reflection service on ``server`` for each of ``versions``.

    Call it before ``server.start()``. The ``list_services`` answer holds ``service_names``
    plus the reflection services registered here (as grpcurl expects to see them).

    Args:
        server: the ``grpc.aio`` server to add the services to.
        pool: the pool holding the descriptors of ``service_names`` and their imports.
        service_names: full names of the application services to advertise.
        versions: which reflection API versions to serve: ``"v1"`` and/or ``"v1alpha"``.
        source_files: looks up the original FileDescriptorProto of a file by name. Given,
            files are served as the source had them, comments included (a descriptor pool
            drops source info, so plain grpcio reflection never serves comments).

    Raises:
        ValueError: when ``versions`` is empty or names an unknown version.
    """
    unknown = [v for v in versions if v not in REFLECTION_SERVICES]
    if unknown or not versions:
        raise ValueError(
            f"unknown reflection versions {unknown or list(versions)}; "
            f"expected some of {sorted(REFLECTION_SERVICES)}"
        )
    reflection_names = [REFLECTION_SERVICES[v] for v in dict.fromkeys(versions)]
    advertised = list(dict.fromkeys([*service_names, *reflection_names]))
    chained = _ChainedPool(pool, _reflection_pool(), source_files=source_files)
    servicer = ReflectionServicer(advertised, pool=chained)
    handler = grpc.stream_stream_rpc_method_handler(
        servicer.ServerReflectionInfo,
        request_deserializer=reflection_pb2.ServerReflectionRequest.FromString,
        response_serializer=reflection_pb2.ServerReflectionResponse.SerializeToString,
    )
    for name in reflection_names:
        # The same handler under each name: the wire format of v1 and v1alpha is identical.
        server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler(name, {_METHOD: handler}),)
        )
    logger.debug("reflection serving %s for %d services", reflection_names, len(service_names))


class _ChainedPool:
    """The lookups the reflection servicer makes, tried on several pools in turn.

    ``BaseReflectionServicer`` calls only these five methods on its pool; a miss is a
    ``KeyError``, which it turns into a NOT_FOUND error response.
    """

    def __init__(
        self,
        *pools: descriptor_pool.DescriptorPool,
        source_files: Callable[[str], descriptor_pb2.FileDescriptorProto | None] | None = None,
    ) -> None:
        self._pools = pools
        self._source_files = source_files

    def _sourced(self, file: FileDescriptor) -> Any:
        if self._source_files is None:
            return file
        return _SourcedFile(file, self._source_files)

    def _first(self, method: str, *args: Any) -> Any:
        for pool in self._pools:
            try:
                return getattr(pool, method)(*args)
            except KeyError:
                continue
        raise KeyError(args[0] if args else method)

    def FindFileByName(self, name: str) -> FileDescriptor:
        """The file called ``name``."""
        found: FileDescriptor = self._first("FindFileByName", name)
        return self._sourced(found)  # type: ignore[no-any-return]

    def FindFileContainingSymbol(self, symbol: str) -> FileDescriptor:
        """The file declaring ``symbol``."""
        found: FileDescriptor = self._first("FindFileContainingSymbol", symbol)
        return self._sourced(found)  # type: ignore[no-any-return]

    def FindMessageTypeByName(self, name: str) -> Descriptor:
        """The message type called ``name``."""
        found: Descriptor = self._first("FindMessageTypeByName", name)
        return found

    def FindExtensionByNumber(self, message: Descriptor, number: int) -> FieldDescriptor:
        """The extension of ``message`` with field ``number``."""
        found: FieldDescriptor = self._first("FindExtensionByNumber", message, number)
        return found

    def FindAllExtensions(self, message: Descriptor) -> list[FieldDescriptor]:
        """Every extension of ``message`` known to the first pool that knows ``message``."""
        for pool in self._pools:
            try:
                pool.FindMessageTypeByName(message.full_name)
            except KeyError:
                continue
            return list(pool.FindAllExtensions(message))
        raise KeyError(message.full_name)


class _SourcedFile:
    """A file descriptor that serializes as its original proto, source info included.

    ``BaseReflectionServicer`` reads only ``name``, ``dependencies`` and ``CopyToProto``.
    """

    def __init__(
        self,
        file: FileDescriptor,
        source_files: Callable[[str], descriptor_pb2.FileDescriptorProto | None],
    ) -> None:
        self._file = file
        self._source_files = source_files
        self.name = file.name

    @property
    def dependencies(self) -> list[_SourcedFile]:
        """The imported files, wrapped the same way."""
        return [_SourcedFile(dep, self._source_files) for dep in self._file.dependencies]

    def CopyToProto(self, proto: descriptor_pb2.FileDescriptorProto) -> None:
        """Fill ``proto`` with the original file (falls back to the pool's copy)."""
        original = self._source_files(self.name)
        if original is not None:
            proto.CopyFrom(original)
        else:
            self._file.CopyToProto(proto)


_POOL: descriptor_pool.DescriptorPool | None = None


def _reflection_pool() -> descriptor_pool.DescriptorPool:
    """A pool with the v1alpha reflection proto and a v1 copy of it (built once)."""
    global _POOL  # noqa: PLW0603 - a lazily built, immutable module constant
    if _POOL is None:
        pool = descriptor_pool.DescriptorPool()
        v1alpha = descriptor_pb2.FileDescriptorProto()
        reflection_pb2.DESCRIPTOR.CopyToProto(v1alpha)
        pool.Add(v1alpha)
        pool.Add(_as_v1(v1alpha))
        _POOL = pool
    return _POOL


def _as_v1(v1alpha: descriptor_pb2.FileDescriptorProto) -> descriptor_pb2.FileDescriptorProto:
    """The v1 reflection file: v1alpha's file under the v1 package and file name."""
    v1 = descriptor_pb2.FileDescriptorProto()
    v1.CopyFrom(v1alpha)
    v1.name = _V1_FILE
    v1.package = _V1_PACKAGE
    v1.ClearField("options")
    v1.options.go_package = "google.golang.org/grpc/reflection/grpc_reflection_v1"
    v1.options.java_package = "io.grpc.reflection.v1"
    v1.options.java_multiple_files = True
    v1.options.java_outer_classname = "ServerReflectionProto"
    old, new = f".{_V1ALPHA_PACKAGE}.", f".{_V1_PACKAGE}."
    for message in v1.message_type:
        for field in message.field:
            if field.type_name.startswith(old):
                field.type_name = new + field.type_name[len(old) :]
    for service in v1.service:
        for method in service.method:
            method.input_type = new + method.input_type[len(old) :]
            method.output_type = new + method.output_type[len(old) :]
    return v1

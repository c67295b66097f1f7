"""The ``ServerReflectionInfo`` stream protocol: pipelined requests, files and imports.

Protocol notes (grpc/reflection/v1/reflection.proto, grpcurl and protoreflect's clients):

- Servers answer the requests of one stream strictly in order, so we pipeline a whole batch
  of requests and pair the answers up by position.
- Failures inside the stream are answers (``error_response`` with a status code), not a
  status of the call; the call itself fails only for transport, auth and deadline problems.
- A file answer may carry the requested file alone or with (some of) its imports: the Python
  servicer sends every transitive import each time, grpc-go only those not yet sent on the
  stream, others none. We keep the first copy of each file and ask ``file_by_filename`` only
  for imports we still lack, so each file crosses the wire as few times as the server allows.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import Iterable, Sequence
from typing import Any

import grpc
import grpc.aio
from google.protobuf import descriptor_pb2
from google.protobuf.message import DecodeError
from grpc_reflection.v1alpha import reflection_pb2

from workbench.core.errors import SchemaError, SymbolNotFound
from workbench.core.schema.schema import Schema

logger = logging.getLogger(__name__)

Request = Any  # reflection_pb2.ServerReflectionRequest (grpc_reflection ships no types)
Response = Any  # reflection_pb2.ServerReflectionResponse

#: Services of the reflection API itself; Python servers list them without descriptors.
REFLECTION_PREFIX = "grpc.reflection."
_CLOSE_GRACE = 1.0  # seconds a server gets to end the stream after our half-close
_STATUS_BY_NUMBER = {code.value[0]: code for code in grpc.StatusCode}


def method_path(version: str) -> str:
    """The ``ServerReflectionInfo`` method path of reflection API ``version``."""
    return f"/grpc.reflection.{version}.ServerReflection/ServerReflectionInfo"


class ReflectionStream:
    """One ``ServerReflectionInfo`` call: batches of pipelined requests, answers in order."""

    def __init__(self, call: grpc.aio.StreamStreamCall) -> None:
        self._call = call
        #: Answers read so far (0 means the server may not serve this version at all).
        self.received = 0

    async def exchange(self, requests: Sequence[Request]) -> list[Response]:
        """Send ``requests`` and return their answers, one per request, in order.

        Writing runs in its own task while we read: a server blocked on sending answers we
        do not read yet would otherwise stall our writes once HTTP/2 flow control fills up.
        """
        if not requests:
            return []
        writer = asyncio.ensure_future(self._write_all(requests))
        try:
            answers: list[Response] = []
            for _ in requests:
                answer = await self._call.read()
                if answer is grpc.aio.EOF:
                    raise SchemaError("the server ended the reflection stream before answering")
                self.received += 1
                answers.append(answer)
            return answers
        finally:
            writer.cancel()
            # The call's own status surfaces through read(); a failed write adds nothing.
            with contextlib.suppress(
                asyncio.CancelledError, asyncio.InvalidStateError, grpc.aio.AioRpcError
            ):
                await writer

    async def _write_all(self, requests: Iterable[Request]) -> None:
        for request in requests:
            await self._call.write(request)

    async def finish(self) -> None:
        """Half-close and give the server a moment to end the call with OK.

        Ending politely spares servers that log cancelled streams; a server that does not
        answer the half-close promptly is cancelled by :meth:`cancel`.
        """
        with contextlib.suppress(grpc.aio.AioRpcError, asyncio.InvalidStateError):
            await self._call.done_writing()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._call.code(), _CLOSE_GRACE)

    def cancel(self) -> None:
        """Stop the call if it is still running (a no-op after :meth:`finish`)."""
        if not self._call.done():
            self._call.cancel()


async def list_services(stream: ReflectionStream) -> list[str]:
    """The full names of the services the server lists, sorted."""
    # grpcurl sends "*"; servers do not look at the field's content.
    (answer,) = await stream.exchange([reflection_pb2.ServerReflectionRequest(list_services="*")])
    _expect(answer, "list_services_response", "the service list")
    return sorted({service.name for service in answer.list_services_response.service})


def _expect(answer: Response, kind: str, what: str) -> None:
    """Raise when ``answer`` is neither of ``kind`` nor an error response."""
    got = answer.WhichOneof("message_response")
    if got not in (kind, "error_response"):
        raise SchemaError(f"the server answered a request for {what} with {got or 'nothing'}")
    if got == "error_response" and kind == "list_services_response":
        raise SchemaError(f"the server could not list its services: {error_text(answer)}")


def error_of(answer: Response) -> grpc.StatusCode | None:
    """The status of an in-stream error answer, or ``None`` for a real answer."""
    if answer.WhichOneof("message_response") != "error_response":
        return None
    number = answer.error_response.error_code
    return _STATUS_BY_NUMBER.get(number, grpc.StatusCode.UNKNOWN)


def error_text(answer: Response) -> str:
    """``CODE: message`` of an in-stream error answer."""
    code = error_of(answer) or grpc.StatusCode.UNKNOWN
    message = answer.error_response.error_message
    return f"{code.name}: {message}" if message else code.name


class FileFetcher:
    """Files received on one stream, by name, and the fetching of missing imports."""

    def __init__(self, stream: ReflectionStream, address: str) -> None:
        self._stream = stream
        self._address = address
        self.protos: dict[str, descriptor_pb2.FileDescriptorProto] = {}

    def _add(self, answer: Response, what: str) -> list[str]:
        """Keep the files of a file answer (first copy wins); their names in answer order."""
        _expect(answer, "file_descriptor_response", what)
        names = []
        for raw in answer.file_descriptor_response.file_descriptor_proto:
            try:
                proto = descriptor_pb2.FileDescriptorProto.FromString(raw)
            except DecodeError as exc:
                raise SchemaError(
                    f"the server at {self._address} sent a corrupt descriptor for {what}: {exc}"
                ) from exc
            self.protos.setdefault(proto.name, proto)
            names.append(proto.name)
        if not names:
            raise SchemaError(f"the server at {self._address} sent no file for {what}")
        return names

    async def fetch_services(self, services: Sequence[str]) -> list[str]:
        """Fetch the files declaring ``services``; returns those file names, in order."""
        requests = [
            reflection_pb2.ServerReflectionRequest(file_containing_symbol=s) for s in services
        ]
        answers = await self._stream.exchange(requests)
        roots: list[str] = []
        for service, answer in zip(services, answers, strict=True):
            if error_of(answer) is not None:
                if service.startswith(REFLECTION_PREFIX):
                    # Python servers list the reflection service without having its descriptor.
                    logger.debug("no descriptor for %s: %s", service, error_text(answer))
                    continue
                raise SchemaError(
                    f"the server at {self._address} lists service {service!r} but cannot "
                    f"provide its descriptor ({error_text(answer)})",
                    hint="the server's reflection setup is incomplete; "
                    "use --proto or --protoset files for this service",
                )
            root = _declaring(self._add(answer, f"service {service!r}"), self.protos, service)
            if root not in roots:
                roots.append(root)
        return roots

    async def fetch_symbol(self, symbol: str) -> tuple[str, bool]:
        """Fetch the file declaring ``symbol`` or its closest parent.

        Returns:
            The file's name, and whether the server resolved ``symbol`` itself.

        Servers differ in which symbols they resolve: the Python servicer finds messages and
        services but not methods or fields. The file of a parent declares its children too,
        so on NOT_FOUND we ask again for the parent.
        """
        candidate = symbol
        while candidate:
            request = reflection_pb2.ServerReflectionRequest(file_containing_symbol=candidate)
            (answer,) = await self._stream.exchange([request])
            code = error_of(answer)
            if code is None:
                names = self._add(answer, f"symbol {symbol!r}")
                return _declaring(names, self.protos, symbol), candidate == symbol
            if code != grpc.StatusCode.NOT_FOUND:
                raise SchemaError(
                    f"the server at {self._address} cannot describe {symbol!r}: "
                    f"{error_text(answer)}"
                )
            candidate = candidate.rpartition(".")[0]
        raise SymbolNotFound("symbol", symbol)

    async def complete(self) -> None:
        """Fetch missing imports, a pipelined batch per level, until every import is here."""
        while missing := self._missing():
            requests = [reflection_pb2.ServerReflectionRequest(file_by_filename=n) for n in missing]
            answers = await self._stream.exchange(requests)
            for name, answer in zip(missing, answers, strict=True):
                failed = error_of(answer) is not None
                if not failed:
                    self._add(answer, f"file {name!r}")
                if name in self.protos:
                    continue
                local = _local_well_known(name)
                if local is None:
                    reason = error_text(answer) if failed else "it sent other files"
                    raise SchemaError(
                        f"{missing[name]} imports {name!r}, which the server at "
                        f"{self._address} cannot provide ({reason})",
                        hint="use --proto or --protoset files instead",
                    )
                logger.info("server lacks %s; using the bundled copy", name)
                self.protos[name] = local

    def _missing(self) -> dict[str, str]:
        """Imports not received yet, each mapped to a file importing it."""
        missing: dict[str, str] = {}
        for proto in list(self.protos.values()):
            for dep in proto.dependency:
                if dep not in self.protos:
                    missing.setdefault(dep, proto.name)
        return missing

    def schema(self, roots: Sequence[str], *, origin: str) -> Schema:
        """The schema of every received file, ``roots`` being the files asked for."""
        fds = descriptor_pb2.FileDescriptorSet(file=self.protos.values())
        logger.debug("%s: %d files", origin, len(fds.file))
        return Schema.from_file_descriptor_set(fds, files=roots, origin=origin)


def _declaring(
    names: Sequence[str], protos: dict[str, descriptor_pb2.FileDescriptorProto], symbol: str
) -> str:
    """Which of the files of one answer declares ``symbol`` (servers put it first, mostly)."""
    for name in names:
        proto = protos[name]
        prefix = f"{proto.package}." if proto.package else ""
        top = [
            *(m.name for m in proto.message_type),
            *(e.name for e in proto.enum_type),
            *(s.name for s in proto.service),
            *(x.name for x in proto.extension),
        ]
        for decl in top:
            full = prefix + decl
            if symbol == full or symbol.startswith(full + "."):
                return name
    return names[0]


def _local_well_known(name: str) -> descriptor_pb2.FileDescriptorProto | None:
    """Our own copy of a well-known file such as ``google/protobuf/timestamp.proto``.

    protoreflect's reflection client does the same for servers that cannot serve them.
    """
    stem = name.removeprefix("google/protobuf/").removesuffix(".proto")
    if name != f"google/protobuf/{stem}.proto" or not stem.isidentifier():
        return None
    try:
        module = importlib.import_module(f"google.protobuf.{stem}_pb2")
    except ImportError:
        return None
    proto = descriptor_pb2.FileDescriptorProto()
    module.DESCRIPTOR.CopyToProto(proto)
    return proto

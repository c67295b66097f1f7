"""The implementation of ``workbench.demo.v1.DemoService`` over dynamic messages."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import grpc
import grpc.aio
from google.protobuf import any_pb2

from workbench.demo import failures
from workbench.demo.handlers import Dynamic, DynamicService

logger = logging.getLogger(__name__)

_PKG = "workbench.demo.v1"
MIB = 1024 * 1024
#: Response size of Large when the request leaves it at 0.
DEFAULT_LARGE_SIZE = 6 * MIB
#: The largest payload any method will build, so a typo cannot exhaust memory.
MAX_PAYLOAD_SIZE = 64 * MIB
MAX_LARGE_ITEMS = 100_000
#: Ticks of Countdown when the request leaves ``count`` at 0.
DEFAULT_COUNT = 10
MAX_CHAT_REPEAT = 1000
DEFAULT_SLOW_SECONDS = 1.0
MAX_SLOW_SECONDS = 3600.0
_INT64_MAX = 2**63 - 1

_STATUS_BY_VALUE = {code.value[0]: code for code in grpc.StatusCode}

#: Request metadata keys that belong to HTTP/2 or gRPC itself; EchoMetadata skips them
#: because a server may not send them back as its own headers.
_RESERVED_KEYS = frozenset({"user-agent", "te", "content-type", "accept-encoding"})


def filler(size: int) -> bytes:
    """``size`` bytes of a repeating 0..255 pattern (cheap to build, easy to check)."""
    pattern = bytes(range(256))
    return (pattern * (size // 256 + 1))[:size]


def is_reserved_metadata(key: str) -> bool:
    """Whether ``key`` is transport metadata rather than something the client chose."""
    return key.startswith((":", "grpc-")) or key in _RESERVED_KEYS


class DemoService(DynamicService):
    """One method per behaviour a gRPC client has to handle (see demo.proto)."""

    service_name = f"{_PKG}.DemoService"

    async def echo(self, request: Dynamic, context: grpc.aio.ServicerContext) -> Dynamic:
        """Return the request unchanged."""
        return request

    async def countdown(
        self, request: Dynamic, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[Dynamic]:
        """Stream ``count`` ticks, ``interval_ms`` apart, each with a payload."""
        if request.count < 0 or request.interval_ms < 0:
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT, "count and interval_ms must not be negative"
            )
        await self._check_size(context, request.payload_size, "payload_size")
        count = request.count or DEFAULT_COUNT
        payload = filler(request.payload_size)
        tick_cls = self.message_class(f"{_PKG}.Tick")
        for sequence in range(1, count + 1):
            if sequence > 1 and request.interval_ms:
                await asyncio.sleep(request.interval_ms / 1000)
            tick = tick_cls(
                remaining=count - sequence, sequence=sequence, label=request.label, payload=payload
            )
            tick.sent_at.GetCurrentTime()
            yield tick

    async def sum(
        self, request_iterator: AsyncIterator[Dynamic], context: grpc.aio.ServicerContext
    ) -> Dynamic:
        """Add up every value the client streams; answer after it half-closes."""
        total, count = 0, 0
        low: int | None = None
        high: int | None = None
        tags: dict[str, None] = {}  # an ordered set
        async for request in request_iterator:
            total += request.value
            count += 1
            low = request.value if low is None else min(low, request.value)
            high = request.value if high is None else max(high, request.value)
            if request.tag:
                tags.setdefault(request.tag)
        if not -_INT64_MAX - 1 <= total <= _INT64_MAX:
            await context.abort(grpc.StatusCode.OUT_OF_RANGE, "the total does not fit in an int64")
        response = self.new(
            f"{_PKG}.SumResponse",
            total=total,
            count=count,
            average=total / count if count else 0.0,
            tags=list(tags),
        )
        if low is not None and high is not None:
            response.min, response.max = low, high
        return response

    async def chat(
        self, request_iterator: AsyncIterator[Dynamic], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[Dynamic]:
        """Answer each chat message as it arrives, ``repeat`` times."""
        reply_cls = self.message_class(f"{_PKG}.ChatReply")
        sequence = 0
        received = 0
        async for message in request_iterator:
            received += 1
            copies = min(max(message.repeat, 1), MAX_CHAT_REPEAT)
            for copy in range(1, copies + 1):
                if copy > 1 and message.delay_ms > 0:
                    await asyncio.sleep(message.delay_ms / 1000)
                sequence += 1
                reply = reply_cls(
                    sequence=sequence,
                    in_reply_to=received,
                    copy=copy,
                    text=message.text,
                    sender=message.sender,
                )
                reply.sent_at.GetCurrentTime()
                yield reply

    async def fail(self, request: Dynamic, context: grpc.aio.ServicerContext) -> Dynamic:
        """Fail with the requested code, message and rich error details."""
        code = _STATUS_BY_VALUE.get(request.code, grpc.StatusCode.UNKNOWN)
        if code is grpc.StatusCode.OK:
            code = grpc.StatusCode.UNKNOWN
        kind_enum = self.pool.FindEnumTypeByName(f"{_PKG}.DetailKind")
        if request.all_details:
            kinds = [v.name for v in kind_enum.values if v.number != 0]
        else:
            kinds = [
                kind_enum.values_by_number[n].name
                for n in request.details
                if n in kind_enum.values_by_number and n != 0
            ]
        details = [self._detail(kind, context) for kind in kinds]
        status = failures.build_status(code, request.message or "demo failure", details)
        await context.abort(status.code, status.details, status.trailing_metadata)
        raise AssertionError("context.abort returned")  # pragma: no cover - abort raises

    def _detail(self, kind: str, context: grpc.aio.ServicerContext) -> any_pb2.Any:
        standard = failures.standard_details().get(kind)
        if standard is not None:
            return failures.pack(standard)
        if kind == "DETAIL_KIND_CUSTOM":
            previous = dict(context.invocation_metadata() or ()).get("grpc-previous-rpc-attempts")
            attempt = 1 + int(previous) if isinstance(previous, str) and previous.isdigit() else 1
            custom = self.new(
                f"{_PKG}.CustomErrorDetail",
                reason="the demo was asked to fail",
                attempt=attempt,
                labels={"service": "DemoService", "method": "Fail"},
            )
            return failures.pack(custom)
        return failures.unknown_detail()

    async def echo_metadata(self, request: Dynamic, context: grpc.aio.ServicerContext) -> Dynamic:
        """Send the request metadata back as headers, trailers and in the response."""
        received = [
            (key, value)
            for key, value in context.invocation_metadata() or ()
            if not is_reserved_metadata(key)
        ]
        if not request.skip_headers:
            await context.send_initial_metadata(received)
        if not request.skip_trailers:
            context.set_trailing_metadata([(f"trailer-{key}", value) for key, value in received])
        response = self.new(f"{_PKG}.EchoMetadataResponse", peer=context.peer())
        for key, value in received:
            if isinstance(value, bytes):
                response.entries.add(key=key, binary_value=value)
            else:
                response.entries.add(key=key, value=value)
        return response

    async def slow(self, request: Dynamic, context: grpc.aio.ServicerContext) -> Dynamic:
        """Sleep for the requested duration; cancellation and deadlines interrupt it."""
        seconds = (
            request.duration.ToNanoseconds() / 1e9
            if request.HasField("duration")
            else DEFAULT_SLOW_SECONDS
        )
        if not 0 <= seconds <= MAX_SLOW_SECONDS:
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"duration must be between 0 and {MAX_SLOW_SECONDS:.0f} seconds",
            )
        loop = asyncio.get_running_loop()
        started = loop.time()
        # grpc.aio cancels this task when the client cancels or the deadline passes.
        await asyncio.sleep(seconds)
        response = self.new(f"{_PKG}.SlowResponse")
        response.slept.FromNanoseconds(int((loop.time() - started) * 1e9))
        return response

    async def large(self, request: Dynamic, context: grpc.aio.ServicerContext) -> Dynamic:
        """Return a payload of the requested size, plus generated items if asked."""
        size = request.size_bytes or DEFAULT_LARGE_SIZE
        await self._check_size(context, size, "size_bytes")
        if not 0 <= request.item_count <= MAX_LARGE_ITEMS:
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"item_count must be between 0 and {MAX_LARGE_ITEMS}",
            )
        response = self.new(f"{_PKG}.LargeResponse", payload=filler(size), size_bytes=size)
        colors = (1, 2, 3)
        for i in range(request.item_count):
            response.items.add(
                id=f"item-{i}", name=f"Generated item {i}", color=colors[i % 3], labels=["large"]
            )
        return response

    async def echo_legacy(self, request: Dynamic, context: grpc.aio.ServicerContext) -> Dynamic:
        """Return the proto2 record with every unset default made explicit."""
        if not request.IsInitialized():
            missing = ", ".join(request.FindInitializationErrors())
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"LegacyRecord is missing required fields: {missing}",
            )
        for field in request.DESCRIPTOR.fields:
            explicit = not field.is_repeated and field.has_default_value
            if explicit and not request.HasField(field.name):
                setattr(request, field.name, field.default_value)
        return request

    @staticmethod
    async def _check_size(context: grpc.aio.ServicerContext, size: int, name: str) -> None:
        if not 0 <= size <= MAX_PAYLOAD_SIZE:
            await context.abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"{name} must be between 0 and {MAX_PAYLOAD_SIZE} bytes (64 MiB)",
            )

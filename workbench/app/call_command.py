"""``grpc-workbench call [ADDRESS] METHOD -d ...``: one RPC of any kind from the terminal.

Requests are JSON (a sequence of values for client and bidi streams, each sent as soon as it
has been read, so ``-d @-`` from a terminal is an interactive stream); responses print as
they arrive. The exit status is 0 for OK, 64 + code for a non-OK status, and the error's own
code for failures on our side (see ``WorkbenchError.exit_code``).
"""

from __future__ import annotations

import argparse
import asyncio
import codecs
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TextIO

from google.protobuf.descriptor import Descriptor, MethodDescriptor
from google.protobuf.descriptor_pool import DescriptorPool
from google.protobuf.message import Message

from workbench.app import options
from workbench.core.calls.channels import ChannelManager
from workbench.core.calls.engine import Call
from workbench.core.calls.events import (
    Finished,
    HeadersReceived,
    MessageReceived,
    MessageSent,
    Started,
    TrailersReceived,
)
from workbench.core.calls.metadata import format_metadata
from workbench.core.calls.status import format_details
from workbench.core.errors import FileAccessError, RequestParseError, UsageError, WorkbenchError
from workbench.core.messages.codec import to_json, to_text
from workbench.core.messages.jsonstream import JsonDocumentSplitter, iter_documents, parse_document
from workbench.core.messages.skeleton import example_json

_CHUNK = 64 * 1024


async def run_call(args: argparse.Namespace, out: TextIO) -> int:
    """Run the ``call`` command; returns the exit status."""
    if getattr(args, "saved", None):
        from workbench.app.saved_command import run_saved_call

        return await run_saved_call(args, out)
    if getattr(args, "env", None):
        raise UsageError("--env only applies to --saved requests")
    pos = options.split_positionals(args, symbol_required=True)
    if pos.symbol is None:
        if pos.address is not None and not (args.proto or args.protoset):
            raise UsageError(
                "no method given", hint="use: grpc-workbench call ADDRESS pkg.Service/Method"
            )
        raise UsageError("no method given", hint="name it as pkg.Service/Method")
    channels = ChannelManager()
    try:
        target = options.target_from_args(args, pos.address) if pos.address else None
        source = options.source_from_args(args, target, channels=channels)
        metadata = options.metadata_from_args(args)
        if args.insecure:
            print(
                "warning: --insecure: the server certificate is not verified",
                file=sys.stderr,
            )
        schema = await source.load()
        method = schema.method(pos.symbol)
        if args.describe_request:
            print(example_json(method.input_type, schema.pool), file=out)
            return 0
        if target is None:
            raise UsageError(
                f"no server address given to call {method.full_name}",
                hint="give ADDRESS before the method",
            )
        requests = await _requests(args.data, method, schema.pool)
        call = Call(
            channels,
            target,
            method,
            requests,
            metadata=metadata,
            timeout=args.max_time,
            compression=None if args.compression == "none" else args.compression,
        )
        printer = Printer(args, out, schema.pool)
        async with call:
            async for event in call:
                printer.event(event)
        assert call.finished is not None
        return printer.conclude(call.finished)
    finally:
        await channels.close()


async def _requests(
    data: str | None, method: MethodDescriptor, pool: DescriptorPool
) -> Message | list[Message] | AsyncIterator[Message]:
    """The request message(s) ``-d`` describes."""
    desc = method.input_type
    streaming = bool(method.client_streaming)
    if data is None:
        return [] if streaming else _parse_one("{}", desc, pool, "the empty request")
    if data == "@-":
        if streaming:
            return _stdin_messages(desc, pool)
        text = await asyncio.get_running_loop().run_in_executor(None, _read_stdin)
        return _parse_one(text, desc, pool, "standard input")
    if data.startswith("@"):
        text = _read_file(data[1:])
        where = data[1:]
    else:
        text, where = data, "-d"
    if streaming:
        return [m for doc in iter_documents(text) for m in parse_document(doc, desc, pool=pool)]
    return _parse_one(text, desc, pool, where)


def _parse_one(text: str, desc: Descriptor, pool: DescriptorPool, where: str) -> Message:
    docs = list(iter_documents(text))
    if not docs:
        raise RequestParseError(
            f"{where} holds no JSON request", hint="give one JSON object, e.g. -d '{}'"
        )
    if len(docs) > 1:
        raise RequestParseError(
            f"{where} holds {len(docs)} JSON values but the method takes one request",
            line=docs[1].line,
            column=docs[1].column,
            hint="only client- and bidi-streaming methods take several messages",
        )
    try:
        messages = parse_document(docs[0], desc, pool=pool, expand_arrays=False)
    except RequestParseError as exc:
        if exc.path:
            # A field path says where; the document's start position would only add noise.
            raise RequestParseError(
                exc.message.split(f"{exc.path}: ", 1)[-1], path=exc.path, hint=exc.hint
            ) from None
        raise
    return messages[0]


def _decode_utf8(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RequestParseError(
            f"{where} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            hint="requests are JSON, which must be UTF-8",
        ) from None


def _read_file(name: str) -> str:
    path = Path(name).expanduser()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileAccessError(f"request file not found: {path}") from None
    except IsADirectoryError:
        raise FileAccessError(f"request file is a directory: {path}") from None
    except OSError as exc:
        raise FileAccessError(f"cannot read request file {path}: {exc.strerror}") from None
    return _decode_utf8(data, str(path))


def _read_stdin() -> str:
    return _decode_utf8(sys.stdin.buffer.read(), "standard input")


async def _stdin_messages(desc: Descriptor, pool: DescriptorPool) -> AsyncIterator[Message]:
    """Messages from stdin, each yielded as soon as its JSON value is complete."""
    loop = asyncio.get_running_loop()
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    splitter = JsonDocumentSplitter()
    fd = sys.stdin.fileno()
    offset = 0
    while True:
        chunk = await loop.run_in_executor(None, os.read, fd, _CHUNK)
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise RequestParseError(
                f"standard input is not UTF-8 text (at byte offset {offset + exc.start})",
                hint="requests are JSON, which must be UTF-8",
            ) from None
        offset += len(chunk)
        docs = splitter.feed(text) if chunk else splitter.close()
        for doc in docs:
            for message in parse_document(doc, desc, pool=pool):
                yield message
        if not chunk:
            return


class Printer:
    """Prints responses on ``out`` as they arrive; -v adds headers, trailers and timing."""

    def __init__(self, args: argparse.Namespace, out: TextIO, pool: DescriptorPool) -> None:
        self.out = out
        self.verbose: bool = args.verbose
        self.text_format = args.format == "text"
        self.emit_defaults: bool = args.emit_defaults
        self.pool = pool
        self.sent = 0
        self.received = 0

    def event(self, event: object) -> None:
        if isinstance(event, MessageReceived):
            self.received += 1
            self._message(event)
        elif isinstance(event, MessageSent):
            self.sent += 1
        elif self.verbose:
            if isinstance(event, Started):
                self._block(
                    f"Calling {event.method} on {event.target}; request metadata:",
                    event.metadata,
                )
            elif isinstance(event, HeadersReceived):
                self._block("Response headers received:", event.metadata)
            elif isinstance(event, TrailersReceived):
                self._block("Response trailers received:", event.metadata)

    def _message(self, event: MessageReceived) -> None:
        try:
            msg = event.decode()
        except WorkbenchError as exc:
            print(f"error: {exc.user_text()}", file=sys.stderr)
            print(f"  raw bytes: {event.data[:256].hex()}", file=sys.stderr)
            return
        if self.text_format:
            text = to_text(msg, self.pool)
            if self.received > 1:
                print(file=self.out)
        else:
            text = to_json(msg, pool=self.pool, emit_defaults=self.emit_defaults)
        print(text.rstrip("\n"), file=self.out, flush=True)

    def _block(self, title: str, metadata: tuple[tuple[str, str | bytes], ...]) -> None:
        print(title, file=sys.stderr)
        for line in format_metadata(metadata) or ["(none)"]:
            print(f"  {line}", file=sys.stderr)

    def conclude(self, finished: Finished) -> int:
        if self.verbose:
            print(
                f"Sent {self.sent} request(s), received {self.received} response(s) "
                f"in {finished.elapsed * 1000:.1f} ms; status {finished.code_name}",
                file=sys.stderr,
            )
        if finished.ok:
            return 0
        if finished.error is not None:
            print(f"error: {finished.error.user_text()}", file=sys.stderr)
            return finished.exit_code
        print(f"ERROR: {finished.code_name} (code {finished.code.value[0]})", file=sys.stderr)
        if finished.message:
            print(f"  message: {finished.message}", file=sys.stderr)
        detail_lines = format_details(finished.details)
        if detail_lines:
            print("  details:", file=sys.stderr)
            for line in detail_lines:
                print(f"    {line}", file=sys.stderr)
        return finished.exit_code

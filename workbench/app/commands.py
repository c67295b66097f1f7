"""The CLI commands: ``list``, ``describe``, ``call`` and ``demo-server``.

Each is a coroutine over the core; output goes to the given stream, errors are raised as
``WorkbenchError`` and printed by :func:`workbench.app.cli.run_async`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import TextIO

from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor

from workbench.app import options
from workbench.core.calls.channels import ChannelManager
from workbench.core.errors import UsageError
from workbench.core.schema.describe import describe_heading, describe_symbol
from workbench.core.schema.schema import MethodKind, Schema

logger = logging.getLogger(__name__)


def method_signature(method: MethodDescriptor) -> str:
    """``(pkg.Req) returns (stream pkg.Resp)``."""
    cs = "stream " if method.client_streaming else ""
    ss = "stream " if method.server_streaming else ""
    return f"({cs}{method.input_type.full_name}) returns ({ss}{method.output_type.full_name})"


def format_methods(service: ServiceDescriptor) -> list[str]:
    """One aligned line per method: full name, kind, signature."""
    rows = [(m.full_name, MethodKind.of(m).value, method_signature(m)) for m in service.methods]
    w0 = max((len(r[0]) for r in rows), default=0)
    w1 = max((len(r[1]) for r in rows), default=0)
    return [f"{a:<{w0}}  {b:<{w1}}  {c}" for a, b, c in rows]


async def cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    """``list [ADDRESS] [SERVICE]``."""
    pos = options.split_positionals(args)
    target = options.target_from_args(args, pos.address) if pos.address else None
    channels = ChannelManager()
    try:
        source = options.source_from_args(args, target, channels=channels)
        _warn_insecure(args)
        if pos.symbol is None:
            names = await _service_names(source)
            for name in names:
                print(name, file=out)
            return 0
        schema = await source.load()
        for line in format_methods(schema.service(pos.symbol)):
            print(line, file=out)
        return 0
    finally:
        await channels.close()


async def _service_names(source: object) -> list[str]:
    from workbench.core.schema.reflection import ReflectionSource

    if isinstance(source, ReflectionSource):
        # Like grpcurl: what the server lists, including reflection and health themselves.
        return sorted(await source.list_services())
    load = getattr(source, "load")  # noqa: B009 - any DescriptorSource
    schema: Schema = await load()
    return [s.full_name for s in schema.services()]


async def cmd_describe(args: argparse.Namespace, out: TextIO) -> int:
    """``describe [ADDRESS] [SYMBOL]``."""
    pos = options.split_positionals(args)
    target = options.target_from_args(args, pos.address) if pos.address else None
    channels = ChannelManager()
    try:
        source = options.source_from_args(args, target, channels=channels)
        _warn_insecure(args)
        schema = await source.load()
        symbols = [schema.find_symbol(pos.symbol)] if pos.symbol else list(schema.services())
        if not symbols:
            print("(the schema has no services)", file=out)
        for i, desc in enumerate(symbols):
            if i:
                print(file=out)
            print(describe_heading(desc), file=out)
            print(describe_symbol(schema, desc), file=out)
        if not schema.has_source_info() and pos.symbol:
            logger.debug("no comments: the source carried no source info")
        return 0
    finally:
        await channels.close()


async def cmd_demo_server(args: argparse.Namespace, out: TextIO) -> int:
    """``demo-server [--port N]``: serve until Ctrl+C."""
    from workbench.demo.server import start_demo_server

    if args.port < 0 or args.port > 65535:
        raise UsageError(f"bad port {args.port}", hint="use 0..65535 (0 picks a free port)")
    server = await start_demo_server(
        host=args.host, port=args.port, reflection=not args.no_reflection
    )
    print(f"Demo server listening on {server.address}", file=out, flush=True)
    print("Press Ctrl+C to stop.", file=sys.stderr, flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop(0.5)
    return 0


def _warn_insecure(args: argparse.Namespace) -> None:
    if getattr(args, "insecure", False):
        print(
            "warning: --insecure: the server certificate is not verified; anyone on the path "
            "can read and change this traffic",
            file=sys.stderr,
        )


async def cmd_call(args: argparse.Namespace, out: TextIO) -> int:
    """``call [ADDRESS] METHOD``: see :mod:`workbench.app.call_command`."""
    from workbench.app.call_command import run_call

    return await run_call(args, out)

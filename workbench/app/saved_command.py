"""``grpc-workbench call --saved WORKSPACE/COLLECTION/REQUEST [--env NAME]``.

Runs a request saved in a workspace exactly as the GUI would: the environment fills the
``{{placeholders}}`` (secrets included), the workspace's schema source or reflection resolves
the method, and the output is the ``call`` command's. ``-H`` adds headers and ``--max-time``
overrides the saved deadline; everything else comes from the saved request.

Wiring (in ``cli.build_parser``, for the ``call`` parser)::

    saved_command.add_saved_options(p_call)

and at the top of ``call_command.run_call``::

    if getattr(args, "saved", None):
        return await saved_command.run_saved_call(args, out)
"""

from __future__ import annotations

import argparse
from typing import TextIO

from workbench.app import options
from workbench.app.call_command import Printer
from workbench.core.calls.channels import ChannelManager
from workbench.core.calls.engine import Call
from workbench.core.errors import UsageError
from workbench.core.store.runner import prepare_saved_call, resolve_saved

__all__ = ["add_saved_options", "run_saved_call"]

# Flags that would contradict the saved request; refusing them beats silently ignoring them.
_CONFLICTING = {
    "positionals": "ADDRESS/METHOD",
    "data": "-d",
    "proto": "--proto",
    "protoset": "--protoset",
    "import_path": "-I",
    "cacert": "--cacert",
    "cert": "--cert",
    "key": "--key",
    "insecure": "--insecure",
    "authority": "--authority",
    "plaintext": "--plaintext/--tls",
    "describe_request": "--describe-request",
}


def add_saved_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--saved`` and ``--env`` to the ``call`` parser."""
    g = parser.add_argument_group("saved requests")
    g.add_argument(
        "--saved",
        metavar="WORKSPACE/COLLECTION/REQUEST",
        help="run a request saved in a workspace (folders between collection and request; "
        "WORKSPACE may be omitted inside a workspace or for the default workspace)",
    )
    g.add_argument(
        "--env",
        metavar="NAME",
        help="environment whose variables fill {{placeholders}} (default: the workspace's)",
    )


def _check_no_conflicts(args: argparse.Namespace) -> None:
    given = [
        flag
        for attr, flag in _CONFLICTING.items()
        if getattr(args, attr, None) not in (None, False, [], ())
    ]
    if given:
        raise UsageError(
            f"--saved runs the saved request as it is; {', '.join(given)} cannot be combined",
            hint="only --env, -H, --max-time and the output options combine with --saved",
        )


async def run_saved_call(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``call --saved``; returns the exit status (as ``call`` does).

    Raises:
        WorkbenchError: the reference, environment, variables, schema or request is
            unusable (printed by ``run_async``).
    """
    _check_no_conflicts(args)
    workspace, node = resolve_saved(args.saved)
    environment = args.env or workspace.settings.default_environment
    channels = ChannelManager()
    try:
        prepared = await prepare_saved_call(
            workspace,
            node.request,
            environment=environment,
            channels=channels,
            extra_metadata=options.metadata_from_args(args),
        )
        streaming = bool(prepared.method.client_streaming)
        call = Call(
            channels,
            prepared.target,
            prepared.method,
            list(prepared.messages) if streaming else prepared.messages[0],
            metadata=prepared.metadata,
            timeout=args.max_time if args.max_time is not None else prepared.timeout,
            compression=None if args.compression == "none" else args.compression,
        )
        printer = Printer(args, out, prepared.schema.pool)
        async with call:
            async for event in call:
                printer.event(event)
        assert call.finished is not None
        return printer.conclude(call.finished)
    finally:
        await channels.close()

"""The command line: ``grpc-workbench [list|describe|call|demo-server] ...`` or the GUI.

Every user-caused failure ends as one clear line on stderr (plus a hint) and the error's own
exit code; a traceback means a bug.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, TextIO

from workbench import __version__
from workbench.app import options
from workbench.core.errors import WorkbenchError

logger = logging.getLogger(__name__)

COMMANDS = ("list", "describe", "call", "demo-server")

EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    """The parser for the subcommands (the GUI has its own, see :func:`gui_parser`)."""
    parser = argparse.ArgumentParser(
        prog="grpc-workbench",
        description="A gRPC workbench: browse services, call methods, watch streams.",
    )
    parser.add_argument("--version", action="version", version=f"grpc-workbench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p_list = sub.add_parser(
        "list",
        help="list services, or the methods of a service",
        description="List the services of a server (reflection) or of .proto/protoset files; "
        "with SERVICE, list its methods with their kind and types.",
    )
    p_list.add_argument("positionals", nargs="*", metavar="[ADDRESS] [SERVICE]")
    options.add_source_options(p_list)
    options.add_connection_options(p_list)

    p_desc = sub.add_parser(
        "describe",
        help="show a service, method, message or enum in proto syntax",
        description="Print the definition of SYMBOL in proto syntax, with its comments. "
        "Without SYMBOL, describe every service.",
    )
    p_desc.add_argument("positionals", nargs="*", metavar="[ADDRESS] [SYMBOL]")
    options.add_source_options(p_desc)
    options.add_connection_options(p_desc)

    p_call = sub.add_parser(
        "call",
        help="invoke a method",
        description="Invoke METHOD (pkg.Service/Method) with request(s) given as JSON.",
    )
    p_call.add_argument("positionals", nargs="*", metavar="[ADDRESS] METHOD")
    options.add_source_options(p_call)
    options.add_connection_options(p_call)
    options.add_call_options(p_call)
    from workbench.app.saved_command import add_saved_options

    add_saved_options(p_call)

    p_demo = sub.add_parser(
        "demo-server",
        help="serve the demo service (with reflection and health) on loopback",
        description="Serve the demo services on 127.0.0.1 with reflection (v1 and v1alpha) "
        "and the health service, until Ctrl+C.",
    )
    p_demo.add_argument("--port", type=int, default=50051, help="port (0 picks a free one)")
    p_demo.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    p_demo.add_argument(
        "--no-reflection", action="store_true", help="do not serve the reflection service"
    )
    return parser


def gui_parser() -> argparse.ArgumentParser:
    """The parser for ``grpc-workbench [ADDRESS]``: the desktop application."""
    parser = argparse.ArgumentParser(
        prog="grpc-workbench",
        description="A gRPC workbench. Commands: " + ", ".join(COMMANDS) + " (see COMMAND -h).",
    )
    parser.add_argument("--version", action="version", version=f"grpc-workbench {__version__}")
    parser.add_argument("address", nargs="?", help="server to connect to at start")
    parser.add_argument(
        "--demo", action="store_true", help="start an embedded demo server and connect to it"
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log everything (DEBUG) to the log file and to stderr",
    )
    options.add_source_options(parser)
    options.add_connection_options(parser)
    return parser


def run_cli(argv: Sequence[str], *, stdout: TextIO | None = None) -> int:
    """Parse ``argv`` and run the command; returns the exit status."""
    out = stdout or sys.stdout
    if not argv or argv[0] not in (*COMMANDS, "-h", "--help", "--version"):
        args = gui_parser().parse_args(list(argv))
        from workbench.app.gui import run_gui

        return run_gui(args)  # logs to the rotating log file (workbench.app.logs)
    _setup_logging()
    if argv[0] in ("-h", "--help"):
        build_parser().print_help(out)
        return 0
    args = build_parser().parse_args(list(argv))
    handlers: dict[str, Callable[[argparse.Namespace, TextIO], Coroutine[Any, Any, int]]] = {}
    from workbench.app import commands

    handlers = {
        "list": commands.cmd_list,
        "describe": commands.cmd_describe,
        "call": commands.cmd_call,
        "demo-server": commands.cmd_demo_server,
    }
    # Ctrl+C is how a user stops the demo server: that is success, not an interruption.
    return run_async(handlers[args.command](args, out), interrupt_ok=args.command == "demo-server")


def run_async(coro: Coroutine[Any, Any, int], *, interrupt_ok: bool = False) -> int:
    """Run a command coroutine, turning user errors into one line on stderr."""
    try:
        return asyncio.run(coro)
    except WorkbenchError as exc:
        print(f"error: {exc.user_text()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        if interrupt_ok:
            print("stopped", file=sys.stderr)
            return 0
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `grpc-workbench call ... | head`: the reader went away; that is not our failure.
        return 0


def _setup_logging() -> None:
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s: %(message)s", stream=sys.stderr
    )

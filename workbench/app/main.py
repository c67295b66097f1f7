"""Entry point: ``grpc-workbench`` (GUI by default, subcommands for the CLI)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    # gRPC core logs to stderr on its own (e.g. "Failed to add port"); we report every
    # failure ourselves in one clear line, so keep it quiet unless the user asks for it.
    os.environ.setdefault("GRPC_VERBOSITY", "NONE")
    from workbench.app.cli import run_cli

    return run_cli(sys.argv[1:] if argv is None else argv)

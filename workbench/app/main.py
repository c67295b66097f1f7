"""Entry point: ``grpc-workbench`` (GUI by default, subcommands for the CLI)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    from workbench.app.cli import run_cli

    return run_cli(sys.argv[1:] if argv is None else argv)

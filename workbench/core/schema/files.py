"""Schema from .proto files, compiled in-process by grpc_tools' protoc.

(Minimal first cut; the full source with import-root detection lives here too.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from google.protobuf import descriptor_pb2

from workbench.core.errors import ProtoDiagnostic, ProtoParseError


def bundled_include_dirs() -> list[str]:
    """Directories with the well-known types and common Google protos we ship."""
    import grpc_tools

    dirs = [str(Path(grpc_tools.__file__).parent / "_proto")]
    try:
        import google.rpc.status_pb2 as status_pb2

        site = Path(status_pb2.__file__).parent.parent.parent
        if (site / "google" / "rpc" / "status.proto").exists():
            dirs.append(str(site))
    except ImportError:  # pragma: no cover - dependency is required
        pass
    return dirs


def compile_proto_files(
    files: Sequence[str], import_paths: Sequence[str]
) -> descriptor_pb2.FileDescriptorSet:
    """Run protoc on ``files`` (names relative to ``import_paths``) and return the set.

    protoc writes diagnostics to the process's stderr, so it runs in a child process whose
    stderr we capture and parse.
    """
    with tempfile.TemporaryDirectory(prefix="workbench-protoc-") as tmp:
        out = os.path.join(tmp, "out.protoset")
        args = [
            "protoc",
            *(f"-I{p}" for p in [*import_paths, *bundled_include_dirs()]),
            f"--descriptor_set_out={out}",
            "--include_imports",
            "--include_source_info",
            *files,
        ]
        code = (
            "import sys; from grpc_tools import protoc; "
            "sys.exit(protoc.main(sys.argv[1:]))"
        )
        proc = subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise ProtoParseError(_parse_diagnostics(proc.stderr))
        fds = descriptor_pb2.FileDescriptorSet()
        fds.ParseFromString(Path(out).read_bytes())
        return fds


def _parse_diagnostics(stderr: str) -> list[ProtoDiagnostic]:
    diags = []
    for raw in stderr.splitlines():
        line = raw.strip()
        if not line:
            continue
        parts = line.split(":", 3)
        if len(parts) == 4 and parts[1].isdigit() and parts[2].isdigit():
            diags.append(ProtoDiagnostic(parts[0], int(parts[1]), int(parts[2]), parts[3].strip()))
        else:
            file, _, msg = line.partition(":")
            diags.append(ProtoDiagnostic(file, None, None, msg.strip() or line))
    return diags or [ProtoDiagnostic("protoc", None, None, "protoc failed without a message")]

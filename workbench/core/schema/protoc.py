"""Run grpc_tools' protoc and turn what it prints into our errors.

protoc reports problems only as text on the process's stderr (file descriptor 2), so it runs
in a child Python process whose stderr we capture. A frozen app (PyInstaller) has no Python
interpreter to spawn; there protoc runs in-process with fd 2 redirected to a file.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from google.protobuf import descriptor_pb2
from google.protobuf.message import DecodeError

from workbench.core.errors import (
    FileAccessError,
    MissingImportError,
    ProtoDiagnostic,
    ProtoParseError,
    SchemaError,
    WorkbenchError,
)
from workbench.core.schema.importroots import display_path

logger = logging.getLogger(__name__)

_WITH_POSITION = re.compile(r"^(.+?):(\d+):(\d+):\s*(.*)$")
_WITHOUT_POSITION = re.compile(r"^(.+?):\s+(.*)$")
_IMPORT_FAILED = re.compile(r'^Import "(.+)" was not found or had errors\.$')
_NOT_FOUND = "File not found."
_NOT_RELATIVE = "Could not make proto path relative: "

_CHILD = (
    "import sys; from grpc_tools import protoc; sys.exit(protoc.main(['protoc', *sys.argv[1:]]))"
)
_IN_PROCESS_LOCK = threading.Lock()


def run_protoc(
    names: Sequence[str], import_paths: Sequence[str | Path]
) -> descriptor_pb2.FileDescriptorSet:
    """Compile ``names`` (relative to ``import_paths``) into a set with imports and comments.

    Raises:
        MissingImportError: an import is on none of the import paths.
        FileAccessError: an input name is on none of the import paths.
        ProtoParseError: any other protoc error, with every diagnostic it printed.
    """
    with tempfile.TemporaryDirectory(prefix="workbench-protoc-") as tmp:
        out = Path(tmp) / "out.protoset"
        args = [
            *(f"-I{p}" for p in import_paths),
            f"--descriptor_set_out={out}",
            "--include_imports",
            "--include_source_info",
            *names,
        ]
        # A response file keeps long file lists under the OS command-line limit.
        argfile = Path(tmp) / "args.txt"
        argfile.write_text("\n".join(args) + "\n", encoding="utf-8")
        started = time.perf_counter()
        code, stderr = _run([f"@{argfile}"])
        logger.debug(
            "protoc %s: exit %d in %.0f ms", args, code, (time.perf_counter() - started) * 1000
        )
        errors, warnings = parse_diagnostics(stderr)
        for warning in warnings:
            logger.debug("protoc: %s", warning)
        if code != 0:
            raise error_for(errors, import_paths)
        try:
            return descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
        except (OSError, DecodeError) as exc:  # pragma: no cover - protoc said it succeeded
            raise SchemaError(f"protoc produced no usable descriptor set: {exc}") from exc


def _run(args: list[str]) -> tuple[int, str]:
    if getattr(sys, "frozen", False):
        return run_in_process(args)
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        check=False,
        # A GUI started without a console must not flash one up for every compile.
        creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
    )
    return proc.returncode, proc.stderr


def run_in_process(args: list[str]) -> tuple[int, str]:
    """Run protoc in this process, capturing what it writes to file descriptor 2.

    Anything else the process writes to stderr meanwhile lands in the capture too, which is
    why this is only the fallback for frozen builds.
    """
    from grpc_tools import protoc

    with _IN_PROCESS_LOCK, tempfile.TemporaryFile() as capture:
        sys.stderr.flush()
        saved = os.dup(2)
        try:
            os.dup2(capture.fileno(), 2)
            code = int(protoc.main(["protoc", *args]))
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        capture.seek(0)
        return code, capture.read().decode("utf-8", errors="replace")


def parse_diagnostics(stderr: str) -> tuple[list[ProtoDiagnostic], list[ProtoDiagnostic]]:
    """Split protoc's stderr into errors and warnings, with user-meaningful file paths.

    protoc names a file by its disk path (import path + name) when it has one, and by its
    import name when it could not find it; absolute disk paths are shown relative to the
    working directory when they are inside it.
    """
    errors: list[ProtoDiagnostic] = []
    warnings: list[ProtoDiagnostic] = []
    for raw in stderr.splitlines():
        line = raw.strip()
        if not line:
            continue
        diag = _diagnostic(line)
        target = warnings if diag.message.lower().startswith("warning:") else errors
        if diag not in target:  # protoc repeats some errors once per importer
            target.append(diag)
    return errors, warnings


def _diagnostic(line: str) -> ProtoDiagnostic:
    if line.startswith(_NOT_RELATIVE):
        file, _, reason = line[len(_NOT_RELATIVE) :].rpartition(": ")
        return ProtoDiagnostic(file or line, None, None, f"{_NOT_RELATIVE.strip()} ({reason})")
    match = _WITH_POSITION.match(line)
    if match:
        file, row, col, message = match.groups()
        return ProtoDiagnostic(_shown(file), int(row), int(col), message)
    match = _WITHOUT_POSITION.match(line)
    if match:
        return ProtoDiagnostic(_shown(match.group(1)), None, None, match.group(2))
    return ProtoDiagnostic("protoc", None, None, line)


def _shown(file: str) -> str:
    return display_path(file) if Path(file).is_absolute() else file


def error_for(errors: list[ProtoDiagnostic], import_paths: Sequence[str | Path]) -> WorkbenchError:
    """The most specific error for a failed protoc run."""
    searched = [display_path(Path(p).resolve()) for p in import_paths]
    missing = {d.file for d in errors if d.line is None and d.message == _NOT_FOUND}
    for diag in errors:
        match = _IMPORT_FAILED.match(diag.message)
        if match and match.group(1) in missing:
            others = sorted(missing - {match.group(1)})
            if others:
                logger.info("also missing: %s", ", ".join(others))
            return MissingImportError(
                match.group(1), importer=diag.file, line=diag.line, searched=searched
            )
    for diag in errors:
        if diag.message.startswith(_NOT_RELATIVE.strip()) or (
            diag.file in missing and diag.message == _NOT_FOUND
        ):
            return FileAccessError(
                f"proto file {diag.file} not found on the import paths: {', '.join(searched)}",
                hint="pass the file's path, or add its directory with -I/--import-path",
            )
    if not errors:
        errors = [ProtoDiagnostic("protoc", None, None, "protoc failed without a message")]
    return ProtoParseError(errors)

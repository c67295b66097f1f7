"""Where the demo service's .proto files live, and the schema compiled from them.

From a source checkout the files are read from the repository's top-level ``protos/``
directory; an installed wheel ships the same tree as the package ``workbench._protos``.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import logging
import threading
from pathlib import Path

from google.protobuf import descriptor_pb2

from workbench.core.schema.files import compile_proto_files
from workbench.core.schema.schema import Schema

logger = logging.getLogger(__name__)

#: The directory (relative to the proto root) holding the demo service's files.
DEMO_PROTO_DIR = "workbench/demo/v1"

_lock = threading.Lock()
_compiled: bytes | None = None


def demo_proto_root() -> Path:
    """The import root of the demo .proto files (the directory that contains ``workbench/``).

    Returns:
        The repository's ``protos/`` directory when running from source, else the
        directory of the installed ``workbench._protos`` package.
    """
    source = Path(__file__).resolve().parents[2] / "protos"
    if (source / DEMO_PROTO_DIR).is_dir():
        return source
    resource = importlib.resources.files("workbench._protos")
    if isinstance(resource, Path):
        return resource
    # A namespace package yields a MultiplexedPath; its first location is a real directory.
    spec = importlib.util.find_spec("workbench._protos")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(str(resource))  # pragma: no cover - exotic loaders (zip imports)


def demo_proto_files() -> list[str]:
    """The demo .proto files, as names relative to :func:`demo_proto_root`, sorted.

    Returns:
        Names such as ``"workbench/demo/v1/demo.proto"``, with forward slashes.
    """
    root = demo_proto_root()
    return sorted(p.relative_to(root).as_posix() for p in (root / DEMO_PROTO_DIR).glob("*.proto"))


def demo_file_descriptor_set() -> descriptor_pb2.FileDescriptorSet:
    """The demo files and their imports, compiled once per process (with source comments).

    Returns:
        A fresh copy of the compiled set, safe for the caller to modify.

    Raises:
        ProtoParseError: the shipped .proto files do not compile (a packaging bug).
    """
    global _compiled  # noqa: PLW0603 - a process-wide cache of an immutable blob
    with _lock:
        if _compiled is None:
            fds = compile_proto_files(demo_proto_files(), [str(demo_proto_root())])
            _compiled = fds.SerializeToString()
            logger.debug("compiled %d demo proto files", len(fds.file))
        data = _compiled
    return descriptor_pb2.FileDescriptorSet.FromString(data)


def demo_schema() -> Schema:
    """A :class:`Schema` of the demo services, as a client loading the .proto files sees it."""
    return Schema.from_file_descriptor_set(
        demo_file_descriptor_set(), files=demo_proto_files(), origin="demo protos"
    )

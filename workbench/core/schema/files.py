"""Schema from .proto files, compiled by grpc_tools' protoc.

The well-known types (``google/protobuf/*``) and the common Google protos
(``google/rpc``, ``google/type``, ``google/api`` from googleapis-common-protos) are always on
the import path, after the user's, so nobody has to supply them. How the user's own import
paths are chosen — or detected when none are given — lives in
:mod:`workbench.core.schema.importroots`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Sequence
from pathlib import Path

from google.protobuf import descriptor_pb2

from workbench.core.schema.importroots import plan_compile
from workbench.core.schema.protoc import run_protoc
from workbench.core.schema.schema import Schema

logger = logging.getLogger(__name__)


@functools.cache
def _bundled() -> tuple[Path, ...]:
    import grpc_tools

    dirs = [Path(grpc_tools.__file__).resolve().parent / "_proto"]
    try:
        from google.rpc import status_pb2
    except ImportError:  # pragma: no cover - googleapis-common-protos is a dependency
        logger.warning("googleapis-common-protos is missing: google/rpc protos unavailable")
    else:
        # The .proto files sit beside the generated modules: site-packages/google/rpc/.
        root = Path(status_pb2.__file__).resolve().parent.parent.parent
        if (root / "google" / "rpc" / "status.proto").is_file():
            dirs.append(root)
    return tuple(dirs)


def bundled_include_dirs() -> list[str]:
    """Directories with the well-known types and common Google protos we ship."""
    return [str(d) for d in _bundled()]


def compile_proto_files(
    files: Sequence[str | Path], import_paths: Sequence[str | Path]
) -> descriptor_pb2.FileDescriptorSet:
    """Run protoc on ``files`` (names relative to ``import_paths``) and return the set.

    The bundled include directories are searched after ``import_paths``. The set includes
    every import and the source info (comments).

    Raises:
        MissingImportError: an import is on none of the import paths.
        FileAccessError: a file is on none of the import paths.
        ProtoParseError: protoc rejected the files.
    """
    names = [Path(f).as_posix() for f in files]
    return run_protoc(names, [*import_paths, *bundled_include_dirs()])


class ProtoFileSource:
    """A :class:`~workbench.core.schema.sources.DescriptorSource` over .proto files.

    Files may be given by path (absolute, or relative to the working directory) or, as in
    grpcurl, by name relative to one of ``import_paths``. With no ``import_paths`` the import
    roots are detected from buf config, ``package`` declarations and ``import`` lines.
    """

    def __init__(
        self, files: Sequence[str | Path], import_paths: Sequence[str | Path] = ()
    ) -> None:
        """Remember what to compile; nothing is read until :meth:`load`.

        Args:
            files: the .proto files whose services and messages the user wants.
            import_paths: directories imports are resolved against (``-I``), in order.
        """
        self.files = list(files)
        self.import_paths = list(import_paths)

    def describe(self) -> str:
        """'1 .proto file (shop.proto)', '3 .proto files (a.proto, b.proto, c.proto)'."""
        count = len(self.files)
        text = f"{count} .proto file{'' if count == 1 else 's'}"
        if 0 < count <= 3:
            text += f" ({', '.join(Path(f).name for f in self.files)})"
        return text

    async def load(self) -> Schema:
        """Compile in the loop's default executor so a GUI never stalls on protoc."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self.load_sync)

    def load_sync(self) -> Schema:
        """Compile the files and build the schema (blocking).

        Raises:
            FileAccessError: a file or import path is missing or unreadable.
            AmbiguousProtoPath: a file would be known by two names.
            MissingImportError: an import is found on no import path.
            ProtoParseError: protoc rejected the files.
        """
        plan = plan_compile(self.files, self.import_paths, _bundled())
        fds = run_protoc(plan.names, plan.import_paths)
        count = len(plan.names)
        return Schema.from_file_descriptor_set(
            fds, files=plan.names, origin=f"{count} .proto file{'' if count == 1 else 's'}"
        )

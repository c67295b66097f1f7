"""A source that prefers one source and fills in from another, as grpcurl's composite does.

The usual pairing is server reflection (what the server really serves) with local .proto
files or protosets: when the server has no reflection the files stand in for it, and when it
has, the local files add what reflection leaves out — most often the comments, which servers
rarely keep in the descriptors they serve.
"""

from __future__ import annotations

import logging

from google.protobuf import descriptor_pb2

from workbench.core.errors import ReflectionNotSupported, SchemaError, WorkbenchError
from workbench.core.schema.schema import Schema
from workbench.core.schema.sources import DescriptorSource

logger = logging.getLogger(__name__)


class CompositeSource:
    """Schema from ``primary``, completed by ``fallback``.

    - ``primary`` without reflection (:class:`ReflectionNotSupported`): the fallback's schema.
    - otherwise the primary's schema, plus the fallback's files it lacks, and the fallback's
      comments for files both have identically. If the fallback fails or conflicts, the
      primary's schema is used alone (the failure is logged, not raised).
    """

    def __init__(self, primary: DescriptorSource, fallback: DescriptorSource) -> None:
        """Pair two sources.

        Args:
            primary: the authoritative source (typically reflection).
            fallback: the source used when the primary has no reflection, and for extras.
        """
        self.primary = primary
        self.fallback = fallback

    def describe(self) -> str:
        """'reflection at host:port, with 2 .proto files'."""
        return f"{self.primary.describe()}, with {self.fallback.describe()}"

    async def load(self) -> Schema:
        """Load the primary, then the fallback; see the class docstring for the rules."""
        try:
            primary = await self.primary.load()
        except ReflectionNotSupported as exc:
            logger.info("%s; using %s instead", exc, self.fallback.describe())
            return await self.fallback.load()
        try:
            fallback = await self.fallback.load()
        except WorkbenchError as exc:
            logger.warning("ignoring %s: %s", self.fallback.describe(), exc)
            return primary
        return merge_schemas(primary, fallback, origin=self.describe())


def merge_schemas(primary: Schema, fallback: Schema, *, origin: str = "") -> Schema:
    """``primary`` with ``fallback``'s extra files and comments; ``primary`` if they clash."""
    ours = {fp.name: fp for fp in primary.file_descriptor_set().file}
    merged = descriptor_pb2.FileDescriptorSet()
    merged.file.extend(ours.values())
    added = 0
    for fp in fallback.file_descriptor_set().file:
        mine = ours.get(fp.name)
        if mine is None:
            merged.file.append(fp)
            added += 1
        elif (
            not mine.HasField("source_code_info")
            and fp.HasField("source_code_info")
            and _same_declarations(mine, fp)
        ):
            # Reflection dropped the comments; the local copy of the same file has them.
            merged.file[list(ours).index(fp.name)].source_code_info.CopyFrom(fp.source_code_info)
    try:
        schema = Schema.from_file_descriptor_set(
            merged, files=primary.files, origin=origin or primary.origin
        )
    except SchemaError as exc:
        logger.warning("the two sources disagree (%s); using %s alone", exc, primary.origin)
        return primary
    logger.debug("merged %d extra file(s) from %s", added, fallback.origin)
    return schema


def _same_declarations(
    a: descriptor_pb2.FileDescriptorProto, b: descriptor_pb2.FileDescriptorProto
) -> bool:
    """Whether two copies of a file declare the same things (so source paths line up).

    Source info and ``json_name`` are ignored: servers often serve descriptors without either.
    """
    return _shape(a) == _shape(b)


def _shape(fp: descriptor_pb2.FileDescriptorProto) -> bytes:
    copy = descriptor_pb2.FileDescriptorProto()
    copy.CopyFrom(fp)
    copy.ClearField("source_code_info")
    fields = [*copy.extension]
    messages = [*copy.message_type]
    while messages:
        msg = messages.pop()
        fields.extend(msg.field)
        fields.extend(msg.extension)
        messages.extend(msg.nested_type)
    for field in fields:
        field.ClearField("json_name")
    return copy.SerializeToString(deterministic=True)

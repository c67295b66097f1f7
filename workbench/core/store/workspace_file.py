"""The workspace file ``workbench.json`` (``grpc-workbench/workspace``, version 1).

It marks a folder as a workspace and holds what its requests share: where the schema comes
from (``.proto`` files and import paths relative to the workspace, protosets, or a
reflection target) and named TLS profiles that requests refer to by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.core.errors import FileFormatError
from workbench.core.store.documents import dump_document, expect, parse_document
from workbench.core.store.requests import (
    SavedTarget,
    TlsSettings,
    target_body,
    target_from_body,
    tls_body,
    tls_from_body,
)

__all__ = ["WORKSPACE_FILE", "SchemaSources", "WorkspaceSettings"]

#: The file that makes a folder a workspace.
WORKSPACE_FILE = "workbench.json"
_VERSION = 1


@dataclass(frozen=True)
class SchemaSources:
    """Where a workspace's schema comes from; paths are relative to the workspace folder.

    Attributes:
        proto_files: ``.proto`` files (names relative to an import path, or paths).
        import_paths: directories imports are resolved against.
        protosets: FileDescriptorSet files.
        reflection: a server to ask by reflection (may use ``{{variables}}``).
    """

    proto_files: tuple[str, ...] = ()
    import_paths: tuple[str, ...] = ()
    protosets: tuple[str, ...] = ()
    reflection: SavedTarget | None = None

    @property
    def is_empty(self) -> bool:
        """Whether no source is configured (calls then use reflection on their target)."""
        return not (self.proto_files or self.protosets or self.reflection)

    def to_body(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "proto_files": list(self.proto_files),
            "import_paths": list(self.import_paths),
            "protosets": list(self.protosets),
            "reflection": target_body(self.reflection) if self.reflection else None,
        }

    @classmethod
    def from_body(cls, value: Any) -> SchemaSources:
        """Parse the JSON form.

        Raises:
            FileFormatError: a field has the wrong type.
        """
        if value is None:
            return cls()
        if not isinstance(value, dict):
            raise FileFormatError("schema: expected an object")

        def strings(key: str) -> tuple[str, ...]:
            items = expect(value, key, (list, type(None)), "schema.") or []
            if not all(isinstance(i, str) for i in items):
                raise FileFormatError(f"schema.{key}: expected a list of paths")
            return tuple(items)

        reflection = value.get("reflection")
        return cls(
            proto_files=strings("proto_files"),
            import_paths=strings("import_paths"),
            protosets=strings("protosets"),
            reflection=target_from_body(reflection, "schema.reflection") if reflection else None,
        )


@dataclass(frozen=True)
class WorkspaceSettings:
    """The content of ``workbench.json``.

    Attributes:
        name: a display name (default: the folder's name).
        schema: where the schema comes from.
        tls_profiles: named TLS settings requests refer to by name.
        default_environment: the environment selected when the workspace opens.
        extra: unknown top-level fields, written back unchanged.
    """

    name: str = ""
    schema: SchemaSources = field(default_factory=SchemaSources)
    tls_profiles: Mapping[str, TlsSettings] = field(default_factory=dict)
    default_environment: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        """The file content."""
        body: dict[str, Any] = {
            "name": self.name,
            "schema": self.schema.to_body(),
            "tls_profiles": {k: tls_body(v) for k, v in sorted(self.tls_profiles.items())},
            "default_environment": self.default_environment,
        }
        body.update({k: v for k, v in self.extra.items() if k not in body})
        return dump_document("workspace", _VERSION, body)

    @classmethod
    def from_bytes(cls, data: bytes, path: Path) -> WorkspaceSettings:
        """Parse ``workbench.json``.

        Raises:
            FileFormatError: the file cannot be used; the message names the field.
        """
        doc = parse_document(data, path, kind="workspace", max_version=_VERSION)
        try:
            profiles_doc = expect(doc, "tls_profiles", (dict, type(None)), "") or {}
            profiles: dict[str, TlsSettings] = {}
            for name, value in profiles_doc.items():
                tls = tls_from_body(value, f"tls_profiles.{name}")
                if not isinstance(tls, TlsSettings):
                    raise FileFormatError(f"tls_profiles.{name}: expected an object")
                profiles[name] = tls
            settings = cls(
                name=expect(doc, "name", (str, type(None)), "") or "",
                schema=SchemaSources.from_body(doc.get("schema")),
                tls_profiles=profiles,
                default_environment=expect(doc, "default_environment", (str, type(None)), ""),
            )
        except FileFormatError as exc:
            raise FileFormatError(f"{path}: {exc.message}", path=path) from None
        known = {"format", "version", "name", "schema", "tls_profiles", "default_environment"}
        extra = {k: v for k, v in doc.items() if k not in known}
        return WorkspaceSettings(
            settings.name,
            settings.schema,
            settings.tls_profiles,
            settings.default_environment,
            extra,
        )

"""Errors the user can cause, each with a message that names the problem and the fix.

Every user-facing failure is a :class:`WorkbenchError`. The CLI prints ``str(error)`` on one
line (plus the hint) and exits with :attr:`WorkbenchError.exit_code`; the GUI shows the same
text inline. Anything that is *not* a ``WorkbenchError`` is a bug and gets a traceback.

A non-OK gRPC status is not an error here: it is a call *result* (see ``core.calls``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class WorkbenchError(Exception):
    """Base of all user-caused failures.

    Attributes:
        message: one line naming the problem.
        hint: what the user can do about it (may be empty).
    """

    exit_code = 1

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message

    def user_text(self) -> str:
        """The full text to show a user: the problem, then the fix on its own line."""
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class UsageError(WorkbenchError):
    """The command line or a setting is self-contradictory or incomplete."""

    exit_code = 2


class FileAccessError(WorkbenchError):
    """A file the user named is missing, unreadable or not what it claims to be."""

    exit_code = 3


class SchemaError(WorkbenchError):
    """The schema could not be built from the given source."""

    exit_code = 4


@dataclass(frozen=True)
class ProtoDiagnostic:
    """One problem protoc reported, located in a file."""

    file: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class ProtoParseError(SchemaError):
    """protoc rejected the .proto files; carries every diagnostic it printed."""

    def __init__(self, diagnostics: Sequence[ProtoDiagnostic], *, hint: str = "") -> None:
        self.diagnostics = list(diagnostics)
        first = str(self.diagnostics[0]) if self.diagnostics else "protoc failed"
        more = len(self.diagnostics) - 1
        text = first if more <= 0 else f"{first} (and {more} more)"
        super().__init__(text, hint=hint)


class MissingImportError(SchemaError):
    """An ``import`` in a .proto file names a file found on none of the import paths."""

    def __init__(
        self,
        import_name: str,
        *,
        importer: str | None,
        searched: Sequence[str],
        line: int | None = None,
    ) -> None:
        self.import_name = import_name
        self.importer = importer
        self.searched = list(searched)
        self.line = line
        where = ""
        if importer:
            where = f"{importer}:{line}: " if line else f"{importer}: "
        paths = ", ".join(self.searched) if self.searched else "(none)"
        super().__init__(
            f'{where}import "{import_name}" was not found; searched: {paths}',
            hint="add the directory that contains it with -I/--import-path",
        )


class ProtosetError(SchemaError):
    """A file given as a protoset is not a serialized FileDescriptorSet."""


class SymbolNotFound(SchemaError):
    """A service, method, message or enum name is not in the schema."""

    exit_code = 5

    def __init__(self, kind: str, name: str, *, suggestions: Sequence[str] = ()) -> None:
        self.kind = kind
        self.name = name
        self.suggestions = list(suggestions)
        hint = f"did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"{kind} {name!r} not found in the schema", hint=hint)


class ConnectionFailed(WorkbenchError):
    """The server could not be reached (bad address, refused, timed out)."""

    exit_code = 6


class TlsError(ConnectionFailed):
    """The TLS handshake failed or the TLS settings are unusable."""

    exit_code = 7


class ReflectionNotSupported(WorkbenchError):
    """The server does not serve the reflection service (neither v1 nor v1alpha)."""

    exit_code = 8


class RequestParseError(WorkbenchError):
    """A request value could not be turned into a message.

    Attributes:
        path: the field path such as ``items[2].price.units`` ('' for the whole message).
        line, column: position in the JSON text when the text itself is malformed.
    """

    exit_code = 9

    def __init__(
        self,
        message: str,
        *,
        path: str = "",
        line: int | None = None,
        column: int | None = None,
        hint: str = "",
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        prefix = ""
        if line is not None:
            prefix = f"line {line}" + (f", column {column}" if column is not None else "") + ": "
        if path:
            prefix += f"{path}: "
        super().__init__(prefix + message, hint=hint)


class ResponseDecodeError(SchemaError):
    """A response message's bytes do not parse as the method's output type."""


class MessageTooLarge(WorkbenchError):
    """A message exceeded a gRPC message size limit (the status is RESOURCE_EXHAUSTED)."""

    exit_code = 64 + 8  # the CLI exit code of RESOURCE_EXHAUSTED (see core.calls.status)


class CallClosed(UsageError):
    """A message was sent on a call that has already half-closed or finished."""


class ReflectionFailed(SchemaError):
    """The server refused or broke off a reflection request (auth, deadline, internal error).

    Attributes:
        status: the gRPC status code name the server answered with ('' when there was none).
    """

    def __init__(self, message: str, *, status: str = "", hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.status = status


class ServerStartError(WorkbenchError):
    """A server we host (the demo server) could not start, e.g. its port is taken."""

    exit_code = 10


class MessageFormatError(WorkbenchError):
    """A message could not be written in the requested format.

    The usual cause is a ``google.protobuf.Any`` whose type is not in the loaded schema, so
    its JSON form (which spells out the embedded message's fields) cannot be produced.

    Attributes:
        path: the field path of the part that could not be written ('' for the whole message).
    """

    def __init__(self, message: str, *, path: str = "", hint: str = "") -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path else message, hint=hint)


class AmbiguousProtoPath(SchemaError):
    """A .proto file would be known by two names (or two files by one name).

    protoc identifies a file by its name relative to an import path; if import paths nest or
    overlap, the same file can be imported under two names and its types defined twice.

    Attributes:
        file: the file as the user named it.
        candidates: ``(name, where)`` pairs: each name and the directory or file it comes from.
    """

    def __init__(
        self,
        file: str,
        candidates: Sequence[tuple[str, str]],
        *,
        message: str = "",
        hint: str = "drop one of the overlapping import paths (-I) so the file has one name",
    ) -> None:
        self.file = file
        self.candidates = list(candidates)
        options = " or ".join(f'"{name}" ({where})' for name, where in self.candidates)
        super().__init__(message or f"{file} is ambiguous: it could be {options}", hint=hint)


class StoreError(FileAccessError):
    """A workspace, collection, environment, secret or history file could not be used.

    Attributes:
        path: the file or folder concerned (``None`` when there is none).
    """

    def __init__(self, message: str, *, path: object = None, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.path = path


class StoreWriteError(StoreError):
    """Writing a file failed (disk full, read-only folder, no permission); nothing was lost."""


class FileFormatError(StoreError):
    """A stored file is not valid JSON, not ours, or written by a newer version of the app."""


class ConflictError(StoreError):
    """A file changed (or vanished) on disk since it was loaded; saving would overwrite that.

    Save again with ``force=True`` to overwrite the version on disk.
    """


class NameTakenError(UsageError):
    """A collection, folder, request or environment with that name already exists there."""


class InvalidNameError(UsageError):
    """A name cannot be used as a file or folder name."""


class VariableError(UsageError):
    """Variables (``{{name}}``) cannot be substituted."""


class VariableCycleError(VariableError):
    """A variable refers to itself, directly or through other variables.

    Attributes:
        chain: the names along the cycle, first name repeated at the end.
    """

    def __init__(self, chain: Sequence[str], *, environment: str = "") -> None:
        self.chain = list(chain)
        where = f" in environment {environment!r}" if environment else ""
        if len(self.chain) <= 2:
            text = f"variable {self.chain[0]!r}{where} refers to itself"
        else:
            text = f"variables{where} refer to each other in a cycle: " + " -> ".join(self.chain)
        super().__init__(text, hint="replace one of the {{...}} references with a value")


class UnresolvedVariablesError(VariableError):
    """A request uses variables the environment does not define.

    Attributes:
        uses: ``(name, where)`` pairs, e.g. ``("token", "metadata[0] authorization")``.
    """

    def __init__(self, uses: Sequence[tuple[str, str]], *, environment: str | None) -> None:
        self.uses = list(uses)
        names = sorted({name for name, _ in self.uses})
        env = f"environment {environment!r}" if environment else "no environment"
        listing = "; ".join(f"{{{{{name}}}}} in {where}" for name, where in self.uses[:5])
        more = f" (and {len(self.uses) - 5} more)" if len(self.uses) > 5 else ""
        super().__init__(
            f"unknown variable{'s' if len(names) > 1 else ''} with {env}: {listing}{more}",
            hint=f"define {', '.join(names)} in the environment, or choose another one",
        )


class SavedRequestNotFound(StoreError):
    """A saved request reference names no request of the workspace."""

    exit_code = 5


class GrpcurlParseError(UsageError):
    """A grpcurl command line could not be understood."""


class SettingValueError(UsageError):
    """A setting was given a value of the wrong type or out of range.

    Attributes:
        name: the setting, e.g. ``editor_font_size``.
    """

    def __init__(self, name: str, message: str, *, hint: str = "") -> None:
        self.name = name
        super().__init__(f"setting {name}: {message}", hint=hint)


class SettingsSaveRefused(StoreError):
    """Saving the settings would overwrite a file this version must not touch.

    The file was written by a newer version of the app, or could not be read (or moved
    aside) at start; the changes made since are kept in memory only.
    """

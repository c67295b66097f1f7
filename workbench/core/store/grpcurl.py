"""grpcurl command lines ↔ saved requests ("paste a grpcurl command", "copy as grpcurl").

Parsing follows grpcurl's Go ``flag`` conventions: flags take one or two dashes, values come
as ``-flag value`` or ``-flag=value``, boolean flags take no separate value (``-flag=false``
is allowed). As a convenience, flags may also follow the positional arguments. ``-d @``
reads the request from standard input, and ``echo '{...}' | grpcurl -d @ ...`` is understood
as that input. Rendering writes the flags in one fixed order, so
``to_grpcurl(parse_grpcurl(cmd))`` gives back a command written in that order unchanged.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from workbench.core.calls.channels import is_local_address
from workbench.core.errors import GrpcurlParseError
from workbench.core.messages.jsontext import JsonNumber
from workbench.core.store.requests import MetadataEntry, SavedRequest, SavedTarget, TlsSettings
from workbench.core.store.workspace_file import SchemaSources

__all__ = ["GrpcurlCommand", "grpcurl_args", "parse_grpcurl", "to_grpcurl"]

_VALUE_FLAGS = frozenset(
    {
        "d",
        "H",
        "rpc-header",
        "cacert",
        "cert",
        "key",
        "authority",
        "servername",
        "import-path",
        "proto",
        "protoset",
        "max-time",
    }
)
_BOOL_FLAGS = frozenset({"plaintext", "insecure", "unix"})
# Flags we recognise but that a saved request does not hold: accepted with a note.
_IGNORED_VALUE_FLAGS = frozenset(
    {
        "connect-timeout",
        "keepalive-time",
        "max-msg-size",
        "reflect-header",
        "user-agent",
        "protoset-out",
        "proto-out-dir",
        "alts-handshaker-service",
        "alts-target-service-account",
        "format",
    }
)
_IGNORED_BOOL_FLAGS = frozenset(
    {
        "v",
        "vv",
        "veryverbose",
        "emit-defaults",
        "allow-unknown-fields",
        "msg-template",
        "format-error",
        "use-reflection",
        "expand-headers",
        "alts",
        "version",
        "help",
        "h",
    }
)


@dataclass(frozen=True)
class GrpcurlCommand:
    """What a grpcurl command line says.

    Attributes:
        request: the request (unnamed).
        schema: ``-import-path``/``-proto``/``-protoset`` as given.
        data_from_stdin: ``-d @`` was used (``request.messages`` then came from ``stdin``
            if it was given, else are empty).
        notes: flags that were accepted but are not part of a saved request.
    """

    request: SavedRequest
    schema: SchemaSources = field(default_factory=SchemaSources)
    data_from_stdin: bool = False
    notes: tuple[str, ...] = ()

    def to_command(self, *, program: str = "grpcurl") -> str:
        """Render the command again (see :func:`to_grpcurl`)."""
        return to_grpcurl(
            self.request, schema=self.schema, stdin=self.data_from_stdin, program=program
        )


def _split(command: str | Sequence[str]) -> tuple[list[str], str | None]:
    """The grpcurl arguments, and the text piped in by a leading ``echo '...' |``."""
    if not isinstance(command, str):
        return list(command), None
    text = command.replace("\\\r\n", " ").replace("\\\n", " ")
    try:
        lexer = shlex.shlex(text, posix=True, punctuation_chars="|")
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError as exc:
        raise GrpcurlParseError(
            f"cannot split the command line: {exc}", hint="check the quotes"
        ) from None
    piped: str | None = None
    if "|" in tokens:
        cut = len(tokens) - 1 - tokens[::-1].index("|")
        before, tokens = tokens[:cut], tokens[cut + 1 :]
        if before[:1] == ["echo"]:
            words = [w for w in before[1:] if w not in ("-n", "-e")]
            piped = " ".join(words)
    return tokens, piped


def parse_grpcurl(command: str | Sequence[str], *, stdin: str | None = None) -> GrpcurlCommand:
    """Parse a grpcurl command line into a request.

    Args:
        command: the whole command (``grpcurl`` first, optional) as one shell string, or
            as an argument list.
        stdin: what ``-d @`` reads; defaults to the text of a leading ``echo '...' |``.

    Returns:
        The request, the schema flags and notes.

    Raises:
        GrpcurlParseError: an unknown flag, a missing value, ``list``/``describe``, a
            missing address or method, malformed ``-H`` or ``-d`` JSON.
    """
    args, piped = _split(command)
    if args and args[0].rsplit("/", 1)[-1] in ("grpcurl", "grpcurl.exe"):
        args = args[1:]
    stdin = stdin if stdin is not None else piped
    values: dict[str, list[str]] = {}
    flags: set[str] = set()
    notes: list[str] = []
    positionals: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            positionals.extend(args[i:])
            break
        if not arg.startswith("-") or arg == "-":
            positionals.append(arg)
            continue
        name, eq, value = arg.lstrip("-").partition("=")
        if name in _BOOL_FLAGS | _IGNORED_BOOL_FLAGS:
            on = not eq or value.lower() in ("1", "t", "true")
            if name in _IGNORED_BOOL_FLAGS:
                notes.append(f"ignored -{name}: it only changes grpcurl's output")
            elif on:
                flags.add(name)
            continue
        if name not in _VALUE_FLAGS | _IGNORED_VALUE_FLAGS:
            raise GrpcurlParseError(
                f"unknown grpcurl flag {arg!r}", hint="remove it, or run the command in grpcurl"
            )
        if not eq:
            if i >= len(args):
                raise GrpcurlParseError(f"grpcurl flag -{name} needs a value")
            value = args[i]
            i += 1
        if name in _IGNORED_VALUE_FLAGS:
            if name == "format" and value != "json":
                raise GrpcurlParseError(
                    "only -format json requests can be imported", hint="convert the -d data to JSON"
                )
            notes.append(f"ignored -{name} {value}: not part of a saved request")
            continue
        values.setdefault(name, []).append(value)
    return _build(values, flags, positionals, stdin, notes)


def _last(values: Mapping[str, list[str]], name: str) -> str | None:
    got = values.get(name)
    return got[-1] if got else None


def _build(
    values: dict[str, list[str]],
    flags: set[str],
    positionals: list[str],
    stdin: str | None,
    notes: list[str],
) -> GrpcurlCommand:
    if positionals[-1:] in (["list"], ["describe"]) or positionals[1:2] in (["list"], ["describe"]):
        raise GrpcurlParseError(
            "this grpcurl command lists or describes; it does not call a method"
        )
    if len(positionals) != 2:
        raise GrpcurlParseError(
            f"expected ADDRESS and METHOD, found {len(positionals)} argument(s): "
            + (" ".join(positionals) or "none"),
            hint="e.g. grpcurl -plaintext localhost:50051 pkg.Service/Method",
        )
    address, method = positionals
    if "unix" in flags and not address.startswith("unix:"):
        address = f"unix:{address}"
    metadata = tuple(_header(h) for h in (*values.get("H", ()), *values.get("rpc-header", ())))
    data = _last(values, "d")
    from_stdin = data == "@"
    text = (stdin or "") if from_stdin else (data or "")
    messages = _json_stream(text, "standard input" if from_stdin else "-d")
    tls: TlsSettings | None = TlsSettings(
        cacert=_last(values, "cacert"),
        cert=_last(values, "cert"),
        key=_last(values, "key"),
        insecure="insecure" in flags,
    )
    if tls == TlsSettings():
        tls = None
    max_time = _last(values, "max-time")
    try:
        timeout = float(max_time) if max_time is not None else None
    except ValueError:
        raise GrpcurlParseError(f"-max-time takes seconds, not {max_time!r}") from None
    request = SavedRequest(
        method=method,
        target=SavedTarget(
            address=address,
            plaintext="plaintext" in flags,  # grpcurl uses TLS unless told -plaintext
            tls=tls,
            authority=_last(values, "authority") or _last(values, "servername"),
        ),
        messages=tuple(messages),
        metadata=metadata,
        timeout=timeout if timeout else None,
    )
    schema = SchemaSources(
        proto_files=tuple(values.get("proto", ())),
        import_paths=tuple(values.get("import-path", ())),
        protosets=tuple(values.get("protoset", ())),
    )
    return GrpcurlCommand(request, schema, from_stdin, tuple(notes))


def _header(text: str) -> MetadataEntry:
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise GrpcurlParseError(f"bad -H value {text!r}", hint="use -H 'name: value'")
    return MetadataEntry(name.strip(), value.strip())


def _json_stream(text: str, where: str) -> list[object]:
    """The JSON values in ``text`` (grpcurl takes several concatenated for streams)."""
    decoder = json.JSONDecoder(parse_float=JsonNumber)
    out: list[object] = []
    i = 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return out
        try:
            value, i = decoder.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            raise GrpcurlParseError(
                f"{where} is not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from None
        out.append(value)


def _compact(value: object) -> str:
    """One-line JSON with numbers exactly as they were read."""
    if isinstance(value, dict):
        return (
            "{"
            + ",".join(
                f"{json.dumps(k, ensure_ascii=False)}:{_compact(v)}" for k, v in value.items()
            )
            + "}"
        )
    if isinstance(value, list | tuple):
        return "[" + ",".join(_compact(v) for v in value) + "]"
    if isinstance(value, JsonNumber):
        return value.text
    return json.dumps(value, ensure_ascii=False, default=str)


def grpcurl_args(
    request: SavedRequest,
    *,
    schema: SchemaSources | None = None,
    tls_profiles: Mapping[str, TlsSettings] | None = None,
    stdin: bool = False,
) -> list[str]:
    """The grpcurl arguments for ``request`` (without the program name).

    Order: ``-plaintext``/``-insecure``, ``-cacert``, ``-cert``, ``-key``, ``-authority``,
    ``-import-path``, ``-proto``, ``-protoset``, ``-max-time``, ``-d``, ``-H``, address,
    method.

    Args:
        request: the request (substitute variables first if the command should hold values).
        schema: the schema flags to include (a workspace's sources, or an import's).
        tls_profiles: resolves a ``tls`` profile name to its settings.
        stdin: write ``-d @`` (the messages are to be piped in) instead of ``-d '<json>'``.

    Raises:
        GrpcurlParseError: the request names a TLS profile that ``tls_profiles`` lacks.
    """
    target = request.target
    tls = target.tls
    if isinstance(tls, str):
        if tls_profiles is None or tls not in tls_profiles:
            raise GrpcurlParseError(f"TLS profile {tls!r} is unknown here")
        tls = tls_profiles[tls]
    tls = tls or TlsSettings()
    plaintext = target.plaintext
    if plaintext is None:  # "decide from the address": spell out what we would decide
        plaintext = is_local_address(target.address) and tls == TlsSettings()
    args: list[str] = ["-plaintext"] if plaintext else []
    if tls.insecure:
        args.append("-insecure")
    for flag, value in (
        ("-cacert", tls.cacert),
        ("-cert", tls.cert),
        ("-key", tls.key),
        ("-authority", target.authority),
    ):
        if value:
            args += [flag, value]
    src = schema or SchemaSources()
    for flag, items in (
        ("-import-path", src.import_paths),
        ("-proto", src.proto_files),
        ("-protoset", src.protosets),
    ):
        for item in items:
            args += [flag, item]
    if request.timeout:
        args += ["-max-time", f"{request.timeout:g}"]
    if stdin:
        args += ["-d", "@"]
    elif request.messages:
        args += ["-d", " ".join(_compact(m) for m in request.messages)]
    for entry in request.metadata:
        args += ["-H", f"{entry.name}: {entry.value}"]
    args += [target.address, request.method]
    return args


def to_grpcurl(
    request: SavedRequest,
    *,
    schema: SchemaSources | None = None,
    tls_profiles: Mapping[str, TlsSettings] | None = None,
    stdin: bool = False,
    program: str = "grpcurl",
) -> str:
    """The request as a grpcurl command line, quoted for a POSIX shell.

    Arguments as for :func:`grpcurl_args`.
    """
    return shlex.join(
        [program, *grpcurl_args(request, schema=schema, tls_profiles=tls_profiles, stdin=stdin)]
    )

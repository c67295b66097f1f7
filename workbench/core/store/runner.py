"""Running saved requests: find one by reference, substitute variables, call the engine.

``resolve_saved("WORKSPACE/collection/folder/request")`` finds a request; ``run_saved``
sends it with an environment's variables and returns the :class:`CallResult`, exactly as
``grpc-workbench call --saved REF --env NAME`` and the GUI do.
"""

from __future__ import annotations

import difflib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message

from workbench.core.calls.channels import ChannelManager, Target
from workbench.core.calls.engine import invoke
from workbench.core.calls.events import CallResult
from workbench.core.calls.metadata import MetadataValue, parse_metadata
from workbench.core.errors import SavedRequestNotFound, StoreError, UsageError
from workbench.core.messages.codec import parse_value
from workbench.core.schema.schema import Schema
from workbench.core.store.history import History
from workbench.core.store.requests import REQUEST_SUFFIX, SavedRequest
from workbench.core.store.tree import FolderNode, RequestNode
from workbench.core.store.variables import check_variables
from workbench.core.store.workspace import Workspace
from workbench.core.store.workspace_file import WORKSPACE_FILE

logger = logging.getLogger(__name__)

__all__ = ["PreparedCall", "prepare_saved_call", "resolve_saved", "run_saved"]


def _find_workspace(parts: Sequence[str], cwd: Path) -> tuple[Path, list[str]] | None:
    """The longest leading part of ``parts`` that is a workspace folder, and the rest.

    At least two names (a collection and a request) must remain after the workspace.

    Raises:
        SavedRequestNotFound: ``parts`` names a workspace or a collection, not a request.
    """

    def is_workspace(i: int) -> Path | None:
        base = Path(*parts[:i]) if i else Path(".")
        candidate = base if base.is_absolute() else cwd / base
        return candidate if (candidate / WORKSPACE_FILE).is_file() else None

    for i in range(len(parts) - 2, -1, -1):
        found = is_workspace(i)
        if found is not None:
            return found, list(parts[i:])
    for i in (len(parts), len(parts) - 1):
        if i > 0 and is_workspace(i) is not None:
            raise SavedRequestNotFound(
                f"{'/'.join(parts)!r} names a workspace or collection, not a saved request",
                hint="use WORKSPACE/COLLECTION/[FOLDER/...]/REQUEST",
            )
    return None


def resolve_saved(ref: str, *, cwd: Path | None = None) -> tuple[Workspace, RequestNode]:
    """Find a saved request by reference.

    ``ref`` is ``WORKSPACE/collection/[folder/...]/request``, where ``WORKSPACE`` is the
    path of a workspace folder (absolute or relative to ``cwd``); without one, the current
    folder if it is a workspace, else the default workspace. A path to the request file
    itself (``.../collections/c/r.request.json``) works too.

    Returns:
        The opened workspace and the request's node (``node.request`` is the request).

    Raises:
        SavedRequestNotFound: nothing matches; the hint suggests close names.
        StoreError: the workspace cannot be opened.
    """
    cwd = cwd or Path.cwd()
    ref = ref.strip()
    parts = [p for p in ref.replace("\\", "/").split("/") if p not in ("", ".")]
    if ref.startswith("/"):
        parts[0:0] = ["/"]
    if parts and parts[-1].endswith(REQUEST_SUFFIX):
        parts[-1] = parts[-1][: -len(REQUEST_SUFFIX)]
    found = _find_workspace(parts, cwd)
    if found is None:
        workspace = Workspace.open_default()
        names = parts
    else:
        workspace = Workspace.open(found[0])
        names = found[1]
    if names[:1] == ["collections"] and workspace.collections.find(names[:1]) is None:
        names = names[1:]  # a file path: WORKSPACE/collections/<collection>/...
    if len(names) < 2:
        raise SavedRequestNotFound(
            f"{ref!r} does not name a saved request",
            hint="use WORKSPACE/COLLECTION/[FOLDER/...]/REQUEST",
        )
    node = _lookup(workspace, names)
    return workspace, node


def _lookup(workspace: Workspace, names: list[str]) -> RequestNode:
    folder: FolderNode = workspace.collections.root
    for depth, name in enumerate(names):
        last = depth == len(names) - 1
        children = folder.requests() if last else folder.folders()
        match = next((c for c in children if c.name == name), None) or next(
            (c for c in children if c.name.casefold() == name.casefold()), None
        )
        if match is None:
            where = "/".join(names[:depth]) or f"workspace {workspace.name!r}"
            options = [c.name for c in children]
            close = difflib.get_close_matches(name, options, n=3, cutoff=0.5)
            kind = "request" if last else ("collection" if depth == 0 else "folder")
            hint = (
                f"did you mean {', '.join(close)}?"
                if close
                else (f"{where} has: {', '.join(options[:10])}" if options else f"{where} is empty")
            )
            raise SavedRequestNotFound(
                f"no {kind} {name!r} in {where} ({workspace.directory})",
                path=workspace.directory,
                hint=hint,
            )
        if isinstance(match, RequestNode):
            return match
        assert isinstance(match, FolderNode)
        folder = match
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True)
class PreparedCall:
    """Everything needed to start the engine's :class:`Call` for a saved request.

    Attributes:
        request: the request after variable substitution.
        target: the server.
        method: the resolved method.
        schema: the schema the method comes from (its pool decodes responses).
        messages: the request messages, built and checked against the schema.
        metadata: headers for the engine (``-bin`` values decoded).
        timeout: the deadline in seconds, or ``None``.
    """

    request: SavedRequest
    target: Target
    method: MethodDescriptor
    schema: Schema
    messages: tuple[Message, ...]
    metadata: tuple[tuple[str, MetadataValue], ...]
    timeout: float | None


async def prepare_saved_call(
    workspace: Workspace,
    request: SavedRequest,
    *,
    environment: str | None = None,
    channels: ChannelManager | None = None,
    schema: Schema | None = None,
    extra_metadata: Sequence[tuple[str, MetadataValue]] = (),
) -> PreparedCall:
    """Substitute variables, load the schema if needed and build the messages.

    Args:
        workspace: the workspace (TLS profiles, schema sources, environments).
        request: the saved request.
        environment: the environment whose variables fill ``{{placeholders}}``.
        channels: the channel cache reflection uses.
        schema: a schema already loaded; otherwise the workspace's source, else
            reflection on the request's target.
        extra_metadata: headers appended after the saved ones (e.g. CLI ``-H``).

    Raises:
        UnresolvedVariablesError: a placeholder has no value; every one is listed.
        VariableCycleError, StoreError: the environment is unusable or missing.
        SymbolNotFound: the method is not in the schema.
        RequestParseError: a message does not fit the method's input type.
        UsageError: bad metadata, TLS settings, or several messages for a unary method.
    """
    values, unknown = workspace.values(environment)
    resolved = check_variables(request, values, environment=environment, unknown_in_values=unknown)
    target = workspace.target(resolved.target)
    metadata = _metadata(resolved)
    if schema is None:
        source = workspace.schema_source(values, channels=channels, metadata=metadata)
        if source is None:
            from workbench.core.schema.reflection import ReflectionSource

            source = ReflectionSource(target, metadata=metadata, channels=channels)
        schema = await source.load()
    method = schema.method(resolved.method)
    if not method.client_streaming and len(resolved.messages) > 1:
        raise UsageError(
            f"{method.full_name} takes one request message, the saved request has "
            f"{len(resolved.messages)}",
            hint="keep one message in the request, or pick a client/bidi-streaming method",
        )
    bodies = resolved.messages or (() if method.client_streaming else ({},))
    messages = tuple(
        parse_value(body, method.input_type, schema.pool, f"messages[{i}]")
        for i, body in enumerate(bodies)
    )
    return PreparedCall(
        resolved,
        target,
        method,
        schema,
        messages,
        (*metadata, *extra_metadata),
        resolved.timeout,
    )


def _metadata(request: SavedRequest) -> tuple[tuple[str, MetadataValue], ...]:
    # The same parser as -H, so a saved header means what it means on the command line
    # (``-bin`` values are base64).
    return tuple(parse_metadata([f"{m.name}: {m.value}" for m in request.metadata]))


async def run_saved(
    workspace: Workspace,
    request: SavedRequest,
    *,
    environment: str | None = None,
    channels: ChannelManager | None = None,
    schema: Schema | None = None,
    history: History | None = None,
    extra_metadata: Sequence[tuple[str, MetadataValue]] = (),
) -> CallResult:
    """Send a saved request and wait for the whole result.

    Arguments as for :func:`prepare_saved_call`, plus ``history`` to record the call in
    (the request is recorded *before* substitution, so secret values stay out of it).

    Returns:
        The call's result; a non-OK status is a result, not an exception.

    Raises:
        The errors of :func:`prepare_saved_call`.
    """
    own = channels is None
    manager = channels or ChannelManager()
    try:
        prepared = await prepare_saved_call(
            workspace,
            request,
            environment=environment,
            channels=manager,
            schema=schema,
            extra_metadata=extra_metadata,
        )
        wall = time.time()
        result = await invoke(
            manager,
            prepared.target,
            prepared.method,
            list(prepared.messages) if prepared.method.client_streaming else prepared.messages[0],
            metadata=prepared.metadata,
            timeout=prepared.timeout,
        )
    finally:
        if own:
            await manager.close()
    if history is not None:
        try:
            history.record(
                request,
                result,
                pool=prepared.schema.pool,
                environment=environment,
                address=prepared.target.address,
                started_at=wall,
            )
        except StoreError as exc:  # the call happened; failing to log it must not hide that
            logger.warning("could not record the call in the history: %s", exc.user_text())
    return result

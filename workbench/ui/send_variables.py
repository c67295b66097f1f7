"""What a request tab sends: ``{{variables}}`` filled in, and each finished call recorded.

:class:`SendVariables` is a request tab's :class:`~workbench.ui.views.request_tab.SendHook`.
At send time it fills in the variables of the environment in use — in the request's own
server address, the metadata values and every string value of the message — and before
that it keeps Send disabled, naming each unknown variable and where it occurs. It also
records every finished call in the history as the user wrote it: placeholders kept, so a
secret's value never reaches the history.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from google.protobuf.message import Message

from workbench.core.calls.events import CallEvent, CallResult, Finished, MessageSent, Started
from workbench.core.calls.metadata import MetadataValue
from workbench.core.errors import UnresolvedVariablesError, WorkbenchError
from workbench.core.messages.codec import parse_value, to_dict
from workbench.core.messages.dynamic import descriptor_of
from workbench.core.store.requests import MetadataEntry, SavedRequest, SavedTarget
from workbench.core.store.variables import (
    check_variables,
    substitute,
    unresolved_variables,
    variable_names,
)
from workbench.ui.views.connect import Endpoint, SchemaLoader
from workbench.ui.views.request_tab import EndpointProvider
from workbench.ui.workspace_controller import WorkspaceController

if TYPE_CHECKING:
    from workbench.ui.request_binding import RequestBinding

__all__ = ["SendVariables"]

logger = logging.getLogger(__name__)


@dataclass
class _CallRecord:
    """The request of the call in flight, as written, and the bodies it sent."""

    request: SavedRequest
    bodies: list[Any] = field(default_factory=list)
    events: list[CallEvent] = field(default_factory=list)


class SendVariables:
    """The send hook of one tab (see the module docstring).

    Args:
        binding: the tab's binding (what is typed: server, metadata, message).
        controller: the environment in use and the history.
        loader: channels and per-server connection settings.
        default_endpoint: where calls go when the request names no server of its own.
    """

    def __init__(
        self,
        binding: RequestBinding,
        controller: WorkspaceController,
        loader: SchemaLoader,
        default_endpoint: EndpointProvider,
    ) -> None:
        self._binding = binding
        self._controller = controller
        self._loader = loader
        self._default_endpoint = default_endpoint
        self._record: _CallRecord | None = None

    # -- SendHook -------------------------------------------------------------------------

    def block_reason(self) -> str:
        """Implements ``SendHook.block_reason``: unknown variables and variable cycles."""
        binding = self._binding
        try:
            values, unknown = self._controller.values()
        except WorkbenchError as exc:
            return exc.message
        try:
            body = binding.body(strict=False)
        except WorkbenchError:
            body = {}
        probe = SavedRequest(
            method="",
            target=SavedTarget(binding.address()),
            messages=(body,),
            metadata=binding.typed_metadata(),
        )
        missing = unresolved_variables(probe, values, extra=unknown)
        if not missing:
            return ""
        error = UnresolvedVariablesError(
            [(use.name, use.where) for use in missing], environment=self._controller.environment
        )
        return error.message

    def message(self, message: Message) -> Message:
        """Implements ``SendHook.message``: fill in the variables of string values."""
        pool = self._binding.pool()
        body = to_dict(message, pool=pool)
        if self._record is not None:
            self._record.bodies.append(body)
        stream = self._binding.stream
        if stream is not None:
            stream.note_sent()
        if "{{" not in repr(body):
            return message
        values, unknown = self._controller.values()
        resolved = check_variables(
            SavedRequest(method="", messages=(body,)),
            values,
            environment=self._controller.environment,
            unknown_in_values=unknown,
        )
        return parse_value(resolved.messages[0], descriptor_of(message), pool)

    def metadata(self, entries: list[tuple[str, MetadataValue]]) -> list[tuple[str, MetadataValue]]:
        """Implements ``SendHook.metadata``: fill in the variables of metadata values.

        Called once as each call starts, so it also starts recording the call.
        """
        self._record = _CallRecord(self._binding.snapshot())
        if not any(isinstance(v, str) and "{{" in v for _, v in entries):
            return entries
        values, unknown = self._controller.values()
        texts = tuple(MetadataEntry(k, v) for k, v in entries if isinstance(v, str))
        resolved = check_variables(
            SavedRequest(method="", metadata=texts),
            values,
            environment=self._controller.environment,
            unknown_in_values=unknown,
        )
        filled = iter(resolved.metadata)
        return [(k, next(filled).value if isinstance(v, str) else v) for k, v in entries]

    # -- where calls go -------------------------------------------------------------------

    def endpoint(self) -> Endpoint:
        """The tab's endpoint: its own server (variables filled in), else the window's.

        Raises:
            WorkbenchError: an unknown variable, or no server at all.
        """
        address = self._binding.address()
        if not address:
            return self._default_endpoint()
        values, _unknown = self._controller.values()
        missing = [(n, "target.address") for n in variable_names(address) if n not in values]
        if missing:
            raise UnresolvedVariablesError(missing, environment=self._controller.environment)
        resolved = substitute(address, values)
        base = self._loader.endpoint(resolved)  # for its channels: the target is ours
        settings = self._loader.settings_for(resolved)
        target = settings.target(resolved)
        plaintext, tls, authority = self._binding.target_extras
        ws = self._controller.workspace
        if ws is not None and (plaintext is not None or tls is not None or authority):
            saved = ws.target(SavedTarget(resolved, plaintext, tls, authority), values)
            target = dataclasses.replace(
                saved, connect_timeout=target.connect_timeout, max_msg_size=target.max_msg_size
            )
        timeout = settings.default_timeout or self._loader.default_deadline  # the user's default
        return Endpoint(base.channels, target, settings.metadata, timeout)

    def resolved_address(self) -> tuple[str, bool]:
        """The tab's own server as it will be called, and whether that is an error text.

        ``('', False)`` when the address has no variables (nothing worth showing).
        """
        address = self._binding.address()
        if "{{" not in address:
            return "", False
        try:
            values, _ = self._controller.values()
        except WorkbenchError as exc:
            return exc.message, True
        unknown = [n for n in variable_names(address) if n not in values]
        if unknown:
            return f"unknown {', '.join(f'{{{{{n}}}}}' for n in unknown)}", True
        return f"→ {substitute(address, values)}", False

    # -- the history ----------------------------------------------------------------------

    def on_call_event(self, event: object) -> None:
        """Collect the call's events; when it finishes, record it in the history."""
        record = self._record
        if record is None or isinstance(event, MessageSent):
            return  # the bodies as written are kept; the substituted ones are not needed
        record.events.append(event)  # type: ignore[arg-type]
        if not isinstance(event, Finished):
            return
        self._record = None
        started = record.events[0]
        if not isinstance(started, Started):
            return
        request = record.request
        if record.bodies:
            request = dataclasses.replace(request, messages=tuple(record.bodies))
        if not request.target.address:  # it went to the address bar's server
            target = dataclasses.replace(request.target, address=started.target)
            request = dataclasses.replace(request, target=target)
        result = CallResult.from_events(record.events)
        self._controller.record(request, result, pool=self._binding.pool(), address=started.target)

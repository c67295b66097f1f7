"""Connecting and loading schemas: the owner of the one load that may be in flight.

The window asks :class:`SchemaLoader` to connect to an address (server reflection), to
compile .proto files or to read protosets; the loader runs that as an ``asyncio`` task it
holds (a new request cancels the old one; :meth:`SchemaLoader.cancel` cancels it), and
reports progress as :class:`LoadState` values. All the work is core code: this module only
translates core results and ``WorkbenchError`` s into states.
"""

from __future__ import annotations

import argparse
import asyncio
import enum
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from workbench.core.calls.channels import ChannelManager, Target, TlsConfig
from workbench.core.calls.metadata import Metadata, parse_metadata
from workbench.core.cancellation import cancel_requested
from workbench.core.errors import ConnectionFailed, UsageError, WorkbenchError
from workbench.core.schema.reflection import ReflectionSource
from workbench.core.schema.schema import Schema
from workbench.core.schema.sources import DescriptorSource

logger = logging.getLogger(__name__)


class Phase(enum.Enum):
    """Where the current schema source stands."""

    IDLE = "idle"
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"


@dataclass(frozen=True)
class LoadState:
    """What the window shows about the current source.

    Attributes:
        phase: idle, loading, ready or failed.
        text: one line for the status bar ("Connected to X — 3 services (reflection v1)").
        error: the failure, when failed (its ``user_text()`` carries the hint).
    """

    phase: Phase
    text: str
    error: WorkbenchError | None = None

    @property
    def detail(self) -> str:
        """The full text to show inline: the error with its hint, or the status line."""
        return self.error.user_text() if self.error is not None else self.text


IDLE = LoadState(Phase.IDLE, "Not connected")


@dataclass(frozen=True)
class ConnectionSettings:
    """How to reach servers typed into the address bar (from the command line flags).

    Attributes:
        plaintext: ``True`` for no TLS, ``False`` for TLS, ``None`` to decide from the address.
        tls: certificates and verification.
        authority: ``:authority`` / certificate name override.
        metadata: headers sent with reflection and with every call (a request's own
            metadata replaces entries with the same key).
        connect_timeout: seconds to wait for a connection.
        default_timeout: the deadline of calls whose request sets none (``None``: no deadline).
        max_msg_size: the largest message sent or received, in bytes (``None``: gRPC's
            default, 4 MiB to receive).
    """

    plaintext: bool | None = None
    tls: TlsConfig = field(default_factory=TlsConfig)
    authority: str | None = None
    metadata: Metadata = ()
    connect_timeout: float = 10.0
    default_timeout: float | None = None
    max_msg_size: int | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ConnectionSettings:
        """Read ``--plaintext/--tls/--insecure/--cacert/--cert/--key/--authority/--header``.

        Also ``--connect-timeout``. Attributes the namespace lacks read as unset.

        Raises:
            UsageError: a header is malformed.
        """
        plaintext = getattr(args, "plaintext", None)
        timeout = getattr(args, "connect_timeout", None)
        deadline = getattr(args, "max_time", None)
        max_size = getattr(args, "max_msg_size", None)
        return cls(
            plaintext=plaintext if isinstance(plaintext, bool) else None,
            tls=TlsConfig(
                ca_file=getattr(args, "cacert", None),
                cert_file=getattr(args, "cert", None),
                key_file=getattr(args, "key", None),
                insecure=bool(getattr(args, "insecure", False)),
            ),
            authority=getattr(args, "authority", None),
            metadata=tuple(parse_metadata(getattr(args, "header", None) or [])),
            connect_timeout=float(timeout) if timeout is not None else 10.0,
            default_timeout=float(deadline) if deadline else None,
            max_msg_size=int(max_size) if max_size else None,
        )

    def target(self, address: str) -> Target:
        """The target for ``address`` with these settings.

        Raises:
            UsageError: the address is empty or the settings contradict each other.
        """
        return Target(
            address.strip(),
            plaintext=self.plaintext,
            tls=self.tls,
            authority=self.authority,
            connect_timeout=self.connect_timeout,
            max_msg_size=self.max_msg_size,
        )


@dataclass(frozen=True)
class Endpoint:
    """Everything a request tab needs to make a call.

    Attributes:
        channels: the channel manager to open the channel with.
        target: the server to call.
        metadata: the connection's default metadata.
        timeout: the connection's default deadline in seconds (``None``: none).
    """

    channels: ChannelManager
    target: Target
    metadata: Metadata
    timeout: float | None


class SchemaLoader(QObject):
    """Holds the current schema source, the load in flight and the channels it opened.

    Create it inside the running event loop's thread; channels are opened lazily from the
    loop. Close it with :meth:`aclose`.

    Signals:
        stateChanged(LoadState): the load started, finished or failed.
        schemaChanged(object): a new :class:`Schema` was loaded (never emitted on failure;
            the previous schema stays usable).
    """

    stateChanged = Signal(object)
    schemaChanged = Signal(object)

    def __init__(
        self, settings: ConnectionSettings | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.settings = settings or ConnectionSettings()
        self._per_address: dict[str, ConnectionSettings] = {}
        self._channels: ChannelManager | None = None
        self._task: asyncio.Task[Schema | None] | None = None
        self._source: DescriptorSource | None = None
        self._state = IDLE
        self._schema: Schema | None = None
        #: The deadline of calls whose connection sets none (the user settings' default).
        self.default_deadline: float | None = None

    # -- what the window reads ------------------------------------------------------------

    @property
    def state(self) -> LoadState:
        """The current state."""
        return self._state

    @property
    def schema(self) -> Schema | None:
        """The schema last loaded successfully."""
        return self._schema

    @property
    def source(self) -> DescriptorSource | None:
        """The source last asked for (what Reload re-runs)."""
        return self._source

    @property
    def target(self) -> Target | None:
        """The server of the current source, when it is reflection."""
        return self._source.target if isinstance(self._source, ReflectionSource) else None

    @property
    def busy(self) -> bool:
        """Whether a load is in flight."""
        return self._task is not None and not self._task.done()

    # -- connection settings and calls ----------------------------------------------------

    def settings_for(self, address: str) -> ConnectionSettings:
        """The settings for ``address``: its own when set, else those of the command line."""
        return self._per_address.get(address.strip(), self.settings)

    def set_settings_for(self, address: str, settings: ConnectionSettings) -> None:
        """Use ``settings`` for ``address`` from now on (the next connect or call)."""
        self._per_address[address.strip()] = settings

    def endpoint(self, address: str = "") -> Endpoint:
        """Where calls go: the reflected server, else ``address`` (schemas from files).

        Call from inside the running event loop (the channel manager is created lazily).

        Raises:
            UsageError: there is no server to call, or its settings are unusable.
        """
        target = self.target
        if target is None:
            address = address.strip()
            if not address:
                raise UsageError(
                    "no server to call", hint="type the server's address in the address bar"
                )
            target = self.settings_for(address).target(address)
        settings = self.settings_for(target.address)
        timeout = settings.default_timeout or self.default_deadline
        return Endpoint(self._channel_manager(), target, settings.metadata, timeout)

    # -- starting and stopping loads ------------------------------------------------------

    def connect_to(self, address: str) -> asyncio.Task[Schema | None] | None:
        """Load the schema of the server at ``address`` by reflection.

        Returns the task, or ``None`` when the address is unusable (the state says why).
        """
        settings = self.settings_for(address)
        try:
            target = settings.target(address)
        except WorkbenchError as exc:
            self._drop_task()
            self._set_state(LoadState(Phase.FAILED, exc.message, exc))
            return None
        channels = self._channel_manager()
        source = ReflectionSource(target, metadata=settings.metadata, channels=channels)
        return self.load(source, f"Connecting to {target.address}…")

    def load_files(
        self, files: Sequence[str], import_paths: Sequence[str] = ()
    ) -> asyncio.Task[Schema | None]:
        """Compile ``files`` (protoc runs in an executor) and load their schema."""
        from workbench.core.schema.files import ProtoFileSource

        source = ProtoFileSource(list(files), list(import_paths))
        return self.load(source, f"Compiling {source.describe()}…")

    def load_protosets(self, paths: Sequence[str]) -> asyncio.Task[Schema | None]:
        """Read the protoset files ``paths`` and load their schema."""
        from workbench.core.schema.protoset import ProtosetSource

        source = ProtosetSource(list(paths))
        return self.load(source, f"Reading {source.describe()}…")

    def reload(self) -> asyncio.Task[Schema | None] | None:
        """Load the current source again; ``None`` when there is none."""
        if self._source is None:
            return None
        return self.load(self._source, f"Reloading {self._source.describe()}…")

    def load(self, source: DescriptorSource, busy_text: str) -> asyncio.Task[Schema | None]:
        """Load ``source`` in a new task, cancelling the load in flight."""
        self._drop_task()
        self._source = source
        self._set_state(LoadState(Phase.LOADING, busy_text))
        task = asyncio.ensure_future(self._run(source))
        self._task = task
        return task

    def cancel(self) -> None:
        """Cancel the load in flight, if any (the previous schema stays)."""
        if self._drop_task():
            self._set_state(LoadState(Phase.IDLE, "Cancelled"))

    async def aclose(self) -> None:
        """Cancel any load and close the channels (call before the loop stops)."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        channels, self._channels = self._channels, None
        if channels is not None:
            await channels.close()

    # -- internals ------------------------------------------------------------------------

    def _drop_task(self) -> bool:
        """Cancel the task in flight; whether there was one."""
        task, self._task = self._task, None
        if task is None or task.done():
            return False
        task.cancel()
        return True

    def _channel_manager(self) -> ChannelManager:
        # Created on first use, i.e. from inside the running loop (grpc.aio needs that).
        if self._channels is None:
            self._channels = ChannelManager()
        return self._channels

    async def _run(self, source: DescriptorSource) -> Schema | None:
        for attempt in range(1, _INTERRUPTED_TRIES + 1):
            try:
                schema = await source.load()
            except WorkbenchError as exc:
                logger.info("loading %s failed: %s", source.describe(), exc)
                await self._forget_channel(source)
                self._finish(LoadState(Phase.FAILED, exc.message, exc))
                return None
            except asyncio.CancelledError:
                if cancel_requested():
                    raise  # cancel(), a new load or aclose(): they set the state
                # Nobody cancelled this load, yet it ended in CancelledError: grpc.aio raises
                # that for a call cancelled under it (seen rarely, on a loaded machine; the
                # canceller is not known yet). Without this the window would say
                # "Connecting…" for ever. Start afresh once, on a new channel, then give up.
                logger.warning(
                    "loading %s: a gRPC call was cancelled, though the load was not (try %d)",
                    source.describe(),
                    attempt,
                    exc_info=True,
                )
                await self._forget_channel(source)
                continue
            except Exception as exc:
                # A bug, not a user error: say so here, and let the crash handler report it.
                self._finish(LoadState(Phase.FAILED, f"Internal error: {exc!r}"))
                raise
            break
        else:
            error = ConnectionFailed(
                f"loading {source.describe()} was interrupted: a gRPC call was cancelled",
                hint="try again; the log has the details",
            )
            self._finish(LoadState(Phase.FAILED, error.message, error))
            return None
        self._schema = schema
        self.schemaChanged.emit(schema)
        self._finish(LoadState(Phase.READY, ready_text(source, schema)))
        return schema

    def _finish(self, state: LoadState) -> None:
        if asyncio.current_task() is self._task:
            self._task = None
        self._set_state(state)

    async def _forget_channel(self, source: DescriptorSource) -> None:
        # A channel that failed to connect backs off before its next try; start afresh.
        if isinstance(source, ReflectionSource) and self._channels is not None:
            await self._channels.forget(source.target)

    def _set_state(self, state: LoadState) -> None:
        self._state = state
        self.stateChanged.emit(state)


#: How many times a load interrupted by a stray gRPC cancellation runs (see ``_run``).
_INTERRUPTED_TRIES = 2


def ready_text(source: DescriptorSource, schema: Schema) -> str:
    """The ready line: ``Connected to X — N services (reflection v1)`` or ``Loaded … — N``."""
    count = len(schema.services())
    services = f"{count} service{'' if count == 1 else 's'}"
    if isinstance(source, ReflectionSource):
        version = schema.origin.rsplit("(", 1)[-1].rstrip(")") if "(" in schema.origin else ""
        how = f"reflection {version}".strip()
        return f"Connected to {source.target.address} — {services} ({how})"
    return f"Loaded {source.describe()} — {services}"

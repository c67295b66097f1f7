"""A workspace: any folder holding collections, environments and schema settings, for git.

Layout (see ``docs/workspace-format.md``)::

    workbench.json                       schema sources, TLS profiles (shared)
    collections/<collection>/.../<request>.request.json
    environments/<name>.env.json         variables; secret *names* only
    .workbench/                          machine-local, ignored by git (its own .gitignore)
        secrets.local.json               secret values (unless the OS keyring holds them)

The :class:`Workspace` ties the stores together, follows external changes
(:meth:`Workspace.rescan`, which the UI calls from a file watcher), keeps an undo stack of
deletions, and turns stored targets into engine :class:`Target` objects.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.core import paths
from workbench.core.calls.channels import Target, TlsConfig
from workbench.core.errors import (
    ConflictError,
    FileFormatError,
    StoreError,
    UsageError,
)
from workbench.core.store import undo
from workbench.core.store.atomic import Fingerprint, atomic_write, read_if_changed
from workbench.core.store.collections import CollectionStore
from workbench.core.store.documents import FileProblem
from workbench.core.store.environments import EnvironmentStore
from workbench.core.store.requests import SavedTarget, TlsSettings
from workbench.core.store.secrets import SecretStore, default_secret_store, ensure_local_dir
from workbench.core.store.tree import Node, RequestNode
from workbench.core.store.variables import VariableUse, substitute
from workbench.core.store.workspace_file import WORKSPACE_FILE, WorkspaceSettings

if TYPE_CHECKING:
    from workbench.core.calls.channels import ChannelManager
    from workbench.core.schema.sources import DescriptorSource

logger = logging.getLogger(__name__)

__all__ = ["UNDO_DEPTH", "Workspace", "WorkspaceChanges"]

#: How many deletions :meth:`Workspace.undo` can take back.
UNDO_DEPTH = 100


@dataclass
class WorkspaceChanges:
    """What :meth:`Workspace.rescan` found changed on disk.

    Attributes:
        added: files and folders that appeared.
        changed: files whose content changed (``workbench.json`` included).
        removed: files and folders that disappeared or became unreadable.
        problems: files newly found unreadable; each was skipped and left untouched.
    """

    added: list[Path] = field(default_factory=list)
    changed: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.problems)


class Workspace:
    """One workspace folder and everything in it.

    Attributes:
        directory: the workspace folder.
        settings: the content of ``workbench.json`` (last good version).
        collections: the collection tree and its operations.
        environments: the environments and their secrets.
    """

    def __init__(self, directory: Path, *, secrets: SecretStore | None = None) -> None:
        """Use :meth:`open` or :meth:`create` instead; this does not read anything."""
        self.directory = directory
        self.settings = WorkspaceSettings(name=directory.name)
        self.collections = CollectionStore(directory / "collections")
        self.environments = EnvironmentStore(
            directory / "environments", secrets or default_secret_store(directory)
        )
        self._settings_print: Fingerprint | None = None
        self._settings_problem: FileProblem | None = None
        self._undo: list[undo.Snapshot] = []

    # -- opening --------------------------------------------------------------------------

    @classmethod
    def open(
        cls, directory: Path | str, *, create: bool = False, secrets: SecretStore | None = None
    ) -> Workspace:
        """Open the workspace in ``directory`` and load everything.

        Args:
            directory: the workspace folder.
            create: make it a workspace (write ``workbench.json``) if it is not one yet.
            secrets: where secret values are kept (default: keyring or the local file).

        Raises:
            StoreError: the folder is not a workspace (and ``create`` is false) or cannot
                be created. Unreadable files inside do not raise: see :attr:`problems`.
        """
        directory = Path(directory).expanduser().absolute()
        marker = directory / WORKSPACE_FILE
        if not marker.exists():
            if not create:
                raise StoreError(
                    f"{directory} is not a grpc-workbench workspace (no {WORKSPACE_FILE})",
                    path=directory,
                    hint="open the folder that holds workbench.json, or create a workspace",
                )
            cls._initialise(directory)
        workspace = cls(directory, secrets=secrets)
        workspace.rescan()
        return workspace

    @classmethod
    def create(
        cls, directory: Path | str, *, name: str = "", secrets: SecretStore | None = None
    ) -> Workspace:
        """Make ``directory`` a workspace (an existing ``workbench.json`` is kept) and open it."""
        directory = Path(directory).expanduser().absolute()
        cls._initialise(directory, name)
        return cls.open(directory, secrets=secrets)

    @classmethod
    def open_default(cls, *, secrets: SecretStore | None = None) -> Workspace:
        """The workspace in the user data directory, created on first use."""
        return cls.open(paths.default_workspace_dir(), create=True, secrets=secrets)

    @staticmethod
    def _initialise(directory: Path, name: str = "") -> None:
        try:
            for sub in ("collections", "environments"):
                (directory / sub).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create a workspace in {directory}: {exc.strerror or exc}",
                path=directory,
                hint="choose a folder you can write to",
            ) from None
        marker = directory / WORKSPACE_FILE
        if not marker.exists():
            atomic_write(marker, WorkspaceSettings(name=name or directory.name).to_bytes())
        ensure_local_dir(directory)

    # -- state ----------------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The display name."""
        return self.settings.name or self.directory.name

    @property
    def problems(self) -> list[FileProblem]:
        """Every file currently skipped because it could not be used, sorted by path."""
        found = [*self.collections.problems.values(), *self.environments.problems.values()]
        if self._settings_problem is not None:
            found.append(self._settings_problem)
        return sorted(found, key=lambda p: str(p.path))

    def watched_paths(self) -> list[Path]:
        """What a file watcher should watch to see every external change.

        The workspace folder, ``workbench.json``, the ``environments`` folder and every
        collection folder; re-read it after each :meth:`rescan` (folders come and go).
        """
        found = [
            self.directory,
            self.directory / WORKSPACE_FILE,
            self.environments.directory,
            self.collections.directory,
        ]
        found += [n.path for n in self.collections.root.walk() if not isinstance(n, RequestNode)]
        return [p for p in found if p.exists()]

    def rescan(self) -> WorkspaceChanges:
        """Pick up every change made outside the app (git pull, another editor).

        Compares each file's mtime, size and content hash with what was loaded; emits the
        tree and environment events for what changed.
        """
        changes = WorkspaceChanges()
        self._rescan_settings(changes)
        result = self.collections.rescan()
        changes.added += result.added
        changes.changed += result.changed
        changes.removed += result.removed
        changes.problems += result.problems
        added, changed, removed, problems = self.environments.rescan()
        changes.added += added
        changes.changed += changed
        changes.removed += removed
        changes.problems += problems
        if changes:
            logger.info(
                "workspace %s: %d added, %d changed, %d removed, %d unreadable",
                self.directory,
                len(changes.added),
                len(changes.changed),
                len(changes.removed),
                len(changes.problems),
            )
        return changes

    def _rescan_settings(self, changes: WorkspaceChanges) -> None:
        path = self.directory / WORKSPACE_FILE
        try:
            fresh = read_if_changed(path, self._settings_print)
        except FileNotFoundError:
            return  # the folder stopped being a workspace: keep the last settings
        if fresh is None:
            return
        data, fp = fresh
        self._settings_print = fp
        try:
            self.settings = WorkspaceSettings.from_bytes(data, path)
        except FileFormatError as exc:
            problem = FileProblem(path, exc.message.removeprefix(f"{path}: "), exc.hint)
            if problem != self._settings_problem:
                changes.problems.append(problem)
            self._settings_problem = problem
            return
        self._settings_problem = None
        changes.changed.append(path)

    def save_settings(self, settings: WorkspaceSettings, *, force: bool = False) -> None:
        """Write ``workbench.json``.

        Raises:
            StoreError: the current file could not be read (it is never overwritten).
            ConflictError: the file changed on disk since it was loaded (unless ``force``).
            StoreWriteError: the file could not be written.
        """
        path = self.directory / WORKSPACE_FILE
        if self._settings_problem is not None:
            raise StoreError(
                f"{path} could not be read ({self._settings_problem.message}); "
                "it is not overwritten",
                path=path,
                hint="fix the file by hand first",
            )
        if not force:
            try:
                changed = read_if_changed(path, self._settings_print) is not None
            except FileNotFoundError:
                changed = False
            if changed:
                raise ConflictError(
                    f"{path} changed on disk since it was loaded",
                    path=path,
                    hint="reload the workspace, or overwrite the file",
                )
        self._settings_print = atomic_write(path, settings.to_bytes())
        self.settings = settings

    # -- deleting and undo ----------------------------------------------------------------

    def delete(self, node: Node) -> None:
        """Delete a request, folder or collection; :meth:`undo` brings it back."""
        snapshot = self.collections.delete(node)
        if snapshot.files or snapshot.dirs:  # nothing to restore when it was already gone
            self._push(snapshot)

    def delete_environment(self, name: str) -> None:
        """Delete an environment file; :meth:`undo` brings it back (its secrets are kept)."""
        path = self.environments.path(self.environments.get(name).name)
        data = self.environments.delete(name)
        self._push(
            undo.Snapshot(f'delete environment "{name}"', path, ((path, data),), (), "environments")
        )

    def _push(self, snapshot: undo.Snapshot) -> None:
        self._undo.append(snapshot)
        del self._undo[:-UNDO_DEPTH]

    @property
    def undo_description(self) -> str | None:
        """What :meth:`undo` would undo (``None`` when nothing)."""
        return self._undo[-1].description if self._undo else None

    def undo(self) -> Path | None:
        """Restore the most recently deleted item; returns its path (``None``: nothing to do).

        Raises:
            ConflictError: something now exists where it was; the undo stays available.
            StoreWriteError: it could not be written back; the undo stays available.
        """
        if not self._undo:
            return None
        snapshot = self._undo[-1]
        undo.restore(snapshot)
        self._undo.pop()
        if snapshot.area == "environments":
            self.environments.rescan()
        else:
            self.collections.sync_path(snapshot.root)
        return snapshot.root

    # -- targets, variables and schema ----------------------------------------------------

    def resolve_path(self, path: str) -> Path:
        """A path from a workspace file, made absolute against the workspace folder."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else self.directory / p

    def tls_settings(self, tls: str | TlsSettings | None) -> TlsSettings:
        """Resolve a target's ``tls`` value (a profile name is looked up).

        Raises:
            UsageError: the profile does not exist.
        """
        if tls is None:
            return TlsSettings()
        if isinstance(tls, TlsSettings):
            return tls
        profile = self.settings.tls_profiles.get(tls)
        if profile is None:
            known = ", ".join(sorted(self.settings.tls_profiles)) or "none defined"
            raise UsageError(
                f"TLS profile {tls!r} is not defined in {self.directory / WORKSPACE_FILE}",
                hint=f"profiles: {known}",
            )
        return profile

    def target(self, saved: SavedTarget, values: dict[str, str] | None = None) -> Target:
        """The engine :class:`Target` for a stored target (placeholders substituted).

        Raises:
            UsageError: no address, an unknown TLS profile or contradictory TLS settings.
        """
        tls = self.tls_settings(saved.tls)

        def path(p: str | None) -> str | None:
            return str(self.resolve_path(p)) if p else None

        vals = values or {}
        return Target(
            address=substitute(saved.address, vals),
            plaintext=saved.plaintext,
            tls=TlsConfig(path(tls.cacert), path(tls.cert), path(tls.key), tls.insecure),
            authority=substitute(saved.authority, vals) if saved.authority else None,
        )

    def values(self, environment: str | None) -> tuple[dict[str, str], list[VariableUse]]:
        """The resolved variables of ``environment`` (empty for ``None``).

        Raises:
            StoreError: no such environment; VariableCycleError: a variable cycle.
        """
        if environment is None:
            return {}, []
        return self.environments.values(environment)

    def schema_source(
        self,
        values: dict[str, str] | None = None,
        *,
        channels: ChannelManager | None = None,
        metadata: Sequence[tuple[str, str | bytes]] = (),
    ) -> DescriptorSource | None:
        """The workspace's schema source, or ``None`` when none is configured."""
        sources = self.settings.schema
        if sources.proto_files:
            from workbench.core.schema.files import ProtoFileSource

            files = [
                str(self.resolve_path(f)) if self.resolve_path(f).exists() else f
                for f in sources.proto_files
            ]
            imports = [str(self.resolve_path(p)) for p in sources.import_paths]
            return ProtoFileSource(files, imports)
        if sources.protosets:
            from workbench.core.schema.protoset import ProtosetSource

            return ProtosetSource([self.resolve_path(p) for p in sources.protosets])
        if sources.reflection is not None:
            from workbench.core.schema.reflection import ReflectionSource

            return ReflectionSource(
                self.target(sources.reflection, values), metadata=metadata, channels=channels
            )
        return None

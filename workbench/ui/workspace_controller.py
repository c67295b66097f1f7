"""The owner of the open workspace, its file watcher, the selected environment and the history.

Thin Qt glue over :mod:`workbench.core.store`: the core does the work (reading, saving,
substituting, recording); this object holds the current :class:`Workspace` and
:class:`History`, follows the workspace folder with a ``QFileSystemWatcher`` (debounced, then
:meth:`Workspace.rescan`, so ``git pull``, another editor or a second window show up
live), remembers recent workspaces, and reports what went wrong as
:class:`~workbench.ui.bridges.UserMessage` s instead of raising into slots.
"""

from __future__ import annotations

import logging
from pathlib import Path

import shiboken6
from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from workbench.core.calls.events import CallResult
from workbench.core.errors import StoreError, WorkbenchError
from workbench.core.store.documents import FileProblem
from workbench.core.store.environments import ENV_SUFFIX
from workbench.core.store.history import DEFAULT_MAX_ENTRIES, History
from workbench.core.store.requests import SavedRequest
from workbench.core.store.secrets import SecretStore
from workbench.core.store.tree import Node, RequestNode
from workbench.core.store.variables import VariableUse
from workbench.core.store.workspace import Workspace, WorkspaceChanges
from workbench.ui.bridges import Level, UserMessage
from workbench.ui.state import UiState

__all__ = ["RESCAN_DELAY_MS", "WorkspaceController"]

logger = logging.getLogger(__name__)

#: File system events are collected this long (ms) before one rescan: a ``git pull``
#: touching a hundred files rescans once.
RESCAN_DELAY_MS = 250


class WorkspaceController(QObject):
    """Holds the open workspace, the environment in use and the call history.

    Signals:
        workspaceChanged(object): another :class:`Workspace` was opened.
        environmentChanged(object): the environment in use (its name, or ``None``).
        variablesChanged(): the environment's values may have changed (edited on disk or
            in the app); requests re-check their ``{{variables}}``.
        problemsChanged(list): the files skipped as unreadable (:class:`FileProblem` s).
        rescanned(object): a rescan after an external change found something
            (:class:`WorkspaceChanges`).
        historyRecorded(int): a call was recorded; the entry's id.
        historyOpened(object): the :class:`History` was opened (or ``None``: unavailable).
        messageShown(object): a :class:`UserMessage` for the window.

    Args:
        state: where recent workspaces are remembered.
        history: the history to record into; ``None`` opens the default one on first use.
        secrets: where secret values go (default: the OS keyring or the workspace's local
            secrets file).
        parent: the owning object.
    """

    workspaceChanged = Signal(object)
    environmentChanged = Signal(object)
    variablesChanged = Signal()
    problemsChanged = Signal(list)
    rescanned = Signal(object)
    historyRecorded = Signal(int)
    historyOpened = Signal(object)
    messageShown = Signal(object)

    def __init__(
        self,
        *,
        state: UiState | None = None,
        history: History | None = None,
        secrets: SecretStore | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._state = state
        self._workspace: Workspace | None = None
        self._history = history
        self._history_failed = False
        self._history_limit = history.max_entries if history else DEFAULT_MAX_ENTRIES
        self._secrets = secrets
        self._environment: str | None = None
        self._closed = False
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(self._schedule_rescan)
        self._watcher.fileChanged.connect(self._schedule_rescan)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RESCAN_DELAY_MS)
        self._timer.timeout.connect(self.rescan)

    # -- the workspace --------------------------------------------------------------------

    @property
    def workspace(self) -> Workspace | None:
        """The open workspace (``None`` until one is opened)."""
        return self._workspace

    def open(self, directory: Path | str, *, create: bool = False) -> Workspace:
        """Open the workspace in ``directory`` (``create``: make the folder one if needed).

        Raises:
            StoreError: the folder is not a workspace or cannot be made one.
        """
        workspace = Workspace.open(directory, create=create, secrets=self._secrets)
        self._set_workspace(workspace)
        return workspace

    def open_default(self) -> Workspace:
        """Open the default workspace in the user data directory (created on first use).

        Raises:
            StoreError: it cannot be created (e.g. the data directory is read-only).
        """
        workspace = Workspace.open_default(secrets=self._secrets)
        self._set_workspace(workspace)
        return workspace

    def open_initial(self) -> Workspace | None:
        """At start: the most recent workspace that still exists, else the default one.

        Failures are reported through :attr:`messageShown`, not raised.
        """
        for directory in self.recent_workspaces():
            if not Path(directory).is_dir():
                continue
            try:
                return self.open(directory)
            except StoreError as exc:
                logger.info("recent workspace %s not opened: %s", directory, exc)
        try:
            return self.open_default()
        except StoreError as exc:
            self.report(exc)
            return None

    def ensure_workspace(self) -> Workspace | None:
        """The open workspace, opening the default one first if none is (``None``: failed)."""
        if self._workspace is not None:
            return self._workspace
        try:
            return self.open_default()
        except StoreError as exc:
            self.report(exc)
            return None

    def recent_workspaces(self) -> list[str]:
        """Workspace folders opened before, most recent first."""
        return self._state.recent_workspaces() if self._state is not None else []

    def _set_workspace(self, workspace: Workspace) -> None:
        self._workspace = workspace
        if self._state is not None:
            self._state.add_recent_workspace(str(workspace.directory))
        default = workspace.settings.default_environment
        known = workspace.environments.names()
        self._environment = default if default in known else None
        self.rewatch()
        self.workspaceChanged.emit(workspace)
        self.environmentChanged.emit(self._environment)
        self.variablesChanged.emit()
        self.problemsChanged.emit(workspace.problems)
        logger.info("opened workspace %s", workspace.directory)

    # -- following the disk ---------------------------------------------------------------

    def watched_paths(self) -> list[str]:
        """What the watcher watches now (folders, request and environment files)."""
        if self._closed:
            return []
        return [*self._watcher.directories(), *self._watcher.files()]

    def rewatch(self) -> None:
        """Watch the workspace's folders and files as they are now (after adding some)."""
        ws = self._workspace
        if self._closed:
            return
        old = self.watched_paths()
        if old:
            self._watcher.removePaths(old)
        if ws is None:
            return
        paths = [str(p) for p in ws.watched_paths()]
        # Folder events cover files added, removed and replaced (editors and git write a new
        # file and rename it); an edit in place changes only the file, so watch those too.
        paths += [str(n.path) for n in ws.collections.requests()]
        paths += [str(p.path) for p in ws.problems]  # fixed by hand: picked up at once
        env_dir = ws.environments.directory
        if env_dir.is_dir():
            paths += [str(p) for p in env_dir.iterdir() if p.name.endswith(ENV_SUFFIX)]
        failed = self._watcher.addPaths(paths)
        if failed:
            logger.info("not watching %d path(s), e.g. %s", len(failed), failed[0])

    def _schedule_rescan(self, _path: str = "") -> None:
        self._timer.start()

    def rescan(self) -> WorkspaceChanges | None:
        """Pick up changes made outside the app now (the watcher does this by itself)."""
        self._timer.stop()
        ws = self._workspace
        if ws is None:
            return None
        try:
            changes = ws.rescan()
        except WorkbenchError as exc:
            self.report(exc)
            return None
        self.rewatch()
        if changes:
            env_dir = ws.environments.directory
            if any(p.parent == env_dir for p in (*changes.added, *changes.changed)):
                self.variablesChanged.emit()
            if self._environment is not None and self._environment not in ws.environments.names():
                self.set_environment(None)
            self.problemsChanged.emit(ws.problems)
            for problem in changes.problems:
                self.messageShown.emit(problem_message(problem))
            self.rescanned.emit(changes)
        return changes

    # -- environments ---------------------------------------------------------------------

    @property
    def environment(self) -> str | None:
        """The environment whose variables fill ``{{placeholders}}`` (``None``: none)."""
        return self._environment

    def set_environment(self, name: str | None) -> None:
        """Use environment ``name`` (``None``: no environment)."""
        if name == self._environment:
            return
        self._environment = name
        self.environmentChanged.emit(name)
        self.variablesChanged.emit()

    def values(self) -> tuple[dict[str, str], list[VariableUse]]:
        """The resolved variables of the environment in use (empty without one).

        Raises:
            VariableCycleError: a variable refers to itself.
            StoreError: the environment is gone or its secrets cannot be read.
        """
        if self._workspace is None or self._environment is None:
            return {}, []
        return self._workspace.values(self._environment)

    def environments_edited(self) -> None:
        """The environments were changed in the app: re-check variables, re-watch files."""
        self.rewatch()
        ws = self._workspace
        if ws is not None and self._environment not in (None, *ws.environments.names()):
            self.set_environment(None)
        self.variablesChanged.emit()

    # -- collections ----------------------------------------------------------------------

    def delete(self, node: Node) -> bool:
        """Delete a request, folder or collection (undo brings it back); ``False``: refused."""
        ws = self._workspace
        if ws is None:
            return False
        try:
            ws.delete(node)
        except WorkbenchError as exc:
            self.report(exc)
            return False
        what = (ws.undo_description or "").removeprefix("delete ")
        self.info(f"Deleted {what} — Edit ▸ Undo (Ctrl+Z) brings it back")
        return True

    def undo(self) -> Path | None:
        """Restore what was deleted last; returns its path (``None``: nothing, or it failed)."""
        ws = self._workspace
        if ws is None or ws.undo_description is None:
            return None
        description = ws.undo_description
        try:
            restored = ws.undo()
        except WorkbenchError as exc:
            self.report(exc)
            return None
        self.rewatch()
        if description.startswith("delete environment"):
            self.environments_edited()
        self.info(f"Undone: {description}")
        return restored

    def save(self, node: RequestNode, request: SavedRequest, *, force: bool = False) -> None:
        """Overwrite a saved request.

        Raises:
            ConflictError: the file changed on disk since it was loaded (unless ``force``).
            StoreError: it could not be written (nothing was lost).
        """
        assert self._workspace is not None
        self._workspace.collections.save(node, request, force=force)
        self.rewatch()

    # -- history --------------------------------------------------------------------------

    @property
    def history(self) -> History | None:
        """The call history, opened on first use (``None`` when it cannot be opened)."""
        if self._history is None and not self._history_failed:
            try:
                self._history = History(max_entries=self._history_limit)
            except StoreError as exc:
                self._history_failed = True
                self.report(exc)
                return None
            self.historyOpened.emit(self._history)
        return self._history

    @property
    def history_failed(self) -> bool:
        """Whether the history could not be opened (calls are then not recorded)."""
        return self._history is None and self._history_failed

    def set_history_limit(self, max_entries: int) -> None:
        """Keep at most ``max_entries`` calls (the oldest beyond it are deleted now)."""
        self._history_limit = max_entries
        if self._history is not None:
            self._history.max_entries = max_entries
            self.historyOpened.emit(self._history)

    def record(
        self,
        request: SavedRequest,
        result: CallResult,
        *,
        pool: object = None,
        address: str | None = None,
    ) -> int | None:
        """Record a finished call (the request as written, before substitution)."""
        history = self.history
        if history is None:
            return None
        try:
            entry_id = history.record(
                request,
                result,
                pool=pool,  # type: ignore[arg-type]
                environment=self._environment,
                address=address,
            )
        except StoreError as exc:  # the call happened; failing to log it must not hide that
            logger.warning("could not record the call in the history: %s", exc.user_text())
            return None
        if entry_id is not None:
            self.historyRecorded.emit(entry_id)
        return entry_id

    # -- reporting and shutdown -----------------------------------------------------------

    def report(self, error: WorkbenchError) -> None:
        """Show ``error`` in the window."""
        self.messageShown.emit(UserMessage.for_error(error))

    def info(self, text: str) -> None:
        """Show ``text`` in the status bar."""
        self.messageShown.emit(UserMessage(Level.INFO, text))

    def close(self) -> None:
        """Stop watching and close the history database."""
        self._timer.stop()
        if not self._closed:
            # Now, on this thread: left to the garbage collector, the watcher's inotify
            # notifier could be destroyed from another thread (grpc's), which Qt cannot undo.
            self._closed = True
            shiboken6.delete(self._watcher)
        if self._history is not None:
            self._history.close()
            self._history = None
            self._history_failed = True  # nothing is recorded after closing


def problem_message(problem: FileProblem) -> UserMessage:
    """A warning naming a skipped file and what is wrong with it."""
    hint = problem.hint or "fix the file by hand or restore it from git; the app will not touch it"
    return UserMessage(Level.WARNING, f"Skipped {problem.path}: {problem.message}", hint)

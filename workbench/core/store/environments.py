"""Environments: named variable sets (dev, staging, prod), one file each, plus their secrets.

``environments/<name>.env.json`` (``grpc-workbench/environment``, version 1) holds the plain
variables and the *names* of the secret ones; secret values live in a :class:`SecretStore`
on this machine and never in the file. The :class:`EnvironmentStore` is an evented, sorted
list of environments that follows the folder (see :meth:`EnvironmentStore.rescan`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from workbench.core.errors import (
    ConflictError,
    FileFormatError,
    InvalidNameError,
    NameTakenError,
    StoreError,
)
from workbench.core.store.atomic import Fingerprint, atomic_write, read_if_changed
from workbench.core.store.documents import FileProblem, dump_document, expect, parse_document
from workbench.core.store.events import EnvironmentEvent, EventEmitter
from workbench.core.store.names import check_name, same_name
from workbench.core.store.secrets import SecretStore
from workbench.core.store.variables import VARIABLE, VariableUse, resolve_values

logger = logging.getLogger(__name__)

__all__ = ["ENV_SUFFIX", "Environment", "EnvironmentStore"]

#: The file name suffix of an environment.
ENV_SUFFIX = ".env.json"
_VERSION = 1


@dataclass(frozen=True)
class Environment:
    """A named set of variables.

    Attributes:
        name: the environment's name (its file name without the suffix).
        variables: plain values, in the user's order; values may use ``{{other}}``.
        secrets: names of secret variables whose values are kept out of the workspace.
        notes: free text.
        extra: unknown top-level fields of the file, written back unchanged.
    """

    name: str
    variables: Mapping[str, str] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()
    notes: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        """The environment's file content (never any secret value)."""
        body: dict[str, Any] = {
            "variables": dict(self.variables),
            "secrets": sorted(set(self.secrets)),
            "notes": self.notes,
        }
        body.update({k: v for k, v in self.extra.items() if k not in body})
        return dump_document("environment", _VERSION, body)

    @classmethod
    def from_bytes(cls, data: bytes, path: Path, *, name: str) -> Environment:
        """Parse an environment file.

        Raises:
            FileFormatError: the file cannot be used; the message names the field.
        """
        doc = parse_document(data, path, kind="environment", max_version=_VERSION)
        try:
            variables = expect(doc, "variables", (dict, type(None)), "") or {}
            bad = [k for k, v in variables.items() if not isinstance(v, str)]
            if bad:
                raise FileFormatError(f"variables.{bad[0]}: expected a string value")
            secrets = expect(doc, "secrets", (list, type(None)), "") or []
            if not all(isinstance(s, str) for s in secrets):
                raise FileFormatError("secrets: expected a list of variable names")
            notes = expect(doc, "notes", (str, type(None)), "") or ""
        except FileFormatError as exc:
            raise FileFormatError(f"{path}: {exc.message}", path=path) from None
        known = {"format", "version", "variables", "secrets", "notes"}
        return cls(
            name=name,
            variables=dict(variables),
            secrets=tuple(secrets),
            notes=notes,
            extra={k: v for k, v in doc.items() if k not in known},
        )


class EnvironmentStore:
    """The environments of a workspace: an evented list sorted by name.

    Attributes:
        directory: the ``environments`` folder.
        secrets: where secret values are kept.
        events: :class:`EnvironmentEvent` for every insertion, removal and change.
        problems: files that could not be read, by path (reported, never touched).
    """

    def __init__(self, directory: Path, secrets: SecretStore) -> None:
        """Manage the environments in ``directory``; call :meth:`rescan` to load them."""
        self.directory = directory
        self.secrets = secrets
        self.events: EventEmitter[EnvironmentEvent] = EventEmitter()
        self.problems: dict[Path, FileProblem] = {}
        self._envs: dict[str, Environment] = {}
        self._prints: dict[str, Fingerprint] = {}

    # -- reading --------------------------------------------------------------------------

    def names(self) -> list[str]:
        """Environment names, sorted case-insensitively (the row order of the events)."""
        return sorted(self._envs, key=lambda n: (n.casefold(), n))

    def __iter__(self) -> Any:
        return (self._envs[n] for n in self.names())

    def __len__(self) -> int:
        return len(self._envs)

    def get(self, name: str) -> Environment:
        """The environment called ``name`` (exact, else a unique case-insensitive match).

        Raises:
            StoreError: there is none; the hint lists the existing ones.
        """
        if name in self._envs:
            return self._envs[name]
        folded = [n for n in self._envs if n.casefold() == name.casefold()]
        if len(folded) == 1:
            return self._envs[folded[0]]
        known = ", ".join(self.names()) or "none"
        raise StoreError(
            f"no environment called {name!r}", path=self.path(name), hint=f"environments: {known}"
        )

    def path(self, name: str) -> Path:
        """The file of environment ``name``."""
        return self.directory / f"{name}{ENV_SUFFIX}"

    def values(self, name: str) -> tuple[dict[str, str], list[VariableUse]]:
        """The resolved values of an environment, secrets included.

        Returns:
            The values and the unknown references found inside variable values.

        Raises:
            StoreError: no such environment, or the secrets cannot be read.
            VariableCycleError: a variable refers to itself.
        """
        env = self.get(name)
        secret_values: dict[str, str] = {}
        for secret in env.secrets:
            value = self.secrets.get(env.name, secret)
            if value is not None:
                secret_values[secret] = value
        plain = {k: v for k, v in env.variables.items() if k not in env.secrets}
        return resolve_values(plain, secret_values, environment=env.name)

    # -- writing --------------------------------------------------------------------------

    def save(self, env: Environment, *, force: bool = False) -> Environment:
        """Create or overwrite an environment's file.

        Raises:
            InvalidNameError: the name cannot be a file name.
            ConflictError: the file changed on disk since it was loaded (unless ``force``).
            StoreWriteError: the file cannot be written.
        """
        check_name(env.name, "environment")
        existing = self._envs.get(env.name)
        if existing is None:
            clash = [n for n in self._envs if same_name(n, env.name)]
            if clash:
                raise NameTakenError(f"an environment called {clash[0]!r} already exists")
        path = self.path(env.name)
        if path in self.problems:
            raise StoreError(
                f"{path} could not be read ({self.problems[path].message}); it is not overwritten",
                path=path,
                hint="fix or remove the file by hand first",
            )
        if not force:
            self._check_unchanged(env.name, path)
        self._mkdir()
        self._prints[env.name] = atomic_write(path, env.to_bytes())
        self._put(env)
        return env

    def delete(self, name: str) -> bytes:
        """Delete an environment's file; returns its bytes (for undo). Secrets are kept."""
        env = self.get(name)
        path = self.path(env.name)
        data = path.read_bytes()
        try:
            path.unlink()
        except OSError as exc:
            raise StoreError(f"cannot delete {path}: {exc.strerror or exc}", path=path) from None
        self._drop(env.name)
        return data

    def rename(self, old: str, new: str) -> Environment:
        """Rename an environment: its file is renamed and its secret values move along.

        Raises:
            InvalidNameError, NameTakenError: the new name is unusable or taken.
            StoreError: the file could not be renamed.
        """
        env = self.get(old)
        if new == env.name:
            return env
        check_name(new, "environment")
        if not same_name(new, env.name) and (
            any(same_name(n, new) for n in self._envs) or self.path(new).exists()
        ):
            raise NameTakenError(f"an environment called {new!r} already exists")
        try:
            self.path(env.name).rename(self.path(new))
        except OSError as exc:
            raise StoreError(
                f"cannot rename {self.path(env.name)}: {exc.strerror or exc}", path=self.path(new)
            ) from None
        for secret in env.secrets:
            value = self.secrets.get(env.name, secret)
            if value is not None:
                self.secrets.set(new, secret, value)
                self.secrets.delete(env.name, secret)
        self._drop(env.name)
        self.rescan()
        return self.get(new)

    def set_secret(self, name: str, variable: str, value: str) -> Environment:
        """Set a secret value; the environment file records only that the secret exists.

        A plain variable of the same name is removed from the file, so its value does not
        stay in git.
        """
        env = self.get(name)
        if not VARIABLE.fullmatch(f"{{{{{variable}}}}}"):
            raise InvalidNameError(
                f"{variable!r} cannot be a variable name",
                hint="start with a letter or _, then letters, digits, _, - or .",
            )
        self.secrets.set(env.name, variable, value)
        if variable in env.secrets and variable not in env.variables:
            return env
        variables = {k: v for k, v in env.variables.items() if k != variable}
        return self.save(
            replace(env, variables=variables, secrets=(*env.secrets, variable)), force=False
        )

    def delete_secret(self, name: str, variable: str) -> Environment:
        """Forget a secret's value and remove it from the environment."""
        env = self.get(name)
        self.secrets.delete(env.name, variable)
        if variable not in env.secrets:
            return env
        return self.save(replace(env, secrets=tuple(s for s in env.secrets if s != variable)))

    # -- following the folder -------------------------------------------------------------

    def rescan(self) -> tuple[list[Path], list[Path], list[Path], list[FileProblem]]:
        """Pick up files added, changed or removed outside the app.

        Returns:
            ``(added, changed, removed, new_problems)`` paths.
        """
        added: list[Path] = []
        changed: list[Path] = []
        removed: list[Path] = []
        new_problems: list[FileProblem] = []
        on_disk: dict[str, Path] = {}
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            for p in self.directory.iterdir():
                if p.name.endswith(ENV_SUFFIX) and not p.name.startswith("."):
                    on_disk[p.name[: -len(ENV_SUFFIX)]] = p
        for name in [n for n in self._envs if n not in on_disk]:
            self._drop(name)
            removed.append(self.path(name))
        for path in list(self.problems):
            if path.parent == self.directory and path.name[: -len(ENV_SUFFIX)] not in on_disk:
                del self.problems[path]
        for name, path in sorted(on_disk.items()):
            try:
                fresh = read_if_changed(path, self._prints.get(name))
            except (FileNotFoundError, StoreError) as exc:
                logger.info("skipping %s: %s", path, exc)
                continue
            if fresh is None:
                continue
            data, fp = fresh
            try:
                env = Environment.from_bytes(data, path, name=name)
            except FileFormatError as exc:
                problem = FileProblem(path, exc.message.removeprefix(f"{path}: "), exc.hint)
                if self.problems.get(path) != problem:
                    new_problems.append(problem)
                self.problems[path] = problem
                if name in self._envs:
                    self._drop(name)
                    removed.append(path)
                self._prints[name] = fp  # not re-read until it changes again
                continue
            self.problems.pop(path, None)
            self._prints[name] = fp
            (changed if name in self._envs else added).append(path)
            self._put(env)
        return added, changed, removed, new_problems

    # -- internals ------------------------------------------------------------------------

    def _check_unchanged(self, name: str, path: Path) -> None:
        known = self._prints.get(name) if name in self._envs else None
        try:
            fresh = read_if_changed(path, known)
        except FileNotFoundError:
            if known is not None:
                raise ConflictError(
                    f"{path} was deleted on disk since it was loaded",
                    path=path,
                    hint="save again to write it anew",
                ) from None
            return
        if fresh is not None:
            raise ConflictError(
                f"{path} changed on disk since it was loaded",
                path=path,
                hint="reload it to see the change, or overwrite it",
            )

    def _mkdir(self) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create {self.directory}: {exc.strerror or exc}", path=self.directory
            ) from None

    def _put(self, env: Environment) -> None:
        if env.name in self._envs:
            self._envs[env.name] = env
            self.events.emit(EnvironmentEvent("changed", self.names().index(env.name), env))
            return
        names = sorted([*self._envs, env.name], key=lambda n: (n.casefold(), n))
        index = names.index(env.name)
        self.events.emit(EnvironmentEvent("inserting", index, env))
        self._envs[env.name] = env
        self.events.emit(EnvironmentEvent("inserted", index, env))

    def _drop(self, name: str) -> None:
        env = self._envs[name]
        index = self.names().index(name)
        self.events.emit(EnvironmentEvent("removing", index, env))
        del self._envs[name]
        self._prints.pop(name, None)
        self.events.emit(EnvironmentEvent("removed", index, env))

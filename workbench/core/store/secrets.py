"""Secret variable values: kept out of the shared workspace files, on this machine only.

An environment file only lists the *names* of its secrets. The values live either in the OS
keyring (when the optional ``keyring`` package is importable and has a usable backend) or in
``.workbench/secrets.local.json`` inside the workspace. The app writes
``.workbench/.gitignore`` containing ``*`` beside it, which makes git ignore the whole
``.workbench`` folder, itself included, without touching any ``.gitignore`` of the user's.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Any, Protocol

from workbench.core.errors import FileFormatError, StoreError
from workbench.core.store.atomic import atomic_write, read_with_fingerprint
from workbench.core.store.documents import dump_document, parse_document

logger = logging.getLogger(__name__)

__all__ = [
    "LOCAL_DIR",
    "SECRETS_FILE",
    "FileSecretStore",
    "KeyringSecretStore",
    "SecretStore",
    "default_secret_store",
    "ensure_local_dir",
]

#: The workspace's machine-local folder, ignored by git.
LOCAL_DIR = ".workbench"
#: The local secrets file, relative to the workspace folder.
SECRETS_FILE = f"{LOCAL_DIR}/secrets.local.json"
_SECRETS_VERSION = 1
_GITIGNORE = b"# Written by grpc-workbench: this folder holds machine-local data and secrets.\n*\n"


class SecretStore(Protocol):
    """Where secret values are kept, per environment and variable name."""

    def describe(self) -> str:
        """Where the secrets are, for the UI ('the OS keyring', a file path)."""
        ...

    def get(self, environment: str, name: str) -> str | None:
        """The value, or ``None`` when it is not set on this machine."""
        ...

    def set(self, environment: str, name: str, value: str) -> None:
        """Store a value (replacing any previous one)."""
        ...

    def delete(self, environment: str, name: str) -> None:
        """Forget a value (no error when it was not set)."""
        ...


def ensure_local_dir(workspace_dir: Path) -> Path:
    """Create ``.workbench/`` with its ``.gitignore`` if needed; returns the folder.

    Raises:
        StoreWriteError: the folder or its ``.gitignore`` cannot be written.
    """
    local = workspace_dir / LOCAL_DIR
    try:
        local.mkdir(exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create {local}: {exc.strerror or exc}",
            path=local,
            hint=f"check that {workspace_dir} is writable",
        ) from None
    ignore = local / ".gitignore"
    if not ignore.exists():
        atomic_write(ignore, _GITIGNORE)
    return local


class FileSecretStore:
    """Secrets in ``.workbench/secrets.local.json`` (mode 0600), git-ignored."""

    def __init__(self, workspace_dir: Path) -> None:
        """Keep the secrets of the workspace at ``workspace_dir``."""
        self.workspace_dir = workspace_dir
        self.path = workspace_dir / SECRETS_FILE

    def describe(self) -> str:
        """The secrets file's path."""
        return str(self.path)

    def _load(self) -> dict[str, dict[str, str]]:
        try:
            data, _ = read_with_fingerprint(self.path)
        except FileNotFoundError:
            return {}
        doc = parse_document(data, self.path, kind="secrets", max_version=_SECRETS_VERSION)
        envs = doc.get("environments")
        if not isinstance(envs, dict) or not all(
            isinstance(v, dict) and all(isinstance(s, str) for s in v.values())
            for v in envs.values()
        ):
            raise FileFormatError(
                f'{self.path}: "environments" must map names to {{variable: value}} objects',
                path=self.path,
            )
        return {env: dict(values) for env, values in envs.items()}

    def get(self, environment: str, name: str) -> str | None:
        """The value, or ``None``.

        Raises:
            FileFormatError: the secrets file is corrupt (it is left untouched).
        """
        return self._load().get(environment, {}).get(name)

    def set(self, environment: str, name: str, value: str) -> None:
        """Store a value.

        Raises:
            FileFormatError: the secrets file is corrupt; it is never overwritten.
            StoreWriteError: the file cannot be written.
        """
        envs = self._load()
        envs.setdefault(environment, {})[name] = value
        self._save(envs)

    def delete(self, environment: str, name: str) -> None:
        """Forget a value."""
        envs = self._load()
        if envs.get(environment, {}).pop(name, None) is None:
            return
        if not envs[environment]:
            del envs[environment]
        self._save(envs)

    def _save(self, envs: dict[str, dict[str, str]]) -> None:
        ensure_local_dir(self.workspace_dir)
        ordered = {env: dict(sorted(values.items())) for env, values in sorted(envs.items())}
        data = dump_document("secrets", _SECRETS_VERSION, {"environments": ordered})
        atomic_write(self.path, data, mode=0o600, what="the local secrets file")


class KeyringSecretStore:
    """Secrets in the OS keyring (service ``grpc-workbench:<workspace path>``)."""

    def __init__(self, workspace_dir: Path, keyring: Any) -> None:
        """Keep secrets of ``workspace_dir`` in ``keyring`` (the imported module)."""
        self._keyring = keyring
        self.service = f"grpc-workbench:{workspace_dir.resolve()}"

    def describe(self) -> str:
        """'the OS keyring'."""
        return "the OS keyring"

    def get(self, environment: str, name: str) -> str | None:
        """The value, or ``None``."""
        value = self._keyring.get_password(self.service, f"{environment}/{name}")
        return value if isinstance(value, str) else None

    def set(self, environment: str, name: str, value: str) -> None:
        """Store a value."""
        self._keyring.set_password(self.service, f"{environment}/{name}", value)

    def delete(self, environment: str, name: str) -> None:
        """Forget a value."""
        try:
            self._keyring.delete_password(self.service, f"{environment}/{name}")
        except Exception as exc:  # keyring.errors.PasswordDeleteError: it was not set
            logger.debug("keyring delete of %s/%s: %s", environment, name, exc)


def _usable_keyring() -> Any | None:
    try:
        keyring = importlib.import_module("keyring")
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
        # The "fail" and "null" backends accept nothing; a priority below 1 means keyring
        # found no real store (a headless Linux box without a Secret Service).
        if float(getattr(backend, "priority", 0)) < 1:
            return None
    except Exception as exc:
        logger.info("the OS keyring is not usable: %s", exc)
        return None
    return keyring


def default_secret_store(workspace_dir: Path, *, use_keyring: bool = True) -> SecretStore:
    """The OS keyring when usable (and allowed), else the local secrets file."""
    keyring = _usable_keyring() if use_keyring else None
    if keyring is not None:
        return KeyringSecretStore(workspace_dir, keyring)
    return FileSecretStore(workspace_dir)

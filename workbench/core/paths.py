"""Where the application keeps its own files: one module, built on ``platformdirs``.

Everything that is the *user's* work (collections, environments) lives in a workspace folder
the user chooses; the default workspace and the local history database live in the user
data directory returned here. Tests redirect these directories through the XDG variables
(see ``tests/conftest.py``), so nothing here may cache a path at import time.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

__all__ = [
    "APP_NAME",
    "config_dir",
    "data_dir",
    "default_workspace_dir",
    "drafts_path",
    "history_path",
    "log_dir",
    "state_dir",
]

#: The directory name used under every platform base directory.
APP_NAME = "grpc-workbench"


def data_dir() -> Path:
    """The per-user data directory (``~/.local/share/grpc-workbench`` on Linux).

    Returns:
        The directory; it is not created.
    """
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def config_dir() -> Path:
    """The per-user configuration directory (``~/.config/grpc-workbench`` on Linux)."""
    return platformdirs.user_config_path(APP_NAME, appauthor=False)


def state_dir() -> Path:
    """The per-user state directory (``~/.local/state/grpc-workbench`` on Linux)."""
    return platformdirs.user_state_path(APP_NAME, appauthor=False)


def default_workspace_dir() -> Path:
    """The workspace used when the user has not opened one of their own.

    Returns:
        ``<data dir>/workspace``; it is created by ``Workspace.open_default``.
    """
    return data_dir() / "workspace"


def history_path() -> Path:
    """The SQLite database holding the call history (local to this machine, never shared)."""
    return data_dir() / "history.sqlite3"


def drafts_path() -> Path:
    """The drafts of the request tabs open at exit (local to this machine, never shared).

    Returns:
        ``<state dir>/drafts.json``; its folder is created by the first save.
    """
    return state_dir() / "drafts.json"


def log_dir() -> Path:
    """The per-user log directory (``~/.local/state/grpc-workbench/log`` on Linux).

    The Help menu's "Open log folder" opens it; ``workbench.app.logs`` writes there.

    Returns:
        The directory; it is not created.
    """
    return platformdirs.user_log_path(APP_NAME, appauthor=False)

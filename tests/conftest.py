"""Shared fixtures: an isolated environment, the demo server on loopback, TLS material."""

from __future__ import annotations

import os
import socket
import tempfile

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GRPC_VERBOSITY", "NONE")

# Never read or write the developer's own settings, history or logs: every XDG directory
# (and so QSettings and platformdirs) points into a throwaway folder for the whole run.
_HOME = tempfile.mkdtemp(prefix="workbench-test-home-")
for _var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
    os.environ[_var] = os.path.join(_HOME, _var.lower())

pytest_plugins = ["tests.fixtures.servers"]


@pytest.fixture
def unused_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port

"""Shared fixtures: an isolated environment, the demo server on loopback, TLS material."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GRPC_VERBOSITY", "NONE")

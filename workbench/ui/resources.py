"""Icons and style sheets shipped in ``resources/``, loaded with :mod:`importlib.resources`.

The wheel maps the top-level ``resources/`` directory to the package ``workbench._resources``;
when running from a source checkout (an editable install does not map it) we fall back to the
repository's ``resources/`` directory. This module is the only place that knows either layout.
"""

from __future__ import annotations

import functools
import importlib.resources
import logging
from importlib.resources.abc import Traversable
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

logger = logging.getLogger(__name__)

_PACKAGE = "workbench._resources"
_SOURCE_DIR = Path(__file__).resolve().parents[2] / "resources"

#: Icon names every build must ship (a test checks each exists).
ICON_NAMES = (
    "app",
    "unary",
    "server-stream",
    "client-stream",
    "bidi",
    "service",
    "message",
    "enum",
)


@functools.cache
def resources_root() -> Traversable:
    """The root of the shipped resources (package data, or the source tree's ``resources/``)."""
    try:
        root = importlib.resources.files(_PACKAGE)
    except ModuleNotFoundError:
        logger.debug("%s not installed; using %s", _PACKAGE, _SOURCE_DIR)
        return _SOURCE_DIR
    return root


def resource(*parts: str) -> Traversable:
    """The resource at ``parts`` below the root, e.g. ``resource("icons", "app.svg")``."""
    node = resources_root()
    for part in parts:
        node = node.joinpath(part)
    return node


def read_text(*parts: str) -> str:
    """The text of a resource (a QSS theme, say); ``''`` with a logged error when missing."""
    node = resource(*parts)
    try:
        return node.read_text(encoding="utf-8")
    except OSError:
        logger.exception("resource %s is missing", "/".join(parts))
        return ""


@functools.cache
def icon(name: str) -> QIcon:
    """The icon ``resources/icons/<name>.svg`` (cached; a null icon when missing).

    Args:
        name: one of :data:`ICON_NAMES` (or any other icon file's stem).
    """
    node = resource("icons", f"{name}.svg")
    if isinstance(node, Path) and node.is_file():
        # A file path lets Qt's SVG icon engine render crisply at every size.
        return QIcon(str(node))
    try:
        data = node.read_bytes()
    except OSError:
        logger.error("icon %r is missing from the resources", name)
        return QIcon()
    return _icon_from_svg(data)


def _icon_from_svg(data: bytes) -> QIcon:
    """An icon rendered from SVG bytes at the sizes views ask for (package data in a zip)."""
    renderer = QSvgRenderer(QByteArray(data))
    result = QIcon()
    for size in (16, 20, 24, 32, 48, 64, 128, 256):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        result.addPixmap(pixmap)
    return result

"""Logging for the application: a rotating log file in the user log folder, warnings on stderr.

The file keeps INFO and up (DEBUG with ``verbose``) from every logger, so a bug report can
attach it; the Help menu's "Open log folder" opens :func:`workbench.core.paths.log_dir`.
stderr shows warnings and errors only (everything with ``verbose``), as a terminal user
expects. Calling :func:`setup_logging` again replaces the handlers it installed before.
"""

from __future__ import annotations

import logging
import logging.handlers
import platform
import sys
from pathlib import Path
from typing import TextIO

from workbench import __version__
from workbench.core.paths import log_dir

logger = logging.getLogger(__name__)

__all__ = ["LOG_FILE_NAME", "log_file", "setup_logging"]

LOG_FILE_NAME = "grpc-workbench.log"
#: One file holds a few days of normal use; three old files are kept beside it.
MAX_BYTES = 2 * 1024 * 1024
BACKUP_COUNT = 3

_FILE_FORMAT = "%(asctime)s.%(msecs)03d %(levelname)-8s %(name)s: %(message)s"
_STDERR_FORMAT = "%(levelname)s %(name)s: %(message)s"
# Libraries that are chatty at DEBUG about things we never need in a report.
_QUIET = ("asyncio", "hpack", "PIL", "urllib3")


class _OurHandler:
    """Marks the handlers this module installed, so a second setup can replace them."""


class _RotatingFile(logging.handlers.RotatingFileHandler, _OurHandler):
    pass


class _Stderr(logging.StreamHandler[TextIO], _OurHandler):
    pass


def log_file() -> Path:
    """The current log file (``<log dir>/grpc-workbench.log``)."""
    return log_dir() / LOG_FILE_NAME


def setup_logging(verbose: bool) -> Path:
    """Send log records to the rotating log file and to stderr.

    Args:
        verbose: record DEBUG in the file and show everything on stderr (``--verbose``);
            otherwise the file gets INFO and up and stderr WARNING and up.

    Returns:
        The log file. If the log folder cannot be created or written, logging goes to
        stderr only and a warning says why; the path is returned all the same.
    """
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _OurHandler)]:
        root.removeHandler(handler)
        handler.close()

    if sys.stderr is not None:  # None in a windowed (console=False) Windows build
        stderr = _Stderr(sys.stderr)
        stderr.setLevel(logging.DEBUG if verbose else logging.WARNING)
        stderr.setFormatter(logging.Formatter(_STDERR_FORMAT))
        root.addHandler(stderr)

    path = log_file()
    file_handler: _RotatingFile | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        file_handler = _RotatingFile(
            path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=False
        )
    except OSError as exc:
        problem = exc.strerror or str(exc)
    else:
        problem = ""
        file_handler.setLevel(logging.DEBUG if verbose else logging.INFO)
        file_handler.setFormatter(logging.Formatter(_FILE_FORMAT, datefmt="%Y-%m-%d %H:%M:%S"))
        root.addHandler(file_handler)

    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.WARNING)
    logging.captureWarnings(True)  # warnings.warn(...) from libraries land in the log too

    if problem:
        logger.warning("not writing a log file to %s: %s", path.parent, problem)
    else:
        logger.info(
            "grpc-workbench %s, Python %s on %s; log file %s",
            __version__,
            platform.python_version(),
            platform.platform(),
            path,
        )
    return path

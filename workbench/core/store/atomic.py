"""Atomic file writes and file fingerprints: the two primitives every stored file relies on.

A write goes to a temporary file in the same folder, is flushed and fsynced, and then
replaces the target with ``os.replace`` (atomic on POSIX and Windows); the folder is fsynced
too so the rename itself survives a crash. A reader therefore sees either the old or the new
file, never half of one, and a failed write (disk full, read-only folder) leaves the old file
exactly as it was.

A :class:`Fingerprint` (mtime, size, SHA-256) tells whether a file changed since it was
read; comparing the cheap stat fields first keeps a rescan of a large workspace fast.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from workbench.core.errors import StoreError, StoreWriteError

logger = logging.getLogger(__name__)

__all__ = [
    "Fingerprint",
    "atomic_write",
    "fingerprint",
    "read_if_changed",
    "read_with_fingerprint",
    "write_error",
]

#: Prefix of our temporary files; a scan ignores them (they start with a dot).
TEMP_PREFIX = ".wb-tmp-"


@dataclass(frozen=True)
class Fingerprint:
    """What a file looked like when it was read or written.

    Attributes:
        mtime_ns: modification time in nanoseconds.
        size: size in bytes.
        sha256: hex digest of the content.
    """

    mtime_ns: int
    size: int
    sha256: str

    def same_content(self, other: Fingerprint | None) -> bool:
        """Whether ``other`` describes the same bytes (timestamps aside)."""
        return other is not None and other.size == self.size and other.sha256 == self.sha256


def fingerprint(data: bytes, stat: os.stat_result) -> Fingerprint:
    """The fingerprint of ``data`` as stored in a file with ``stat``."""
    return Fingerprint(stat.st_mtime_ns, len(data), hashlib.sha256(data).hexdigest())


def read_with_fingerprint(path: Path) -> tuple[bytes, Fingerprint]:
    """Read a whole file and fingerprint it.

    Raises:
        FileNotFoundError: the file does not exist (callers treat that as "removed").
        StoreError: the file exists but cannot be read.
    """
    try:
        with path.open("rb") as f:
            data = f.read()
            stat = os.fstat(f.fileno())
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise StoreError(
            f"cannot read {path}: {exc.strerror or exc}",
            path=path,
            hint="check the file's permissions",
        ) from None
    return data, fingerprint(data, stat)


def read_if_changed(path: Path, known: Fingerprint | None) -> tuple[bytes, Fingerprint] | None:
    """The file's bytes and new fingerprint if it differs from ``known``, else ``None``.

    Same mtime and size count as unchanged without reading the file. A file whose timestamp
    moved but whose content did not (``touch``, a ``git checkout`` of the same content) also
    counts as unchanged.

    Raises:
        FileNotFoundError: the file no longer exists.
        StoreError: the file cannot be read.
    """
    if known is not None:
        stat = path.stat()
        if stat.st_mtime_ns == known.mtime_ns and stat.st_size == known.size:
            return None
    data, fp = read_with_fingerprint(path)
    if fp.same_content(known):
        return None
    return data, fp


def write_error(exc: OSError, path: Path, what: str = "") -> StoreWriteError:
    """A clear :class:`StoreWriteError` for an ``OSError`` raised while writing ``path``."""
    subject = what or str(path)
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        hint = "the disk is full: free some space and save again; nothing was lost"
        reason = "the disk is full"
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = f"the folder {path.parent} is not writable: check its permissions"
        reason = "permission denied" if code != errno.EROFS else "the file system is read-only"
    else:
        hint = "nothing was lost: the previous version of the file is unchanged"
        reason = exc.strerror or str(exc)
    return StoreWriteError(f"cannot save {subject}: {reason}", path=path, hint=hint)


def _fsync_dir(directory: Path) -> None:
    # Makes the rename durable. Windows cannot open a directory for fsync; NTFS journals
    # the rename itself, so skipping it there is what every atomic-save library does.
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def atomic_write(
    path: Path, data: bytes, *, mode: int | None = None, what: str = ""
) -> Fingerprint:
    """Replace ``path`` with ``data`` atomically.

    Args:
        path: the file to write; its folder must exist.
        data: the complete new content.
        mode: permission bits for the new file (e.g. ``0o600`` for secrets); by default a
            new file gets the usual permissions and an existing file keeps its own.
        what: how to name the file in an error message (default: its path).

    Returns:
        The fingerprint of the written file.

    Raises:
        StoreWriteError: the file could not be written; the old file is untouched and no
            temporary file is left behind.
    """
    directory = path.parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".tmp", dir=directory)
    except OSError as exc:
        raise write_error(exc, path, what) from None
    tmp = Path(tmp_name)
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        if mode is not None:
            os.chmod(tmp, mode)
        elif path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            # mkstemp creates 0600 files; a shared workspace file should look like any other.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise write_error(exc, path, what) from None
    try:
        _fsync_dir(directory)
    except OSError as exc:  # the data is written; only durability across a crash is weaker
        logger.warning("could not fsync %s: %s", directory, exc)
    return fingerprint(data, path.stat())

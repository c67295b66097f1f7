"""Drafts of the open request tabs ("hot exit"): the ``grpc-workbench/drafts`` file.

When the window closes (and a moment after each edit), every request tab it has open is
written down as a :class:`TabDraft`: the request as typed, in the shape of a saved request
(:mod:`workbench.core.store.requests`: target, metadata, the messages as structured JSON,
timeout, notes), how the editor showed it, and, for a tab showing a saved request, which
workspace file that is and whether the tab had unsaved edits. The next start reopens the
tabs as they were. Drafts are this machine's session state, neither the user's collections
nor preferences, so they live in one file of their own in the user state directory
(:func:`workbench.core.paths.drafts_path`), written atomically.

A drafts file that cannot be used (not JSON, not ours, a newer format version) is reported in
the log and ignored, and a tab entry that cannot be used is dropped (also reported). The file
is left exactly as it is until the next save succeeds; that save first copies it aside as
``drafts.json.corrupt-<time>`` (``drafts.json.v<N>-<time>`` for a newer version), so nothing
is destroyed. A file that cannot even be read is never replaced.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Final

from workbench.core.errors import FileFormatError, StoreError
from workbench.core.paths import drafts_path
from workbench.core.store.atomic import atomic_write, read_with_fingerprint, write_error
from workbench.core.store.documents import dump_document, expect, parse_document
from workbench.core.store.requests import SavedRequest, request_body, request_from_body

logger = logging.getLogger(__name__)

__all__ = [
    "DRAFTS_VERSION",
    "DraftStore",
    "Drafts",
    "SavedRef",
    "TabDraft",
    "load_drafts",
    "saved_ref",
]

#: The newest drafts format version this code reads and the one it writes.
DRAFTS_VERSION: Final = 1
_KIND: Final = "drafts"
# Any version is parsed, so that a newer one can be told from a broken file.
_ANY_VERSION: Final = 2**31


@dataclass(frozen=True)
class SavedRef:
    """The saved request a tab showed.

    Attributes:
        workspace: the workspace folder (absolute).
        path: the request file, relative to the workspace folder, ``/``-separated.
        sha256: the file's SHA-256 when the tab loaded or saved it (``''``: unknown); a
            different one at the next start means the file changed on disk since.
        dirty: whether the tab had edits not saved to the file.
    """

    workspace: str
    path: str
    sha256: str = ""
    dirty: bool = False

    def file(self) -> Path:
        """The request file."""
        return Path(self.workspace).joinpath(*PurePosixPath(self.path).parts)


def saved_ref(workspace: Path, file: Path, *, sha256: str = "", dirty: bool = False) -> SavedRef:
    """The reference to ``file`` in the workspace folder ``workspace``.

    Raises:
        ValueError: ``file`` is not inside ``workspace``.
    """
    relative = file.relative_to(workspace)
    return SavedRef(str(workspace), relative.as_posix(), sha256, dirty)


@dataclass(frozen=True)
class TabDraft:
    """One request tab as it was.

    Attributes:
        request: the request as typed (variables not substituted; no name). A message whose
            JSON text did not parse is the text itself, a string.
        address: the window's server at the time (``''`` for none).
        json_mode: whether the editor showed the JSON text rather than the form.
        json_text: the JSON text as typed when it did not parse (``None`` otherwise).
        saved: the saved request the tab showed (``None`` for a tab not saved).
    """

    request: SavedRequest
    address: str = ""
    json_mode: bool = False
    json_text: str | None = None
    saved: SavedRef | None = None

    @property
    def method(self) -> str:
        """The tab's method, ``pkg.Service/Method``."""
        return self.request.method


@dataclass(frozen=True)
class Drafts:
    """Every request tab of the window, in tab order.

    Attributes:
        tabs: the tabs (those open, then those waiting for a schema that has their method).
        current: the index in :attr:`tabs` of the tab shown (``None``: none).
    """

    tabs: tuple[TabDraft, ...] = ()
    current: int | None = None

    def to_bytes(self) -> bytes:
        """The file content.

        Raises:
            ValueError: a request holds a value JSON cannot represent.
        """
        body = {"current": self.current, "tabs": [_tab_body(tab) for tab in self.tabs]}
        return dump_document(_KIND, DRAFTS_VERSION, body)


def _tab_body(tab: TabDraft) -> dict[str, Any]:
    ref = tab.saved
    saved = None
    if ref is not None:
        saved = {
            "workspace": ref.workspace,
            "path": ref.path,
            "sha256": ref.sha256,
            "dirty": ref.dirty,
        }
    return {
        "request": request_body(tab.request),
        "address": tab.address,
        "editor": "json" if tab.json_mode else "form",
        "json_text": tab.json_text,
        "saved": saved,
    }


def _tab_from_body(value: Any, where: str) -> TabDraft:
    if not isinstance(value, dict):
        raise FileFormatError(f"{where}: expected an object")
    request = expect(value, "request", dict, f"{where}.")
    try:
        parsed = request_from_body(request)
    except FileFormatError as exc:
        raise FileFormatError(f"{where}.request.{exc.message}") from None
    editor = value.get("editor", "form")
    if editor not in ("form", "json"):
        raise FileFormatError(f'{where}.editor: expected "form" or "json", found {editor!r}')
    return TabDraft(
        request=parsed,
        address=expect(value, "address", (str, type(None)), f"{where}.") or "",
        json_mode=editor == "json",
        json_text=expect(value, "json_text", (str, type(None)), f"{where}."),
        saved=_ref_from_body(value.get("saved"), f"{where}.saved"),
    )


def _ref_from_body(value: Any, where: str) -> SavedRef | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise FileFormatError(f"{where}: expected null or an object")
    return SavedRef(
        workspace=expect(value, "workspace", str, f"{where}."),
        path=expect(value, "path", str, f"{where}."),
        sha256=expect(value, "sha256", (str, type(None)), f"{where}.") or "",
        dirty=bool(expect(value, "dirty", (bool, type(None)), f"{where}.")),
    )


def load_drafts(data: bytes, path: Path) -> tuple[Drafts, list[str]]:
    """Parse a drafts file of the current version.

    Returns:
        The drafts and what was wrong with the tab entries that were dropped.

    Raises:
        FileFormatError: the file is not JSON, not a drafts file, of a newer version, or has
            no list of tabs.
    """
    doc = parse_document(data, path, kind=_KIND, max_version=DRAFTS_VERSION)
    try:
        entries = expect(doc, "tabs", list, "")
    except FileFormatError as exc:
        raise FileFormatError(f"{path}: {exc.message}", path=path) from None
    shown = doc.get("current")
    tabs: list[TabDraft] = []
    current = None
    problems: list[str] = []
    for i, entry in enumerate(entries):
        try:
            tab = _tab_from_body(entry, f"tabs[{i}]")
        except FileFormatError as exc:
            problems.append(f"dropped a tab: {exc.message}")
            continue
        if i == shown and not isinstance(shown, bool):
            current = len(tabs)
        tabs.append(tab)
    return Drafts(tuple(tabs), current), problems


class DraftStore:
    """The drafts file: read once with :meth:`load`, written by :meth:`save`.

    Args:
        path: the drafts file; ``None`` for :func:`~workbench.core.paths.drafts_path`.
    """

    def __init__(self, path: Path | None = None) -> None:
        self._path = path if path is not None else drafts_path()
        self._drafts: Drafts | None = None
        self._problems: list[str] = []
        self._written: bytes | None = None  # what the file holds, when we know it
        self._aside: tuple[str, bytes] | None = None  # an unusable file's tag and bytes
        self._refusal: StoreError | None = None

    @classmethod
    def load(cls, path: Path | None = None) -> DraftStore:
        """Read the drafts file; never raises (see the module docstring for what happens).

        Args:
            path: the drafts file; ``None`` for :func:`~workbench.core.paths.drafts_path`.
        """
        store = cls(path)
        store._read()
        return store

    @property
    def path(self) -> Path:
        """The drafts file."""
        return self._path

    @property
    def drafts(self) -> Drafts | None:
        """The drafts read (``None``: there was no file, or it could not be used)."""
        return self._drafts

    @property
    def problems(self) -> list[str]:
        """What was wrong with the file when it was read (each also logged as a WARNING)."""
        return list(self._problems)

    def save(self, drafts: Drafts) -> bool:
        """Write ``drafts`` unless the file already holds them.

        An unusable file read earlier is first copied aside (see the module docstring).

        Returns:
            Whether the file was written.

        Raises:
            StoreError: the file could not be read at load time (it is never replaced),
                or a request holds a value JSON cannot represent.
            StoreWriteError: the file could not be written (the old one is unchanged).
        """
        if self._refusal is not None:
            raise self._refusal
        try:
            data = drafts.to_bytes()
        except ValueError as exc:
            raise StoreError(f"cannot save the request drafts: {exc}", path=self._path) from None
        if data == self._written:
            return False
        what = f"the request drafts {self._path}"
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise write_error(exc, self._path, what) from None
        if self._aside is not None:
            tag, original = self._aside
            aside = _free_name(self._path, tag)
            atomic_write(aside, original, what=f"a copy of the unusable drafts file {aside}")
            logger.info("kept the drafts file that could not be used as %s", aside)
            self._aside = None
        atomic_write(self._path, data, what=what)
        self._written = data
        logger.debug("saved %d request draft(s) to %s", len(drafts.tabs), self._path)
        return True

    # -- reading ------------------------------------------------------------------------------

    def _read(self) -> None:
        try:
            data, _ = read_with_fingerprint(self._path)
        except FileNotFoundError:
            logger.info("no request drafts at %s", self._path)
            return
        except StoreError as exc:
            self._report(f"{exc.message}; the request tabs of the last session are not restored")
            self._refusal = StoreError(
                f"not saving the request drafts: {self._path} could not be read",
                path=self._path,
                hint="make the file readable (or remove it), then restart",
            )
            return
        try:
            self._drafts, problems = load_drafts(data, self._path)
        except FileFormatError as exc:
            self._unusable(data, exc.message)
            return
        for problem in problems:
            self._report(f"{self._path}: {problem}")
        if problems:
            self._aside = ("corrupt", data)
        else:
            self._written = data

    def _unusable(self, data: bytes, problem: str) -> None:
        tag = "corrupt"
        try:
            version = parse_document(data, self._path, kind=_KIND, max_version=_ANY_VERSION)[
                "version"
            ]
        except FileFormatError:
            version = None
        if isinstance(version, int) and version > DRAFTS_VERSION:
            tag = f"v{version}"
        self._aside = (tag, data)
        self._report(
            f"{problem}; the request tabs of the last session are not restored (the file is "
            "left as it is and copied aside at the next save)"
        )

    def _report(self, problem: str) -> None:
        self._problems.append(problem)
        logger.warning("%s", problem)


def _free_name(path: Path, tag: str) -> Path:
    """``<name>.<tag>-<time>`` beside ``path``, numbered when that name is taken."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    candidate = path.with_name(f"{path.name}.{tag}-{stamp}")
    counter = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.{tag}-{stamp}-{counter}")
        counter += 1
    return candidate

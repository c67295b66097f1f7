"""Turn the files a user picked into protoc inputs: names, import paths, and nothing to type.

protoc knows a file by its *name* relative to an import path, and every ``import`` must use
that same name, so choosing import paths is the step users of other gRPC clients get wrong
most. This module chooses them:

- With explicit import paths, a file given by path is named relative to the import path that
  contains it; a file outside all of them gets its own directory as an implicit import path
  (as protoc's default ``-I.`` would for a file in the working directory). A file that two
  import paths would name differently is an error, not a silent guess.
- With none, the roots are detected: from ``buf.yaml`` / ``buf.work.yaml`` around the file,
  from the file's ``package`` when the directories mirror it, and from ``import`` lines —
  for each import we walk up from the importing file until an ancestor directory makes the
  import resolve. The walk follows imports transitively.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from workbench.core.errors import AmbiguousProtoPath, FileAccessError
from workbench.core.schema.bufconfig import buf_roots

logger = logging.getLogger(__name__)

_IMPORT = re.compile(r"""\bimport\s+(?:(?:public|weak|option)\s+)?(["'])([^"'\n]+)\1\s*;""")
_PACKAGE = re.compile(r"\bpackage\s+([A-Za-z_][\w.]*)\s*;")


@dataclass(frozen=True)
class ImportLine:
    """One ``import "name";`` statement and the 1-based line it is on."""

    name: str
    line: int


def strip_comments(text: str) -> str:
    """``text`` with comments blanked out; strings and line numbers are kept intact."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            end = i + 1
            while end < n and text[end] not in (ch, "\n"):
                end += 2 if text[end] == "\\" else 1
            out.append(text[i : end + 1])
            i = end + 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def scan_imports(text: str) -> list[ImportLine]:
    """The imports of a .proto source, ignoring anything inside comments."""
    code = strip_comments(text)
    return [
        ImportLine(m.group(2), code.count("\n", 0, m.start()) + 1) for m in _IMPORT.finditer(code)
    ]


def scan_package(text: str) -> str:
    """The ``package`` of a .proto source ('' when it declares none)."""
    match = _PACKAGE.search(strip_comments(text))
    return match.group(1) if match else ""


def display_path(path: Path | str, cwd: Path | None = None) -> str:
    """``path`` as a user recognises it: relative to the working directory when inside it."""
    p = Path(path)
    base = cwd or Path.cwd().resolve()
    if p.is_absolute() and p.is_relative_to(base):
        return p.relative_to(base).as_posix() or "."
    return str(p)


def find_in(roots: Iterable[Path], name: str) -> Path | None:
    """The root that protoc would load ``name`` from: the first one containing it."""
    for root in roots:
        if (root / name).is_file():
            return root
    return None


@dataclass
class CompilePlan:
    """What to hand protoc: input names, import paths in order, and where each name lives.

    Attributes:
        names: the user's files as protoc names them, in the order given.
        import_paths: every ``-I`` directory (resolved), user roots first, bundled last.
        disk: the file each input name was read from.
    """

    names: list[str] = field(default_factory=list)
    import_paths: list[Path] = field(default_factory=list)
    disk: dict[str, Path] = field(default_factory=dict)


def read_proto(path: Path) -> str:
    """The text of a .proto file the user named; FileAccessError when it cannot be read."""
    shown = display_path(path)
    if not path.exists():
        raise FileAccessError(
            f"proto file not found: {shown}",
            hint=f"check the path (relative paths start at {Path.cwd()})",
        )
    if path.is_dir():
        raise FileAccessError(f"{shown} is a directory, not a .proto file")
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise FileAccessError(
            f"cannot read {shown}: {exc.strerror or exc}",
            hint="check the file's permissions",
        ) from exc


def plan_compile(
    files: Sequence[str | Path], import_paths: Sequence[str | Path], bundled: Sequence[Path]
) -> CompilePlan:
    """Choose protoc input names and import paths for ``files``.

    Raises:
        FileAccessError: a file or an explicit import path is missing or unreadable.
        AmbiguousProtoPath: a file would get two different names.
    """
    roots = _explicit_roots(import_paths)
    disks: list[tuple[Path, str | None]] = []  # (file, name when given relative to a root)
    for f in files:
        disks.append(_locate(Path(f), roots))
    texts = {disk: read_proto(disk) for disk, _ in disks}
    plan = CompilePlan()
    implicit: list[Path] = []
    if roots:
        for disk, given in disks:
            name = given or _name_under_explicit(disk, roots, implicit)
            _add(plan, name, disk)
    else:
        detector = _Detector(bundled)
        roots = detector.run(texts)
        for disk, _ in disks:
            root = detector.own_root(disk, roots)
            if root is None:
                root = disk.parent
                if root not in implicit:
                    implicit.append(root)
            _add(plan, disk.relative_to(root).as_posix(), disk)
    plan.import_paths = _unique([*roots, *implicit, *bundled])
    _check_not_shadowed(plan)
    return plan


def _add(plan: CompilePlan, name: str, disk: Path) -> None:
    if name in plan.disk:
        if plan.disk[name] != disk:
            raise _same_name(name, plan.disk[name], disk)
        return  # the same file given twice
    plan.names.append(name)
    plan.disk[name] = disk


def _same_name(name: str, first: Path, second: Path) -> AmbiguousProtoPath:
    common = Path(os.path.commonpath([first, second]))
    return AmbiguousProtoPath(
        display_path(second),
        [(name, display_path(first)), (name, display_path(second))],
        message=f'{display_path(first)} and {display_path(second)} would both be named "{name}"',
        hint=f"pass an import path above both, e.g. -I {display_path(common)}",
    )


def _explicit_roots(import_paths: Sequence[str | Path]) -> list[Path]:
    roots = []
    for p in import_paths:
        root = Path(p).resolve()
        if not root.is_dir():
            what = "is not a directory" if root.exists() else "does not exist"
            raise FileAccessError(f"import path {display_path(p)} {what}")
        roots.append(root)
    return _unique(roots)


def _locate(given: Path, roots: Sequence[Path]) -> tuple[Path, str | None]:
    """The file on disk for ``given``: a path, or (grpcurl style) a name under a root."""
    candidates: dict[Path, str | None] = {}
    if given.exists():
        candidates[given.resolve()] = None
    if not given.is_absolute():
        for root in roots:
            if (root / given).exists():
                # Named relative to an import path: that name is what the user meant.
                candidates[(root / given).resolve()] = given.as_posix()
                break  # protoc takes the first root that has the name
    if len(candidates) > 1:
        raise AmbiguousProtoPath(
            str(given),
            [(given.as_posix(), display_path(c)) for c in candidates],
            hint="name the file by a path that exists in only one place",
        )
    if not candidates:
        return given.resolve(), None  # read_proto reports it as missing
    disk, name = next(iter(candidates.items()))
    return disk, name


def _name_under_explicit(disk: Path, roots: Sequence[Path], implicit: list[Path]) -> str:
    names = [(disk.relative_to(r).as_posix(), r) for r in roots if disk.is_relative_to(r)]
    if not names:
        if disk.parent not in implicit:
            implicit.append(disk.parent)
        return disk.name
    if len({n for n, _ in names}) > 1:
        raise AmbiguousProtoPath(
            display_path(disk),
            [(n, display_path(r)) for n, r in names],
        )
    return names[0][0]


def _check_not_shadowed(plan: CompilePlan) -> None:
    """Each input name must lead protoc back to the file we read, not to another one."""
    for name, disk in plan.disk.items():
        root = find_in(plan.import_paths, name)
        if root is not None and (root / name).resolve() != disk:
            raise _same_name(name, (root / name).resolve(), disk)


def _unique(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p not in out:
            out.append(p)
    return out


class _Detector:
    """Finds import roots for files given without any import path."""

    def __init__(self, bundled: Sequence[Path]) -> None:
        self.bundled = list(bundled)
        self.roots: list[Path] = []
        self.buf: dict[Path, list[Path]] = {}
        self.package_root: dict[Path, Path] = {}
        self.imported_as: dict[Path, Path] = {}  # file -> root an import reached it through

    def run(self, texts: dict[Path, str]) -> list[Path]:
        """Detect roots for the given files (and, transitively, their imports)."""
        for disk in texts:
            workspace = buf_roots(disk.parent)
            self.buf[disk] = [r for r in workspace if disk.is_relative_to(r)]
            # A buf config whose modules do not hold the file belongs to some other tree.
            if self.buf[disk]:
                self._extend(workspace)
        for disk, text in texts.items():
            root = _package_root(disk, scan_package(text))
            if root is not None:
                self.package_root[disk] = root
                self._extend([root])
        queue = list(texts.items())
        seen = set(texts)
        while queue:
            disk, text = queue.pop(0)
            for imp in scan_imports(text):
                found = self._resolve(disk, imp.name)
                if found is not None and found not in seen:
                    seen.add(found)
                    try:
                        queue.append((found, found.read_text(encoding="utf-8", errors="replace")))
                    except OSError:
                        logger.debug("cannot read %s; protoc will report it", found)
        logger.debug("detected import roots: %s", [str(r) for r in self.roots])
        return list(self.roots)

    def own_root(self, disk: Path, roots: Sequence[Path]) -> Path | None:
        """The root that names ``disk``: how others import it, else buf, package, any root."""
        for root in (
            self.imported_as.get(disk),
            *sorted(self.buf.get(disk, []), key=lambda r: -len(r.parts)),
            self.package_root.get(disk),
        ):
            if root is not None and disk.is_relative_to(root):
                return root
        return next((r for r in roots if disk.is_relative_to(r)), None)

    def _extend(self, roots: Iterable[Path]) -> None:
        for r in roots:
            if r not in self.roots:
                self.roots.append(r)

    def _resolve(self, importer: Path, name: str) -> Path | None:
        root = find_in(self.roots, name)
        if root is None:
            # Nearest ancestor first: the directory layout that makes the import work.
            root = find_in(importer.parents, name)
            if root is None:
                if find_in(self.bundled, name) is None:
                    logger.debug("%s: import %r not found near the file", importer, name)
                return None
            logger.debug("%s: import %r resolves from %s", importer, name, root)
            self.roots.append(root)
        found = (root / name).resolve()
        self.imported_as.setdefault(found, root)
        return found


def _package_root(disk: Path, package: str) -> Path | None:
    """The root above ``a/b/c/`` when the file sits in ``a/b/c/`` and its package is ``a.b.c``."""
    if not package:
        return None
    parts = package.split(".")
    dirs = disk.parent.parts
    if len(dirs) > len(parts) and list(dirs[-len(parts) :]) == parts:
        return Path(*dirs[: -len(parts)])
    return None

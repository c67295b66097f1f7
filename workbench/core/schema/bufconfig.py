"""Module roots from ``buf.yaml`` / ``buf.work.yaml``, read without a YAML dependency.

Projects built with buf never spell out import paths: the module roots in their buf config are
the import paths. Reading them lets a user open any .proto in such a tree with no ``-I``.

Only a small YAML subset is understood (block mappings and sequences, ``- key: value`` items,
flow lists ``[a, b]``, quoted and plain scalars, comments) — enough for these files, whose
keys we need are all plain lists of directory names.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

YamlValue = str | list["YamlValue"] | dict[str, "YamlValue"] | None

BUF_YAML = "buf.yaml"
BUF_WORK_YAML = "buf.work.yaml"

_KEY = re.compile(r"""^("[^"]*"|'[^']*'|[^:#\[\]{}'"][^:#]*?)\s*:(?:\s+|$)(.*)$""")


class YamlSubsetError(ValueError):
    """The text uses YAML beyond the subset this reader understands."""


@dataclass(frozen=True)
class _Line:
    indent: int
    text: str
    number: int


def parse_yaml_subset(text: str) -> YamlValue:
    """Parse the small YAML subset buf config files use.

    Raises:
        YamlSubsetError: the text is not in the subset (or not YAML at all).
    """
    lines = [ln for ln in _lines(text) if ln.text not in ("---", "...")]
    if not lines:
        return None
    value, end = _block(lines, 0, lines[0].indent)
    if end != len(lines):
        raise YamlSubsetError(f"line {lines[end].number}: unexpected indentation")
    return value


def _lines(text: str) -> list[_Line]:
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        content = _strip_comment(raw).rstrip()
        if content.strip():
            stripped = content.lstrip(" ")
            out.append(_Line(len(content) - len(stripped), stripped, number))
    return out


def _strip_comment(line: str) -> str:
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line


def _is_item(text: str) -> bool:
    return text == "-" or text.startswith("- ")


def _block(lines: list[_Line], i: int, indent: int) -> tuple[YamlValue, int]:
    if _is_item(lines[i].text):
        return _sequence(lines, i, indent)
    return _mapping(lines, i, indent)


def _sequence(lines: list[_Line], i: int, indent: int) -> tuple[YamlValue, int]:
    items: list[YamlValue] = []
    while i < len(lines) and lines[i].indent == indent and _is_item(lines[i].text):
        rest = lines[i].text[1:].lstrip(" ")
        if not rest:
            if i + 1 < len(lines) and lines[i + 1].indent > indent:
                value, i = _block(lines, i + 1, lines[i + 1].indent)
            else:
                value, i = None, i + 1
        elif _KEY.match(rest):
            # "- key: value" opens a mapping whose keys sit where "key" starts.
            col = indent + len(lines[i].text) - len(rest)
            lines = [*lines[:i], _Line(col, rest, lines[i].number), *lines[i + 1 :]]
            value, i = _mapping(lines, i, col)
        else:
            value, i = _scalar(rest), i + 1
        items.append(value)
    return items, i


def _mapping(lines: list[_Line], i: int, indent: int) -> tuple[YamlValue, int]:
    out: dict[str, YamlValue] = {}
    while i < len(lines) and lines[i].indent == indent and not _is_item(lines[i].text):
        match = _KEY.match(lines[i].text)
        if match is None:
            raise YamlSubsetError(f"line {lines[i].number}: expected 'key: value'")
        key, rest = _unquote(match.group(1)), match.group(2).strip()
        i += 1
        if rest:
            out[key] = _scalar(rest)
        elif i < len(lines) and lines[i].indent > indent:
            out[key], i = _block(lines, i, lines[i].indent)
        elif i < len(lines) and lines[i].indent == indent and _is_item(lines[i].text):
            # YAML allows a sequence at the same indentation as its key.
            out[key], i = _sequence(lines, i, indent)
        else:
            out[key] = None
    return out, i


def _scalar(text: str) -> YamlValue:
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].strip()
        return [_unquote(part.strip()) for part in inner.split(",")] if inner else []
    if text.startswith(("{", "|", ">", "&", "*", "!")):
        raise YamlSubsetError(f"unsupported YAML value {text!r}")
    return _unquote(text)


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


# -- buf ------------------------------------------------------------------------------------


def _read(path: Path) -> dict[str, YamlValue]:
    try:
        data = parse_yaml_subset(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, YamlSubsetError) as exc:
        logger.warning("ignoring %s: %s", path, exc)
        return {}
    return data if isinstance(data, dict) else {}


def _strings(value: YamlValue) -> list[str]:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v]
    return []


def _module_roots(module_dir: Path) -> list[Path]:
    """Roots of a v1/v1beta1 module: ``build.roots`` (v1beta1) or the module dir itself."""
    config = _read(module_dir / BUF_YAML) if (module_dir / BUF_YAML).is_file() else {}
    build = config.get("build")
    roots = _strings(build.get("roots")) if isinstance(build, dict) else []
    return [module_dir / r for r in roots] or [module_dir]


def _workspace_roots(work_dir: Path) -> list[Path]:
    dirs = _strings(_read(work_dir / BUF_WORK_YAML).get("directories"))
    return [root for d in dirs for root in _module_roots(work_dir / d)]


def _v2_roots(config_dir: Path, config: dict[str, YamlValue]) -> list[Path]:
    modules = config.get("modules")
    paths = []
    if isinstance(modules, list):
        paths = [m.get("path") for m in modules if isinstance(m, dict)]
    return [config_dir / p for p in paths if isinstance(p, str) and p] or [config_dir]


def buf_roots(start: Path) -> list[Path]:
    """Module roots of the buf workspace or module around ``start`` (a directory).

    Looks in ``start`` and its ancestors for the nearest ``buf.work.yaml`` (v1 workspace:
    ``directories:``) or ``buf.yaml`` (v2: ``modules: - path:``; v1: the directory itself;
    v1beta1: ``build: roots:``). A v1 module inside a v1 workspace yields every module of the
    workspace, so cross-module imports resolve as they do under ``buf build``.

    Returns:
        Existing root directories (resolved), nearest config first; empty when none applies.
    """
    start = start.resolve()
    for d in (start, *start.parents):
        if (d / BUF_WORK_YAML).is_file():
            return _existing(_workspace_roots(d))
        if (d / BUF_YAML).is_file():
            config = _read(d / BUF_YAML)
            if config.get("version") == "v2":
                return _existing(_v2_roots(d, config))
            for up in d.parents:
                if (up / BUF_WORK_YAML).is_file():
                    workspace = _existing(_workspace_roots(up))
                    if any(d == w or d in w.parents for w in workspace):
                        return workspace
                    break
            return _existing(_module_roots(d))
    return []


def _existing(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        resolved = p.resolve()
        if resolved.is_dir() and resolved not in out:
            out.append(resolved)
        elif not resolved.is_dir():
            logger.debug("buf root %s does not exist; ignored", p)
    return out

"""Names of collections, folders, requests and environments: they are file names.

A name is used as it is for its file or folder, so it must be valid on every system a
workspace may be checked out on (Windows included) and must not collide with a sibling on a
case-insensitive file system (macOS, Windows).
"""

from __future__ import annotations

import re

from workbench.core.errors import InvalidNameError

__all__ = ["MAX_NAME_LENGTH", "check_name", "name_key", "same_name", "unique_name"]

MAX_NAME_LENGTH = 120
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)


def check_name(name: str, what: str) -> str:
    """Return ``name`` if it can be a file name on every platform.

    Args:
        name: the proposed name.
        what: what is being named ('request', 'folder'...), for the message.

    Raises:
        InvalidNameError: the name is empty, too long, hidden, reserved or has characters
            that no file name may contain.
    """
    if not name or not name.strip():
        raise InvalidNameError(f"a {what} needs a name")
    if name != name.strip():
        raise InvalidNameError(
            f"{what} name {name!r} starts or ends with a space", hint="remove the spaces"
        )
    bad = _FORBIDDEN.search(name)
    if bad:
        char = bad.group(0)
        shown = repr(char) if char.isprintable() else f"U+{ord(char):04X}"
        raise InvalidNameError(
            f"{what} name {name!r} contains {shown}, which file names cannot contain",
            hint='avoid < > : " / \\ | ? * and control characters',
        )
    if name.startswith("."):
        raise InvalidNameError(
            f"{what} name {name!r} starts with '.', which hides the file",
            hint="start it with a letter or digit",
        )
    if name.endswith("."):
        raise InvalidNameError(f"{what} name {name!r} ends with '.'", hint="remove the dot")
    if name.split(".", 1)[0].casefold() in _RESERVED:
        raise InvalidNameError(
            f"{what} name {name!r} is reserved on Windows", hint="choose another name"
        )
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidNameError(
            f"{what} name is too long ({len(name)} characters, at most {MAX_NAME_LENGTH})"
        )
    return name


def name_key(name: str) -> tuple[str, str]:
    """The sort key of names: case-insensitive, ties broken by the exact text."""
    return (name.casefold(), name)


def same_name(a: str, b: str) -> bool:
    """Whether two names would be the same file on a case-insensitive file system."""
    return a.casefold() == b.casefold()


def unique_name(base: str, taken: list[str] | set[str], *, suffix: str = " copy") -> str:
    """``base + suffix``, then ``base + suffix + ' 2'``... whichever is free in ``taken``."""
    folded = {t.casefold() for t in taken}
    candidate = f"{base}{suffix}"
    n = 2
    while candidate.casefold() in folded:
        candidate = f"{base}{suffix} {n}"
        n += 1
    return candidate

"""``{{name}}`` variables: resolution within an environment, substitution into requests.

A placeholder is ``{{name}}`` (spaces inside the braces allowed) where ``name`` starts with a
letter or ``_`` and continues with letters, digits, ``_``, ``-`` or ``.``. Anything else
between double braces (``{{ "a": 1 }}``) is left as literal text, so JSON-looking strings
never need escaping.

Substitution applies to the target address and authority, metadata values and every string
value inside the request messages (object keys are not substituted). A placeholder stays a
string: ``"{{count}}"`` in an int field becomes ``"5"``, which the protobuf JSON mapping
accepts for every integer type.

Variables may reference other variables (``host = "{{region}}.example.com"``); a variable
that refers to itself, directly or through a cycle, is an error. Secret values are taken
literally: they are never expanded, so a token containing ``{{`` is sent as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from workbench.core.errors import UnresolvedVariablesError, VariableCycleError
from workbench.core.store.requests import MetadataEntry, SavedRequest, SavedTarget

__all__ = [
    "VARIABLE",
    "VariableUse",
    "apply_variables",
    "check_variables",
    "find_variable_uses",
    "resolve_values",
    "substitute",
    "unresolved_variables",
    "variable_names",
]

#: A ``{{name}}`` placeholder; group 1 is the name.
VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.\-]*)\s*\}\}")


@dataclass(frozen=True)
class VariableUse:
    """One placeholder and where it occurs.

    Attributes:
        name: the variable's name.
        where: a readable location: ``target.address``, ``metadata[0] authorization``,
            ``messages[0].user.name`` or ``environment dev: variable host``.
    """

    name: str
    where: str


def variable_names(text: str) -> list[str]:
    """The names of the placeholders in ``text``, in order (repeats included)."""
    return VARIABLE.findall(text)


def substitute(text: str, values: Mapping[str, str]) -> str:
    """Replace every placeholder whose name is in ``values``; others stay as they are."""
    if "{{" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        return values.get(match.group(1), match.group(0))

    return VARIABLE.sub(one, text)


def resolve_values(
    variables: Mapping[str, str],
    secrets: Mapping[str, str] | None = None,
    *,
    environment: str = "",
) -> tuple[dict[str, str], list[VariableUse]]:
    """Expand the references between an environment's variables.

    Args:
        variables: plain variables; their values may use ``{{other}}``.
        secrets: secret values, used literally; a secret wins over a variable of the same
            name.
        environment: the environment's name, for messages.

    Returns:
        The final values of every variable and secret, and the references to unknown
        variables found inside variable values (left as placeholders in the values).

    Raises:
        VariableCycleError: a variable refers to itself, directly or through others.
    """
    secret_values = dict(secrets or {})
    resolved: dict[str, str] = dict(secret_values)
    unknown: list[VariableUse] = []
    prefix = f"environment {environment}: " if environment else ""

    def resolve(name: str, chain: tuple[str, ...]) -> str:
        if name in resolved:
            return resolved[name]
        if name in chain:
            cycle = (*chain[chain.index(name) :], name)
            raise VariableCycleError(cycle, environment=environment)
        raw = variables[name]

        def one(match: re.Match[str]) -> str:
            ref = match.group(1)
            if ref in secret_values or ref in variables:
                return resolve(ref, (*chain, name))
            unknown.append(VariableUse(ref, f"{prefix}variable {name}"))
            return match.group(0)

        resolved[name] = VARIABLE.sub(one, raw)
        return resolved[name]

    for name in variables:
        if name not in secret_values:
            resolve(name, ())
    return resolved, unknown


def _walk_strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every string inside a JSON value with its path."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk_strings(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _walk_strings(item, f"{where}[{i}]")


def _map_strings(value: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, dict):
        return {key: _map_strings(item, fn) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_map_strings(item, fn) for item in value]
    return value


def find_variable_uses(request: SavedRequest) -> list[VariableUse]:
    """Every placeholder in the parts of ``request`` that are substituted, in order."""
    places: list[tuple[str, str]] = [("target.address", request.target.address)]
    if request.target.authority:
        places.append(("target.authority", request.target.authority))
    places += [(f"metadata[{i}] {m.name}", m.value) for i, m in enumerate(request.metadata)]
    for i, message in enumerate(request.messages):
        places.extend(_walk_strings(message, f"messages[{i}]"))
    return [VariableUse(name, where) for where, text in places for name in variable_names(text)]


def unresolved_variables(
    request: SavedRequest, values: Mapping[str, str], *, extra: list[VariableUse] | None = None
) -> list[VariableUse]:
    """The placeholders of ``request`` that ``values`` cannot fill, with where they occur.

    Args:
        request: the request, before substitution.
        values: the resolved values (see :func:`resolve_values`).
        extra: unknown references found inside the values themselves; those used by the
            request (directly or indirectly) are included too.
    """
    missing: list[VariableUse] = []
    for use in find_variable_uses(request):
        if use.name not in values:
            missing.append(use)
            continue
        # A defined variable whose own value still holds an unknown reference.
        missing.extend(
            VariableUse(name, f"{use.where} (via {{{{{use.name}}}}})")
            for name in variable_names(values[use.name])
            if name not in values and any(e.name == name for e in extra or ())
        )
    return missing


def apply_variables(request: SavedRequest, values: Mapping[str, str]) -> SavedRequest:
    """A copy of ``request`` with every known placeholder replaced (unknown ones kept)."""

    def sub(text: str) -> str:
        return substitute(text, values)

    target = request.target
    new_target = SavedTarget(
        address=sub(target.address),
        plaintext=target.plaintext,
        tls=target.tls,
        authority=sub(target.authority) if target.authority else target.authority,
    )
    return replace(
        request,
        target=new_target,
        metadata=tuple(MetadataEntry(m.name, sub(m.value)) for m in request.metadata),
        messages=tuple(_map_strings(m, sub) for m in request.messages),
    )


def check_variables(
    request: SavedRequest,
    values: Mapping[str, str],
    *,
    environment: str | None,
    unknown_in_values: list[VariableUse] | None = None,
) -> SavedRequest:
    """Substitute, refusing when any placeholder cannot be filled.

    Returns:
        The request with every placeholder replaced.

    Raises:
        UnresolvedVariablesError: listing every unknown variable and where it occurs.
    """
    missing = unresolved_variables(request, values, extra=unknown_in_values)
    if missing:
        raise UnresolvedVariablesError(
            [(use.name, use.where) for use in missing], environment=environment
        )
    return apply_variables(request, values)

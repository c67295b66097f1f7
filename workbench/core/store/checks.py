"""Checks of a saved request against a schema and an environment, before anything is sent.

A saved request outlives the schema it was written for: a method may be renamed or removed,
a field may change type. Loading never fails on that (the body is kept as it was saved);
:func:`check_request` reports it as issues the editor shows next to the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from workbench.core.errors import RequestParseError, SymbolNotFound
from workbench.core.messages.codec import parse_value
from workbench.core.schema.schema import Schema
from workbench.core.store.requests import SavedRequest
from workbench.core.store.variables import apply_variables, find_variable_uses

__all__ = ["RequestIssue", "check_request"]


@dataclass(frozen=True)
class RequestIssue:
    """One thing wrong with a saved request.

    Attributes:
        severity: ``"error"`` blocks sending; ``"warning"`` is worth a look.
        message: what is wrong.
        hint: how to fix it.
        where: the part concerned: ``method``, ``messages[0].user.id``, ``target.address``.
    """

    severity: Literal["error", "warning"]
    message: str
    hint: str = ""
    where: str = ""

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


def check_request(
    request: SavedRequest,
    schema: Schema | None = None,
    values: Mapping[str, str] | None = None,
) -> list[RequestIssue]:
    """Every issue of ``request`` that can be found without sending it.

    Args:
        request: the saved request (before substitution).
        schema: the current schema; without it, schema checks are skipped.
        values: an environment's resolved values; without them, variables are not checked.

    Returns:
        The issues, errors and warnings, in the order of the request's parts.
    """
    issues: list[RequestIssue] = []
    if values is not None:
        for use in find_variable_uses(request):
            if use.name not in values:
                issues.append(
                    RequestIssue(
                        "error",
                        f"unknown variable {{{{{use.name}}}}}",
                        hint="define it in the environment, or choose another environment",
                        where=use.where,
                    )
                )
        request = apply_variables(request, values)
    if not request.target.address.strip():
        issues.append(RequestIssue("error", "no server address", where="target.address"))
    if schema is None:
        return issues
    try:
        method = schema.method(request.method)
    except SymbolNotFound as exc:
        issues.append(
            RequestIssue(
                "warning",
                f"method {request.method} no longer exists in the schema; the saved request "
                "is kept as it is",
                hint=exc.hint or "pick the method it should call now; the messages are kept",
                where="method",
            )
        )
        return issues
    if not method.client_streaming and len(request.messages) > 1:
        issues.append(
            RequestIssue(
                "error",
                f"{method.full_name} takes one message; the request has {len(request.messages)}",
                hint="keep one message",
                where="messages",
            )
        )
    for i, body in enumerate(request.messages):
        try:
            parse_value(body, method.input_type, schema.pool, f"messages[{i}]")
        except RequestParseError as exc:
            if "{{" in str(exc) or (values is None and _has_placeholder(body)):
                continue  # a placeholder filled at send time may make it valid
            issues.append(RequestIssue("error", exc.message, hint=exc.hint, where=exc.path))
    return issues


def _has_placeholder(body: object) -> bool:
    return "{{" in repr(body)

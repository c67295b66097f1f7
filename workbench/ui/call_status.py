"""A call's outcome in plain words: what happened, and what the user can do about it.

The engine reports every outcome as a :class:`Finished` event; a failure on our side of the
wire carries a :class:`WorkbenchError` whose text already names the problem. This module
turns the rest (a status the server or the deadline chose) into a sentence and a hint, and
rewrites the command-line flags core hints mention into the window's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import grpc

from workbench.core.calls.events import Finished
from workbench.core.errors import WorkbenchError

__all__ = ["Outcome", "describe", "describe_error", "format_seconds", "gui_hint", "gui_words"]

_CONNECTION = "Connection… next to the address bar"
# Whole phrases of core hints first, then single flags (longest first).
_FLAGS = (
    ("with --cacert", "in “CA certificate”"),
    ("--insecure to skip verification", "tick “Skip certificate verification”"),
    ("with --cert and --key", "in “Client certificate” and “Client key”"),
    ("check --cacert/--cert/--key", "check the certificate settings"),
    ("use --plaintext", "choose “Plaintext” security"),
    ("drop --plaintext to use TLS", "choose “TLS” security"),
    ("use --authority NAME with", "set “Authority” to"),
    ("--cert and --key", "“Client certificate” and “Client key”"),
    ("raise --connect-timeout (or the deadline)", "raise the deadline"),
    ("raise the limit with --max-msg-size", "raise “Max message size” to"),
    ("--connect-timeout", "the connect timeout"),
    ("--cacert", "“CA certificate”"),
    ("--insecure", "“Skip certificate verification”"),
    ("--plaintext", "“Plaintext” security"),
    ("--authority", "“Authority”"),
    ("--cert", "“Client certificate”"),
    ("--key", "“Client key”"),
    ("--header", "metadata"),
)
_SETTING_FLAGS = re.compile(
    r"--(cacert|insecure|plaintext|authority|cert|key|header|max-msg-size)\b"
)


@dataclass(frozen=True)
class Outcome:
    """How a call ended, for the response view.

    Attributes:
        ok: whether the status is OK.
        title: the status in one line, e.g. ``DEADLINE_EXCEEDED`` or ``OK``.
        text: what happened, in a sentence ('' when OK).
        hint: what to do about it ('' when nothing).
    """

    ok: bool
    title: str
    text: str = ""
    hint: str = ""


def format_seconds(seconds: float) -> str:
    """``850 µs``, ``12.3 ms``, ``1.25 s``."""
    if seconds < 0.001:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def gui_words(text: str) -> str:
    """``text`` with command-line flags named as the window's settings."""
    for flag, words in _FLAGS:
        text = text.replace(flag, words)
    return text


def gui_hint(hint: str) -> str:
    """A core hint in the window's words, pointing at the connection settings if it needs."""
    if not hint:
        return hint
    mentions_settings = _SETTING_FLAGS.search(hint) is not None
    hint = gui_words(hint)
    return f"{hint} (see {_CONNECTION})" if mentions_settings else hint


def describe_error(error: WorkbenchError) -> Outcome:
    """A failure before or outside the call (bad settings, missing file, unreachable)."""
    return Outcome(False, type(error).__name__, gui_words(error.message), gui_hint(error.hint))


def describe(finished: Finished, timeout: float | None, method: str = "") -> Outcome:
    """The outcome of a finished call.

    Args:
        finished: the call's last event.
        timeout: the deadline the call was given (to name it when it passed).
        method: the method's full name (for UNIMPLEMENTED).
    """
    code = finished.code
    title = finished.code_name
    if finished.ok:
        return Outcome(True, title)
    if finished.error is not None:
        error = finished.error
        return Outcome(False, title, gui_words(error.message), gui_hint(error.hint))
    message = finished.message
    said = f": “{message}”" if message else ""
    if code is grpc.StatusCode.CANCELLED:
        if "by the client" in message:
            text = f"You cancelled the call after {format_seconds(finished.elapsed)}."
        else:
            text = f"The call was cancelled{said}."
        return Outcome(False, title, text)
    if code is grpc.StatusCode.DEADLINE_EXCEEDED:
        given = f" of {timeout:g} s" if timeout else ""
        return Outcome(
            False,
            title,
            f"The deadline{given} passed before the server answered.",
            "raise the deadline (next to Send), or clear it to wait as long as it takes",
        )
    if code is grpc.StatusCode.UNIMPLEMENTED:
        return Outcome(
            False,
            title,
            f"The server does not implement {method or 'this method'}{said}.",
            "reload the schema: the server may run another version of the service",
        )
    if code is grpc.StatusCode.UNAUTHENTICATED:
        return Outcome(
            False,
            title,
            f"The server did not accept the call's credentials{said}.",
            "add the credentials the server expects as metadata, e.g. authorization",
        )
    if code is grpc.StatusCode.PERMISSION_DENIED:
        return Outcome(False, title, f"The server refused the call: permission denied{said}.")
    if code is grpc.StatusCode.UNAVAILABLE:
        return Outcome(
            False,
            title,
            f"The server is unavailable{said}.",
            "check that it is running and reachable, then send again",
        )
    hint = "the error details below say more" if finished.details else ""
    return Outcome(False, title, f"The server answered {title}{said}.", hint)

"""Turn transport-level gRPC failures into errors that name the problem and the fix.

gRPC reports an unreachable server, a refused connection and a failed TLS handshake all as
``UNAVAILABLE``; only the details text tells them apart. We classify that text once, here.
The texts come from grpc core (1.6x-1.8x), e.g.::

    failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:1:
        Failed to connect to remote host: Connection refused
    ... Tls handshake failed (TSI_PROTOCOL_FAILURE): SSL_ERROR_SSL: ...CERTIFICATE_VERIFY_FAILED
    ... Custom verification check failed with error: UNAUTHENTICATED: Hostname Verification ...
    ... UNAVAILABLE: ipv4:127.0.0.1:443: Socket closed
    Received message larger than max (5242885 vs. 4194304)
"""

from __future__ import annotations

import re
from collections.abc import Collection

import grpc
import grpc.aio

from workbench.core.calls.channels import Target
from workbench.core.errors import ConnectionFailed, MessageTooLarge, TlsError, WorkbenchError

_TOO_LARGE = re.compile(r"(sent|received) message larger than max \((\d+) vs\. (\d+)\)")


def diagnose_rpc_error(
    exc: grpc.aio.AioRpcError, target: Target, *, sent_sizes: Collection[int] = ()
) -> WorkbenchError | None:
    """A :class:`ConnectionFailed`/:class:`TlsError` when ``exc`` is a transport failure.

    Returns ``None`` when the server was reached and answered with a status: that status is a
    call result, not an error of ours.
    """
    return diagnose_status(exc.code(), exc.details() or "", target, sent_sizes=sent_sizes)


def diagnose_status(
    code: grpc.StatusCode,
    details: str,
    target: Target,
    *,
    sent_sizes: Collection[int] = (),
) -> WorkbenchError | None:
    """Classify a status code and its details text (see :func:`diagnose_rpc_error`).

    Args:
        code: the status code.
        details: the status message.
        target: the target called (its TLS settings shape the hints).
        sent_sizes: sizes of the request messages sent, to tell a response over our
            receive limit from a request over the server's.
    """
    low = details.lower()
    if code == grpc.StatusCode.UNAVAILABLE:
        return _tls_failure(low, details, target) or _connect_failure(low, details, target)
    if code == grpc.StatusCode.DEADLINE_EXCEEDED and "connect" in low:
        return connect_timeout(target, None)
    if code == grpc.StatusCode.RESOURCE_EXHAUSTED:
        return _too_large(low, target, sent_sizes)
    return None


def _tls_failure(low: str, details: str, target: Target) -> WorkbenchError | None:
    addr = target.address
    if "certificate_verify_failed" in low or "unable to get local issuer" in low:
        return TlsError(
            f"TLS handshake with {addr} failed: the server certificate is not trusted",
            hint="pass the CA that signed the server certificate with --cacert, "
            "or --insecure to skip verification",
        )
    if "hostname verification" in low or "no match found for server name" in low:
        return TlsError(
            f"TLS handshake with {addr} failed: the server certificate is not valid for "
            f"the name {target.authority or addr!r}",
            hint="use --authority NAME with a name the certificate was issued for",
        )
    if "wrong_version_number" in low or "packet_length_too_long" in low:
        return TlsError(
            f"TLS handshake with {addr} failed: the server does not speak TLS",
            hint="the server is plaintext; use --plaintext",
        )
    if "socket closed" in low and target.uses_tls and "handshake" not in low:
        # A server requiring client certificates simply drops the connection when we
        # present none (or one it does not trust); grpc only sees the socket close.
        if target.tls.cert_file:
            return TlsError(
                f"{addr} closed the connection during TLS setup: it may not accept the client "
                "certificate",
                hint="check that --cert is signed by a CA the server trusts",
            )
        return TlsError(
            f"{addr} closed the connection during TLS setup: it may require a client certificate",
            hint="pass a client certificate and key with --cert and --key",
        )
    if "tls handshake failed" in low or ("ssl" in low and "handshake" in low):
        return TlsError(
            f"TLS handshake with {addr} failed: {_last_error(details)}",
            hint="check --cacert/--cert/--key, or use --plaintext for a plaintext server",
        )
    return None


def _connect_failure(low: str, details: str, target: Target) -> WorkbenchError | None:
    addr = target.address
    if "socket closed" in low:
        return ConnectionFailed(
            f"{addr} closed the connection (the server may require TLS)",
            hint="drop --plaintext to use TLS",
        )
    if "connection refused" in low:
        return ConnectionFailed(
            f"connection to {addr} refused: nothing is listening there",
            hint="check the port, and that the server is running",
        )
    if "no such file or directory" in low and "unix" in low:
        return ConnectionFailed(
            f"cannot connect to {addr}: the socket file does not exist",
            hint="check the path, and that the server is running",
        )
    if "resolv" in low or "name not found" in low or "lookup" in low:
        return ConnectionFailed(
            f"cannot resolve the host of {addr}", hint="check the host name for typos"
        )
    # grpc gives up a connect attempt at the connect timeout by shutting the handshake down.
    if any(w in low for w in ("timeout", "timed out", "deadline", "handshaker shutdown")):
        return connect_timeout(target, target.connect_timeout)
    if "failed to connect" in low or "connect" in low:
        return ConnectionFailed(
            f"cannot connect to {addr}: {_last_error(details)}",
            hint="check the address and that the server is running",
        )
    return None


def connect_timeout(target: Target, seconds: float | None) -> ConnectionFailed:
    """The error for a connection that was not made in time (``seconds`` if known)."""
    within = f" (no answer within {seconds:g} s)" if seconds else ""
    return ConnectionFailed(
        f"timed out connecting to {target.address}{within}",
        hint="check the address and firewalls; raise --connect-timeout (or the deadline) "
        "for a slow network",
    )


def _too_large(low: str, target: Target, sent_sizes: Collection[int]) -> WorkbenchError | None:
    match = _TOO_LARGE.search(low)
    if match is None:
        return None
    direction, size, limit = match.group(1), int(match.group(2)), int(match.group(3))
    if direction == "sent":
        return MessageTooLarge(
            f"request message of {size} bytes exceeds the send limit of {limit} bytes",
            hint=f"raise the limit with --max-msg-size {_suggest(size)}",
        )
    if size in sent_sizes:
        # The server's receive limit, reported back to us with the same wording.
        return MessageTooLarge(
            f"the server rejected a request message of {size} bytes: its limit is {limit} bytes",
            hint="send a smaller message; the limit is configured on the server",
        )
    current = "the default" if target.max_msg_size is None else "the --max-msg-size"
    return MessageTooLarge(
        f"response message of {size} bytes exceeds {current} receive limit of {limit} bytes",
        hint=f"raise the limit with --max-msg-size {_suggest(size)}",
    )


def _suggest(size: int) -> int:
    """A round limit above ``size``: the next power of two."""
    return 1 << max(size - 1, 1).bit_length()


def _last_error(details: str) -> str:
    """The interesting tail of grpc's 'failed to connect to all addresses; last error: ...'."""
    tail = details.rsplit("last error:", 1)[-1].strip()
    return tail.removesuffix(": OK").strip() or details

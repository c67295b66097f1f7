"""Turn transport-level gRPC failures into errors that name the problem and the fix.

gRPC reports an unreachable server, a refused connection and a failed TLS handshake all as
``UNAVAILABLE``; only the details text tells them apart. We classify that text once, here.
"""

from __future__ import annotations

import grpc
import grpc.aio

from workbench.core.calls.channels import Target
from workbench.core.errors import ConnectionFailed, TlsError, WorkbenchError


def diagnose_rpc_error(exc: grpc.aio.AioRpcError, target: Target) -> WorkbenchError | None:
    """A :class:`ConnectionFailed`/:class:`TlsError` when ``exc`` is a transport failure.

    Returns ``None`` when the server was reached and answered with a status: that status is a
    call result, not an error of ours.
    """
    code = exc.code()
    details = exc.details() or ""
    return diagnose_status(code, details, target)


def diagnose_status(code: grpc.StatusCode, details: str, target: Target) -> WorkbenchError | None:
    """Classify a status code and its details text (see :func:`diagnose_rpc_error`)."""
    addr = target.address
    low = details.lower()
    if code == grpc.StatusCode.UNAVAILABLE:
        if "certificate_verify_failed" in low or "unable to get local issuer" in low:
            return TlsError(
                f"TLS handshake with {addr} failed: the server certificate is not trusted",
                hint="pass the server's CA with --cacert, or --insecure to skip verification",
            )
        if "hostname verification" in low or "no match found for server name" in low:
            return TlsError(
                f"TLS handshake with {addr} failed: the certificate does not match the host name",
                hint="use --authority NAME with a name the certificate was issued for",
            )
        if "wrong_version_number" in low or "tls handshake failed" in low:
            return TlsError(
                f"TLS handshake with {addr} failed (the server may not speak TLS)",
                hint="if the server is plaintext, use --plaintext",
            )
        if "ssl" in low and ("certificate" in low or "alert" in low or "handshake" in low):
            return TlsError(
                f"TLS handshake with {addr} failed: {_last_error(details)}",
                hint="check --cacert/--cert/--key; a server requiring client certificates "
                "needs --cert and --key",
            )
        if "socket closed" in low and not target.uses_tls:
            return ConnectionFailed(
                f"{addr} closed the connection (the server may require TLS)",
                hint="drop --plaintext to use TLS",
            )
        if "connection refused" in low:
            return ConnectionFailed(
                f"connection to {addr} refused: nothing is listening there",
                hint="check the port, and that the server is running",
            )
        if "dns" in low or "resolving" in low or "name not found" in low or "lookup" in low:
            return ConnectionFailed(
                f"cannot resolve the host of {addr}", hint="check the host name for typos"
            )
        if "failed to connect" in low or "connect" in low:
            return ConnectionFailed(
                f"cannot connect to {addr}: {_last_error(details)}",
                hint="check the address and that the server is running",
            )
        return None
    if code == grpc.StatusCode.DEADLINE_EXCEEDED and "connect" in low:
        return ConnectionFailed(
            f"timed out connecting to {addr}",
            hint="check the address, firewalls, and --connect-timeout",
        )
    return None


def _last_error(details: str) -> str:
    """The interesting tail of grpc's 'failed to connect to all addresses; last error: ...'."""
    tail = details.rsplit("last error:", 1)[-1].strip()
    return tail.removesuffix(": OK").strip() or details

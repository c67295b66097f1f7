"""Targets and channels: where to connect and how (TLS, authority, channel options).

A :class:`Target` is a frozen description of a server; :class:`ChannelManager` opens one
``grpc.aio`` channel per target and caches it. Channels must be created inside the running
event loop that will use them (grpc.aio objects are bound to one loop), so the manager opens
them lazily from coroutines.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import grpc
import grpc.aio

from workbench.core.calls.metadata import parse_metadata
from workbench.core.calls.tls import (
    certificate_names,
    check_key_matches_cert,
    fetch_server_certificate,
)
from workbench.core.errors import FileAccessError, UsageError

logger = logging.getLogger(__name__)

__all__ = [
    "ChannelManager",
    "Compression",
    "LbPolicy",
    "Target",
    "TlsConfig",
    "channel_credentials",
    "client_pair",
    "grpc_compression",
    "is_local_address",
    "open_channel",
    "parse_metadata",
    "read_pem",
]

LbPolicy = Literal["pick_first", "round_robin"]
Compression = Literal["none", "gzip", "deflate"]


@dataclass(frozen=True)
class TlsConfig:
    """TLS settings. ``None`` paths mean "system default" (roots) or "no client cert"."""

    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    #: Skip server verification (trust whatever certificate the server presents).
    insecure: bool = False


@dataclass(frozen=True)
class Target:
    """A server and everything needed to open a channel to it.

    Attributes:
        address: ``host:port``, ``unix:///path``, or any gRPC target string such as
            ``ipv4:127.0.0.1:8888,127.0.0.1:9999`` or ``dns:///host:port``.
        plaintext: ``True`` for no TLS, ``False`` for TLS, ``None`` to decide from the address
            (loopback and unix sockets are plaintext, everything else TLS).
        tls: certificates and verification when TLS is used.
        authority: overrides the ``:authority`` header and the name checked in the
            server certificate.
        connect_timeout: seconds to wait for the connection before failing.
        compression: default compression for calls on this channel.
        max_msg_size: max send/receive message size in bytes (``None`` = gRPC's 4 MiB receive).
        keepalive_time: seconds between keepalive pings (``None`` = off).
        keepalive_timeout: seconds to wait for a keepalive ack.
        lb_policy: load-balancing policy when the target resolves to several backends.
        options: extra raw channel arguments.
    """

    address: str
    plaintext: bool | None = None
    tls: TlsConfig = field(default_factory=TlsConfig)
    authority: str | None = None
    connect_timeout: float = 10.0
    compression: Compression = "none"
    max_msg_size: int | None = None
    keepalive_time: float | None = None
    keepalive_timeout: float | None = None
    lb_policy: LbPolicy | None = None
    options: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        if not self.address.strip():
            raise UsageError("no server address given", hint="use HOST:PORT, e.g. localhost:50051")
        if (self.tls.cert_file is None) != (self.tls.key_file is None):
            raise UsageError(
                "--cert and --key must be given together",
                hint="mutual TLS needs both the client certificate and its private key",
            )
        if self.plaintext is True and (self.tls.ca_file or self.tls.cert_file or self.tls.insecure):
            raise UsageError(
                "--plaintext cannot be combined with TLS options (--cacert/--cert/--key/--insecure)"
            )
        if self.tls.insecure and self.tls.ca_file:
            raise UsageError(
                "--insecure and --cacert contradict each other",
                hint="--insecure skips verification; --cacert verifies with that CA",
            )
        if self.connect_timeout <= 0:
            raise UsageError("the connect timeout must be positive")
        if self.max_msg_size is not None and self.max_msg_size <= 0:
            raise UsageError("--max-msg-size must be a positive number of bytes")

    @property
    def uses_tls(self) -> bool:
        """Whether the channel will use TLS."""
        if self.plaintext is not None:
            return not self.plaintext
        if self.tls.ca_file or self.tls.cert_file or self.tls.insecure:
            return True
        return not is_local_address(self.address)

    @property
    def grpc_target(self) -> str:
        """The target string handed to grpc (``unix:`` etc. kept as is)."""
        return self.address.strip()

    def with_address(self, address: str) -> Target:
        """A copy of this target pointing elsewhere."""
        return replace(self, address=address)

    def channel_options(self) -> list[tuple[str, Any]]:
        """The grpc channel arguments for this target."""
        opts: list[tuple[str, Any]] = []
        if self.authority:
            # default_authority sets the :authority header; for TLS the certificate is
            # checked against ssl_target_name_override, so both must name the server.
            opts.append(("grpc.default_authority", self.authority))
            if self.uses_tls:
                opts.append(("grpc.ssl_target_name_override", self.authority))
        if self.max_msg_size is not None:
            opts.append(("grpc.max_receive_message_length", self.max_msg_size))
            opts.append(("grpc.max_send_message_length", self.max_msg_size))
        if self.keepalive_time is not None:
            opts.append(("grpc.keepalive_time_ms", int(self.keepalive_time * 1000)))
            # The default (2) stops pinging a quiet long-lived stream after two pings, which
            # is exactly the case keepalive is for. Pinging an idle connection (no calls) is
            # left off, as in grpcurl: servers with the default policy answer it with a
            # GOAWAY "too_many_pings".
            opts.append(("grpc.http2.max_pings_without_data", 0))
        if self.keepalive_timeout is not None:
            opts.append(("grpc.keepalive_timeout_ms", int(self.keepalive_timeout * 1000)))
        if self.lb_policy is not None:
            opts.append(("grpc.lb_policy_name", self.lb_policy))
        # Fail fast rather than back off for minutes when the server is down. The first
        # connect attempt may take max(min_reconnect_backoff, initial backoff), so the
        # minimum is our connect timeout.
        opts.append(("grpc.initial_reconnect_backoff_ms", 200))
        opts.append(("grpc.max_reconnect_backoff_ms", 2000))
        opts.append(("grpc.min_reconnect_backoff_ms", max(1, int(self.connect_timeout * 1000))))
        opts.extend(self.options)
        return opts

    def grpc_compression(self) -> grpc.Compression:
        """The grpc compression enum for :attr:`compression`."""
        return grpc_compression(self.compression)


def grpc_compression(name: Compression) -> grpc.Compression:
    """The grpc enum for a compression name."""
    return {
        "none": grpc.Compression.NoCompression,
        "gzip": grpc.Compression.Gzip,
        "deflate": grpc.Compression.Deflate,
    }[name]


def is_local_address(address: str) -> bool:
    """Whether ``address`` is a unix socket or a loopback host (plaintext by default)."""
    addr = address.strip()
    if addr.startswith(("unix:", "unix-abstract:")):
        return True
    for prefix in ("dns:///", "ipv4:", "ipv6:", "passthrough:///"):
        if addr.startswith(prefix):
            addr = addr[len(prefix) :]
            break
    hosts = [_host_of(a) for a in addr.split(",")]
    return all(_is_loopback(h) for h in hosts) and bool(hosts)


def _host_of(hostport: str) -> str:
    hp = hostport.strip()
    if hp.startswith("["):
        return hp[1 : hp.find("]")] if "]" in hp else hp[1:]
    if hp.count(":") == 1:
        return hp.split(":", 1)[0]
    return hp


def _is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_pem(path: str | None, what: str) -> bytes | None:
    """Read a PEM file the user named, with a clear error when it cannot be read."""
    if path is None:
        return None
    p = Path(path).expanduser()
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise FileAccessError(f"{what} file not found: {p}") from None
    except OSError as exc:
        raise FileAccessError(f"cannot read {what} file {p}: {exc.strerror}") from None
    if b"-----BEGIN" not in data:
        raise FileAccessError(
            f"{what} file {p} is not PEM", hint="expected a file with -----BEGIN ...----- blocks"
        )
    return data


class ChannelManager:
    """Opens and caches one ``grpc.aio`` channel per :class:`Target`.

    Create it and use it from inside the running event loop; close it with :meth:`close`.
    """

    def __init__(self) -> None:
        self._channels: dict[Target, grpc.aio.Channel] = {}
        self._lock = asyncio.Lock()

    async def channel(self, target: Target) -> grpc.aio.Channel:
        """The (cached) channel for ``target``.

        Raises:
            FileAccessError: a certificate or key file is missing or unusable.
            ConnectionFailed: ``--insecure`` could not fetch the server certificate.
        """
        ch = self._channels.get(target)
        if ch is not None:
            return ch
        async with self._lock:
            ch = self._channels.get(target)
            if ch is None:
                ch = await open_channel(target)
                self._channels[target] = ch
            return ch

    async def forget(self, target: Target) -> None:
        """Close and drop the channel of ``target`` (e.g. after settings changed)."""
        async with self._lock:
            ch = self._channels.pop(target, None)
        if ch is not None:
            await ch.close()

    async def close(self) -> None:
        """Close every channel."""
        async with self._lock:
            channels, self._channels = list(self._channels.values()), {}
        for ch in channels:
            await ch.close()


async def open_channel(target: Target) -> grpc.aio.Channel:
    """Open a new channel for ``target`` (does not wait for the connection).

    Must run inside the event loop that will use the channel.

    Raises:
        FileAccessError: a certificate or key file is missing or unusable.
        TlsError: the client key does not match the client certificate.
        ConnectionFailed: ``--insecure`` could not fetch the server certificate.
    """
    options = target.channel_options()
    compression = target.grpc_compression()
    if not target.uses_tls:
        return grpc.aio.insecure_channel(
            target.grpc_target, options=options, compression=compression
        )
    pinned: bytes | None = None
    if target.tls.insecure:
        client_pair(target)  # unusable client files: say so before touching the network
        pinned = await fetch_server_certificate(
            target.grpc_target,
            target.connect_timeout,
            server_name=target.authority,
            client_cert=_client_cert_paths(target),
        )
        # grpc cannot skip verification: trust the certificate the server showed us, and
        # check it against a name it was issued for rather than the address we dialled.
        names = certificate_names(pinned)
        if names:
            options = [o for o in options if o[0] != "grpc.ssl_target_name_override"]
            options.append(("grpc.ssl_target_name_override", names[0]))
    creds = channel_credentials(target, pinned_root=pinned)
    logger.debug("opening TLS channel to %s", target.grpc_target)
    return grpc.aio.secure_channel(
        target.grpc_target, creds, options=options, compression=compression
    )


def _client_cert_paths(target: Target) -> tuple[str, str] | None:
    if target.tls.cert_file and target.tls.key_file:
        return (
            str(Path(target.tls.cert_file).expanduser()),
            str(Path(target.tls.key_file).expanduser()),
        )
    return None


def channel_credentials(
    target: Target, *, pinned_root: bytes | None = None
) -> grpc.ChannelCredentials:
    """TLS credentials for ``target``.

    Args:
        target: where the certificate paths come from.
        pinned_root: a certificate to trust instead of ``--cacert``/the system roots
            (the server's own certificate for ``--insecure``).

    Raises:
        FileAccessError: a certificate or key file is missing, unreadable or not PEM.
        TlsError: the client key does not match the client certificate.
    """
    root = pinned_root or read_pem(target.tls.ca_file, "CA certificate")
    cert, key = client_pair(target)
    return grpc.ssl_channel_credentials(
        root_certificates=root, private_key=key, certificate_chain=cert
    )


def client_pair(target: Target) -> tuple[bytes | None, bytes | None]:
    """The client certificate chain and key PEM (``None``, ``None`` without mTLS), checked.

    Raises:
        FileAccessError: a file is missing, unreadable, not PEM, or does not parse.
        TlsError: the key does not belong to the certificate.
    """
    cert = read_pem(target.tls.cert_file, "client certificate")
    key = read_pem(target.tls.key_file, "client key")
    if cert is not None and key is not None:
        check_key_matches_cert(cert, key, target.tls.cert_file or "", target.tls.key_file or "")
    return cert, key

"""TLS helpers: fetch a server's certificate, read the names in it, check a key pair.

``--insecure`` has no direct equivalent in grpc's Python API (it cannot switch off
verification), so we fetch the leaf certificate the server presents with the ``ssl``
module and hand it to grpc as the trusted root. BoringSSL accepts a leaf as a trust anchor;
the name check is then pointed at a name inside that leaf via
``grpc.ssl_target_name_override``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import socket
import ssl
import tempfile
from typing import Any

from workbench.core.errors import ConnectionFailed, FileAccessError, TlsError

try:  # cryptography is optional (it comes with trustme in the test extras)
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    HAVE_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - exercised only without cryptography
    HAVE_CRYPTOGRAPHY = False


async def fetch_server_certificate(
    address: str,
    timeout: float,  # noqa: ASYNC109 - a socket timeout for the blocking handshake thread
    *,
    server_name: str | None = None,
    client_cert: tuple[str, str] | None = None,
) -> bytes:
    """The PEM of the leaf certificate the server at ``address`` presents.

    The handshake runs without verification in an executor (``ssl`` is blocking).

    Args:
        address: a gRPC target: ``host:port``, ``dns:///host:port``, ``ipv4:a:p,b:p``,
            ``unix:/path``; for several addresses the first is used.
        timeout: seconds for connect plus handshake.
        server_name: the SNI name to send (default: the host, when it is a name).
        client_cert: ``(cert_file, key_file)`` to present if the server asks for one.

    Raises:
        ConnectionFailed: the server cannot be reached.
        TlsError: the server did not complete a TLS handshake.
    """
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        None, _fetch_blocking, address, timeout, server_name, client_cert
    )


def _fetch_blocking(
    address: str, timeout: float, server_name: str | None, client_cert: tuple[str, str] | None
) -> bytes:
    family, sockaddr, host = split_target(address)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    # grpc servers speak HTTP/2 only; offering h2 makes the handshake look like grpc's.
    ctx.set_alpn_protocols(["h2"])
    if client_cert is not None:
        try:
            ctx.load_cert_chain(*client_cert)
        except (ssl.SSLError, OSError) as exc:
            raise TlsError(f"cannot use the client certificate {client_cert[0]}: {exc}") from None
    sni = server_name or (host if host and not _is_ip(host) else None)
    try:
        with socket.socket(family, socket.SOCK_STREAM) as raw:
            raw.settimeout(timeout)
            raw.connect(sockaddr)
            with ctx.wrap_socket(raw, server_hostname=sni) as tls:
                der = tls.getpeercert(binary_form=True)
    except ssl.SSLError as exc:
        raise TlsError(
            f"TLS handshake with {address} failed: {exc.reason or exc}",
            hint="if the server is plaintext, use --plaintext",
        ) from None
    except TimeoutError:
        raise ConnectionFailed(
            f"timed out connecting to {address}", hint="check the address and firewalls"
        ) from None
    except ConnectionRefusedError:
        raise ConnectionFailed(
            f"connection to {address} refused: nothing is listening there",
            hint="check the port, and that the server is running",
        ) from None
    except OSError as exc:
        raise ConnectionFailed(
            f"cannot connect to {address}: {exc.strerror or exc}",
            hint="check the address and that the server is running",
        ) from None
    if not der:
        raise TlsError(f"the server at {address} presented no certificate")
    return ssl.DER_cert_to_PEM_cert(der).encode("ascii")


def split_target(address: str) -> tuple[socket.AddressFamily, Any, str]:
    """``(family, sockaddr, host)`` of the first address of a gRPC target string.

    Raises:
        ConnectionFailed: the target cannot be parsed or its host not resolved.
    """
    addr = address.strip()
    for prefix in ("unix-abstract:", "unix://", "unix:"):
        if addr.startswith(prefix):
            path = addr[len(prefix) :]
            if prefix == "unix-abstract:":
                path = "\0" + path
            return socket.AF_UNIX, path, ""
    for prefix in ("dns:///", "dns:", "ipv4:", "ipv6:", "passthrough:///"):
        if addr.startswith(prefix):
            addr = addr[len(prefix) :]
            break
    first = addr.split(",")[0].strip()
    if first.startswith("["):
        host, _, rest = first[1:].partition("]")
        port_text = rest.lstrip(":")
    else:
        host, _, port_text = first.rpartition(":")
        if not host:
            host, port_text = port_text, "443"
    try:
        port = int(port_text or "443")
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (ValueError, OSError) as exc:
        raise ConnectionFailed(
            f"cannot resolve {address}: {exc}", hint="check the host name and port"
        ) from None
    family, _, _, _, sockaddr = info[0]
    return family, sockaddr, host


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def certificate_names(pem: bytes) -> list[str]:
    """Names a certificate is valid for: SAN DNS names, SAN IPs, then the subject CN.

    Wildcard names come after concrete ones, with ``*`` replaced by a label so that the
    result can be used as a host name to verify against.
    """
    dns, ips, cns = _names_with_cryptography(pem) if HAVE_CRYPTOGRAPHY else _names_with_ssl(pem)
    names: list[str] = []
    for name in [*(n for n in dns if "*" not in n), *ips, *cns, *(n for n in dns if "*" in n)]:
        concrete = name.replace("*", "workbench", 1) if name.startswith("*.") else name
        if concrete not in names:
            names.append(concrete)
    return names


def _names_with_cryptography(pem: bytes) -> tuple[list[str], list[str], list[str]]:
    try:
        cert = x509.load_pem_x509_certificate(pem)
    except ValueError as exc:
        raise TlsError(f"cannot parse certificate: {exc}") from None
    dns: list[str] = []
    ips: list[str] = []
    with contextlib.suppress(x509.ExtensionNotFound):
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns = list(san.get_values_for_type(x509.DNSName))
        ips = [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    cns = [str(a.value) for a in cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)]
    return dns, ips, cns


def _names_with_ssl(pem: bytes) -> tuple[list[str], list[str], list[str]]:
    # The stdlib can only decode a certificate from a file, through a private helper.
    fd, path = tempfile.mkstemp(suffix=".pem")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        decoded = ssl._ssl._test_decode_cert(path)  # type: ignore[attr-defined]
    except (ssl.SSLError, OSError) as exc:
        raise TlsError(f"cannot parse certificate: {exc}") from None
    finally:
        os.unlink(path)
    dns = [v for k, v in decoded.get("subjectAltName", ()) if k == "DNS"]
    ips = [v.strip() for k, v in decoded.get("subjectAltName", ()) if k == "IP Address"]
    cns = [v for rdn in decoded.get("subject", ()) for k, v in rdn if k == "commonName"]
    return dns, ips, cns


def check_key_matches_cert(cert_pem: bytes, key_pem: bytes, cert_path: str, key_path: str) -> None:
    """Check that a client certificate and private key belong together.

    grpc only reports a mismatched pair as a generic handshake failure, on the first call;
    we say which files are wrong before connecting.

    Raises:
        FileAccessError: the key or the certificate does not parse, or the key is encrypted.
        TlsError: the key is not the certificate's key.
    """
    if not HAVE_CRYPTOGRAPHY:  # pragma: no cover - exercised only without cryptography
        _check_with_ssl(cert_path, key_path)
        return
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
    except ValueError:
        raise FileAccessError(
            f"client certificate file {cert_path} does not hold a certificate",
            hint="--cert takes a PEM certificate (-----BEGIN CERTIFICATE-----)",
        ) from None
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except TypeError:
        raise FileAccessError(
            f"client key file {key_path} is encrypted",
            hint="decrypt it first, e.g. openssl pkey -in KEY -out plain.key",
        ) from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise FileAccessError(
            f"client key file {key_path} does not hold a usable private key: {exc}",
            hint="--key takes an unencrypted PEM private key",
        ) from None
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if cert.public_key().public_bytes(*spki) != key.public_key().public_bytes(*spki):
        raise TlsError(
            f"client key {key_path} does not belong to client certificate {cert_path}",
            hint="pass the private key that was generated with that certificate",
        )


def _check_with_ssl(cert_path: str, key_path: str) -> None:  # pragma: no cover
    try:
        ssl.create_default_context().load_cert_chain(cert_path, key_path)
    except ssl.SSLError as exc:
        if "KEY_VALUES_MISMATCH" in str(exc):
            raise TlsError(
                f"client key {key_path} does not belong to client certificate {cert_path}",
                hint="pass the private key that was generated with that certificate",
            ) from None
        raise FileAccessError(
            f"cannot load client certificate {cert_path} with key {key_path}: {exc.reason}"
        ) from None

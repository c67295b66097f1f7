"""TLS, mutual TLS and --insecure against the real demo server, and their failures."""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from google.protobuf.message_factory import GetMessageClass

from tests.fixtures.servers import TlsFiles
from workbench.core.calls import tls
from workbench.core.calls.channels import ChannelManager, Target, TlsConfig
from workbench.core.calls.engine import invoke
from workbench.core.calls.events import CallResult
from workbench.core.errors import ConnectionFailed, FileAccessError, TlsError
from workbench.core.schema.schema import Schema
from workbench.demo.server import DemoServerThread, ServerTls

DEMO = "workbench.demo.v1.DemoService"


@pytest.fixture
async def channels() -> AsyncIterator[ChannelManager]:
    manager = ChannelManager()
    yield manager
    await manager.close()


async def echo(channels: ChannelManager, target: Target, schema: Schema) -> CallResult:
    request = GetMessageClass(schema.message("workbench.demo.v1.AllTypes"))(string_value="tls")
    return await invoke(channels, target, schema.method(f"{DEMO}/Echo"), request)


def self_signed(names: list[str], *, cn: str = "self-signed") -> tuple[bytes, bytes]:
    """A self-signed certificate for ``names`` and its key, as PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
    )
    if names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False
        )
    cert = builder.sign(key, hashes.SHA256())
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


@pytest.fixture(scope="module")
def self_signed_server() -> Iterator[DemoServerThread]:
    """The demo server with a self-signed certificate for a name that is not its address."""
    cert, key = self_signed(["selfsigned.test"])
    server = DemoServerThread(tls=ServerTls(cert_chain=cert, private_key=key)).start()
    yield server
    server.stop(grace=0)


@pytest.fixture(scope="module")
def other_ca_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A second CA, and a client certificate it signed: trusted by nobody here."""
    ca = trustme.CA()
    client = ca.issue_cert("stranger@workbench.test")
    d = tmp_path_factory.mktemp("other-ca")
    files = {"ca": d / "ca.pem", "cert": d / "client.pem", "key": d / "client.key"}
    ca.cert_pem.write_to_path(str(files["ca"]))
    client.cert_chain_pems[0].write_to_path(str(files["cert"]))
    client.private_key_pem.write_to_path(str(files["key"]))
    return files


def tls_target(address: str, **tls_kw: Any) -> Target:
    authority = tls_kw.pop("authority", None)
    return Target(address, tls=TlsConfig(**tls_kw), authority=authority)


# -- server authentication ----------------------------------------------------------------


async def test_tls_with_the_servers_ca(
    channels: ChannelManager, demo_schema: Schema, tls_demo_server: Any, tls_files: TlsFiles
) -> None:
    for host in ("127.0.0.1", "localhost"):
        target = tls_target(f"{host}:{tls_demo_server.port}", ca_file=str(tls_files.ca))
        assert target.uses_tls
        result = await echo(channels, target, demo_schema)
        assert result.ok, result.message


async def test_authority_naming_a_name_in_the_certificate(
    channels: ChannelManager, demo_schema: Schema, tls_demo_server: Any, tls_files: TlsFiles
) -> None:
    target = tls_target(tls_demo_server.address, ca_file=str(tls_files.ca), authority="localhost")
    assert (await echo(channels, target, demo_schema)).ok


async def test_wrong_ca(
    channels: ChannelManager,
    demo_schema: Schema,
    tls_demo_server: Any,
    other_ca_files: dict[str, Path],
) -> None:
    target = tls_target(tls_demo_server.address, ca_file=str(other_ca_files["ca"]))
    result = await echo(channels, target, demo_schema)
    assert result.code is grpc.StatusCode.UNAVAILABLE
    assert isinstance(result.error, TlsError)
    assert "the server certificate is not trusted" in str(result.error)
    assert "--cacert" in result.error.hint and "--insecure" in result.error.hint
    assert result.finished.exit_code == TlsError.exit_code


async def test_wrong_authority(
    channels: ChannelManager, demo_schema: Schema, tls_demo_server: Any, tls_files: TlsFiles
) -> None:
    target = tls_target(
        tls_demo_server.address, ca_file=str(tls_files.ca), authority="wrong.example"
    )
    result = await echo(channels, target, demo_schema)
    assert isinstance(result.error, TlsError)
    assert "not valid for the name 'wrong.example'" in str(result.error)
    assert "--authority" in result.error.hint


async def test_plaintext_client_to_a_tls_server(
    channels: ChannelManager, demo_schema: Schema, tls_demo_server: Any
) -> None:
    result = await echo(channels, Target(tls_demo_server.address, plaintext=True), demo_schema)
    assert isinstance(result.error, ConnectionFailed)
    assert not isinstance(result.error, TlsError)
    assert "may require TLS" in str(result.error)
    assert "--plaintext" in result.error.hint


async def test_tls_client_to_a_plaintext_server(
    channels: ChannelManager, demo_schema: Schema, demo_address: str, tls_files: TlsFiles
) -> None:
    result = await echo(channels, tls_target(demo_address, ca_file=str(tls_files.ca)), demo_schema)
    assert isinstance(result.error, TlsError)
    assert "does not speak TLS" in str(result.error)
    assert "--plaintext" in result.error.hint


# -- mutual TLS ---------------------------------------------------------------------------


async def test_mutual_tls(
    channels: ChannelManager, demo_schema: Schema, mtls_demo_server: Any, tls_files: TlsFiles
) -> None:
    target = tls_target(
        mtls_demo_server.address,
        ca_file=str(tls_files.ca),
        cert_file=str(tls_files.client_cert),
        key_file=str(tls_files.client_key),
    )
    assert (await echo(channels, target, demo_schema)).ok


async def test_mutual_tls_without_a_client_certificate(
    channels: ChannelManager, demo_schema: Schema, mtls_demo_server: Any, tls_files: TlsFiles
) -> None:
    target = tls_target(mtls_demo_server.address, ca_file=str(tls_files.ca))
    result = await echo(channels, target, demo_schema)
    assert isinstance(result.error, TlsError)
    assert "may require a client certificate" in str(result.error)
    assert "--cert and --key" in result.error.hint


async def test_mutual_tls_with_an_untrusted_client_certificate(
    channels: ChannelManager,
    demo_schema: Schema,
    mtls_demo_server: Any,
    tls_files: TlsFiles,
    other_ca_files: dict[str, Path],
) -> None:
    target = tls_target(
        mtls_demo_server.address,
        ca_file=str(tls_files.ca),
        cert_file=str(other_ca_files["cert"]),
        key_file=str(other_ca_files["key"]),
    )
    result = await echo(channels, target, demo_schema)
    assert isinstance(result.error, TlsError)
    assert "may not accept the client certificate" in str(result.error)


async def test_mismatched_client_key_is_named(
    channels: ChannelManager,
    demo_schema: Schema,
    mtls_demo_server: Any,
    tls_files: TlsFiles,
    other_ca_files: dict[str, Path],
) -> None:
    target = tls_target(
        mtls_demo_server.address,
        ca_file=str(tls_files.ca),
        cert_file=str(tls_files.client_cert),
        key_file=str(other_ca_files["key"]),
    )
    result = await echo(channels, target, demo_schema)
    assert isinstance(result.error, TlsError)
    assert str(result.error) == (
        f"client key {other_ca_files['key']} does not belong to client certificate "
        f"{tls_files.client_cert}"
    )


async def test_unusable_certificate_files_raise_before_the_call(
    channels: ChannelManager, demo_schema: Schema, tls_files: TlsFiles, tmp_path: Path
) -> None:
    address = "127.0.0.1:1"
    with pytest.raises(FileAccessError, match="CA certificate file not found"):
        await echo(channels, tls_target(address, ca_file=str(tmp_path / "nope.pem")), demo_schema)
    encrypted = tmp_path / "encrypted.key"
    key = serialization.load_pem_private_key(tls_files.read("client_key"), None)
    encrypted.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    target = tls_target(address, cert_file=str(tls_files.client_cert), key_file=str(encrypted))
    with pytest.raises(FileAccessError, match="is encrypted"):
        await echo(channels, target, demo_schema)
    target = tls_target(
        address, cert_file=str(tls_files.client_cert), key_file=str(tls_files.client_cert)
    )
    with pytest.raises(FileAccessError, match="does not hold a usable private key"):
        await echo(channels, target, demo_schema)
    target = tls_target(
        address, cert_file=str(tls_files.client_key), key_file=str(tls_files.client_key)
    )
    with pytest.raises(FileAccessError, match="does not hold a certificate"):
        await echo(channels, target, demo_schema)


# -- --insecure ---------------------------------------------------------------------------


async def test_insecure_against_a_self_signed_server(
    channels: ChannelManager, demo_schema: Schema, self_signed_server: DemoServerThread
) -> None:
    verified = await echo(
        channels, Target(self_signed_server.address, plaintext=False), demo_schema
    )
    assert isinstance(verified.error, TlsError)  # not trusted without --insecure
    target = tls_target(self_signed_server.address, insecure=True)
    result = await echo(channels, target, demo_schema)
    assert result.ok, result.message


async def test_insecure_against_a_ca_signed_server(
    channels: ChannelManager, demo_schema: Schema, tls_demo_server: Any
) -> None:
    result = await echo(channels, tls_target(tls_demo_server.address, insecure=True), demo_schema)
    assert result.ok, result.message


async def test_insecure_with_mutual_tls(
    channels: ChannelManager, demo_schema: Schema, mtls_demo_server: Any, tls_files: TlsFiles
) -> None:
    target = tls_target(
        mtls_demo_server.address,
        insecure=True,
        cert_file=str(tls_files.client_cert),
        key_file=str(tls_files.client_key),
    )
    assert (await echo(channels, target, demo_schema)).ok


async def test_insecure_checks_client_files_before_connecting(
    channels: ChannelManager, demo_schema: Schema, tls_files: TlsFiles, tmp_path: Path
) -> None:
    target = tls_target(
        "127.0.0.1:1",
        insecure=True,
        cert_file=str(tls_files.client_cert),
        key_file=str(tmp_path / "missing.key"),
    )
    with pytest.raises(FileAccessError, match="client key file not found"):
        await echo(channels, target, demo_schema)


async def test_insecure_against_a_plaintext_server(
    channels: ChannelManager, demo_schema: Schema, demo_address: str
) -> None:
    result = await echo(channels, tls_target(demo_address, insecure=True), demo_schema)
    assert result.code is grpc.StatusCode.UNAVAILABLE
    assert isinstance(result.error, TlsError)
    assert "--plaintext" in result.error.hint


async def test_insecure_against_nothing(channels: ChannelManager, demo_schema: Schema) -> None:
    result = await echo(channels, tls_target("127.0.0.1:1", insecure=True), demo_schema)
    assert isinstance(result.error, ConnectionFailed)
    assert "refused" in str(result.error)


# -- helpers ------------------------------------------------------------------------------


async def test_fetch_server_certificate_returns_the_leaf(
    tls_demo_server: Any, tls_files: TlsFiles
) -> None:
    pem = await tls.fetch_server_certificate(tls_demo_server.address, 5)
    leaf = x509.load_pem_x509_certificate(tls_files.read("server_cert"))
    assert x509.load_pem_x509_certificate(pem) == leaf
    assert tls.certificate_names(pem) == ["localhost", "127.0.0.1"]


def test_certificate_names_order_and_wildcards() -> None:
    cert, _ = self_signed(["*.wild.test", "a.test"], cn="cn.test")
    assert tls.certificate_names(cert) == ["a.test", "cn.test", "workbench.wild.test"]
    bare, _ = self_signed([], cn="only-cn.test")
    assert tls.certificate_names(bare) == ["only-cn.test"]


def test_certificate_names_without_cryptography(tls_files: TlsFiles) -> None:
    pem = tls_files.read("server_cert")
    assert tls._names_with_ssl(pem) == tls._names_with_cryptography(pem)


def test_check_key_matches_cert(tls_files: TlsFiles) -> None:
    cert, key = tls_files.read("client_cert"), tls_files.read("client_key")
    tls.check_key_matches_cert(cert, key, "c.pem", "k.pem")
    with pytest.raises(TlsError, match="does not belong"):
        tls.check_key_matches_cert(cert, tls_files.read("server_key"), "c.pem", "s.key")


@pytest.mark.parametrize(
    ("address", "host", "port"),
    [
        ("127.0.0.1:50051", "127.0.0.1", 50051),
        ("dns:///localhost:443", "localhost", 443),
        ("ipv4:127.0.0.1:1,127.0.0.1:2", "127.0.0.1", 1),
        ("[::1]:8443", "::1", 8443),
        ("localhost", "localhost", 443),
    ],
)
def test_split_target(address: str, host: str, port: int) -> None:
    _, sockaddr, got_host = tls.split_target(address)
    assert got_host == host
    assert sockaddr[1] == port


def test_split_unix_targets() -> None:
    assert tls.split_target("unix:///tmp/s.sock")[1:] == ("/tmp/s.sock", "")
    assert tls.split_target("unix:rel.sock")[1:] == ("rel.sock", "")
    with pytest.raises(ConnectionFailed, match="cannot resolve"):
        tls.split_target("no-such-host.invalid:1")

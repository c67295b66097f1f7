"""A saved request and its file format (``grpc-workbench/request``, version 1).

The shape follows grpcui's ``rpcInput`` (a metadata list, a messages list, a timeout) plus
what a workbench needs around it: the method, the target and notes. Request bodies are stored
as structured JSON (the protobuf JSON mapping of each message), never as escaped strings, so
they diff line by line. A unary or server-streaming request has one message; a client or
bidi stream keeps the list of messages to send, in order.

The request's *name* is its file name (``<name>.request.json``) and is not repeated inside
the file: renaming the file in git renames the request, and the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from workbench.core.errors import FileFormatError
from workbench.core.store.documents import dump_document, expect, parse_document

__all__ = [
    "REQUEST_SUFFIX",
    "REQUEST_VERSION",
    "MetadataEntry",
    "SavedRequest",
    "SavedTarget",
    "TlsSettings",
    "load_request",
    "request_body",
    "request_from_body",
    "target_body",
    "target_from_body",
    "tls_body",
    "tls_from_body",
]

#: The file name suffix of a saved request.
REQUEST_SUFFIX = ".request.json"
#: The newest request format version this code reads and the one it writes.
REQUEST_VERSION = 1


@dataclass(frozen=True)
class TlsSettings:
    """TLS settings as stored: paths relative to the workspace folder (or absolute).

    Attributes:
        cacert: CA certificates (PEM) to verify the server; ``None`` for the system roots.
        cert: client certificate (PEM) for mutual TLS.
        key: the client certificate's private key (PEM).
        insecure: skip verification of the server certificate.
    """

    cacert: str | None = None
    cert: str | None = None
    key: str | None = None
    insecure: bool = False


@dataclass(frozen=True)
class SavedTarget:
    """Where a saved request is sent.

    Attributes:
        address: ``host:port`` or any gRPC target; may use ``{{variables}}``.
        plaintext: ``True`` no TLS, ``False`` TLS, ``None`` decide from the address.
        tls: ``None`` (defaults), the name of a TLS profile of the workspace, or inline
            settings.
        authority: overrides ``:authority`` and the name checked in the certificate.
    """

    address: str = ""
    plaintext: bool | None = None
    tls: str | TlsSettings | None = None
    authority: str | None = None


@dataclass(frozen=True)
class MetadataEntry:
    """One request header; ``-bin`` keys hold base64 text. The value may use variables."""

    name: str
    value: str


@dataclass(frozen=True)
class SavedRequest:
    """A request as the user saved it (variables not yet substituted).

    Attributes:
        method: ``pkg.Service/Method``.
        target: where to send it.
        messages: the request messages as JSON values, in sending order.
        metadata: request headers, in order.
        timeout: the deadline in seconds, ``None`` for none.
        notes: free text for humans.
        name: the request's name (its file name without the suffix); ``""`` when unsaved.
        extra: top-level fields of the file this version does not know; kept and written
            back so that a newer app's additions survive an edit in this one.
    """

    method: str
    target: SavedTarget = field(default_factory=SavedTarget)
    messages: tuple[Any, ...] = ()
    metadata: tuple[MetadataEntry, ...] = ()
    timeout: float | None = None
    notes: str = ""
    name: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def body(self) -> Any:
        """The first (for unary calls: the only) message, ``{}`` when there is none."""
        return self.messages[0] if self.messages else {}

    def renamed(self, name: str) -> SavedRequest:
        """A copy called ``name``."""
        return replace(self, name=name)

    def to_bytes(self) -> bytes:
        """The request's file content."""
        return dump_document("request", REQUEST_VERSION, request_body(self))


def tls_body(tls: str | TlsSettings | None) -> Any:
    """The JSON form of a target's ``tls`` value."""
    if tls is None or isinstance(tls, str):
        return tls
    return {"cacert": tls.cacert, "cert": tls.cert, "key": tls.key, "insecure": tls.insecure}


def tls_from_body(value: Any, where: str) -> str | TlsSettings | None:
    """Parse a ``tls`` value: null, a profile name or an object.

    Raises:
        FileFormatError: the value has the wrong shape (``where`` prefixes the message).
    """
    if value is None or isinstance(value, str):
        return value
    if not isinstance(value, dict):
        raise FileFormatError(f"{where}: expected null, a TLS profile name or an object")
    return TlsSettings(
        cacert=expect(value, "cacert", (str, type(None)), f"{where}."),
        cert=expect(value, "cert", (str, type(None)), f"{where}."),
        key=expect(value, "key", (str, type(None)), f"{where}."),
        insecure=bool(expect(value, "insecure", (bool, type(None)), f"{where}.")),
    )


def target_body(target: SavedTarget) -> dict[str, Any]:
    """The JSON form of a target."""
    return {
        "address": target.address,
        "plaintext": target.plaintext,
        "tls": tls_body(target.tls),
        "authority": target.authority,
    }


def target_from_body(value: Any, where: str) -> SavedTarget:
    """Parse a target object.

    Raises:
        FileFormatError: the value has the wrong shape.
    """
    if value is None:
        return SavedTarget()
    if not isinstance(value, dict):
        raise FileFormatError(f'{where}: expected an object with an "address"')
    return SavedTarget(
        address=expect(value, "address", (str, type(None)), f"{where}.") or "",
        plaintext=expect(value, "plaintext", (bool, type(None)), f"{where}."),
        tls=tls_from_body(value.get("tls"), f"{where}.tls"),
        authority=expect(value, "authority", (str, type(None)), f"{where}.") or None,
    )


_KNOWN = (
    "format",
    "version",
    "method",
    "target",
    "metadata",
    "messages",
    "timeout_seconds",
    "notes",
)


def request_body(request: SavedRequest) -> dict[str, Any]:
    """The JSON form of a request without the format header, keys in the documented order."""
    body: dict[str, Any] = {
        "method": request.method,
        "target": target_body(request.target),
        "metadata": [{"name": m.name, "value": m.value} for m in request.metadata],
        "messages": list(request.messages),
        "timeout_seconds": request.timeout,
        "notes": request.notes,
    }
    for key, value in request.extra.items():
        if key not in body:
            body[key] = value
    return body


def request_from_body(doc: Mapping[str, Any], *, name: str = "") -> SavedRequest:
    """Build a request from its JSON form (a file's document or an exported item).

    Raises:
        FileFormatError: a field is missing or has the wrong type; the message names it.
    """
    method = expect(doc, "method", str, "")
    if not method.strip():
        raise FileFormatError('method: must name the method, e.g. "pkg.Service/Method"')
    metadata: list[MetadataEntry] = []
    for i, entry in enumerate(expect(doc, "metadata", (list, type(None)), "") or []):
        where = f"metadata[{i}]."
        if not isinstance(entry, dict):
            raise FileFormatError(f'metadata[{i}]: expected {{"name": ..., "value": ...}}')
        metadata.append(
            MetadataEntry(expect(entry, "name", str, where), expect(entry, "value", str, where))
        )
    timeout = expect(doc, "timeout_seconds", (int, float, Decimal, type(None)), "")
    if timeout is not None and timeout < 0:
        raise FileFormatError(f"timeout_seconds: must not be negative, found {timeout}")
    return SavedRequest(
        method=method.strip(),
        target=target_from_body(doc.get("target"), "target"),
        messages=tuple(expect(doc, "messages", (list, type(None)), "") or ()),
        metadata=tuple(metadata),
        timeout=float(timeout) if timeout else None,
        notes=expect(doc, "notes", (str, type(None)), "") or "",
        name=name,
        extra={k: v for k, v in doc.items() if k not in _KNOWN and k != "name"},
    )


def load_request(data: bytes, path: Path, *, name: str) -> SavedRequest:
    """Parse a request file.

    Raises:
        FileFormatError: the file cannot be used; the message starts with its path.
    """
    doc = parse_document(data, path, kind="request", max_version=REQUEST_VERSION)
    try:
        return request_from_body(doc, name=name)
    except FileFormatError as exc:
        raise FileFormatError(
            f"{path}: {exc.message}",
            path=path,
            hint="fix the field by hand or restore the file from git; the app will not touch it",
        ) from None

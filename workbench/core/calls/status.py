"""Status codes, CLI exit codes, and the rich error details of ``google.rpc.Status``.

Servers following Google's error model put a serialized ``google.rpc.Status`` in the
``grpc-status-details-bin`` trailer; its ``details`` are ``Any`` messages, usually from
``google/rpc/error_details.proto``. We decode the standard ones into small readable records
and any other type through the schema's descriptor pool when it knows the type.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import grpc
from google.protobuf import descriptor_pool, text_format
from google.protobuf.message import DecodeError, Message
from google.protobuf.message_factory import GetMessageClass
from google.rpc import error_details_pb2, status_pb2

logger = logging.getLogger(__name__)

#: The trailer carrying the serialized ``google.rpc.Status``.
STATUS_DETAILS_KEY = "grpc-status-details-bin"

#: A non-OK status exits the CLI with ``EXIT_CODE_BASE + code`` (65 = CANCELLED ... 80 =
#: UNAUTHENTICATED), as grpcurl does; OK exits 0. Values 1-63 stay free for our own
#: failures (see ``WorkbenchError.exit_code``).
EXIT_CODE_BASE = 64

_BY_VALUE = {code.value[0]: code for code in grpc.StatusCode}


def code_name(code: grpc.StatusCode) -> str:
    """The canonical name of ``code``, e.g. ``NOT_FOUND``."""
    return str(code.name)


def code_from_value(value: int) -> grpc.StatusCode:
    """The status code with numeric ``value`` (``UNKNOWN`` for values outside 0-16)."""
    return _BY_VALUE.get(value, grpc.StatusCode.UNKNOWN)


def exit_code_for(code: grpc.StatusCode) -> int:
    """The CLI exit code for a call that ended with ``code`` (0 for OK, else 64 + code)."""
    value: int = code.value[0]
    return 0 if value == 0 else EXIT_CODE_BASE + value


#: Exit code for every status, for documentation and ``--help`` text.
EXIT_CODES: dict[str, int] = {code_name(c): exit_code_for(c) for c in grpc.StatusCode}


class StatusDetail:
    """One decoded entry of ``google.rpc.Status.details``."""

    __slots__ = ()

    #: Full name of the detail's message type.
    type_name: str = ""

    def lines(self) -> list[str]:
        """Human-readable lines describing this detail."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class FieldViolation:
    """One bad field of a request."""

    field: str
    description: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class BadRequest(StatusDetail):
    """``google.rpc.BadRequest``: which request fields were invalid and why."""

    violations: tuple[FieldViolation, ...]
    type_name = "google.rpc.BadRequest"

    def lines(self) -> list[str]:
        out = ["bad request:"]
        for v in self.violations:
            reason = f" [{v.reason}]" if v.reason else ""
            out.append(f"  {v.field or '(request)'}: {v.description}{reason}")
        return out


@dataclass(frozen=True, slots=True)
class ErrorInfo(StatusDetail):
    """``google.rpc.ErrorInfo``: a machine-readable reason within a domain."""

    reason: str
    domain: str
    metadata: tuple[tuple[str, str], ...]
    type_name = "google.rpc.ErrorInfo"

    def lines(self) -> list[str]:
        domain = f" (domain {self.domain})" if self.domain else ""
        return [f"error info: {self.reason}{domain}", *(f"  {k}: {v}" for k, v in self.metadata)]


@dataclass(frozen=True, slots=True)
class RetryInfo(StatusDetail):
    """``google.rpc.RetryInfo``: how long to wait before retrying."""

    retry_delay: float
    type_name = "google.rpc.RetryInfo"

    def lines(self) -> list[str]:
        return [f"retry after {self.retry_delay:g}s"]


@dataclass(frozen=True, slots=True)
class DebugInfo(StatusDetail):
    """``google.rpc.DebugInfo``: a server stack trace and detail text."""

    detail: str
    stack_entries: tuple[str, ...]
    type_name = "google.rpc.DebugInfo"

    def lines(self) -> list[str]:
        return [f"debug info: {self.detail}", *(f"  at {s}" for s in self.stack_entries)]


@dataclass(frozen=True, slots=True)
class QuotaViolation:
    """One exhausted quota."""

    subject: str
    description: str


@dataclass(frozen=True, slots=True)
class QuotaFailure(StatusDetail):
    """``google.rpc.QuotaFailure``: which quotas were exceeded."""

    violations: tuple[QuotaViolation, ...]
    type_name = "google.rpc.QuotaFailure"

    def lines(self) -> list[str]:
        return ["quota failure:", *(f"  {v.subject}: {v.description}" for v in self.violations)]


@dataclass(frozen=True, slots=True)
class PreconditionViolation:
    """One failed precondition."""

    type: str
    subject: str
    description: str


@dataclass(frozen=True, slots=True)
class PreconditionFailure(StatusDetail):
    """``google.rpc.PreconditionFailure``: which preconditions failed."""

    violations: tuple[PreconditionViolation, ...]
    type_name = "google.rpc.PreconditionFailure"

    def lines(self) -> list[str]:
        out = ["precondition failure:"]
        out.extend(f"  {v.type} {v.subject}: {v.description}" for v in self.violations)
        return out


@dataclass(frozen=True, slots=True)
class ResourceInfo(StatusDetail):
    """``google.rpc.ResourceInfo``: the resource the error is about."""

    resource_type: str
    resource_name: str
    owner: str
    description: str
    type_name = "google.rpc.ResourceInfo"

    def lines(self) -> list[str]:
        owner = f" (owner {self.owner})" if self.owner else ""
        desc = f": {self.description}" if self.description else ""
        return [f"resource {self.resource_type} {self.resource_name!r}{owner}{desc}"]


@dataclass(frozen=True, slots=True)
class HelpLink:
    """A link to documentation."""

    description: str
    url: str


@dataclass(frozen=True, slots=True)
class Help(StatusDetail):
    """``google.rpc.Help``: links to documentation about the error."""

    links: tuple[HelpLink, ...]
    type_name = "google.rpc.Help"

    def lines(self) -> list[str]:
        return ["help:", *(f"  {link.description}: {link.url}" for link in self.links)]


@dataclass(frozen=True, slots=True)
class LocalizedMessage(StatusDetail):
    """``google.rpc.LocalizedMessage``: the error message for end users, in a locale."""

    locale: str
    message: str
    type_name = "google.rpc.LocalizedMessage"

    def lines(self) -> list[str]:
        return [f"message [{self.locale}]: {self.message}"]


@dataclass(frozen=True, slots=True)
class RequestInfo(StatusDetail):
    """``google.rpc.RequestInfo``: the id to quote in a bug report."""

    request_id: str
    serving_data: str
    type_name = "google.rpc.RequestInfo"

    def lines(self) -> list[str]:
        data = f" ({self.serving_data})" if self.serving_data else ""
        return [f"request id: {self.request_id}{data}"]


@dataclass(frozen=True, slots=True)
class OtherDetail(StatusDetail):
    """A detail of another type: decoded when the schema knows it, else shown by type URL.

    Attributes:
        type_url: the ``Any`` type URL.
        value: the serialized detail.
        message: the decoded message, or ``None`` when its type is unknown.
    """

    type_url: str
    value: bytes
    message: Message | None = None

    @property
    def type_name(self) -> str:  # type: ignore[override]
        """Full name of the message type (the last part of the type URL)."""
        return self.type_url.rsplit("/", 1)[-1]

    def lines(self) -> list[str]:
        if self.message is None:
            return [f"{self.type_url} ({len(self.value)} bytes, type not in the schema)"]
        body = text_format.MessageToString(self.message, as_one_line=True)
        return [f"{self.type_name}: {body}" if body else f"{self.type_name}: {{}}"]


def _bad_request(m: error_details_pb2.BadRequest) -> StatusDetail:
    return BadRequest(
        tuple(
            FieldViolation(v.field, v.description, getattr(v, "reason", ""))
            for v in m.field_violations
        )
    )


def _error_info(m: error_details_pb2.ErrorInfo) -> StatusDetail:
    return ErrorInfo(m.reason, m.domain, tuple(sorted(m.metadata.items())))


def _retry_info(m: error_details_pb2.RetryInfo) -> StatusDetail:
    return RetryInfo(m.retry_delay.seconds + m.retry_delay.nanos / 1e9)


def _debug_info(m: error_details_pb2.DebugInfo) -> StatusDetail:
    return DebugInfo(m.detail, tuple(m.stack_entries))


def _quota_failure(m: error_details_pb2.QuotaFailure) -> StatusDetail:
    return QuotaFailure(tuple(QuotaViolation(v.subject, v.description) for v in m.violations))


def _precondition_failure(m: error_details_pb2.PreconditionFailure) -> StatusDetail:
    return PreconditionFailure(
        tuple(PreconditionViolation(v.type, v.subject, v.description) for v in m.violations)
    )


def _resource_info(m: error_details_pb2.ResourceInfo) -> StatusDetail:
    return ResourceInfo(m.resource_type, m.resource_name, m.owner, m.description)


def _help(m: error_details_pb2.Help) -> StatusDetail:
    return Help(tuple(HelpLink(link.description, link.url) for link in m.links))


def _localized(m: error_details_pb2.LocalizedMessage) -> StatusDetail:
    return LocalizedMessage(m.locale, m.message)


def _request_info(m: error_details_pb2.RequestInfo) -> StatusDetail:
    return RequestInfo(m.request_id, m.serving_data)


_KNOWN = {
    "google.rpc.BadRequest": (error_details_pb2.BadRequest, _bad_request),
    "google.rpc.ErrorInfo": (error_details_pb2.ErrorInfo, _error_info),
    "google.rpc.RetryInfo": (error_details_pb2.RetryInfo, _retry_info),
    "google.rpc.DebugInfo": (error_details_pb2.DebugInfo, _debug_info),
    "google.rpc.QuotaFailure": (error_details_pb2.QuotaFailure, _quota_failure),
    "google.rpc.PreconditionFailure": (
        error_details_pb2.PreconditionFailure,
        _precondition_failure,
    ),
    "google.rpc.ResourceInfo": (error_details_pb2.ResourceInfo, _resource_info),
    "google.rpc.Help": (error_details_pb2.Help, _help),
    "google.rpc.LocalizedMessage": (error_details_pb2.LocalizedMessage, _localized),
    "google.rpc.RequestInfo": (error_details_pb2.RequestInfo, _request_info),
}


def decode_detail(
    type_url: str, value: bytes, pool: descriptor_pool.DescriptorPool | None = None
) -> StatusDetail:
    """Decode one ``Any`` detail; never raises (undecodable details become OtherDetail)."""
    name = type_url.rsplit("/", 1)[-1]
    known = _KNOWN.get(name)
    try:
        if known is not None:
            cls, convert = known
            return convert(cls.FromString(value))
        if pool is not None:
            try:
                desc = pool.FindMessageTypeByName(name)
            except KeyError:
                return OtherDetail(type_url, value)
            return OtherDetail(type_url, value, GetMessageClass(desc).FromString(value))
    except DecodeError:
        logger.debug("status detail %s does not parse", type_url)
    return OtherDetail(type_url, value)


@dataclass(frozen=True, slots=True)
class RichStatus:
    """A decoded ``google.rpc.Status``."""

    code: grpc.StatusCode
    message: str
    details: tuple[StatusDetail, ...]


def decode_status(
    data: bytes, pool: descriptor_pool.DescriptorPool | None = None
) -> RichStatus | None:
    """Decode a serialized ``google.rpc.Status``; ``None`` when the bytes do not parse."""
    try:
        status = status_pb2.Status.FromString(data)
    except DecodeError:
        logger.debug("grpc-status-details-bin is not a google.rpc.Status")
        return None
    details = tuple(decode_detail(d.type_url, d.value, pool) for d in status.details)
    return RichStatus(code_from_value(status.code), status.message, details)


def details_from_trailers(
    trailers: Iterable[tuple[str, str | bytes]],
    pool: descriptor_pool.DescriptorPool | None = None,
) -> tuple[StatusDetail, ...]:
    """The rich details in a call's trailers (empty when there are none)."""
    for key, value in trailers:
        if key == STATUS_DETAILS_KEY and isinstance(value, bytes):
            status = decode_status(value, pool)
            return status.details if status is not None else ()
    return ()


def format_details(details: Sequence[StatusDetail]) -> list[str]:
    """Human-readable lines for the CLI and the GUI, one block per detail."""
    return [line for d in details for line in d.lines()]

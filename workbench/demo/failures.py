"""Rich error details for DemoService.Fail (the google.rpc error model).

The details travel as a serialized ``google.rpc.Status`` in the ``grpc-status-details-bin``
trailer, which is what ``grpc_status.rpc_status.to_status`` produces.
"""

from __future__ import annotations

from collections.abc import Iterable

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

#: The type URL of the detail no schema knows (DETAIL_KIND_UNKNOWN_TYPE).
UNKNOWN_DETAIL_TYPE_URL = "type.example.com/acme.secret.v1.Unpublished"
#: The domain used in ErrorInfo details.
ERROR_DOMAIN = "demo.workbench.example"

_rpc = error_details_pb2


def standard_details() -> dict[str, Message]:
    """One example of each google.rpc error detail, keyed by its ``DetailKind`` value name.

    Returns:
        Fresh messages, in the order of the ``DetailKind`` enum.
    """
    details: dict[str, Message] = {
        "DETAIL_KIND_BAD_REQUEST": _rpc.BadRequest(
            field_violations=[
                _rpc.BadRequest.FieldViolation(field="item.name", description="must not be empty"),
                _rpc.BadRequest.FieldViolation(
                    field="item.labels[1]", description="must be at most 20 characters long"
                ),
            ]
        ),
        "DETAIL_KIND_ERROR_INFO": _rpc.ErrorInfo(
            reason="DEMO_FAILURE",
            domain=ERROR_DOMAIN,
            metadata={"method": "Fail", "hint": "this failure was requested"},
        ),
        "DETAIL_KIND_RETRY_INFO": _rpc.RetryInfo(
            retry_delay=duration_pb2.Duration(seconds=1, nanos=500_000_000)
        ),
        "DETAIL_KIND_DEBUG_INFO": _rpc.DebugInfo(
            stack_entries=[
                "workbench.demo.demo_service.DemoService.fail (demo_service.py)",
                "workbench.demo.failures.build_status (failures.py)",
            ],
            detail="the client asked DemoService.Fail to fail",
        ),
        "DETAIL_KIND_QUOTA_FAILURE": _rpc.QuotaFailure(
            violations=[
                _rpc.QuotaFailure.Violation(
                    subject="project:demo", description="daily limit of 1000 calls exceeded"
                )
            ]
        ),
        "DETAIL_KIND_PRECONDITION_FAILURE": _rpc.PreconditionFailure(
            violations=[
                _rpc.PreconditionFailure.Violation(
                    type="TOS", subject=ERROR_DOMAIN, description="terms of service not accepted"
                )
            ]
        ),
        "DETAIL_KIND_RESOURCE_INFO": _rpc.ResourceInfo(
            resource_type="workbench.demo.v1.Item",
            resource_name="items/item-404",
            owner="demo",
            description="the item does not exist",
        ),
        "DETAIL_KIND_HELP": _rpc.Help(
            links=[
                _rpc.Help.Link(
                    description="gRPC status codes",
                    url="https://grpc.io/docs/guides/status-codes/",
                )
            ]
        ),
        "DETAIL_KIND_LOCALIZED_MESSAGE": _rpc.LocalizedMessage(
            locale="en-US", message="The demo call failed, as requested."
        ),
    }
    return details


def pack(message: Message) -> any_pb2.Any:
    """``message`` packed into an Any (works for dynamic messages from any pool)."""
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


def unknown_detail() -> any_pb2.Any:
    """An Any whose type URL no schema knows; its value is a valid but opaque encoding."""
    # Field 1 (length-delimited) = "opaque": clients can show it raw but not by type.
    return any_pb2.Any(type_url=UNKNOWN_DETAIL_TYPE_URL, value=b"\x0a\x06opaque")


def build_status(
    code: grpc.StatusCode, message: str, details: Iterable[any_pb2.Any]
) -> grpc.Status:
    """A grpc status carrying ``details`` in its ``grpc-status-details-bin`` trailer.

    Args:
        code: the non-OK status code.
        message: the status message.
        details: the packed details, in order.

    Returns:
        A status whose ``code``, ``details`` and ``trailing_metadata`` go to ``context.abort``.
    """
    status = status_pb2.Status(code=code.value[0], message=message, details=list(details))
    result: grpc.Status = rpc_status.to_status(status)
    return result

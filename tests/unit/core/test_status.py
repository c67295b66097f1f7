"""Status codes, exit codes and rich error details (google.rpc.Status)."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import any_pb2, duration_pb2
from google.protobuf.message_factory import GetMessageClass
from google.rpc import error_details_pb2 as ed
from google.rpc import status_pb2

from workbench.core.calls import status
from workbench.core.calls.status import (
    EXIT_CODE_BASE,
    EXIT_CODES,
    BadRequest,
    DebugInfo,
    ErrorInfo,
    FieldViolation,
    Help,
    HelpLink,
    LocalizedMessage,
    OtherDetail,
    PreconditionFailure,
    PreconditionViolation,
    QuotaFailure,
    QuotaViolation,
    RequestInfo,
    ResourceInfo,
    RetryInfo,
    code_from_value,
    code_name,
    decode_detail,
    decode_status,
    details_from_trailers,
    exit_code_for,
    format_details,
)
from workbench.core.schema.schema import Schema


def packed(message: object) -> any_pb2.Any:
    out = any_pb2.Any()
    out.Pack(message)
    return out


def test_exit_codes_follow_grpcurl() -> None:
    assert EXIT_CODE_BASE == 64
    assert exit_code_for(grpc.StatusCode.OK) == 0
    assert exit_code_for(grpc.StatusCode.CANCELLED) == 65
    assert exit_code_for(grpc.StatusCode.NOT_FOUND) == 69
    assert exit_code_for(grpc.StatusCode.UNAUTHENTICATED) == 80
    assert len(set(EXIT_CODES.values())) == len(grpc.StatusCode)  # distinct per code
    assert EXIT_CODES["RESOURCE_EXHAUSTED"] == 72


def test_code_names_and_values() -> None:
    assert code_name(grpc.StatusCode.DEADLINE_EXCEEDED) == "DEADLINE_EXCEEDED"
    assert code_from_value(5) is grpc.StatusCode.NOT_FOUND
    assert code_from_value(99) is grpc.StatusCode.UNKNOWN


def test_every_standard_detail_decodes_to_a_readable_record() -> None:
    details = [
        ed.BadRequest(
            field_violations=[
                ed.BadRequest.FieldViolation(field="a.b", description="too long", reason="LEN")
            ]
        ),
        ed.ErrorInfo(reason="R", domain="d.example", metadata={"k": "v"}),
        ed.RetryInfo(retry_delay=duration_pb2.Duration(seconds=2, nanos=250_000_000)),
        ed.DebugInfo(stack_entries=["f (x.py)"], detail="boom"),
        ed.QuotaFailure(violations=[ed.QuotaFailure.Violation(subject="s", description="q")]),
        ed.PreconditionFailure(
            violations=[ed.PreconditionFailure.Violation(type="TOS", subject="x", description="y")]
        ),
        ed.ResourceInfo(resource_type="T", resource_name="n", owner="o", description="gone"),
        ed.Help(links=[ed.Help.Link(description="docs", url="https://example.com")]),
        ed.LocalizedMessage(locale="en-US", message="Oops"),
        ed.RequestInfo(request_id="req-1", serving_data="shard 3"),
    ]
    rich = status_pb2.Status(code=3, message="bad", details=[packed(d) for d in details])
    decoded = decode_status(rich.SerializeToString())
    assert decoded is not None
    assert decoded.code is grpc.StatusCode.INVALID_ARGUMENT
    assert decoded.message == "bad"
    assert decoded.details == (
        BadRequest((FieldViolation("a.b", "too long", "LEN"),)),
        ErrorInfo("R", "d.example", (("k", "v"),)),
        RetryInfo(2.25),
        DebugInfo("boom", ("f (x.py)",)),
        QuotaFailure((QuotaViolation("s", "q"),)),
        PreconditionFailure((PreconditionViolation("TOS", "x", "y"),)),
        ResourceInfo("T", "n", "o", "gone"),
        Help((HelpLink("docs", "https://example.com"),)),
        LocalizedMessage("en-US", "Oops"),
        RequestInfo("req-1", "shard 3"),
    )
    assert format_details(decoded.details) == [
        "bad request:",
        "  a.b: too long [LEN]",
        "error info: R (domain d.example)",
        "  k: v",
        "retry after 2.25s",
        "debug info: boom",
        "  at f (x.py)",
        "quota failure:",
        "  s: q",
        "precondition failure:",
        "  TOS x: y",
        "resource T 'n' (owner o): gone",
        "help:",
        "  docs: https://example.com",
        "message [en-US]: Oops",
        "request id: req-1 (shard 3)",
    ]
    assert {d.type_name for d in decoded.details} == {
        f"google.rpc.{type(d).__name__}" for d in details
    }


def test_unknown_detail_is_shown_by_type_url() -> None:
    detail = decode_detail("type.example.com/acme.Secret", b"\x08\x01")
    assert detail == OtherDetail("type.example.com/acme.Secret", b"\x08\x01")
    assert detail.type_name == "acme.Secret"
    assert detail.lines() == ["type.example.com/acme.Secret (2 bytes, type not in the schema)"]


def test_detail_of_a_schema_type_is_decoded_through_the_pool(demo_schema: Schema) -> None:
    cls = GetMessageClass(demo_schema.message("workbench.demo.v1.CustomErrorDetail"))
    value = cls(reason="why", attempt=2).SerializeToString()
    url = "type.googleapis.com/workbench.demo.v1.CustomErrorDetail"
    detail = decode_detail(url, value, demo_schema.pool)
    assert isinstance(detail, OtherDetail)
    assert detail.message is not None
    assert detail.message.reason == "why"  # type: ignore[attr-defined]
    assert detail.lines() == ['workbench.demo.v1.CustomErrorDetail: reason: "why" attempt: 2']
    # Without the pool the same detail is only a type URL.
    assert decode_detail(url, value).lines()[0].startswith(url)


def test_undecodable_bytes_never_raise() -> None:
    assert decode_status(b"\xff\xff\xff") is None
    broken = decode_detail("type.googleapis.com/google.rpc.ErrorInfo", b"\xff\xff")
    assert isinstance(broken, OtherDetail)


def test_details_come_from_the_status_trailer_only() -> None:
    rich = status_pb2.Status(code=5, details=[packed(ed.ErrorInfo(reason="X"))])
    trailers = [("other", "x"), (status.STATUS_DETAILS_KEY, rich.SerializeToString())]
    assert details_from_trailers(trailers) == (ErrorInfo("X", "", ()),)
    assert details_from_trailers([("other", "x")]) == ()
    assert details_from_trailers([(status.STATUS_DETAILS_KEY, b"\xff\xff")]) == ()


@pytest.mark.parametrize(
    ("detail", "expected"),
    [
        (ErrorInfo("R", "", ()), ["error info: R"]),
        (ResourceInfo("T", "n", "", ""), ["resource T 'n'"]),
        (RequestInfo("id", ""), ["request id: id"]),
        (
            BadRequest((FieldViolation("", "whole request bad"),)),
            ["bad request:", "  (request): whole request bad"],
        ),
    ],
)
def test_optional_parts_are_left_out(detail: status.StatusDetail, expected: list[str]) -> None:
    assert detail.lines() == expected

"""Saved requests of every call kind survive a save and a reload, byte for byte."""

from __future__ import annotations

import difflib
from dataclasses import replace
from pathlib import Path

import pytest

from workbench.core.messages.codec import parse_value
from workbench.core.schema.schema import MethodKind, Schema
from workbench.core.store.checks import check_request
from workbench.core.store.requests import (
    MetadataEntry,
    SavedRequest,
    SavedTarget,
    TlsSettings,
    load_request,
)
from workbench.core.store.secrets import FileSecretStore
from workbench.core.store.tree import RequestNode
from workbench.core.store.workspace import Workspace

SVC = "workbench.demo.v1.DemoService"

REQUESTS = {
    MethodKind.UNARY: SavedRequest(
        method=f"{SVC}/Echo",
        target=SavedTarget("{{host}}", plaintext=True),
        messages=(
            {
                "stringValue": "héllo {{user}}",
                "int64Value": "9223372036854775807",
                "doubleValue": 1.5,
                "bytesValue": "AAEC/w==",
                "timestamp": "2026-01-02T03:04:05.678Z",
                "stringList": ["a", "b"],
            },
        ),
        metadata=(MetadataEntry("authorization", "Bearer {{token}}"),),
        timeout=2.5,
        notes="Echo everything back.\nSecond line.",
    ),
    MethodKind.SERVER_STREAMING: SavedRequest(
        method=f"{SVC}/Countdown",
        target=SavedTarget("localhost:50051", tls="staging", authority="api.example.com"),
        messages=({"count": 3, "intervalMs": 10, "label": "go"},),
    ),
    MethodKind.CLIENT_STREAMING: SavedRequest(
        method=f"{SVC}/Sum",
        target=SavedTarget("localhost:50051", tls=TlsSettings(cacert="certs/ca.pem")),
        messages=({"value": "1", "tag": "a"}, {"value": "2"}, {"value": "-3", "tag": "c"}),
        metadata=(MetadataEntry("trace-bin", "AAEC"), MetadataEntry("x", "1")),
    ),
    MethodKind.BIDI_STREAMING: SavedRequest(
        method=f"{SVC}/Chat",
        target=SavedTarget("dns:///chat.internal:443", plaintext=False),
        messages=({"text": "hi", "sender": "me"}, {"text": "again", "repeat": 2}),
        timeout=30.0,
    ),
}


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    return Workspace.create(root, secrets=FileSecretStore(root))


@pytest.mark.parametrize("kind", list(REQUESTS), ids=lambda k: k.value)
def test_every_kind_round_trips(
    workspace: Workspace, demo_schema: Schema, kind: MethodKind
) -> None:
    request = REQUESTS[kind]
    method = demo_schema.method(request.method)
    assert MethodKind.of(method) is kind
    for i, body in enumerate(request.messages):  # realistic bodies for the real method
        values = {"user": "ann"}
        parse_value(_fill(body, values), method.input_type, demo_schema.pool, f"[{i}]")
    coll = workspace.collections.create_collection("demo")
    node = workspace.collections.save_as(coll, request, f"{kind.value} call")
    data = node.path.read_bytes()

    reopened = Workspace.open(workspace.directory, secrets=FileSecretStore(workspace.directory))
    loaded = reopened.collections.find(["demo", f"{kind.value} call"])
    assert isinstance(loaded, RequestNode)
    assert loaded.request == request.renamed(f"{kind.value} call")
    # Saving what was loaded writes the very same bytes: no churn in git.
    reopened.collections.save(loaded, loaded.request)
    assert loaded.path.read_bytes() == data


def _fill(body: object, values: dict[str, str]) -> object:
    from workbench.core.store.variables import substitute

    if isinstance(body, dict):
        return {k: _fill(v, values) for k, v in body.items()}
    if isinstance(body, list):
        return [_fill(v, values) for v in body]
    return substitute(body, values) if isinstance(body, str) else body


def test_file_is_pretty_structured_json(workspace: Workspace) -> None:
    coll = workspace.collections.create_collection("demo")
    node = workspace.collections.save_as(coll, REQUESTS[MethodKind.CLIENT_STREAMING], "sum")
    text = node.path.read_text()
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text.startswith('{\n  "format": "grpc-workbench/request",\n  "version": 1,\n')
    # Bodies are structured data, not escaped JSON strings.
    assert '      "value": "2"\n' in text
    assert '\\"' not in text
    assert '"name"' not in text.split('"metadata"')[0]  # the name is the file name


def test_editing_one_field_is_a_one_line_diff(workspace: Workspace) -> None:
    coll = workspace.collections.create_collection("demo")
    node = workspace.collections.save_as(coll, REQUESTS[MethodKind.UNARY], "echo")
    before = node.path.read_text().splitlines()
    body = dict(node.request.messages[0])
    body["doubleValue"] = 2.75
    workspace.collections.save(node, replace(node.request, messages=(body,), timeout=2.5))
    after = node.path.read_text().splitlines()
    changes = [
        line
        for line in difflib.unified_diff(before, after, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changes == ['-      "doubleValue": 1.5,', '+      "doubleValue": 2.75,']


def test_unknown_fields_of_a_newer_minor_writer_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "r.request.json"
    path.write_text(
        '{"format": "grpc-workbench/request", "version": 1, "method": "a.B/C",'
        ' "messages": [{}], "color": "blue"}'
    )
    request = load_request(path.read_bytes(), path, name="r")
    assert request.extra == {"color": "blue"}
    assert b'"color": "blue"' in request.to_bytes()


def test_missing_method_keeps_the_body_and_warns(demo_schema: Schema) -> None:
    request = replace(REQUESTS[MethodKind.UNARY], method=f"{SVC}/Ecko")
    issues = check_request(request, demo_schema, {"host": "h", "user": "u", "token": "t"})
    assert [i.severity for i in issues] == ["warning"]
    assert issues[0].where == "method"
    assert "no longer exists" in issues[0].message
    assert "Echo" in issues[0].hint
    assert request.messages == REQUESTS[MethodKind.UNARY].messages


def test_check_reports_bad_fields_and_unknown_variables(demo_schema: Schema) -> None:
    request = replace(
        REQUESTS[MethodKind.SERVER_STREAMING],
        messages=({"count": "many", "label": "{{who}}"},),
        target=SavedTarget("{{host}}"),
    )
    issues = check_request(request, demo_schema, {"host": "localhost:1"})
    assert [(i.severity, i.where) for i in issues] == [
        ("error", "messages[0].label"),
        ("error", "messages[0].count"),
    ]
    assert "unknown variable {{who}}" in issues[0].message
    assert check_request(REQUESTS[MethodKind.UNARY], demo_schema) == []

"""grpcurl command lines: import into saved requests and render back (round trip)."""

from __future__ import annotations

import shlex

import pytest

from workbench.core.errors import GrpcurlParseError
from workbench.core.store.grpcurl import parse_grpcurl, to_grpcurl
from workbench.core.store.requests import MetadataEntry, SavedRequest, SavedTarget, TlsSettings

# Written in the order to_grpcurl renders, so each must come back unchanged.
ROUND_TRIP = [
    """grpcurl -plaintext -d '{"name":"x"}' -H 'authorization: Bearer t' """
    "localhost:50051 pkg.Svc/Method",
    "grpcurl -import-path ./protos -proto a.proto -d @ localhost:8080 a.B/C",
    "grpcurl -insecure -max-time 3 api.example.com:443 shop.v1.Shop/List",
    "grpcurl -cacert certs/ca.pem -cert certs/me.pem -key certs/me.key -authority api.internal "
    "-protoset api.protoset 10.0.0.5:443 shop.v1.Shop/Get",
    """grpcurl -plaintext -d '{"value":"1"} {"value":"2"} {"value":1.50}' localhost:50051 """
    "workbench.demo.v1.DemoService/Sum",
    """grpcurl -plaintext -max-time 0.5 -d '{"text":"it'"'"'s {{user}}"}' """
    "-H 'x-a: 1' -H 'x-a: 2' localhost:1 workbench.demo.v1.DemoService/Chat",
]


@pytest.mark.parametrize("command", ROUND_TRIP)
def test_round_trip(command: str) -> None:
    parsed = parse_grpcurl(command)
    assert parsed.to_command() == command
    again = parse_grpcurl(parsed.to_command())
    assert again == parsed


def test_fields_of_a_typical_command() -> None:
    cmd = parse_grpcurl(ROUND_TRIP[0])
    r = cmd.request
    assert r.method == "pkg.Svc/Method"
    assert r.target == SavedTarget("localhost:50051", plaintext=True)
    assert r.messages == ({"name": "x"},)
    assert r.metadata == (MetadataEntry("authorization", "Bearer t"),)
    assert cmd.notes == ()


def test_stdin_data_and_schema_flags() -> None:
    cmd = parse_grpcurl(ROUND_TRIP[1], stdin='{"a": 1}\n{"a": 2}')
    assert cmd.data_from_stdin
    assert cmd.request.messages == ({"a": 1}, {"a": 2})
    assert cmd.schema.import_paths == ("./protos",)
    assert cmd.schema.proto_files == ("a.proto",)
    # No -plaintext: grpcurl would use TLS, and so do we.
    assert cmd.request.target.plaintext is False
    assert parse_grpcurl(ROUND_TRIP[1]).request.messages == ()


def test_echo_pipe_supplies_stdin() -> None:
    cmd = parse_grpcurl("""echo '{"name": "piped"}' | grpcurl -plaintext -d @ localhost:1 a.B/C""")
    assert cmd.request.messages == ({"name": "piped"},)


def test_tls_flags() -> None:
    r = parse_grpcurl(ROUND_TRIP[3]).request
    assert r.target.tls == TlsSettings("certs/ca.pem", "certs/me.pem", "certs/me.key")
    assert r.target.authority == "api.internal"
    insecure = parse_grpcurl(ROUND_TRIP[2]).request
    assert insecure.target.tls == TlsSettings(insecure=True)
    assert insecure.timeout == 3.0


def test_go_flag_spellings() -> None:
    a = parse_grpcurl(
        ["grpcurl", "--plaintext", "--d={}", "-H=k: v", "-max-time=2", "h:1", "a.B/C"]
    )
    b = parse_grpcurl(
        "grpcurl \\\n  -plaintext=true \\\n  -d '{}' -rpc-header 'k: v' --max-time 2 h:1 a.B/C"
    )
    assert a.request == b.request
    assert parse_grpcurl("grpcurl -plaintext=false h:1 a.B/C").request.target.plaintext is False


def test_output_only_flags_are_noted_not_fatal() -> None:
    cmd = parse_grpcurl("grpcurl -v -emit-defaults -connect-timeout 5 -plaintext h:1 a.B/C")
    assert len(cmd.notes) == 3
    assert "-connect-timeout 5" in cmd.notes[2]


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("grpcurl -plaintext localhost:1 list", "lists or describes"),
        ("grpcurl -plaintext localhost:1 describe a.B", "lists or describes"),
        ("grpcurl -bogus h:1 a.B/C", "unknown grpcurl flag '-bogus'"),
        ("grpcurl -d", "-d needs a value"),
        ("grpcurl -H nocolon h:1 a.B/C", "bad -H value"),
        ("grpcurl -d '{' h:1 a.B/C", "-d is not valid JSON"),
        ("grpcurl a.B/C", "expected ADDRESS and METHOD"),
        ("grpcurl -format text -d 'a: 1' h:1 a.B/C", "only -format json"),
        ('grpcurl -d \'{"a": 1', "cannot split"),
        ("grpcurl -max-time soon h:1 a.B/C", "-max-time takes seconds"),
    ],
)
def test_bad_commands(command: str, message: str) -> None:
    with pytest.raises(GrpcurlParseError, match=message):
        parse_grpcurl(command)


def test_render_any_request() -> None:
    request = SavedRequest(
        method="a.B/C",
        target=SavedTarget("localhost:50051", tls="prod"),
        messages=({"q": "it's"},),
        timeout=1.25,
    )
    text = to_grpcurl(request, tls_profiles={"prod": TlsSettings(cacert="/etc/ca.pem")})
    assert shlex.split(text) == [
        "grpcurl",
        "-cacert",
        "/etc/ca.pem",
        "-max-time",
        "1.25",
        "-d",
        '{"q":"it\'s"}',
        "localhost:50051",
        "a.B/C",
    ]
    # Address-decided plaintext is spelled out for grpcurl, which defaults to TLS.
    local = SavedRequest("a.B/C", SavedTarget("127.0.0.1:1"))
    assert to_grpcurl(local) == "grpcurl -plaintext 127.0.0.1:1 a.B/C"
    with pytest.raises(GrpcurlParseError, match="TLS profile 'prod' is unknown"):
        to_grpcurl(request)

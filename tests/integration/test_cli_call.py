"""``grpc-workbench call`` end to end against the demo server (in-process and as a process)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_cli_schema import DEMO_PROTO, PROTOS, cli
from workbench.core.calls.status import EXIT_CODE_BASE
from workbench.core.errors import (
    ConnectionFailed,
    FileAccessError,
    RequestParseError,
    SymbolNotFound,
    TlsError,
    UsageError,
)

SVC = "workbench.demo.v1.DemoService"


def docs(text: str) -> list[Any]:
    """Every JSON value printed on stdout."""
    decoder = json.JSONDecoder()
    out, i = [], 0
    text = text.strip()
    while i < len(text):
        value, i = decoder.raw_decode(text, i)
        out.append(value)
        while i < len(text) and text[i].isspace():
            i += 1
    return out


def test_unary_echo_keeps_64_bit_values_exact(demo_address: str) -> None:
    request = {
        "stringValue": "héllo",
        "int64Value": "9223372036854775807",
        "uint64Value": "18446744073709551615",
        "sint64Value": -9223372036854775808,
        "bytesValue": "AAEC/w==",
        "timestamp": "2026-01-02T03:04:05.678Z",
        "duration": "1.500s",
    }
    code, out, err = cli("call", demo_address, f"{SVC}/Echo", "-d", json.dumps(request))
    assert code == 0, err
    (resp,) = docs(out)
    assert resp["int64Value"] == "9223372036854775807"
    assert resp["uint64Value"] == "18446744073709551615"
    assert resp["sint64Value"] == "-9223372036854775808"
    assert resp["stringValue"] == "héllo"
    assert resp["bytesValue"] == "AAEC/w=="
    assert resp["duration"] == "1.500s"


def test_original_field_names_and_enum_numbers_accepted(demo_address: str) -> None:
    code, out, err = cli(
        "call", demo_address, f"{SVC}/Echo", "-d", '{"int32_value": 7, "bool_value": true}'
    )
    assert code == 0, err
    assert docs(out) == [{"int32Value": 7, "boolValue": True}]


def test_emit_defaults_and_text_format(demo_address: str) -> None:
    code, out, _ = cli("call", demo_address, f"{SVC}/Echo", "-d", "{}", "--emit-defaults")
    assert code == 0
    assert docs(out)[0]["int32Value"] == 0
    code, out, _ = cli(
        "call", demo_address, f"{SVC}/Echo", "-d", '{"int32Value": 5}', "--format", "text"
    )
    assert code == 0
    assert out.strip() == "int32_value: 5"


def test_server_stream_prints_every_message(demo_address: str) -> None:
    code, out, err = cli("call", demo_address, f"{SVC}/Countdown", "-d", '{"count": 4}')
    assert code == 0, err
    assert [d["sequence"] for d in docs(out)] == [1, 2, 3, 4]


def test_client_stream_from_concatenated_and_file_input(demo_address: str, tmp_path: Path) -> None:
    code, out, err = cli("call", demo_address, f"{SVC}/Sum", "-d", '{"value": 2}{"value": "40"}')
    assert code == 0, err
    assert docs(out)[0]["total"] == "42"
    requests = tmp_path / "req.jsonl"
    requests.write_text('{"value": 1}\n{"value": 2}\n{"value": 3}\n')
    code, out, err = cli("call", demo_address, f"{SVC}/Sum", "-d", f"@{requests}")
    assert code == 0, err
    assert docs(out)[0]["total"] == "6"
    assert docs(out)[0]["count"] == 3


def test_bidi_is_interactive_over_stdin(demo_address: str) -> None:
    """Each line typed is sent at once and its reply printed before end of input."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench", "call", demo_address, f"{SVC}/Chat", "-d", "@-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write('{"text": "first"}\n')
    proc.stdin.flush()
    # The reply to the first message arrives while stdin is still open.
    lines = []
    while not any('"first"' in line for line in lines):
        line = proc.stdout.readline()
        assert line, "stdout closed before the first reply"
        lines.append(line)
    proc.stdin.write('{"text": "second"}\n')
    proc.stdin.close()
    rest = proc.stdout.read()
    assert proc.stderr is not None
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 0, err
    replies = docs("".join(lines) + rest)
    assert [r["text"] for r in replies] == ["first", "second"]


def test_failure_status_exit_code_and_rich_details(demo_address: str) -> None:
    code, out, err = cli(
        "call",
        demo_address,
        f"{SVC}/Fail",
        "-d",
        '{"code": "FAILED_PRECONDITION", "message": "not today", "all_details": true}',
    )
    assert code == EXIT_CODE_BASE + 9
    assert out == ""
    assert "FAILED_PRECONDITION" in err
    assert "not today" in err
    assert "item.name: must not be empty" in err  # BadRequest field violation
    assert "retry after 1.5s" in err  # RetryInfo
    assert "DEMO_FAILURE" in err  # ErrorInfo
    assert "type not in the schema" in err  # an unknown detail is named by its type URL


def test_metadata_round_trip_verbose(demo_address: str) -> None:
    code, _, err = cli(
        "call",
        demo_address,
        f"{SVC}/EchoMetadata",
        "-H",
        "x-user: alice",
        "-H",
        "trace-bin: AAEC",
        "-v",
    )
    assert code == 0, err
    assert "Response headers received:" in err
    assert "x-user: alice" in err
    assert "trailer-x-user: alice" in err
    assert "trace-bin: AAEC" in err
    assert "status OK" in err


def test_deadline_exceeded(demo_address: str) -> None:
    code, _, err = cli(
        "call", demo_address, f"{SVC}/Slow", "-d", '{"duration": "5s"}', "--max-time", "0.2"
    )
    assert code == EXIT_CODE_BASE + 4
    assert "DEADLINE_EXCEEDED" in err


def test_large_message_needs_max_msg_size(demo_address: str) -> None:
    code, _, err = cli("call", demo_address, f"{SVC}/Large", "-d", '{"sizeBytes": 6000000}')
    assert code != 0
    assert "--max-msg-size" in err
    code, out, err = cli(
        "call",
        demo_address,
        f"{SVC}/Large",
        "-d",
        '{"sizeBytes": 6000000}',
        "--max-msg-size",
        "20000000",
    )
    assert code == 0, err
    assert len(out) > 6_000_000


def test_gzip(demo_address: str) -> None:
    code, out, err = cli(
        "call", demo_address, f"{SVC}/Echo", "-d", '{"stringValue": "zip"}', "--compression", "gzip"
    )
    assert code == 0, err
    assert docs(out) == [{"stringValue": "zip"}]


def test_schema_from_proto_files(demo_address: str) -> None:
    code, out, err = cli(
        "call",
        demo_address,
        f"{SVC}/Echo",
        "--proto",
        str(DEMO_PROTO),
        "-I",
        str(PROTOS),
        "-d",
        '{"boolValue": true}',
    )
    assert code == 0, err
    assert docs(out) == [{"boolValue": True}]


def test_describe_request_prints_a_parseable_example() -> None:
    code, out, err = cli("call", "--proto", str(DEMO_PROTO), f"{SVC}/Echo", "--describe-request")
    assert code == 0, err
    example = docs(out)[0]
    assert "int64Value" in example
    assert "timestamp" in example


def test_tls_with_cacert_and_mutual_tls(
    tls_demo_server: Any, mtls_demo_server: Any, tls_files: Any
) -> None:
    port = tls_demo_server.port
    code, _, err = cli(
        "call", f"localhost:{port}", f"{SVC}/Echo", "--tls", "--cacert", str(tls_files.ca)
    )
    assert code == 0, err
    mport = mtls_demo_server.port
    base = ["call", f"localhost:{mport}", f"{SVC}/Echo", "--tls", "--cacert", str(tls_files.ca)]
    code, _, err = cli(
        *base, "--cert", str(tls_files.client_cert), "--key", str(tls_files.client_key)
    )
    assert code == 0, err
    code, _, err = cli(*base)
    assert code in (ConnectionFailed.exit_code, TlsError.exit_code)
    assert "Traceback" not in err and "--cert" in err


def test_tls_failures_are_explained(tls_demo_server: Any, tls_files: Any, tmp_path: Path) -> None:
    port = tls_demo_server.port
    # Not trusted: system roots do not know our test CA.
    code, _, err = cli("list", f"localhost:{port}", "--tls")
    assert code == TlsError.exit_code
    assert "--cacert" in err
    # Wrong authority: the certificate is not for that name.
    code, _, err = cli(
        "list", f"localhost:{port}", "--cacert", str(tls_files.ca), "--authority", "evil.example"
    )
    assert code == TlsError.exit_code
    assert "--authority" in err or "name" in err
    # Plaintext client against a TLS server.
    code, _, err = cli("list", f"127.0.0.1:{port}")
    assert code in (ConnectionFailed.exit_code, TlsError.exit_code)
    assert "TLS" in err or "plaintext" in err
    # --insecure works against an untrusted server, with a warning.
    code, out, err = cli("list", f"localhost:{port}", "--insecure")
    assert code == 0, err
    assert "warning" in err and "insecure" in err
    assert SVC in out


def test_bad_cert_files(tls_demo_server: Any, tls_files: Any, tmp_path: Path) -> None:
    port = tls_demo_server.port
    code, _, err = cli("list", f"localhost:{port}", "--cacert", str(tmp_path / "missing.pem"))
    assert code == FileAccessError.exit_code
    assert "missing.pem" in err
    code, _, err = cli(
        "list",
        f"localhost:{port}",
        "--cacert",
        str(tls_files.ca),
        "--cert",
        str(tls_files.client_cert),
        "--key",
        str(tls_files.server_key),
    )
    assert code != 0
    assert "does not match" in err or "key" in err
    code, _, err = cli("list", f"localhost:{port}", "--cert", str(tls_files.client_cert))
    assert code == UsageError.exit_code


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ('{"int32Value": }', "line 1, column 16"),
        ('{"int32Valu": 1}', "int32Valu"),
        ('{"int32Value": "abc"}', "int32"),
        ('{"uint32Value": -1}', "out of range"),
        ('{"color": "NOPE"}', "NOPE"),
        ("{} {}", "takes one request"),
    ],
)
def test_bad_request_json(demo_address: str, data: str, fragment: str) -> None:
    code, out, err = cli("call", demo_address, f"{SVC}/Echo", "-d", data)
    assert code == RequestParseError.exit_code, err
    assert fragment in err
    assert "Traceback" not in err
    assert out == ""


def test_non_utf8_request_file(demo_address: str, tmp_path: Path) -> None:
    bad = tmp_path / "latin1.json"
    bad.write_bytes(b'{"stringValue": "caf\xe9"}')
    code, _, err = cli("call", demo_address, f"{SVC}/Echo", "-d", f"@{bad}")
    assert code == RequestParseError.exit_code
    assert "not UTF-8" in err


@pytest.mark.parametrize(
    ("method", "exit_code"),
    [
        (f"{SVC}/Nope", SymbolNotFound.exit_code),
        ("workbench.demo.v1.NoService/Echo", SymbolNotFound.exit_code),
        ("Echo", SymbolNotFound.exit_code),
    ],
)
def test_unknown_methods(demo_address: str, method: str, exit_code: int) -> None:
    code, _, err = cli("call", demo_address, method)
    assert code == exit_code
    assert "not found" in err


def test_unreachable_fails_fast_and_clearly(unused_port: int) -> None:
    start = time.monotonic()
    code, _, err = cli("call", f"127.0.0.1:{unused_port}", f"{SVC}/Echo", "--connect-timeout", "5")
    assert code == ConnectionFailed.exit_code
    assert "refused" in err
    assert time.monotonic() - start < 30  # a hang would hit the test timeout instead


def test_process_exit_code_and_no_traceback(demo_address: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "workbench", "call", demo_address, f"{SVC}/Fail", "-d", "{}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == EXIT_CODE_BASE + 2  # UNKNOWN
    assert "Traceback" not in proc.stderr

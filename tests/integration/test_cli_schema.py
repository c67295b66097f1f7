"""``grpc-workbench list`` and ``describe`` from all three sources, against the demo server."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.app.cli import run_cli
from workbench.core.errors import (
    ConnectionFailed,
    FileAccessError,
    ProtosetError,
    ReflectionNotSupported,
    SchemaError,
    SymbolNotFound,
)

REPO = Path(__file__).resolve().parents[2]
PROTOS = REPO / "protos"
DEMO_PROTO = PROTOS / "workbench" / "demo" / "v1" / "demo.proto"
INVENTORY_PROTO = PROTOS / "workbench" / "demo" / "v1" / "inventory.proto"
DEMO_SERVICE = "workbench.demo.v1.DemoService"


def cli(*argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; returns (exit status, stdout, stderr)."""
    out = io.StringIO()
    err = io.StringIO()
    old = sys.stderr
    sys.stderr = err
    try:
        code = run_cli(list(argv), stdout=out)
    finally:
        sys.stderr = old
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def protoset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from workbench.core.schema.files import ProtoFileSource

    schema = ProtoFileSource([DEMO_PROTO, INVENTORY_PROTO], [PROTOS]).load_sync()
    path = tmp_path_factory.mktemp("protoset") / "demo.protoset"
    path.write_bytes(schema.file_descriptor_set().SerializeToString())
    return path


def file_sources(protoset: Path) -> list[list[str]]:
    return [
        ["--proto", str(DEMO_PROTO), "--proto", str(INVENTORY_PROTO), "-I", str(PROTOS)],
        # No import path: detected from the files' own import lines.
        ["--proto", str(DEMO_PROTO), "--proto", str(INVENTORY_PROTO)],
        ["--protoset", str(protoset)],
    ]


def test_list_services_by_reflection(demo_address: str) -> None:
    code, out, err = cli("list", demo_address)
    assert code == 0, err
    names = out.split()
    assert DEMO_SERVICE in names
    assert "workbench.demo.inventory.v1.InventoryService" in names
    assert "grpc.health.v1.Health" in names
    assert "grpc.reflection.v1.ServerReflection" in names


def test_list_methods_with_kinds(demo_address: str) -> None:
    code, out, err = cli("list", demo_address, DEMO_SERVICE)
    assert code == 0, err
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert "unary" in lines[f"{DEMO_SERVICE}.Echo"]
    assert "server-streaming" in lines[f"{DEMO_SERVICE}.Countdown"]
    assert "client-streaming" in lines[f"{DEMO_SERVICE}.Sum"]
    assert "bidi" in lines[f"{DEMO_SERVICE}.Chat"]
    assert "(stream workbench.demo.v1.ChatMessage) returns (stream" in lines[f"{DEMO_SERVICE}.Chat"]


@pytest.mark.parametrize("source_index", [0, 1, 2], ids=["proto+I", "proto-detected", "protoset"])
def test_same_answers_from_files(protoset: Path, source_index: int, demo_address: str) -> None:
    flags = file_sources(protoset)[source_index]
    code, out, err = cli("list", *flags)
    assert code == 0, err
    assert DEMO_SERVICE in out.split()
    code, methods, err = cli("list", *flags, DEMO_SERVICE)
    assert code == 0, err
    _, by_reflection, _ = cli("list", demo_address, DEMO_SERVICE)
    assert methods == by_reflection


def test_describe_method_and_message_with_comments() -> None:
    code, out, err = cli("describe", "--proto", str(DEMO_PROTO), f"{DEMO_SERVICE}.Countdown")
    assert code == 0, err
    assert "is a method" in out
    assert "rpc Countdown" in out
    assert "stream" in out
    assert "counts down" in out  # the comment from the .proto file
    code, out, err = cli("describe", "--proto", str(DEMO_PROTO), "workbench.demo.v1.Tick")
    assert code == 0, err
    assert "message Tick {" in out
    assert "Ticks still to come" in out


def test_describe_by_reflection(demo_address: str) -> None:
    code, out, err = cli("describe", demo_address, DEMO_SERVICE)
    assert code == 0, err
    assert f"{DEMO_SERVICE} is a service" in out
    assert "rpc Chat ( stream" in out or "rpc Chat (stream" in out
    # The demo server serves its files with source info, so comments survive reflection.
    assert "answers each chat message" in out


def test_describe_without_symbol_describes_all_services(protoset: Path) -> None:
    code, out, err = cli("describe", "--protoset", str(protoset))
    assert code == 0, err
    assert "service DemoService {" in out
    assert "service InventoryService {" in out


def test_unknown_symbol(demo_address: str) -> None:
    code, _, err = cli("describe", demo_address, "workbench.demo.v1.Nope")
    assert code == SymbolNotFound.exit_code
    assert "Nope" in err
    assert "Traceback" not in err


def test_unknown_service_suggests(demo_address: str) -> None:
    code, _, err = cli("list", demo_address, "workbench.demo.v1.DemoServic")
    assert code == SymbolNotFound.exit_code
    assert "did you mean" in err and DEMO_SERVICE in err


def test_refused_connection_is_one_clear_line(unused_port: int) -> None:
    code, _, err = cli("list", f"127.0.0.1:{unused_port}", "--connect-timeout", "3")
    assert code == ConnectionFailed.exit_code
    assert "refused" in err
    assert "Traceback" not in err


def test_reflection_not_enabled(demo_server_no_reflection: object) -> None:
    address = demo_server_no_reflection.address  # type: ignore[attr-defined]
    code, _, err = cli("list", address)
    assert code == ReflectionNotSupported.exit_code
    assert "reflection" in err
    assert "--proto" in err


def test_missing_proto_file(tmp_path: Path) -> None:
    code, _, err = cli("list", "--proto", str(tmp_path / "nope.proto"))
    assert code == FileAccessError.exit_code
    assert "nope.proto" in err


def test_malformed_proto_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.proto"
    bad.write_text('syntax = "proto3";\npackage x;\nmessage A {\n  int32 a = ;\n}\n')
    code, _, err = cli("list", "--proto", str(bad))
    assert code == SchemaError.exit_code
    assert "bad.proto:4:" in err


def test_not_a_protoset(tmp_path: Path) -> None:
    junk = tmp_path / "junk.protoset"
    junk.write_text('{"not": "a protoset"}')
    code, _, err = cli("list", "--protoset", str(junk))
    assert code == ProtosetError.exit_code
    assert "junk.protoset" in err


def test_no_address_is_a_usage_error() -> None:
    code, _, err = cli("list")
    assert code == 2
    assert "address" in err


def test_entry_point_runs_as_module(demo_address: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "workbench", "list", demo_address],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert DEMO_SERVICE in proc.stdout
    assert proc.stderr == ""

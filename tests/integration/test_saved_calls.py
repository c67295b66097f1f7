"""Saved requests run against the real demo server, with environments and secrets."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import sqlite3
import sys
from pathlib import Path

import pytest

from workbench.app import options, saved_command
from workbench.app.cli import run_async
from workbench.core.errors import (
    SavedRequestNotFound,
    SymbolNotFound,
    UnresolvedVariablesError,
    UsageError,
)
from workbench.core.schema.schema import Schema
from workbench.core.store.environments import Environment
from workbench.core.store.history import History
from workbench.core.store.requests import MetadataEntry, SavedRequest, SavedTarget
from workbench.core.store.runner import resolve_saved, run_saved
from workbench.core.store.secrets import FileSecretStore
from workbench.core.store.workspace import Workspace
from workbench.core.store.workspace_file import SchemaSources, WorkspaceSettings

REPO = Path(__file__).resolve().parents[2]
SVC = "workbench.demo.v1.DemoService"
SECRET = "tok-3f9a-never-in-git"

WHO_AM_I = SavedRequest(
    method=f"{SVC}/EchoMetadata",
    target=SavedTarget("{{host}}"),
    metadata=(
        MetadataEntry("authorization", "Bearer {{token}}"),
        MetadataEntry("x-user", "{{user}}"),
    ),
    messages=({},),
)


@pytest.fixture
def ws(tmp_path: Path, demo_address: str) -> Workspace:
    root = tmp_path / "api"
    workspace = Workspace.create(root, secrets=FileSecretStore(root))
    workspace.environments.save(Environment("dev", {"host": demo_address, "user": "ann"}))
    workspace.environments.set_secret("dev", "token", SECRET)
    workspace.environments.save(Environment("prod", {"host": "prod.invalid:443"}))
    store = workspace.collections
    users = store.create_collection("users")
    store.save_as(users, WHO_AM_I, "Who am I")
    streams = store.create_folder(users, "streams")
    target = SavedTarget("{{host}}")
    store.save_as(streams, SavedRequest(f"{SVC}/Countdown", target, ({"count": 3},)), "countdown")
    store.save_as(
        streams,
        SavedRequest(f"{SVC}/Sum", target, ({"value": "1"}, {"value": "{{n}}"}, {"value": "3"})),
        "sum",
    )
    store.save_as(
        streams,
        SavedRequest(f"{SVC}/Chat", target, ({"text": "hi {{user}}"}, {"text": "bye"})),
        "chat",
    )
    return workspace


def entries(response: object) -> dict[str, str]:
    from workbench.core.messages.codec import to_dict

    doc = to_dict(response)  # type: ignore[arg-type]
    return {e["key"]: e.get("value", "") for e in doc["entries"]}


async def test_environment_fills_address_and_secret_token(ws: Workspace) -> None:
    _, node = resolve_saved(str(ws.directory / "users" / "Who am I"))
    result = await run_saved(ws, node.request, environment="dev")
    assert result.ok, result.message
    got = entries(result.response())
    assert got["authorization"] == f"Bearer {SECRET}"
    assert got["x-user"] == "ann"


async def test_every_kind_through_reflection(ws: Workspace) -> None:
    ws.environments.save(
        Environment(
            "dev",
            {"host": ws.environments.get("dev").variables["host"], "user": "bo", "n": "38"},
            secrets=("token",),
        )
    )
    for name, check in [
        ("countdown", lambda r: [m.remaining for m in r.responses()] == [2, 1, 0]),
        ("sum", lambda r: r.response().total == 42),
        ("chat", lambda r: "hi bo" in r.responses()[0].text and len(r.responses()) == 2),
    ]:
        node = ws.collections.find(["users", "streams", name])
        assert node is not None
        result = await run_saved(ws, node.request, environment="dev")  # type: ignore[attr-defined]
        assert result.ok, (name, result.message)
        assert check(result), name


@pytest.mark.parametrize("source", ["proto", "protoset"])
async def test_workspace_schema_sources(
    ws: Workspace, demo_schema: Schema, tmp_path: Path, source: str
) -> None:
    if source == "proto":
        (ws.directory / "protos").symlink_to(REPO / "protos")
        sources = SchemaSources(
            proto_files=("workbench/demo/v1/demo.proto",), import_paths=("protos",)
        )
    else:
        (ws.directory / "api.protoset").write_bytes(
            demo_schema.file_descriptor_set().SerializeToString()
        )
        sources = SchemaSources(protosets=("api.protoset",))
    ws.save_settings(WorkspaceSettings(schema=sources))
    _, node = resolve_saved("users/Who am I", cwd=ws.directory)
    result = await run_saved(ws, node.request, environment="dev")
    assert result.ok, result.message


async def test_unknown_variables_are_flagged_before_sending(ws: Workspace) -> None:
    node = ws.collections.find(["users", "Who am I"])
    with pytest.raises(UnresolvedVariablesError) as info:
        await run_saved(ws, node.request, environment="prod")  # type: ignore[union-attr]
    assert [name for name, _ in info.value.uses] == ["token", "user"]
    assert "metadata[0] authorization" in info.value.message


async def test_missing_method_is_a_clear_error(ws: Workspace) -> None:
    request = SavedRequest(f"{SVC}/Gone", SavedTarget("{{host}}"), ({},))
    with pytest.raises(SymbolNotFound, match="Gone"):
        await run_saved(ws, request, environment="dev")


async def test_history_records_the_template_not_the_secret(ws: Workspace, tmp_path: Path) -> None:
    node = ws.collections.find(["users", "Who am I"])
    path = tmp_path / "history.sqlite3"
    with History(path) as history:
        await run_saved(ws, node.request, environment="dev", history=history)  # type: ignore[union-attr]
        (entry,) = history.entries()
        assert entry.environment == "dev"
        assert entry.to_request() == WHO_AM_I
        assert entry.address == ws.environments.get("dev").variables["host"]
        # EchoMetadata echoes the header back, so the *response* holds the token; the
        # recorded request holds only the placeholder.
        assert entry.first_response is not None
    db = sqlite3.connect(path)
    try:
        (request_json,) = db.execute("SELECT request FROM entries").fetchone()
    finally:
        db.close()
    assert "Bearer {{token}}" in request_json
    assert SECRET not in request_json


def test_resolve_saved_forms_and_errors(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ws.directory.parent)
    for ref in (
        "api/users/Who am I",
        f"{ws.directory}/users/Who am I",
        "api/collections/users/Who am I.request.json",
        "api/USERS/who AM i",
    ):
        workspace, node = resolve_saved(ref)
        assert workspace.directory == ws.directory
        assert node.names == ("users", "Who am I")
    workspace, node = resolve_saved("api/users/streams/sum")
    assert node.request.method.endswith("/Sum")
    with pytest.raises(SavedRequestNotFound) as info:
        resolve_saved("api/users/Who am")
    assert "did you mean Who am I?" in info.value.hint
    with pytest.raises(SavedRequestNotFound, match="no collection 'orders'"):
        resolve_saved("api/orders/x")
    with pytest.raises(SavedRequestNotFound, match="not a saved request"):
        resolve_saved("api/users")
    with pytest.raises(SavedRequestNotFound, match="not a saved request"):
        resolve_saved("api")


def call_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    parser.add_argument("positionals", nargs="*")
    options.add_source_options(parser)
    options.add_connection_options(parser)
    options.add_call_options(parser)
    saved_command.add_saved_options(parser)
    return parser


def run_saved_cli(*argv: str) -> tuple[int, str, str]:
    args = call_parser().parse_args(list(argv))
    out, err = io.StringIO(), io.StringIO()
    old, sys.stderr = sys.stderr, err
    try:
        code = run_async(saved_command.run_saved_call(args, out))
    finally:
        sys.stderr = old
    return code, out.getvalue(), err.getvalue()


def test_cli_saved_with_env_and_extra_header(ws: Workspace) -> None:
    ref = f"{ws.directory}/users/Who am I"
    code, out, err = run_saved_cli("--saved", ref, "--env", "dev", "-H", "x-extra: 1")
    assert code == 0, err
    got = {e["key"]: e.get("value") for e in json.loads(out)["entries"]}
    assert got["authorization"] == f"Bearer {SECRET}"
    assert got["x-extra"] == "1"
    code, _, err = run_saved_cli("--saved", ref, "--env", "prod")
    assert code == UsageError.exit_code
    assert "unknown variables with environment 'prod'" in err
    code, _, err = run_saved_cli("--saved", ref, "-d", "{}")
    assert code == UsageError.exit_code and "-d cannot be combined" in err
    code, _, err = run_saved_cli("--saved", f"{ws.directory}/users/nope")
    assert code == SavedRequestNotFound.exit_code and "no request 'nope'" in err


def test_cli_saved_default_environment(ws: Workspace) -> None:
    ws.save_settings(WorkspaceSettings(default_environment="dev"))
    code, out, err = run_saved_cli("--saved", f"{ws.directory}/users/streams/countdown")
    assert code == 0, err
    assert [json.loads(line).get("remaining", 0) for line in _objects(out)] == [2, 1, 0]


def _objects(text: str) -> list[str]:
    decoder = json.JSONDecoder()
    out, i = [], 0
    text = text.strip()
    while i < len(text):
        value, end = decoder.raw_decode(text, i)
        out.append(json.dumps(value))
        i = end
        while i < len(text) and text[i].isspace():
            i += 1
    return out


def test_no_event_loop_leaks() -> None:
    # run_async uses asyncio.run; make sure no loop stays set for the next tests.
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()

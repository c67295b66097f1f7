"""Environments, {{variables}} and secrets (which never reach a workspace file)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

from workbench.core.errors import (
    FileFormatError,
    StoreError,
    UnresolvedVariablesError,
    VariableCycleError,
)
from workbench.core.store.environments import Environment
from workbench.core.store.events import EnvironmentEvent
from workbench.core.store.requests import MetadataEntry, SavedRequest, SavedTarget
from workbench.core.store.secrets import (
    FileSecretStore,
    KeyringSecretStore,
    default_secret_store,
)
from workbench.core.store.variables import (
    apply_variables,
    check_variables,
    find_variable_uses,
    resolve_values,
    substitute,
    unresolved_variables,
)
from workbench.core.store.workspace import Workspace

SECRET = "s3cr3t-T0KEN-value-4242"

REQUEST = SavedRequest(
    method="a.B/C",
    target=SavedTarget("{{host}}:{{ port }}"),
    metadata=(MetadataEntry("authorization", "Bearer {{token}}"), MetadataEntry("x", "plain")),
    messages=({"user": {"name": "{{user}}", "tags": ["{{tag}}", 3]}, "raw": '{{ "json": 1 }}'},),
)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    return Workspace.create(root, secrets=FileSecretStore(root))


def test_substitute_only_known_names() -> None:
    assert substitute("{{a}}-{{ b }}-{{c}}", {"a": "1", "b": "2"}) == "1-2-{{c}}"
    assert substitute('{{ "not": "a var" }}', {"not": "x"}) == '{{ "not": "a var" }}'


def test_variables_reference_each_other() -> None:
    values, unknown = resolve_values(
        {
            "url": "{{host}}:{{port}}",
            "host": "{{region}}.example.com",
            "region": "eu",
            "port": "443",
        }
    )
    assert values["url"] == "eu.example.com:443"
    assert unknown == []


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"a": "x{{a}}"}, "variable 'a' in environment 'dev' refers to itself"),
        ({"a": "{{b}}", "b": "{{c}}", "c": "{{a}}"}, "a -> b -> c -> a"),
    ],
)
def test_self_reference_is_a_clear_error(variables: dict[str, str], message: str) -> None:
    with pytest.raises(VariableCycleError) as info:
        resolve_values(variables, environment="dev")
    assert message in info.value.message
    assert info.value.hint


def test_unresolved_variables_say_where() -> None:
    values = {"host": "localhost", "user": "ann"}
    missing = unresolved_variables(REQUEST, values)
    assert [(u.name, u.where) for u in missing] == [
        ("port", "target.address"),
        ("token", "metadata[0] authorization"),
        ("tag", "messages[0].user.tags[0]"),
    ]
    with pytest.raises(UnresolvedVariablesError) as info:
        check_variables(REQUEST, values, environment="dev")
    text = info.value.user_text()
    assert "{{port}} in target.address" in text and "environment 'dev'" in text
    assert "define port, tag, token" in text


def test_apply_substitutes_address_metadata_and_string_values() -> None:
    values = {"host": "h", "port": "1", "token": "T", "user": "ann", "tag": "t"}
    sent = apply_variables(REQUEST, values)
    assert sent.target.address == "h:1"
    assert sent.metadata[0].value == "Bearer T"
    assert sent.messages == ({"user": {"name": "ann", "tags": ["t", 3]}, "raw": '{{ "json": 1 }}'},)
    assert REQUEST.messages[0]["user"]["name"] == "{{user}}"  # the saved request is unchanged
    assert len(find_variable_uses(REQUEST)) == 5


def test_unknown_reference_inside_a_variable_is_flagged() -> None:
    values, unknown = resolve_values({"host": "{{region}}.example.com"}, environment="dev")
    missing = unresolved_variables(
        SavedRequest("a.B/C", SavedTarget("{{host}}")), values, extra=unknown
    )
    assert [(u.name, u.where) for u in missing] == [("region", "target.address (via {{host}})")]


def test_environment_files_and_events(ws: Workspace) -> None:
    events: list[EnvironmentEvent] = []
    ws.environments.events.connect(events.append)
    ws.environments.save(Environment("staging", {"host": "staging:443"}))
    ws.environments.save(Environment("dev", {"host": "localhost:50051", "user": "me"}))
    assert ws.environments.names() == ["dev", "staging"]
    assert [(e.kind, e.index) for e in events] == [
        ("inserting", 0),
        ("inserted", 0),
        ("inserting", 0),
        ("inserted", 0),
    ]
    text = (ws.directory / "environments" / "dev.env.json").read_text()
    assert text == (
        '{\n  "format": "grpc-workbench/environment",\n  "version": 1,\n'
        '  "variables": {\n    "host": "localhost:50051",\n    "user": "me"\n  },\n'
        '  "secrets": [],\n  "notes": ""\n}\n'
    )
    ws.delete_environment("staging")
    assert ws.environments.names() == ["dev"]
    ws.undo()
    assert ws.environments.names() == ["dev", "staging"]
    with pytest.raises(StoreError, match="no environment called 'prod'"):
        ws.values("prod")


def test_secret_never_reaches_a_workspace_file(ws: Workspace) -> None:
    ws.environments.save(Environment("dev", {"host": "localhost", "token": "oops-plain"}))
    ws.environments.set_secret("dev", "token", SECRET)
    values, _ = ws.values("dev")
    assert values["token"] == SECRET
    env_file = (ws.directory / "environments" / "dev.env.json").read_text()
    assert '"secrets": [\n    "token"\n  ]' in env_file
    assert "oops-plain" not in env_file  # the plain value left git's view
    secrets_file = ws.directory / ".workbench" / "secrets.local.json"
    assert secrets_file.stat().st_mode & 0o777 == 0o600
    shared = [
        p
        for p in ws.directory.rglob("*")
        if p.is_file() and ".workbench" not in p.relative_to(ws.directory).parts
    ]
    assert shared, "the workspace has shared files"
    for path in shared:
        assert SECRET.encode() not in path.read_bytes(), path
    assert SECRET.encode() in secrets_file.read_bytes()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_ignores_the_local_folder(ws: Workspace) -> None:
    ws.environments.save(Environment("dev"))
    ws.environments.set_secret("dev", "token", SECRET)
    subprocess.run(["git", "init", "-q", str(ws.directory)], check=True)
    status = subprocess.run(
        ["git", "-C", str(ws.directory), "status", "--porcelain", "--untracked-files=all"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "workbench.json" in status and "environments/dev.env.json" in status
    assert ".workbench" not in status
    check = subprocess.run(
        ["git", "-C", str(ws.directory), "check-ignore", ".workbench/secrets.local.json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0


def test_corrupt_secrets_file_is_reported_and_kept(ws: Workspace) -> None:
    ws.environments.save(Environment("dev", secrets=("token",)))
    path = ws.directory / ".workbench" / "secrets.local.json"
    path.write_text("{ not json")
    with pytest.raises(FileFormatError, match="invalid JSON"):
        ws.values("dev")
    with pytest.raises(FileFormatError):
        ws.environments.set_secret("dev", "token", "new")
    assert path.read_text() == "{ not json"


def test_missing_secret_value_is_an_unknown_variable(ws: Workspace) -> None:
    ws.environments.save(Environment("dev", {"host": "h"}, secrets=("token",)))
    values, unknown = ws.values("dev")
    with pytest.raises(UnresolvedVariablesError, match="token"):
        check_variables(REQUEST, values, environment="dev", unknown_in_values=unknown)


def test_keyring_is_used_when_importable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stored: dict[tuple[str, str], str] = {}
    fake = types.ModuleType("keyring")
    fake.get_keyring = lambda: types.SimpleNamespace(priority=5)  # type: ignore[attr-defined]
    fake.get_password = lambda s, u: stored.get((s, u))  # type: ignore[attr-defined]
    fake.set_password = lambda s, u, v: stored.__setitem__((s, u), v)  # type: ignore[attr-defined]
    fake.delete_password = lambda s, u: stored.pop((s, u))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "keyring", fake)
    store = default_secret_store(tmp_path)
    assert isinstance(store, KeyringSecretStore)
    store.set("dev", "token", SECRET)
    assert store.get("dev", "token") == SECRET
    store.delete("dev", "token")
    store.delete("dev", "token")  # not set: no error
    assert stored == {}
    assert not (tmp_path / ".workbench").exists()
    fake.get_keyring = lambda: types.SimpleNamespace(priority=0)  # type: ignore[attr-defined]
    assert isinstance(default_secret_store(tmp_path), FileSecretStore)


def test_rename_moves_the_file_and_the_secrets(ws: Workspace) -> None:
    ws.environments.save(Environment("dev", {"host": "h"}))
    ws.environments.set_secret("dev", "token", SECRET)
    ws.environments.rename("dev", "Development")
    assert ws.environments.names() == ["Development"]
    assert ws.values("Development")[0] == {"host": "h", "token": SECRET}
    assert not (ws.directory / "environments" / "dev.env.json").exists()
    assert "dev" not in (ws.directory / ".workbench" / "secrets.local.json").read_text()


def test_watched_paths_cover_every_folder(ws: Workspace) -> None:
    users = ws.collections.create_collection("users")
    ws.collections.create_folder(users, "admin")
    watched = {p.relative_to(ws.directory).as_posix() for p in ws.watched_paths()}
    assert watched == {
        ".",
        "workbench.json",
        "environments",
        "collections",
        "collections/users",
        "collections/users/admin",
    }


def test_secret_names_follow_the_placeholder_grammar(ws: Workspace) -> None:
    from workbench.core.errors import InvalidNameError

    ws.environments.save(Environment("dev"))
    with pytest.raises(InvalidNameError, match="cannot be a variable name"):
        ws.environments.set_secret("dev", "my token", SECRET)

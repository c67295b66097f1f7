"""User settings: validation, the file format, repairs, migrations, refusals and autosave."""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest

from workbench.core import paths
from workbench.core.errors import SettingsSaveRefused, SettingValueError, StoreWriteError
from workbench.core.settings import (
    MAX_RECENT_TARGETS,
    SETTINGS_VERSION,
    OpenTab,
    Settings,
    SettingsStore,
    autosave,
    migrate,
    settings_path,
)
from workbench.core.settings import store as settings_store
from workbench.core.store.atomic import atomic_write

WARNING = logging.WARNING


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "settings.json"


def write(path: Path, content: Any) -> bytes:
    """Write ``content`` (a dict as a current-version body, or raw text/bytes) to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, dict):
        content = json.dumps(
            {"format": "grpc-workbench/settings", "version": SETTINGS_VERSION, **content}
        )
    data = content if isinstance(content, bytes) else content.encode()
    path.write_bytes(data)
    return data


def saved(path: Path) -> dict[str, Any] | None:
    """The saved document, or ``None`` when there is no file (tiny: fine inside async tests)."""
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= WARNING]


# -- the value ------------------------------------------------------------------------------


def test_defaults() -> None:
    s = Settings()
    assert (s.theme, s.history_max_entries, s.timeline_row_cap) == ("system", 1000, None)
    assert s.default_deadline_seconds is None
    assert s.recent_targets == ()
    assert s.open_tabs == ()
    assert s.confirm_before_overwrite is True
    assert s.editor_font_size == 11


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("theme", "neon"),
        ("editor_font_family", "  "),
        ("editor_font_size", 3),
        ("editor_font_size", True),
        ("editor_font_size", 11.5),
        ("default_deadline_seconds", 0),
        ("default_deadline_seconds", -1.0),
        ("default_deadline_seconds", float("inf")),
        ("history_max_entries", -1),
        ("timeline_row_cap", 0),
        ("recent_targets", "localhost:50051"),
        ("recent_targets", ["ok:1", 7]),
        ("open_tabs", [{"address": "x:1"}]),
        ("confirm_before_overwrite", "yes"),
    ],
)
def test_every_instance_is_valid(name: str, value: Any) -> None:
    with pytest.raises(SettingValueError, match=f"setting {name}: ") as info:
        Settings(**{name: value})
    assert info.value.name == name


def test_values_are_normalised() -> None:
    s = Settings(
        recent_targets=[" a:1 ", "b:2", "a:1"],  # type: ignore[arg-type]
        open_tabs=[{"method": "p.S/M", "address": "a:1"}],  # type: ignore[list-item]
        default_deadline_seconds=5,
        editor_font_size=12.0,  # type: ignore[arg-type]
    )
    assert s.recent_targets == ("a:1", "b:2")
    assert s.open_tabs == (OpenTab("p.S/M", "a:1"),)
    assert s.default_deadline_seconds == 5.0
    assert isinstance(s.default_deadline_seconds, float)
    assert s.editor_font_size == 12
    assert isinstance(s.editor_font_size, int)


def test_settings_path_is_in_the_config_dir() -> None:
    assert settings_path() == paths.config_dir() / "settings.json"


# -- reading and writing ----------------------------------------------------------------------


def test_missing_file_gives_defaults_without_a_warning(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    store = SettingsStore.load(path)
    assert store.settings == Settings()
    assert not store.dirty
    assert store.writable
    assert store.problems == []
    assert not warnings(caplog)
    assert f"no settings file at {path}" in caplog.text
    assert store.save() is False  # nothing changed: no file is created
    assert not path.exists()


def test_file_is_pretty_json_in_a_stable_order(path: Path) -> None:
    store = SettingsStore.load(path)
    store.update(theme="dark", recent_targets=["localhost:50051"])
    assert store.dirty
    assert store.save() is True
    assert not store.dirty
    assert path.read_text(encoding="utf-8") == (
        "{\n"
        '  "format": "grpc-workbench/settings",\n'
        '  "version": 1,\n'
        '  "theme": "dark",\n'
        '  "editor_font_family": "monospace",\n'
        '  "editor_font_size": 11,\n'
        '  "default_deadline_seconds": null,\n'
        '  "history_max_entries": 1000,\n'
        '  "timeline_row_cap": null,\n'
        '  "recent_targets": [\n'
        '    "localhost:50051"\n'
        "  ],\n"
        '  "open_tabs": [],\n'
        '  "confirm_before_overwrite": true\n'
        "}\n"
    )


def test_round_trip_of_every_field(path: Path) -> None:
    store = SettingsStore.load(path)
    store.update(
        theme="light",
        editor_font_family="JetBrains Mono",
        editor_font_size=14,
        default_deadline_seconds=2.5,
        history_max_entries=0,
        timeline_row_cap=50_000,
        recent_targets=["a:1", "unix:///tmp/s.sock"],
        open_tabs=[OpenTab("pkg.Svc/Get", "a:1"), OpenTab("pkg.Svc/List")],
        confirm_before_overwrite=False,
    )
    store.save()
    again = SettingsStore.load(path)
    assert again.settings == store.settings
    assert not again.dirty
    assert again.problems == []


def test_unknown_fields_are_written_back(path: Path) -> None:
    write(path, {"theme": "dark", "zz_plugin": {"x": [1, 2]}, "aa_note": "hand edit"})
    store = SettingsStore.load(path)
    store.update(editor_font_size=13)
    store.save()
    doc = json.loads(path.read_text())
    assert doc["zz_plugin"] == {"x": [1, 2]}
    assert doc["aa_note"] == "hand edit"
    assert list(doc)[-2:] == ["aa_note", "zz_plugin"]  # after the known fields, sorted
    assert doc["theme"] == "dark"


def test_numbers_from_the_file_become_python_numbers(path: Path) -> None:
    write(path, '{"format": "grpc-workbench/settings", "version": 1, '
          '"default_deadline_seconds": 1.50, "editor_font_size": 12}')  # fmt: skip
    s = SettingsStore.load(path).settings
    assert s.default_deadline_seconds == 1.5
    assert type(s.default_deadline_seconds) is float


# -- repairs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "bad", "reason"),
    [
        ("theme", "neon", "expected one of system, light, dark"),
        ("editor_font_size", 500, "from 4 to 72"),
        ("editor_font_size", "12", "expected a whole number"),
        ("default_deadline_seconds", "5s", "expected seconds"),
        ("history_max_entries", 1.5, "whole number"),
        ("timeline_row_cap", -3, "or null"),
        ("recent_targets", {"a": 1}, "expected a list"),
        ("open_tabs", "x", "expected a list"),
        ("confirm_before_overwrite", 1, "expected true or false"),
    ],
)
def test_a_bad_field_falls_back_to_its_default_and_warns(
    path: Path, caplog: pytest.LogCaptureFixture, name: str, bad: Any, reason: str
) -> None:
    write(path, {name: bad, "editor_font_family": "Iosevka"})
    store = SettingsStore.load(path)
    assert getattr(store.settings, name) == getattr(Settings(), name)
    assert store.settings.editor_font_family == "Iosevka"  # the good field is kept
    [message] = warnings(caplog)
    assert str(path) in message
    assert f"{name}: " in message
    assert reason in message
    assert "using the default" in message
    assert store.problems == [message]
    assert store.writable


def test_bad_list_items_are_dropped_one_by_one(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    targets = ["t0:1", 5, "", "t0:1", *(f"t{i}:1" for i in range(1, 20))]
    tabs = [{"method": "a.B/C", "address": "x:1"}, {"method": "nope"}, 3, {"method": "a.B/D"}]
    write(path, {"recent_targets": targets, "open_tabs": tabs})
    s = SettingsStore.load(path).settings
    assert s.recent_targets == tuple(f"t{i}:1" for i in range(MAX_RECENT_TARGETS))
    assert s.open_tabs == (OpenTab("a.B/C", "x:1"), OpenTab("a.B/D", ""))
    text = "\n".join(warnings(caplog))
    assert "recent_targets: dropped 5" in text
    assert "recent_targets: kept the first 15 of 20 addresses" in text
    assert "open_tabs: dropped {'method': 'nope'}" in text
    assert "open_tabs: dropped 3" in text


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "line 1, column 2: invalid JSON"),
        ("", "the file is empty"),
        (b"\xff\xfe{}", "not UTF-8"),
        ("[1, 2]", "expected a JSON object, found list"),
        ('{"format": "grpc-workbench/request", "version": 1}', "not a settings file"),
        ('{"format": "grpc-workbench/settings", "version": "1"}', '"version" must be'),
    ],
)
def test_a_corrupt_file_is_kept_aside_and_defaults_are_used(
    path: Path, caplog: pytest.LogCaptureFixture, content: str | bytes, problem: str
) -> None:
    original = write(path, content)
    store = SettingsStore.load(path)
    assert store.settings == Settings()
    assert store.writable
    [aside] = path.parent.glob("settings.json.corrupt-*")
    assert aside.read_bytes() == original
    assert not path.exists()
    [message] = warnings(caplog)
    assert str(path) in message
    assert problem in message
    assert aside.name in message
    # The next save writes a fresh file; the corrupt one stays where it was put.
    store.update(theme="dark")
    assert store.save()
    assert json.loads(path.read_text())["theme"] == "dark"
    assert aside.read_bytes() == original


def test_a_second_corrupt_file_in_the_same_second_does_not_replace_the_first(
    path: Path,
) -> None:
    write(path, "{bad 1")
    SettingsStore.load(path)
    write(path, "{bad 2")
    SettingsStore.load(path)
    kept = sorted(p.read_text() for p in path.parent.glob("settings.json.corrupt-*"))
    assert kept == ["{bad 1", "{bad 2"]


def test_a_newer_file_is_left_alone_and_never_overwritten(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    content = (
        '{"format": "grpc-workbench/settings", "version": 99, "theme": "dark", '
        '"shiny_new_thing": true}'
    )
    original = write(path, content)
    mtime = path.stat().st_mtime_ns
    store = SettingsStore.load(path)
    assert store.settings == Settings()  # defaults, not a guess at the new format
    assert not store.writable
    [message] = warnings(caplog)
    assert str(path) in message
    assert "newer grpc-workbench (settings version 99; this version reads up to 1)" in message
    assert "leaving the file unchanged" in message

    store.update(theme="light")  # the session still works, in memory
    assert store.settings.theme == "light"
    with pytest.raises(SettingsSaveRefused, match="not saving the settings: ") as info:
        store.save()
    assert "update grpc-workbench" in info.value.hint
    assert store.dirty
    assert path.read_bytes() == original
    assert path.stat().st_mtime_ns == mtime
    assert list(path.parent.iterdir()) == [path]


def test_an_unreadable_file_is_not_overwritten(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path.mkdir(parents=True)  # reading a directory fails like an unreadable file
    store = SettingsStore.load(path)
    assert store.settings == Settings()
    assert not store.writable
    assert str(path) in warnings(caplog)[0]
    store.update(theme="dark")
    with pytest.raises(SettingsSaveRefused):
        store.save()
    assert path.is_dir()


def test_a_failed_write_keeps_the_old_file_and_the_changes(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = write(path, {"theme": "dark"})
    store = SettingsStore.load(path)
    store.update(theme="light")

    def disk_full(*_args: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(StoreWriteError, match="the disk is full"):
        store.save()
    assert path.read_bytes() == original
    assert store.dirty
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]  # no temp file left
    monkeypatch.undo()
    assert store.save()
    assert SettingsStore.load(path).settings.theme == "light"


# -- migrations -------------------------------------------------------------------------------

V0_FILE = {
    "dark_mode": True,
    "font": "Fira Code 13",
    "deadline_ms": 2500,
    "recent": ["localhost:50051", "api.example.com:443"],
    "history_limit": 200,
    "window": "kept as an unknown field",
}


def test_a_version_0_file_is_upgraded(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    original = write(path, json.dumps(V0_FILE))
    store = SettingsStore.load(path)
    s = store.settings
    assert s.theme == "dark"
    assert (s.editor_font_family, s.editor_font_size) == ("Fira Code", 13)
    assert s.default_deadline_seconds == 2.5
    assert s.recent_targets == ("localhost:50051", "api.example.com:443")
    assert s.history_max_entries == 200
    assert not warnings(caplog)
    assert store.dirty  # saved in the new format at the next save
    assert path.read_bytes() == original  # loading alone never writes

    store.save()
    doc = json.loads(path.read_text())
    assert (doc["format"], doc["version"]) == ("grpc-workbench/settings", SETTINGS_VERSION)
    assert doc["window"] == "kept as an unknown field"
    assert "dark_mode" not in doc
    backup = path.with_name("settings.json.v0.bak")
    assert backup.read_bytes() == original
    again = SettingsStore.load(path)
    assert again.settings == s
    assert not again.dirty

    # Later saves leave the backup of the original alone.
    again.update(theme="light")
    again.save()
    assert backup.read_bytes() == original


@pytest.mark.parametrize(
    ("v0", "expected"),
    [
        ({"dark_mode": False}, {"theme": "system"}),
        ({"font": "Monaco"}, {"editor_font_family": "Monaco", "editor_font_size": 11}),
        ({"deadline_ms": 0}, {"default_deadline_seconds": None}),
        ({}, {}),
    ],
)
def test_version_0_variants(path: Path, v0: dict[str, Any], expected: dict[str, Any]) -> None:
    write(path, json.dumps(v0))
    store = SettingsStore.load(path)
    for name, value in expected.items():
        assert getattr(store.settings, name) == value
    assert store.problems == []


def test_bad_version_0_values_are_reported_by_field(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(path, json.dumps({"dark_mode": "yes", "font": 12, "deadline_ms": -5, "recent": ["a:1"]}))
    store = SettingsStore.load(path)
    assert store.settings == Settings(recent_targets=("a:1",))
    text = "\n".join(warnings(caplog))
    assert "theme: expected one of" in text
    assert "editor_font_family: expected a non-empty name, found 12" in text
    assert "default_deadline_seconds: expected seconds" in text


def test_migrations_run_in_order_from_the_file_version() -> None:
    def step(n: int) -> Any:
        def run(body: dict[str, Any]) -> dict[str, Any]:
            return {**body, "steps": [*body.get("steps", []), n]}

        return run

    chain = (step(0), step(1), step(2))
    assert migrate({}, 0, chain) == {"steps": [0, 1, 2]}
    assert migrate({"steps": ["file"]}, 2, chain) == {"steps": ["file", 2]}
    assert migrate({"a": 1}, 3, chain) == {"a": 1}
    with pytest.raises(ValueError, match="cannot migrate settings version 4"):
        migrate({}, 4, chain)
    with pytest.raises(ValueError, match="version -1"):
        migrate({}, -1, chain)


# -- changing settings ------------------------------------------------------------------------


def test_update_validates_and_changes_nothing_on_error(path: Path) -> None:
    store = SettingsStore.load(path)
    with pytest.raises(SettingValueError, match="editor_font_size: expected a whole number"):
        store.update(theme="dark", editor_font_size=0)
    with pytest.raises(SettingValueError, match="setting colour: there is no such setting"):
        store.update(colour="red")
    assert store.settings == Settings()
    assert not store.dirty


def test_subscribers_hear_real_changes_only(path: Path) -> None:
    store = SettingsStore.load(path)
    seen: list[Settings] = []
    unsubscribe = store.subscribe(seen.append)
    store.update(theme="dark")
    store.update(theme="dark")  # no change, no notification, still one save's worth
    assert [s.theme for s in seen] == ["dark"]
    unsubscribe()
    unsubscribe()  # harmless twice
    store.update(theme="light")
    assert len(seen) == 1


def test_recent_targets_newest_first_and_capped(path: Path) -> None:
    store = SettingsStore.load(path)
    for i in range(20):
        store.remember_target(f"host{i}:1")
    assert len(store.settings.recent_targets) == MAX_RECENT_TARGETS
    assert store.settings.recent_targets[:2] == ("host19:1", "host18:1")
    store.remember_target(" host10:1 ")
    assert store.settings.recent_targets[:2] == ("host10:1", "host19:1")
    assert store.settings.recent_targets.count("host10:1") == 1
    store.forget_target("host19:1")
    assert "host19:1" not in store.settings.recent_targets
    store.remember_target("  ")
    assert store.settings.recent_targets[0] == "host10:1"


# -- autosave ---------------------------------------------------------------------------------


async def wait_until(condition: Any, seconds: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_autosave_writes_once_after_the_changes_settle(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[Path] = []

    def counting_write(target: Path, data: bytes, **kwargs: Any) -> Any:
        writes.append(target)
        return atomic_write(target, data, **kwargs)

    monkeypatch.setattr(settings_store, "atomic_write", counting_write)
    store = SettingsStore.load(path)
    manager = autosave(store, delay=0.3)
    for size in (12, 13, 14):
        store.update(editor_font_size=size)
        await asyncio.sleep(0)
    assert saved(path) is None  # still typing
    await wait_until(lambda: not store.dirty)
    assert writes == [path]
    assert (saved(path) or {})["editor_font_size"] == 14
    assert not manager.pending
    store.update(theme="dark")
    assert manager.close()  # shutdown: saves what is pending, without waiting
    assert (saved(path) or {})["theme"] == "dark"


async def test_autosave_saves_an_upgraded_file_soon(path: Path) -> None:
    write(path, json.dumps(V0_FILE))
    store = SettingsStore.load(path)
    autosave(store, delay=0.01)
    await wait_until(lambda: not store.dirty)
    assert (saved(path) or {})["version"] == SETTINGS_VERSION


async def test_autosave_reports_a_refused_save_once(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(path, '{"format": "grpc-workbench/settings", "version": 99}')
    store = SettingsStore.load(path)
    caplog.clear()
    errors: list[Exception] = []
    manager = autosave(store, delay=0.01, on_error=errors.append)
    for theme in ("dark", "light", "dark"):
        store.update(theme=theme)
        await asyncio.sleep(0.05)
    assert len(errors) == 1
    assert isinstance(errors[0], SettingsSaveRefused)
    [message] = warnings(caplog)
    assert message.startswith("settings were not saved: not saving the settings: ")
    assert manager.pending
    assert not manager.close()

"""The drafts file: round trips, atomic saves, and broken or newer files kept, never lost."""

from __future__ import annotations

import errno
import json
import logging
import os
from pathlib import Path

import pytest

from workbench.core import paths
from workbench.core.errors import StoreError, StoreWriteError
from workbench.core.store.drafts import (
    DRAFTS_VERSION,
    Drafts,
    DraftStore,
    SavedRef,
    TabDraft,
    saved_ref,
)
from workbench.core.store.requests import MetadataEntry, SavedRequest, SavedTarget, TlsSettings

SVC = "workbench.demo.v1.DemoService"

DRAFTS = Drafts(
    tabs=(
        TabDraft(
            SavedRequest(
                method=f"{SVC}/Echo",
                target=SavedTarget("{{host}}", plaintext=True, tls=TlsSettings(cacert="ca.pem")),
                messages=({"stringValue": "héllo", "int64Value": "9007199254740993"},),
                metadata=(MetadataEntry("authorization", "Bearer {{token}}"),),
                timeout=2.5,
                notes="two\nlines",
                extra={"newer_field": [1, 2]},
            ),
            address="localhost:50051",
            saved=SavedRef("/ws", "collections/demo/Echo.request.json", "ab" * 32, dirty=True),
        ),
        TabDraft(
            SavedRequest(f"{SVC}/Countdown", messages=('{"count": 3,',)),
            json_mode=True,
            json_text='{"count": 3,',
        ),
        TabDraft(SavedRequest(f"{SVC}/Sum", messages=({"value": "1"}, {"value": "2"}))),
    ),
    current=1,
)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "drafts.json"


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def write(path: Path, text: str) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path.read_bytes()


def test_the_file_lives_in_the_user_state_directory() -> None:
    assert paths.drafts_path() == paths.state_dir() / "drafts.json"


def test_drafts_survive_a_save_and_a_load_exactly(path: Path) -> None:
    assert DraftStore.load(path).drafts is None  # no file yet
    assert DraftStore(path).save(DRAFTS)
    loaded = DraftStore.load(path)
    assert loaded.drafts == DRAFTS
    assert loaded.problems == []
    doc = json.loads(path.read_text())
    assert doc["format"] == "grpc-workbench/drafts" and doc["version"] == DRAFTS_VERSION
    # The body is structured JSON in the saved-request shape, not an escaped string.
    assert doc["tabs"][0]["request"]["messages"] == [
        {"stringValue": "héllo", "int64Value": "9007199254740993"}
    ]
    assert doc["tabs"][0]["request"]["newer_field"] == [1, 2]
    assert doc["tabs"][1]["editor"] == "json"


def test_a_save_writes_only_what_changed(path: Path) -> None:
    store = DraftStore.load(path)
    assert store.save(DRAFTS)
    mtime = path.stat().st_mtime_ns
    assert not store.save(DRAFTS)
    assert not DraftStore.load(path).save(DRAFTS)  # what the file holds already
    assert path.stat().st_mtime_ns == mtime
    assert store.save(Drafts())
    assert DraftStore.load(path).drafts == Drafts()


def test_a_failed_save_leaves_the_old_file_and_no_temporary_file(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    DraftStore(path).save(DRAFTS)
    before = path.read_bytes()

    def disk_full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(StoreWriteError, match="the disk is full"):
        DraftStore.load(path).save(Drafts())
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["drafts.json"]


@pytest.mark.parametrize(
    ("content", "problem", "tag"),
    [
        ('{"format": "grpc-workbench/drafts", "version": 1, "tabs": [', "invalid JSON", "corrupt"),
        ('{"format": "grpc-workbench/settings", "version": 1}', "not a drafts file", "corrupt"),
        ('{"format": "grpc-workbench/drafts", "version": 1}', "tabs: expected a list", "corrupt"),
        (
            '{"format": "grpc-workbench/drafts", "version": 7, "tabs": [], "new": 1}',
            "written by a newer grpc-workbench (format version 7",
            "v7",
        ),
    ],
)
def test_an_unusable_file_is_reported_ignored_and_kept_until_the_next_save(
    path: Path, caplog: pytest.LogCaptureFixture, content: str, problem: str, tag: str
) -> None:
    original = write(path, content)
    store = DraftStore.load(path)
    assert store.drafts is None
    [message] = warnings(caplog)
    assert str(path) in message and problem in message
    assert store.problems == [message]
    assert path.read_bytes() == original  # reading changed nothing
    assert list(path.parent.iterdir()) == [path]

    assert store.save(DRAFTS)  # the next successful save: copied aside first
    [aside] = path.parent.glob(f"drafts.json.{tag}-*")
    assert aside.read_bytes() == original
    assert DraftStore.load(path).drafts == DRAFTS
    store.save(Drafts())
    assert len(list(path.parent.iterdir())) == 2  # copied aside once


def test_a_bad_tab_is_dropped_and_the_others_kept(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    doc = json.loads(DRAFTS.to_bytes())
    doc["tabs"][0]["request"]["metadata"] = "nope"
    doc["tabs"].insert(0, "not a tab")
    doc["current"] = 2  # the Countdown tab: after the two bad ones are dropped, the first
    original = write(path, json.dumps(doc))
    store = DraftStore.load(path)
    assert store.drafts == Drafts(DRAFTS.tabs[1:], current=0)
    assert [m.split(": ", 1)[1] for m in warnings(caplog)] == [
        "dropped a tab: tabs[0]: expected an object",
        'dropped a tab: tabs[1].request.metadata: expected a list or null, found "nope"',
    ]
    store.save(Drafts())
    [aside] = path.parent.glob("drafts.json.corrupt-*")
    assert aside.read_bytes() == original


def test_an_unreadable_file_is_never_replaced(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path.mkdir(parents=True)  # reading a directory fails like an unreadable file
    store = DraftStore.load(path)
    assert store.drafts is None
    assert str(path) in warnings(caplog)[0]
    with pytest.raises(StoreError, match="not saving the request drafts"):
        store.save(DRAFTS)
    assert path.is_dir()


def test_a_saved_ref_names_the_file_inside_its_workspace(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    file = ws / "collections" / "demo" / "Echo.request.json"
    ref = saved_ref(ws, file, sha256="ff", dirty=True)
    assert ref == SavedRef(str(ws), "collections/demo/Echo.request.json", "ff", True)
    assert ref.file() == file
    with pytest.raises(ValueError, match=r"not in the subpath"):
        saved_ref(ws, tmp_path / "elsewhere.request.json")

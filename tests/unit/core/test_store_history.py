"""The call history: real calls against the demo server, recorded, searched and capped."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from workbench.core import paths
from workbench.core.calls.channels import ChannelManager, Target
from workbench.core.calls.engine import invoke
from workbench.core.errors import StoreError
from workbench.core.messages.codec import parse_value
from workbench.core.schema.schema import Schema
from workbench.core.store.history import History, fts5_available
from workbench.core.store.requests import MetadataEntry, SavedRequest, SavedTarget

SVC = "workbench.demo.v1.DemoService"


@pytest.fixture
async def channels() -> AsyncIterator[ChannelManager]:
    manager = ChannelManager()
    yield manager
    await manager.close()


async def call_and_record(
    history: History,
    channels: ChannelManager,
    schema: Schema,
    address: str,
    request: SavedRequest,
    *,
    started_at: float | None = None,
) -> int | None:
    method = schema.method(request.method)
    messages = [parse_value(m, method.input_type, schema.pool) for m in request.messages]
    result = await invoke(
        channels,
        Target(address),
        method,
        messages if method.client_streaming else messages[0],
        metadata=[(m.name, m.value) for m in request.metadata],
    )
    return history.record(request, result, pool=schema.pool, started_at=started_at)


def req(address: str, method: str, *messages: object, **kw: object) -> SavedRequest:
    return SavedRequest(
        method=f"{SVC}/{method}",
        target=SavedTarget(address),
        messages=messages,
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("use_fts", [True, False], ids=["fts5", "like"])
async def test_record_search_and_replay(
    tmp_path: Path,
    channels: ChannelManager,
    demo_schema: Schema,
    demo_address: str,
    use_fts: bool,
) -> None:
    if use_fts and not fts5_available():
        pytest.skip("this SQLite has no FTS5")
    with History(tmp_path / "h.sqlite3", use_fts=use_fts) as history:
        assert history.uses_fts is use_fts
        echo = req(
            demo_address,
            "Echo",
            {"stringValue": "pineapple", "int64Value": "9223372036854775807"},
            metadata=(MetadataEntry("x-trace", "abc"),),
            timeout=5.0,
        )
        calls = [
            echo,
            req(demo_address, "Countdown", {"count": 2, "label": "liftoff"}),
            req(demo_address, "Sum", {"value": "2"}, {"value": "40"}),
            req(demo_address, "Chat", {"text": "hello"}, {"text": "world"}),
            req(demo_address, "Fail", {"code": "NOT_FOUND", "message": "no such thing"}),
        ]
        for i, r in enumerate(calls):
            await call_and_record(history, channels, demo_schema, demo_address, r, started_at=i)
        newest = history.entries()
        assert [e.method.rsplit("/", 1)[1] for e in newest] == [
            "Fail",
            "Chat",
            "Sum",
            "Countdown",
            "Echo",
        ]
        fail, chat, total, countdown, first = newest
        assert fail.status == "NOT_FOUND" and fail.status_message == "no such thing"
        assert fail.first_response is None and fail.response_count == 0
        assert total.first_response["total"] == "42"
        assert countdown.response_count == 2
        assert chat.response_count == 2
        assert first.status == "OK" and first.address == demo_address
        assert first.first_response["int64Value"] == "9223372036854775807"
        assert first.elapsed > 0
        # Any entry turns back into the request that made it.
        assert first.to_request() == echo
        assert history.get(first.id) == first

        def hits(text: str) -> list[str]:
            return [e.method.rsplit("/", 1)[1] for e in history.search(text)]

        assert hits("pineapple") == ["Echo"]
        assert hits("pine") == ["Echo"]  # word prefixes
        assert hits("NOT_FOUND") == ["Fail"]
        assert hits("liftoff countdown") == ["Countdown"]
        assert hits("DemoService") == ["Fail", "Chat", "Sum", "Countdown", "Echo"]
        assert hits("nothing-like-this") == []
        assert len(hits("")) == 5
        history.delete(fail.id)
        assert hits("NOT_FOUND") == []


async def test_cap_deletes_the_oldest(
    tmp_path: Path, channels: ChannelManager, demo_schema: Schema, demo_address: str
) -> None:
    with History(tmp_path / "h.sqlite3", max_entries=3) as history:
        for i in range(5):
            r = req(demo_address, "Echo", {"int32Value": i})
            await call_and_record(history, channels, demo_schema, demo_address, r)
        assert history.count() == 3
        bodies = [e.request.body["int32Value"] for e in history.entries()]
        assert bodies == [4, 3, 2]
        history.max_entries = 1
        assert [e.request.body["int32Value"] for e in history.search("Echo")] == [4]
        history.max_entries = 0
        assert history.count() == 0
        r = req(demo_address, "Echo", {})
        assert await call_and_record(history, channels, demo_schema, demo_address, r) is None


def test_default_location_wal_and_schema_version() -> None:
    with History() as history:
        assert history.path == paths.history_path()
    db = sqlite3.connect(paths.history_path())
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(1,)]
    finally:
        db.close()


def test_newer_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    History(path).close()
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE schema_version SET version = 9")
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer grpc-workbench"):
        History(path)
    assert path.read_bytes() == before


def test_damaged_database_is_reported_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError) as info:
        History(path)
    assert "damaged" in info.value.message and "move the file away" in info.value.hint
    assert path.read_bytes() == b"this is not a database at all" * 100


def test_reindexes_entries_written_without_fts(tmp_path: Path) -> None:
    if not fts5_available():
        pytest.skip("this SQLite has no FTS5")
    path = tmp_path / "h.sqlite3"
    import grpc

    from workbench.core.calls.events import CallResult, Finished, Started
    from workbench.core.schema.schema import MethodKind

    result = CallResult.from_events(
        [
            Started(0.0, "a.B.C", "/a.B/C", MethodKind.UNARY, "h:1", (), None),
            Finished(0.1, grpc.StatusCode.UNAVAILABLE, "down", (), 0.1),
        ]
    )
    with History(path, use_fts=False) as plain:
        plain.record(SavedRequest("a.B/C", SavedTarget("h:1"), ({"k": "zebra"},)), result)
    with History(path, use_fts=True) as fts:
        assert [e.status for e in fts.search("zebra")] == ["UNAVAILABLE"]
    # Same count, different rows: still noticed.
    with History(path, use_fts=False) as plain:
        plain.clear()
        plain.record(SavedRequest("a.B/C", SavedTarget("h:1"), ({"k": "okapi"},)), result)
    with History(path, use_fts=True) as fts:
        assert len(fts.search("okapi")) == 1
        assert fts.search("zebra") == []

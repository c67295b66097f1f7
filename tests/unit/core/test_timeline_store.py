"""The timeline store: compact rows, previews, caps, search, counters and exports (no Qt)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import grpc
import pytest
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass

from workbench.core.calls.events import (
    CallEvent,
    Finished,
    HalfClosed,
    HeadersReceived,
    MessageReceived,
    MessageSent,
    Started,
    TrailersReceived,
)
from workbench.core.calls.status import BadRequest, FieldViolation
from workbench.core.errors import FileFormatError, ResponseDecodeError, StoreWriteError
from workbench.core.schema.schema import MethodKind, Schema
from workbench.core.timeline import columns, text
from workbench.core.timeline.export import (
    ExportFormat,
    export_lines,
    parse_jsonl,
    write_export,
)
from workbench.core.timeline.rows import Direction, EventKind
from workbench.core.timeline.store import PREVIEW_CACHE_SIZE, TimelineStore

PKG = "workbench.demo.v1"


@pytest.fixture(scope="module")
def chat_classes(demo_schema: Schema) -> tuple[type[Message], type[Message]]:
    """ChatMessage (requests) and ChatReply (responses)."""
    method = demo_schema.method(f"{PKG}.DemoService/Chat")
    return GetMessageClass(method.input_type), GetMessageClass(method.output_type)


class Clock:
    """Timestamps 1 ms apart from 100.0, so times since start are exact."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        self.now += 0.001
        return self.now


def chat_events(
    classes: tuple[type[Message], type[Message]], texts: list[str], *, ok: bool = True
) -> list[CallEvent]:
    """A bidi Chat call: started, headers, each text sent and echoed, half-close, status."""
    msg_cls, reply_cls = classes
    clock = Clock()
    events: list[CallEvent] = [
        Started(100.0, f"{PKG}.DemoService/Chat", f"/{PKG}.DemoService/Chat",
                MethodKind.BIDI_STREAMING, "127.0.0.1:1", (("x-user", "ann"),), None),
        HeadersReceived(clock(), (("x-server", "demo"),)),
    ]  # fmt: skip
    for i, txt in enumerate(texts):
        events.append(MessageSent(clock(), i, 0, msg_cls(text=txt, sender="ann")))
        reply = reply_cls(sequence=i + 1, in_reply_to=i + 1, text=txt, sender="ann")
        events.append(MessageReceived(clock(), i, reply.SerializeToString(), reply_cls))
    events.append(HalfClosed(clock()))
    events.append(TrailersReceived(clock(), ()))
    if ok:
        events.append(Finished(clock(), grpc.StatusCode.OK, "", (), 0.5))
    else:
        details = (BadRequest((FieldViolation("text", "must not be rude"),)),)
        events.append(Finished(clock(), grpc.StatusCode.INVALID_ARGUMENT, "no", details, 0.5))
    return events


def filled(events: list[CallEvent], max_rows: int | None = None) -> TimelineStore:
    store = TimelineStore(max_rows)
    for ev in events:
        store.append_event(ev)
    return store


def test_rows_record_every_event_with_direction_times_and_sizes(chat_classes):
    events = chat_events(chat_classes, ["hello", "world"])
    store = filled(events)
    assert len(store) == len(events) == 9
    kinds = [store.kind(r) for r in range(len(store))]
    assert kinds == [
        EventKind.STARTED, EventKind.HEADERS, EventKind.SENT, EventKind.RECEIVED,
        EventKind.SENT, EventKind.RECEIVED, EventKind.HALF_CLOSED, EventKind.TRAILERS,
        EventKind.FINISHED,
    ]  # fmt: skip
    assert [store.direction(r).symbol for r in range(4)] == ["●", "●", "↑", "↓"]
    assert store.since_start(0) == 0.0
    assert store.since_start(3) == pytest.approx(0.003)
    assert store.since_previous(0) is None
    assert store.since_previous(3) == pytest.approx(0.001)
    assert store.index(2) == 0 and store.index(4) == 1 and store.index(0) is None
    sent = events[2]
    assert isinstance(sent, MessageSent)
    assert store.payload(2) == sent.message.SerializeToString()
    assert store.size(2) == sent.message.ByteSize()
    assert store.decode(2) == sent.message
    assert store.decode(3) == events[3].decode()  # type: ignore[union-attr]
    assert store.size(0) == 0 and store.payload(0) == b""
    assert store.control_event(0) is events[0] and store.control_event(2) is None
    assert store.message_class(0) is None
    with pytest.raises(ValueError, match="not a message"):
        store.decode(0)
    counters = store.counters()
    assert (counters.sent, counters.received, counters.rows) == (2, 2, 9)
    assert counters.bytes_sent == store.size(2) + store.size(4)
    assert not counters.running


def test_entry_is_a_snapshot_of_one_row(chat_classes):
    store = filled(chat_events(chat_classes, ["hi"]))
    entry = store.entry(3)
    assert entry.event_id == 3 and entry.kind is EventKind.RECEIVED
    assert entry.direction is Direction.RECEIVED
    assert entry.type_name == f"{PKG}.ChatReply"
    assert entry.data == store.payload(3) and entry.event is None
    assert store.entry(0).event is store.started
    with pytest.raises(IndexError):
        store.entry(len(store))


def test_previews_are_compact_json_cut_to_one_line(chat_classes):
    msg_cls, _ = chat_classes
    store = TimelineStore()
    store.append_event(MessageSent(1.0, 0, 0, msg_cls(text="hi\nthere", sender="bo")))
    store.append_event(MessageSent(1.1, 1, 0, msg_cls(text="x" * 500)))
    assert store.preview(0) == '{"text":"hi\\nthere","sender":"bo"}'
    long = store.preview(1)
    assert len(long) == text.PREVIEW_CHARS and long.endswith(text.ELLIPSIS)
    assert store.problem(0) is None and not store.is_error(0)


def test_preview_cache_stays_bounded(chat_classes):
    msg_cls, _ = chat_classes
    store = TimelineStore()
    for i in range(PREVIEW_CACHE_SIZE + 100):
        store.append_event(MessageSent(float(i), i, 0, msg_cls(text=f"m{i}")))
        store.preview(i)
    assert len(store._previews) == PREVIEW_CACHE_SIZE
    assert store.preview(0) == '{"text":"m0"}'  # evicted, made again


def test_a_message_that_does_not_decode_is_kept_with_the_reason(chat_classes):
    _, reply_cls = chat_classes
    store = TimelineStore()
    store.append_event(MessageReceived(1.0, 0, b"\x0a\xff\xff", reply_cls))
    assert store.size(0) == 3
    assert store.preview(0).startswith("⚠ 3 bytes that do not decode")
    problem = store.problem(0)
    assert problem is not None and f"{PKG}.ChatReply" in problem
    assert store.is_error(0)
    with pytest.raises(ResponseDecodeError, match="response message 0 is not a valid"):
        store.decode(0)


def test_control_rows_summarise_headers_and_a_rich_error_status(chat_classes):
    store = filled(chat_events(chat_classes, ["hi"], ok=False))
    assert store.preview(0) == f"started {PKG}.DemoService/Chat on 127.0.0.1:1"
    assert store.preview(1) == "headers: x-server: demo"
    assert store.preview(5) == "trailers (none)"
    status = store.preview(6)
    assert (
        status
        == "status INVALID_ARGUMENT: no — bad request: text: must not be rude (after 0.500 s)"
    )
    assert store.is_error(6) and not store.is_error(1)
    lines = text.control_lines(store.control_event(6))  # type: ignore[arg-type]
    assert lines[:2] == ["status: INVALID_ARGUMENT (3)", "message: no"]
    assert "  text: must not be rude" in lines


def test_cap_keeps_the_last_rows_and_counts_the_dropped(chat_classes, monkeypatch):
    monkeypatch.setattr(columns, "_COMPACT_MIN", 4)  # compact often to exercise it
    msg_cls, _ = chat_classes
    store = TimelineStore(max_rows=10)
    for i in range(25):
        store.append_event(MessageSent(float(i), i, 0, msg_cls(text=f"m{i}")))
    assert len(store) == 10 and store.dropped == 15 and store.end_id == 25
    assert [store.decode(r).text for r in range(10)] == [f"m{i}" for i in range(15, 25)]  # type: ignore[attr-defined]
    assert store.since_previous(0) == 1.0  # from the dropped row 14
    assert store.counters().sent == 25 and store.counters().dropped == 15
    store.set_max_rows(3)
    assert len(store) == 3 and store.dropped == 22
    assert store.decode(0).text == "m22"  # type: ignore[attr-defined]
    assert store.entry(0).event_id == 22
    store.set_max_rows(None)
    assert store.max_rows is None
    with pytest.raises(ValueError, match="at least 1"):
        store.set_max_rows(0)


def test_clear_starts_over_and_bumps_the_generation(chat_classes):
    store = filled(chat_events(chat_classes, ["a"]), max_rows=5)
    generation = store.generation
    store.clear()
    assert len(store) == 0 and store.dropped == 0 and store.sent == 0
    assert store.generation == generation + 1 and store.started is None
    assert store.max_rows == 5


def test_find_searches_text_in_messages_and_control_rows(chat_classes):
    store = filled(chat_events(chat_classes, ["Hello there", "general Kenobi", "hello"], ok=False))
    # Rows: 0 started, 1 headers, 2/3 hello there, 4/5 kenobi, 6/7 hello, 8 half, 9 tr, 10 status
    assert list(store.find("HELLO")) == [2, 3, 6, 7]
    assert list(store.find("hello", {Direction.SENT})) == [2, 6]
    assert list(store.find("hello", {Direction.RECEIVED}, start=4)) == [7]
    assert list(store.find("kenobi")) == [4, 5]
    assert list(store.find("rude")) == [10]  # in the status details
    assert list(store.find("x-server")) == [1]
    assert list(store.find("", {Direction.CONTROL})) == [0, 1, 8, 9, 10]
    assert list(store.find("")) == list(range(11))
    assert list(store.find("nowhere")) == []
    assert list(store.find("hello", {Direction.CONTROL})) == []


def test_find_never_matches_across_two_messages(chat_classes):
    msg_cls, _ = chat_classes
    store = TimelineStore()
    store.append_event(MessageSent(1.0, 0, 0, msg_cls(text="ab")))
    store.append_event(MessageSent(1.1, 1, 0, msg_cls(text="cd")))
    # The wire bytes are 0a 02 'a' 'b' 0a 02 'c' 'd': "b\n" spans the boundary.
    assert list(store.find("b\n")) == []
    assert list(store.find("B")) == [0]


def test_find_returns_event_ids_after_rows_were_dropped(chat_classes, monkeypatch):
    monkeypatch.setattr(columns, "_COMPACT_MIN", 2)
    msg_cls, _ = chat_classes
    store = TimelineStore(max_rows=4)
    for i in range(10):
        store.append_event(MessageSent(float(i), i, 0, msg_cls(text="odd" if i % 2 else "even")))
    assert list(store.find("odd")) == [7, 9]
    assert list(store.find("even", start=8)) == [8]


def test_rate_is_live_while_running_and_the_average_afterwards(chat_classes):
    msg_cls, _ = chat_classes
    store = TimelineStore()
    store.append_event(Started(10.0, "m", "/m", MethodKind.CLIENT_STREAMING, "t", (), None))
    for i in range(50):
        store.append_event(MessageSent(10.0 + i * 0.1, i, 0, msg_cls(text="x")))
    assert store.rate(now=14.95) == pytest.approx(10.0)  # 10 in the last second
    assert store.counters(now=14.95).running
    for second in (15, 16):  # later calls measure the growth since the earlier ones
        for i in range(10):
            t = second + i * 0.1
            store.append_event(MessageSent(t, int(t * 10), 0, msg_cls(text="x")))
        assert store.rate(now=second + 0.95) == pytest.approx(10.0)
    store.append_event(Finished(17.0, grpc.StatusCode.OK, "", (), 7.0))
    assert store.rate() == pytest.approx(10.0)  # 70 messages in 7 s
    assert not store.counters().running


def test_jsonl_export_reads_back_to_the_same_messages(chat_classes, demo_schema, tmp_path):
    _, reply_cls = chat_classes
    events = chat_events(chat_classes, ["hello", "wörld"], ok=False)
    events.insert(-3, MessageReceived(100.5, 2, b"\x0a\xff", reply_cls))
    store = filled(events)
    path = tmp_path / "call.jsonl"
    assert write_export(store, path, ExportFormat.JSONL) == len(store)
    lines = path.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    assert first["kind"] == "started" and first["method"] == f"{PKG}.DemoService/Chat"
    assert first["at"].endswith("Z") and first["metadata"] == [["x-user", "ann"]]
    records, dropped = parse_jsonl(lines, demo_schema.pool)
    assert dropped == 0
    assert [r.kind for r in records] == [store.kind(r) for r in range(len(store))]
    for row, record in enumerate(records):
        assert record.t == pytest.approx(store.since_start(row))
        if store.kind(row) in (EventKind.SENT, EventKind.RECEIVED) and not store.is_error(row):
            assert record.message == store.decode(row)
    bad = records[-4]
    assert bad.message is None and bad.raw == b"\x0a\xff"
    assert "not a valid" in bad.fields["error"]
    status = records[-1].fields
    assert status["code"] == "INVALID_ARGUMENT"
    assert status["details"][0]["type"] == "google.rpc.BadRequest"


def test_jsonl_export_of_a_capped_store_says_how_many_rows_were_dropped(chat_classes, demo_schema):
    store = filled(chat_events(chat_classes, ["a", "b", "c"]), max_rows=4)
    lines = list(export_lines(store, ExportFormat.JSONL))
    assert json.loads(lines[0]) == {"v": 1, "kind": "dropped", "count": store.dropped}
    records, dropped = parse_jsonl(lines, demo_schema.pool)
    assert dropped == store.dropped and len(records) == 4
    assert records[0].event_id == store.dropped


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "line 1"),
        ('{"v": 2, "kind": "sent"}', "version 1"),
        ('{"v": 1, "kind": "sent", "id": 0, "t": 0, "type": "no.Such", "message": {}}', "no.Such"),
        ('{"v": 1, "kind": "sent", "id": 0, "t": 0, "type": "workbench.demo.v1.ChatMessage",'
         ' "message": {"text": 5}}', "text"),
    ],
)  # fmt: skip
def test_parse_jsonl_names_the_bad_line(demo_schema, line, problem):
    with pytest.raises(FileFormatError, match=problem):
        parse_jsonl(["", line], demo_schema.pool)


def test_transcript_has_one_line_per_event_and_the_status_details(chat_classes):
    _, reply_cls = chat_classes
    events = chat_events(chat_classes, ["hello"], ok=False)
    events.insert(-3, MessageReceived(100.5, 1, b"\xff", reply_cls))
    store = filled(events)
    out = io.StringIO()
    out.writelines(export_lines(store, ExportFormat.TEXT))
    lines = out.getvalue().splitlines()
    assert lines[0] == f"# {PKG}.DemoService/Chat on 127.0.0.1:1"
    sent = next(line for line in lines if " ↑ " in line)
    assert sent.split()[:4] == ["3", "↑", "1", "0.002000"]
    assert sent.endswith('{"text":"hello","sender":"ann"}')
    assert any("raw bytes (base64): /w==" in line for line in lines)
    assert any(line.strip() == "text: must not be rude" for line in lines)
    assert any("status INVALID_ARGUMENT" in line for line in lines)


def test_export_to_a_missing_folder_fails_cleanly(chat_classes, tmp_path: Path):
    store = filled(chat_events(chat_classes, ["a"]))
    with pytest.raises(StoreWriteError, match="timeline export"):
        write_export(store, tmp_path / "missing" / "x.jsonl", ExportFormat.TEXT)


@pytest.mark.parametrize(
    ("fn", "value", "expected"),
    [
        (text.format_delta, None, ""),
        (text.format_delta, 0.000085, "+85 µs"),
        (text.format_delta, 0.00125, "+1.25 ms"),
        (text.format_delta, 2.5, "+2.500 s"),
        (text.format_size, 64, "64 B"),
        (text.format_size, 1536, "1.5 KiB"),
        (text.format_size, 6 * 1024 * 1024, "6.0 MiB"),
    ],
)
def test_formats(fn: Callable[[object], str], value: object, expected: str):
    assert fn(value) == expected


def test_hexdump_shows_offsets_hex_and_ascii():
    dump = text.hexdump(b"hello\x00world, a longer line", limit=20)
    first, second, more = dump.splitlines()
    assert first == "00000000  68 65 6c 6c 6f 00 77 6f 72 6c 64 2c 20 61 20 6c  hello.world, a l"
    assert second.startswith("00000010  6f 6e 67 65")
    assert more == "… 6 more bytes not shown"

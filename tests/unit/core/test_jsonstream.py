"""Splitting a stream of JSON documents incrementally, and parsing them with stream positions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.core.messages_schema import json_values, message_type, schema
from workbench.core.errors import RequestParseError
from workbench.core.messages.jsonstream import (
    Document,
    JsonDocumentSplitter,
    iter_documents,
    parse_document,
)

TRICKY = (
    '{"a": "}{][", "b": "say \\"hi\\" \\\\", "c": [1, {"d": "\\\\\\""}]}\n'
    '  {"e": "\\u007b"}{"f": []}\r\n'
    '\t[{"g": "]"}] "top \\" string" 42 -1.5e3 true null{}'
)
TRICKY_TEXTS = [
    '{"a": "}{][", "b": "say \\"hi\\" \\\\", "c": [1, {"d": "\\\\\\""}]}',
    '{"e": "\\u007b"}',
    '{"f": []}',
    '[{"g": "]"}]',
    '"top \\" string"',
    "42",
    "-1.5e3",
    "true",
    "null",
    "{}",
]


def split(chunks: list[str]) -> list[Document]:
    splitter = JsonDocumentSplitter()
    docs = [doc for chunk in chunks for doc in splitter.feed(chunk)]
    return docs + splitter.close()


def position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def test_concatenated_and_newline_separated() -> None:
    assert [d.text for d in iter_documents('{"a":1}{"b":2}')] == ['{"a":1}', '{"b":2}']
    assert [d.text for d in iter_documents('{"a":1}\n{"b":2}\n')] == ['{"a":1}', '{"b":2}']
    assert list(iter_documents("  \n\t ")) == []


def test_strings_with_braces_and_escaped_quotes() -> None:
    docs = list(iter_documents(TRICKY))
    assert [d.text for d in docs] == TRICKY_TEXTS
    for doc in docs:
        json.loads(doc.text)


def test_positions_are_relative_to_the_whole_input() -> None:
    for doc in iter_documents(TRICKY):
        assert TRICKY[doc.offset : doc.offset + len(doc.text)] == doc.text
        assert (doc.line, doc.column) == position(TRICKY, doc.offset)
    docs = list(iter_documents('{"a": 1}\n\n  {"b":\n 2}'))
    assert [(d.line, d.column, d.offset) for d in docs] == [(1, 1, 0), (3, 3, 12)]


def test_every_split_point_gives_the_same_documents() -> None:
    whole = list(iter_documents(TRICKY))
    for i in range(len(TRICKY) + 1):
        assert split([TRICKY[:i], TRICKY[i:]]) == whole, i
    assert split(list(TRICKY)) == whole  # one character at a time


def test_each_document_is_yielded_as_soon_as_it_is_complete() -> None:
    splitter = JsonDocumentSplitter()
    assert splitter.feed('{"a": ') == []
    assert splitter.feed('"}"') == []
    assert [d.text for d in splitter.feed("}\n")] == ['{"a": "}"}']
    assert splitter.feed("[1,") == []
    assert [d.text for d in splitter.feed("2]")] == ["[1,2]"]
    # a bare number may go on, so it only ends at a delimiter or at close()
    assert splitter.feed("12") == []
    assert [d.text for d in splitter.feed("3 ")] == ["123"]
    assert splitter.feed("7") == []
    assert [d.text for d in splitter.close()] == ["7"]


@pytest.mark.parametrize(
    ("text", "missing", "line", "column"),
    [
        ('{"a": 1}\n{"b": [1, {"c": 2', "} ] }", 2, 1),
        ('{"a": 1}  {"b": "abc', 'a closing "', 1, 11),
        ('  "abc\\"', 'a closing "', 1, 3),
    ],
)
def test_truncated_trailing_document(text: str, missing: str, line: int, column: int) -> None:
    splitter = JsonDocumentSplitter()
    splitter.feed(text)
    with pytest.raises(RequestParseError) as info:
        splitter.close()
    assert (info.value.line, info.value.column) == (line, column)
    assert f"missing {missing}" in info.value.message


@given(
    values=st.lists(json_values, max_size=5),
    seps=st.lists(st.sampled_from([" ", "\n", "\r\n", "\t", "  \n  "]), min_size=6, max_size=6),
    cuts=st.lists(st.integers(0, 400), max_size=6),
)
@settings(deadline=None)
def test_random_streams(values: list[Any], seps: list[str], cuts: list[int]) -> None:
    texts = [json.dumps(v, ensure_ascii=False) for v in values]
    stream = "".join(t + seps[i] for i, t in enumerate(texts))
    points = sorted({min(c, len(stream)) for c in cuts})
    chunks = [stream[a:b] for a, b in zip([0, *points], [*points, len(stream)], strict=True)]
    docs = split(chunks)
    assert [json.loads(d.text) for d in docs] == values
    assert [d.text for d in docs] == texts
    for doc in docs:
        assert (doc.line, doc.column) == position(stream, doc.offset)


# -- parsing documents ------------------------------------------------------------------------


def test_parse_document_one_message_per_object() -> None:
    desc = message_type("Item")
    text = '{"name": "a"}\n{"name": "b"}'
    msgs: list[Any] = [m for d in iter_documents(text) for m in parse_document(d, desc)]
    assert [m.name for m in msgs] == ["a", "b"]


def test_top_level_array_is_a_list_of_messages() -> None:
    desc = message_type("Item")
    (doc,) = iter_documents('[{"name": "a"}, {"name": "b"}]')
    msgs: list[Any] = parse_document(doc, desc)
    assert [m.name for m in msgs] == ["a", "b"]
    with pytest.raises(RequestParseError, match="got an array"):
        parse_document(doc, desc, expand_arrays=False)


def test_array_is_the_value_itself_for_list_value_requests() -> None:
    desc = schema().message("google.protobuf.ListValue")
    (doc,) = iter_documents("[1, 2]")
    (msg,) = parse_document(doc, desc)
    assert len(getattr(msg, "values")) == 2  # noqa: B009 - dynamic message


def test_syntax_error_position_in_the_whole_stream() -> None:
    text = '{"name": "a"}\n\n   {"name": "b",\n "price": }'
    docs = list(iter_documents(text))
    parse_document(docs[0], message_type("Item"))
    with pytest.raises(RequestParseError) as info:
        parse_document(docs[1], message_type("Item"))
    assert (info.value.line, info.value.column) == (4, 11)
    assert info.value.message == "line 4, column 11: invalid JSON: Expecting value"
    # same line as the document start: the column is shifted too
    (doc,) = iter_documents('   {"name" "x"}')
    with pytest.raises(RequestParseError) as info:
        parse_document(doc, message_type("Item"))
    assert (info.value.line, info.value.column) == (1, 12)


def test_value_errors_keep_their_path_and_get_the_document_position() -> None:
    text = '{"name": "a"}\n  [{"name": "b"}, {"price": {"units": "x"}}]'
    docs = list(iter_documents(text))
    with pytest.raises(RequestParseError) as info:
        parse_document(docs[1], message_type("Item"))
    err = info.value
    assert err.path == "[1].price.units"
    assert (err.line, err.column) == (2, 3)
    assert err.message == 'line 2, column 3: [1].price.units: expected int64, got "x"'


def test_byte_order_mark_is_ignored() -> None:
    docs = list(iter_documents('\ufeff{"name": "a"}'))
    assert [(d.text, d.offset) for d in docs] == [('{"name": "a"}', 0)]
    assert split(["\ufeff", '{"name": "a"}']) == docs


def test_stray_separator_is_reported_where_it_is() -> None:
    docs = list(iter_documents('{"name": "a"},\n{"name": "b"}'))
    assert [d.text for d in docs] == ['{"name": "a"}', ",", '{"name": "b"}']
    with pytest.raises(RequestParseError) as info:
        parse_document(docs[1], message_type("Item"))
    assert (info.value.line, info.value.column) == (1, 14)
    assert "unexpected ','" in info.value.message
    assert "newlines" in info.value.hint

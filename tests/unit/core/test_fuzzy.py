"""Fuzzy matching for quick-open: subsequences, word starts, ranking."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.core.fuzzy import Match, match, rank, score

METHODS = [
    "DemoService/Echo",
    "DemoService/EchoMetadata",
    "DemoService/Countdown",
    "DemoService/Chat",
    "DemoService/Slow",
    "InventoryService/DescribeEcho",
    "InventoryService/ListItems",
    "Health/Check",
]


def names(query: str, texts: list[str] = METHODS) -> list[str]:
    return [r.text for r in rank(query, texts, key=lambda t: t)]


def test_abbreviation_finds_the_method() -> None:
    assert names("dsecho")[:2] == ["DemoService/Echo", "DemoService/EchoMetadata"]


def test_positions_are_the_word_starts_a_person_means() -> None:
    found = match("dsecho", "DemoService/Echo")
    assert found is not None
    assert found.positions == (0, 4, 12, 13, 14, 15)  # D, S, then "Echo"


@pytest.mark.parametrize(
    ("query", "text"),
    [("xyz", "DemoService/Echo"), ("ohce", "DemoService/Echo"), ("echoo", "Echo")],
)
def test_not_a_subsequence_does_not_match(query: str, text: str) -> None:
    assert match(query, text) is None
    assert score(query, text) is None


def test_empty_query_matches_everything_equally() -> None:
    assert match("", "anything") == Match(0, ())
    assert match("   ", "anything") == Match(0, ())
    assert names("") == sorted(METHODS, key=lambda t: (len(t), t))


def test_word_starts_beat_letters_inside_words() -> None:
    at_start, inside = score("ec", "DemoService/Echo"), score("ec", "Specs/Abc")
    assert at_start is not None and inside is not None
    assert at_start > inside


def test_adjacent_letters_beat_scattered_ones() -> None:
    adjacent, scattered = score("abc", "xabcx"), score("abc", "xaxbxc")
    assert adjacent is not None and scattered is not None
    assert adjacent > scattered
    assert names("chat")[0] == "DemoService/Chat"  # EchoMetadata matches too, lower


def test_smart_case() -> None:
    assert match("echo", "ECHO") is not None  # lowercase query: any case
    assert match("Echo", "echo") is None  # an uppercase letter makes it case-sensitive
    assert match("E", "DemoService/Echo") is not None


def test_dot_and_slash_match_each_other_and_spaces_are_ignored() -> None:
    assert match("DemoService.Echo", "DemoService/Echo") is not None
    assert names("demo echo")[0] == "DemoService/Echo"


def test_rank_uses_the_best_of_several_texts_and_honours_the_limit() -> None:
    items = [("workbench.demo.v1", "DemoService/Echo"), ("acme.v1", "Greeter/Hello")]
    ranked = rank("demov1echo", items, key=lambda i: (i[1], f"{i[0]}.{i[1]}"))
    assert [r.item for r in ranked] == [items[0]]
    assert ranked[0].text == "workbench.demo.v1.DemoService/Echo"
    assert len(rank("e", METHODS, key=lambda t: t, limit=2)) == 2


@given(st.text(max_size=12), st.text(max_size=40))
def test_positions_spell_the_query(query: str, text: str) -> None:
    found = match(query, text)
    wanted = "".join(query.split()).replace("/", ".")
    if found is None:
        return
    assert list(found.positions) == sorted(set(found.positions))
    spelled = "".join(text[p] for p in found.positions).replace("/", ".")
    if any(c.isupper() for c in wanted):
        assert spelled == wanted
    else:
        assert spelled.lower() == wanted.lower()


@given(st.text(alphabet="abcAB./_", max_size=6), st.text(alphabet="abcAB./_ ", max_size=20))
def test_match_agrees_with_a_plain_subsequence_test(query: str, text: str) -> None:
    wanted = "".join(query.split()).replace("/", ".")
    haystack = text.replace("/", ".")
    if not any(c.isupper() for c in wanted):
        wanted, haystack = wanted.lower(), haystack.lower()
    it = iter(haystack)
    expected = all(c in it for c in wanted)
    assert (match(query, text) is not None) == expected

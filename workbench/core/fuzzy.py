"""Fuzzy subsequence matching for quick-open: ``dsecho`` finds ``DemoService/Echo``.

A query matches a text when its characters appear in the text in order (a subsequence).
Among the many ways to place them, :func:`match` picks the best one by a score that favours
what people type when they abbreviate names, in the spirit of fzf and editors' "go to
symbol" boxes:

- characters at the start of a word (after ``.``, ``/``, ``_``, ``-`` or a space, at a
  lowercase-to-uppercase step, or at the very start) earn a bonus, the first query
  character's twice over;
- runs of adjacent characters earn a bonus per character;
- skipped characters between two matched ones cost a little (the first more than the rest);
- an exact-case character earns a point.

Matching is smart-case: case-insensitive unless the query contains an uppercase letter.
Whitespace in the query is ignored, and ``.`` and ``/`` match each other, so
``DemoService.Echo`` finds ``DemoService/Echo``. The scoring runs in O(len(query) ×
len(text)) per text, after a cheap subsequence test that rejects most texts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Generic, TypeVar

__all__ = ["Match", "Ranked", "match", "rank", "score"]

T = TypeVar("T")

SCORE_MATCH: Final = 16
BONUS_BOUNDARY: Final = 10
BONUS_CAMEL: Final = 9
BONUS_CONSECUTIVE: Final = 8
BONUS_EXACT_CASE: Final = 1
#: The first query character's word-start bonus counts this many times.
FIRST_CHAR_MULTIPLIER: Final = 2
PENALTY_GAP_START: Final = 3
PENALTY_GAP_EXTEND: Final = 1
#: Characters skipped before the first match cost this much each, up to the cap.
PENALTY_LEADING: Final = 1
MAX_LEADING_PENALTY: Final = 12

_SEPARATORS: Final = frozenset("./_- :")
_FOLD: Final = str.maketrans({"/": "."})
_NONE: Final = -(10**9)


@dataclass(frozen=True)
class Match:
    """How a query matched a text.

    Attributes:
        score: higher is better; only comparable between matches of the same query.
        positions: the indexes in the text of the matched characters, ascending.
    """

    score: int
    positions: tuple[int, ...]


@dataclass(frozen=True)
class Ranked(Generic[T]):
    """One item of :func:`rank`'s result.

    Attributes:
        item: the item.
        text: the text it was matched on.
        match: how the query matched ``text``.
    """

    item: T
    text: str
    match: Match


def _bonuses(text: str) -> list[int]:
    """The word-start bonus of each position of ``text``."""
    out: list[int] = []
    previous = ""
    for char in text:
        if not previous or previous in _SEPARATORS:
            bonus = BONUS_BOUNDARY if char not in _SEPARATORS else 0
        elif (previous.islower() and char.isupper()) or (previous.isalpha() and char.isdigit()):
            bonus = BONUS_CAMEL
        else:
            bonus = 0
        out.append(bonus)
        previous = char
    return out


def _is_subsequence(query: str, text: str) -> bool:
    position = 0
    for char in query:
        position = text.find(char, position)
        if position < 0:
            return False
        position += 1
    return True


def _prepare(query: str) -> tuple[str, bool]:
    """The query without whitespace, and whether matching is case-sensitive."""
    folded = "".join(query.split()).translate(_FOLD)
    return folded, any(c.isupper() for c in folded)


def match(query: str, text: str) -> Match | None:
    """Match ``query`` against ``text``.

    Args:
        query: what was typed; an empty (or all-whitespace) query matches every text with
            score 0 and no positions.
        text: the candidate, e.g. ``"DemoService/Echo"``.

    Returns:
        The best placement of the query in the text, or ``None`` when the query is not a
        subsequence of it.
    """
    wanted, case_sensitive = _prepare(query)
    if not wanted:
        return Match(0, ())
    folded = text.translate(_FOLD)
    if not case_sensitive:
        wanted, folded = wanted.lower(), folded.lower()
    if not _is_subsequence(wanted, folded):
        return None
    scores, origins = _score_table(query, wanted, text, folded)
    last = scores[-1]
    end = max(range(len(text)), key=lambda j: last[j])
    positions = [end]
    for origin in reversed(origins[1:]):
        positions.append(origin[positions[-1]])
    return Match(last[end], tuple(reversed(positions)))


def score(query: str, text: str) -> int | None:
    """The score of :func:`match`, or ``None`` when ``query`` does not match ``text``."""
    found = match(query, text)
    return None if found is None else found.score


def _char_score(typed: str, text: str, j: int, bonus: int) -> int:
    exact = BONUS_EXACT_CASE if typed == text[j] else 0
    return SCORE_MATCH + bonus + exact


def _score_table(
    query: str, wanted: str, text: str, folded: str
) -> tuple[list[list[int]], list[list[int]]]:
    """Dynamic programming over the query's characters and the text's positions.

    Returns:
        ``scores[i][j]``: the best score of ``wanted[: i + 1]`` with ``wanted[i]`` placed at
        ``j`` (``_NONE`` when impossible); ``origins[i][j]``: where ``wanted[i - 1]`` sits in
        that best placement.
    """
    typed = "".join(query.split()).translate(_FOLD)  # the original case, for the exact bonus
    bonuses = _bonuses(text)
    n = len(text)
    first = [_NONE] * n
    for j in range(n):
        if folded[j] == wanted[0]:
            leading = min(j * PENALTY_LEADING, MAX_LEADING_PENALTY)
            bonus = bonuses[j] * FIRST_CHAR_MULTIPLIER
            first[j] = _char_score(typed[0], text, j, bonus) - leading
    scores = [first]
    origins = [[-1] * n]
    for i in range(1, len(wanted)):
        previous = scores[-1]
        row = [_NONE] * n
        origin = [-1] * n
        # The best previous-row score at some k <= j - 2, less the cost of the gap to j.
        run, run_at = _NONE, -1
        for j in range(1, n):
            if folded[j] == wanted[i]:
                before = previous[j - 1]
                if before > _NONE and before + BONUS_CONSECUTIVE >= run:
                    best, best_at = before + BONUS_CONSECUTIVE, j - 1
                else:
                    best, best_at = run, run_at
                if best > _NONE:
                    row[j] = best + _char_score(typed[i], text, j, bonuses[j])
                    origin[j] = best_at
            if run > _NONE:
                run -= PENALTY_GAP_EXTEND
            start = previous[j - 1] - PENALTY_GAP_START
            if previous[j - 1] > _NONE and start > run:
                run, run_at = start, j - 1
        scores.append(row)
        origins.append(origin)
    return scores, origins


def rank(
    query: str,
    items: Iterable[T],
    key: Callable[[T], str] | Callable[[T], Sequence[str]],
    limit: int | None = None,
) -> list[Ranked[T]]:
    """The items matching ``query``, best first.

    Args:
        query: what was typed.
        items: the candidates.
        key: the text to match an item on, or several texts (the best match counts, and an
            earlier text wins a tie: put the short name first and the full name after).
        limit: the most results to return (``None``: all).

    Returns:
        The matches, by descending score, then shorter text, then text.
    """
    found: list[Ranked[T]] = []
    for item in items:
        texts = key(item)
        candidates = [texts] if isinstance(texts, str) else list(texts)
        best: Ranked[T] | None = None
        for text in candidates:
            result = match(query, text)
            if result is not None and (best is None or result.score > best.match.score):
                best = Ranked(item, text, result)
        if best is not None:
            found.append(best)
    found.sort(key=lambda r: (-r.match.score, len(r.text), r.text))
    return found if limit is None else found[:limit]

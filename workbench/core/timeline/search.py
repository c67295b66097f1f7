"""Finding timeline rows fast: by kind through a byte table, by text in the raw wire bytes.

A million-row timeline cannot be decoded and formatted for every keystroke (that is tens of
seconds), so message rows are searched where their text already is: protobuf writes string
fields as plain UTF-8 into the wire bytes. One ``bytes.find`` scan over the store's single
payload buffer finds every occurrence; a binary search over the row offsets maps each to its
row. See :meth:`TimelineStore.find` for the resulting semantics.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Collection
from itertools import compress


def kind_table(kinds: Collection[int]) -> bytes:
    """A ``bytes.translate`` table mapping each kind in ``kinds`` to 1 and all others to 0."""
    return bytes(1 if code in kinds else 0 for code in range(256))


def rows_of_kinds(kind_codes: bytes, first_id: int, table: bytes) -> array[int]:
    """Event ids (``first_id`` + position) of the rows whose kind the table maps to 1.

    Runs at C speed: the translated bytes serve as the selector of ``itertools.compress``.
    """
    mask = kind_codes.translate(table)
    return array("q", compress(range(first_id, first_id + len(mask)), mask))


def payload_matches(
    haystack: bytes | bytearray,
    needle: bytes,
    starts: array[int],
    sizes: array[int],
    *,
    base: int,
    begin: int = 0,
) -> list[int]:
    """Positions (into ``starts``) of the rows whose bytes contain ``needle``.

    Args:
        haystack: a buffer holding the payloads of the searched rows contiguously and in row
            order, already lower-cased when the search ignores case.
        needle: the bytes to find (lower-cased likewise).
        starts: each searched row's payload offset; non-decreasing (rows without payload,
            such as control rows, have size 0 and the offset of the next payload).
        sizes: each searched row's payload size.
        base: the offset, in ``starts`` terms, of ``haystack[0]``.
        begin: where in ``haystack`` the first searched row's payload starts.

    Returns:
        Row positions in increasing order, each at most once. A match that runs over the end
        of one message into the next is not a match.
    """
    found: list[int] = []
    width = len(needle)
    count = len(starts)
    row = 0
    pos = haystack.find(needle, begin)
    while pos != -1:
        offset = pos + base
        # Matches are often in consecutive rows: step forward a little before bisecting.
        for _ in range(4):
            if row + 1 < count and starts[row + 1] <= offset:
                row += 1
            else:
                break
        else:
            row = bisect_right(starts, offset, row) - 1
        end = starts[row] + sizes[row]
        if offset + width <= end:
            found.append(row)
            pos = haystack.find(needle, end - base)
        else:
            pos = haystack.find(needle, pos + 1)
    return found


def has_letters(needle: bytes) -> bool:
    """Whether ``needle`` has ASCII letters (only then must the haystack be lower-cased)."""
    return needle.lower() != needle.upper()

"""The append-only event store behind a call's timeline.

:class:`TimelineStore` records a call's events in compact columns (see
:mod:`~workbench.core.timeline.columns` for the layout, the memory per row, and the two
ways rows are numbered) and adds what views need: decoding, one-line previews made on
demand and cached for the 2,048 most recently shown rows, search, and live counters.
"""

from __future__ import annotations

import time
from array import array
from bisect import bisect_right
from collections import OrderedDict, deque
from collections.abc import Collection
from datetime import UTC, datetime
from time import perf_counter

from google.protobuf.message import Message

from workbench.core.calls.events import Finished
from workbench.core.errors import ResponseDecodeError
from workbench.core.timeline import search, text
from workbench.core.timeline.columns import EventColumns
from workbench.core.timeline.rows import (
    ALL_DIRECTIONS,
    CONTROL_KINDS,
    Direction,
    EventKind,
    TimelineCounters,
    TimelineEntry,
    decode_message,
)

#: How many rows' previews stay cached.
PREVIEW_CACHE_SIZE = 2048
_SENT = EventKind.SENT.value
_RECEIVED = EventKind.RECEIVED.value


class TimelineStore(EventColumns):
    """An append-only, optionally capped, columnar store of one call's events.

    Feed it with :meth:`append_event` in event order (it takes a few microseconds and keeps
    no object per message); read rows by position. One store holds one call; :meth:`clear`
    it for the next.
    """

    def _reset(self) -> None:
        super()._reset()
        self._previews: OrderedDict[int, tuple[str, str | None]] = OrderedDict()
        self._rate_samples: deque[tuple[float, int]] = deque()
        # perf_counter has no epoch; this maps its timestamps to wall-clock time for exports.
        self._wall_offset = time.time() - perf_counter()

    def decode(self, row: int) -> Message:
        """Parse a message row (a new object each time).

        Raises:
            ResponseDecodeError: the bytes are not a valid message of the row's type.
            ValueError: ``row`` is a control row.
        """
        cls = self.message_class(row)
        if cls is None:
            raise ValueError(f"row {row} is a {self.kind(row).label} row, not a message")
        return decode_message(cls, self.payload(row), self.kind(row), self.index(row))

    def entry(self, row: int) -> TimelineEntry:
        """A snapshot of ``row``.

        Raises:
            IndexError: ``row`` is not a kept row.
        """
        if not 0 <= row < len(self):
            raise IndexError(f"row {row} out of range (0..{len(self) - 1})")
        return TimelineEntry(
            row + self._dropped,
            self.kind(row),
            self.time(row),
            self.since_start(row),
            self.since_previous(row),
            self.index(row),
            self.size(row),
            self.message_class(row),
            self.payload(row),
            self.control_event(row),
        )

    def entry_by_id(self, event_id: int) -> TimelineEntry | None:
        """A snapshot of the row with ``event_id`` (``None`` once dropped or not there yet).

        Safe to call from a worker thread (an export) while the GUI thread appends: a
        snapshot taken while the columns were compacted is taken again.
        """
        while True:
            layout = self.layout_version
            if layout % 2:  # a compaction is running in the GUI thread
                time.sleep(0)
                continue
            row = event_id - self._dropped
            try:
                entry = self.entry(row) if row >= 0 else None
            except IndexError:  # not appended yet, or cleared meanwhile
                return None
            if layout == self.layout_version:
                return entry if entry is None or entry.event_id == event_id else None

    def wall_clock_iso(self, t: float) -> str:
        """The wall-clock time (UTC, ISO 8601) of the perf_counter timestamp ``t``."""
        moment = datetime.fromtimestamp(t + self._wall_offset, UTC)
        return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")

    # -- text ------------------------------------------------------------------------------

    def preview(self, row: int) -> str:
        """One line: a message's compact JSON (cut to 200 characters) or a control summary."""
        return self._preview(row)[0]

    def problem(self, row: int) -> str | None:
        """Why a message row cannot be shown decoded (``None`` when it decodes)."""
        return self._preview(row)[1]

    def is_error(self, row: int) -> bool:
        """Whether the row is a non-OK status or a message that does not decode."""
        event = self.control_event(row)
        if isinstance(event, Finished):
            return not event.ok
        return event is None and self._preview(row)[1] is not None

    def _preview(self, row: int) -> tuple[str, str | None]:
        key = row + self._dropped
        cache = self._previews
        hit = cache.get(key)
        if hit is not None:
            cache.move_to_end(key)
            return hit
        made = self._make_preview(row)
        cache[key] = made
        if len(cache) > PREVIEW_CACHE_SIZE:
            cache.popitem(last=False)
        return made

    def _make_preview(self, row: int) -> tuple[str, str | None]:
        event = self.control_event(row)
        if event is not None:
            return text.truncate(text.control_summary(event)), None
        size = self.size(row)
        cls = self.message_class(row)
        assert cls is not None
        if size > text.PREVIEW_DECODE_LIMIT:
            name = cls.DESCRIPTOR.name
            return f"{name} of {text.format_size(size)} (select the row to see it)", None
        try:
            message = self.decode(row)
        except ResponseDecodeError as exc:
            return f"⚠ {size} bytes that do not decode: {exc.message}", exc.message
        return text.message_preview(message), None

    # -- searching and counting ------------------------------------------------------------

    def find(
        self, needle: str = "", directions: Collection[Direction] = ALL_DIRECTIONS, start: int = 0
    ) -> array[int]:
        """Event ids of the kept rows from event id ``start`` on that match, in order.

        Matching, case-insensitive for ASCII letters:

        * a row matches only if its direction is in ``directions``;
        * an empty ``needle`` matches every such row;
        * a message row matches when ``needle``, as UTF-8, occurs within its wire bytes. As
          protobuf stores strings as plain UTF-8, this finds the text in any string field (and
          in bytes fields) of the message, however deeply nested, without decoding a single
          row. Numbers, enum names, and field names are not searched; a short needle can
          also match binary content (tags, lengths, numbers) of a message;
        * a control row matches when ``needle`` occurs in its text (status, details, headers).

        Filtering a million rows takes one pass over the payload bytes, not a decode per row.
        """
        first = max(start, self._dropped)
        lo = first - self._dropped + self._start
        hi = len(self._t)
        if lo >= hi:
            return array("q")
        kinds = {k.value for k in EventKind if k.direction in directions}
        if not needle:
            return search.rows_of_kinds(
                self._kind[lo:hi].tobytes(), first, search.kind_table(kinds)
            )
        found = array("q")
        wanted = needle.encode().lower()
        if _SENT in kinds or _RECEIVED in kinds:
            begin = self._ref[lo] - self._pbase
            if search.has_letters(wanted):
                # One lower-cased copy of the searched bytes; bytes.lower() folds ASCII only.
                hay = (self._payload[begin:] if begin else self._payload).lower()
                base, begin = self._pbase + begin, 0
            else:
                hay, base = self._payload, self._pbase
            starts, sizes = self._ref[lo:hi], self._size[lo:hi]
            kind_codes = self._kind
            for pos in search.payload_matches(hay, wanted, starts, sizes, base=base, begin=begin):
                if kind_codes[lo + pos] in kinds:
                    found.append(first + pos)
        folded = needle.casefold()
        for event_id, event in zip(self._control_ids, self._controls, strict=True):
            if (
                event_id >= first
                and CONTROL_KINDS[type(event)].value in kinds
                and folded in "\n".join(text.control_lines(event)).casefold()
            ):
                found.insert(bisect_right(found, event_id), event_id)
        return found

    def rate(self, now: float | None = None, window: float = 1.0) -> float:
        """Messages per second: over about the last ``window`` while running, else the average.

        While running, each call records the message total; the rate is the growth since
        the oldest record within ``window`` (so a cap does not lower it). Until there is such
        a record, the kept rows within ``window`` are counted instead.
        """
        total = self.sent + self.received
        if self._t0 is None or total == 0:
            return 0.0
        if self.finished is not None:
            elapsed = self.finished.t - self._t0
            return total / elapsed if elapsed > 0 else 0.0
        now = perf_counter() if now is None else now
        samples = self._rate_samples
        samples.append((now, total))
        while len(samples) > 2 and samples[1][0] <= now - window:
            samples.popleft()
        then, then_total = samples[0]
        if now - then >= window / 2:
            return (total - then_total) / (now - then)
        window = min(window, now - self._t0)
        if window <= 0:
            return 0.0
        since = bisect_right(self._t, now - window, self._start)
        controls = sum(1 for ev in self._controls if ev.t > now - window)
        return max(0, len(self._t) - since - controls) / window

    def counters(self, now: float | None = None) -> TimelineCounters:
        """The live totals (see :class:`TimelineCounters`)."""
        return TimelineCounters(
            self.sent,
            self.received,
            self.bytes_sent,
            self.bytes_received,
            len(self),
            self._dropped,
            self.rate(now),
            self.started is not None and self.finished is None,
        )

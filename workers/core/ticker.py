"""Breaking-news ticker: find the block on a page and split it into items.

A ticker item is printed `TEXT (ATTRIBUTION) - HH:MM`; a block is either a header line
(`الأخبار العاجلة`, `عاجل`, `أخبار عاجلة`, `شريط الأخبار`, `Breaking news`) followed by
lines of items, or, without a header, a line that carries several items or a run of lines
that each end in `- HH:MM`. Items are cut at every `- HH:MM`; a trailing parenthesized
source becomes the attribution (with or without a space before the parenthesis).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from workers.core.models import TickerItem
from workers.core.normalize import normalize_for_matching

__all__ = [
    "extract_ticker_items",
    "find_ticker_lines",
    "resolve_reported_at",
    "split_ticker_items",
    "zone_for",
]

# `- 13:52`: a dash (any kind), then a 24-hour clock time that is not part of a longer number.
# The pattern starts at the dash (a literal character set lets the regex engine skip ahead
# to candidate dashes); whitespace before the dash belongs to the item text, where
# `split_ticker_items` collapses and trims it anyway.
_DASH_CHARS = "-–—−"
_ITEM_END = re.compile(r"[-–—−]\s*([01]?\d|2[0-3]):([0-5]\d)(?![\d:])")
# The same at the end of a line; it can only start at the line's last dash.
_ITEM_AT_END = re.compile(_ITEM_END.pattern + r"\s*$")
# A trailing `(source)`: short, no nested parentheses.
_ATTRIBUTION = re.compile(r"\(\s*([^()]{1,120}?)\s*\)\s*$")
_MAX_ATTRIBUTION_WORDS = 8
_ITEM_EDGES = " |•●▪■◆►"  # trimmed off an item's text
_PUNCT_EDGES = " \t:：|-–—•●▪■◆►»«*#\"'"

# Ticker headers, normalized (normalize_for_matching, edge punctuation stripped).
TICKER_HEADERS = frozenset(
    {
        "الاخبار العاجله",
        "اخبار عاجله",
        "عاجل",
        "العاجل",
        "خبر عاجل",
        "اخر الاخبار العاجله",
        "شريط الاخبار",
        "شريط الاخبار العاجله",
        "breaking news",
        "breaking",
        "urgent",
    }
)
_MAX_HEADER_CHARS = 40
# Every header contains one of these (cheap pre-check before normalizing a line).
_HEADER_WORDS = ("عاجل", "اخبار", "أخبار", "breaking", "urgent")
_HEADER_WORD = re.compile("|".join(_HEADER_WORDS))
_HEADER_PREFIX = re.compile(
    r"^\s*(?:الأخبار العاجلة|الاخبار العاجلة|أخبار عاجلة|اخبار عاجلة|خبر عاجل|عاجل|"
    r"شريط الأخبار|Breaking news|Breaking)(?:\s*[:：|\-–—]\s*|\s+)",
    re.IGNORECASE,
)


@lru_cache(maxsize=64)
def zone_for(tz: str) -> tzinfo:
    """The `ZoneInfo` for an IANA name (cached)."""
    return ZoneInfo(tz)


def _dash_positions(text: str) -> list[int]:
    """Where the dashes of `_DASH_CHARS` are in `text`, in order."""
    out: list[int] = []
    kinds = 0
    for dash in _DASH_CHARS:
        i = text.find(dash)
        if i >= 0:
            kinds += 1
        while i >= 0:
            out.append(i)
            i = text.find(dash, i + 1)
    if kinds > 1:
        out.sort()
    return out


def _item_ends(text: str) -> Iterator[re.Match[str]]:
    """`_ITEM_END.finditer(text)`, tried only at the dashes.

    Every match starts with a dash; `str.find` gets to the dashes much faster than the
    regex engine's scan of a character class does. Same matches, in the same order.
    """
    end = 0
    for i in _dash_positions(text):
        if i >= end:
            m = _ITEM_END.match(text, i)
            if m is not None:
                end = m.end()
                yield m


def _count_items(line: str, limit: int = 2) -> int:
    """The number of `- HH:MM` items on `line` (`len(_ITEM_END.findall(line))`), up to `limit`.

    A match holds one dash, its first character, so matches never overlap and the count
    is the number of dashes a match starts at, whatever order they are tried in.
    """
    if ":" not in line:  # every item ends in a clock time
        return 0
    count = 0
    for dash in _DASH_CHARS:
        i = line.find(dash)
        while i >= 0:
            if _ITEM_END.match(line, i) is not None:
                count += 1
                if count >= limit:
                    return count
            i = line.find(dash, i + 1)
    return count


def _ends_with_item(line: str) -> bool:
    # only whitespace, digits and a colon may follow the dash of a final item, so that
    # dash is the line's last one
    last = max(line.rfind("-"), line.rfind("–"), line.rfind("—"), line.rfind("−"))  # `_DASH_CHARS`
    return last >= 0 and _ITEM_AT_END.match(line, last) is not None


def is_ticker_header(line: str) -> bool:
    """True when `line` is a breaking-news header such as `الأخبار العاجلة`."""
    if len(line) > _MAX_HEADER_CHARS:
        return False
    if _HEADER_WORD.search(line.casefold()) is None:
        return False
    return normalize_for_matching(line).strip(_PUNCT_EDGES) in TICKER_HEADERS


def find_ticker_lines(lines: Sequence[str]) -> list[int]:
    """Indices of the lines that form ticker blocks (headers included), in page order."""
    out: list[int] = []
    # every block holds at least one line with a `- HH:MM` item: most pages have none, and
    # one scan of the whole text (a superset of the lines' matches) rules them out at once
    joined = "\n".join(lines)
    if _count_items(joined, 1) == 0:
        return out
    n = len(lines)
    i = 0
    while i < n:
        line = lines[i]
        if not line or ("-" not in line and "–" not in line and "—" not in line):
            if line and len(line) <= _MAX_HEADER_CHARS and is_ticker_header(line):
                j, block = i + 1, [i]
                while j < n and (not lines[j].strip() or _count_items(lines[j], 1) > 0):
                    if lines[j].strip():
                        block.append(j)
                    j += 1
                if len(block) > 1:
                    out.extend(block)
                    i = j
                    continue
            i += 1
            continue
        items = _count_items(line)
        if items >= 2 and (_ends_with_item(line) or _HEADER_PREFIX.match(line)):
            out.append(i)
        elif items == 1 and _ends_with_item(line):
            # a run of lines that each end in `- HH:MM` (one item per line)
            j, run = i, []
            while j < n and (not lines[j].strip() or _ends_with_item(lines[j])):
                if lines[j].strip():
                    run.append(j)
                j += 1
            if len(run) >= 2:
                out.extend(run)
                i = j
                continue
        i += 1
    return out


def _split_attribution(segment: str) -> tuple[str, str | None]:
    # `segment` is trimmed with single spaces as its only whitespace, so a trailing
    # `(source)` means a final `)`, the source needs no collapsing and its words are its
    # spaces plus one; `_ATTRIBUTION` allows no parenthesis inside, so it can only start
    # at the last `(`
    if not segment.endswith(")"):
        return segment, None
    last = segment.rfind("(")
    m = _ATTRIBUTION.match(segment, last) if last >= 0 else None
    if m is None:
        return segment, None
    text = segment[: m.start()].strip()
    source = m.group(1).strip()
    if not text or not source or source.count(" ") >= _MAX_ATTRIBUTION_WORDS:
        return segment, None
    return text, source


def _items(block: str) -> Iterator[tuple[str, str | None, str, int, int]]:
    """`split_ticker_items`, each item with its clock as (hour, minute) integers too."""
    block = _HEADER_PREFIX.sub("", block, count=1)
    # every whitespace character but the space is unprintable: a printable block holds
    # only spaces, and a segment without two in a row needs no collapsing
    spaces_only = block.isprintable()
    start = 0
    for m in _item_ends(block):
        end, next_start = m.span()
        raw = block[start:end]
        if spaces_only and "  " not in raw:
            segment = raw.strip(_ITEM_EDGES)
        else:  # whitespace runs become one space (str.split is the fast spelling of `\s+`)
            segment = " ".join(raw.split()).strip(_ITEM_EDGES)
        start = next_start
        if not segment:
            continue
        text, source = _split_attribution(segment)
        hh, mm = m.groups()
        hour = int(hh)
        yield text, source, f"{hour:02d}:{mm}", hour, int(mm)


def split_ticker_items(block: str) -> list[tuple[str, str | None, str]]:
    """Split ticker text into `(text, attribution, "HH:MM")` triples, in order.

    Text after the last time (no `- HH:MM` of its own) is not an item and is dropped.
    """
    return [(text, source, hhmm) for text, source, hhmm, _, _ in _items(block)]


def resolve_reported_at(hhmm: str, fetched_at: datetime, zone: tzinfo) -> datetime | None:
    """The latest moment at or before `fetched_at` showing `hhmm` on the site's wall clock.

    Returns an aware datetime in `zone`, or None for a malformed time or a naive
    `fetched_at`. A wall time that does not exist that day (a DST gap) resolves through
    the zone's offset rules and is still checked against `fetched_at`.
    """
    if fetched_at.tzinfo is None or fetched_at.utcoffset() is None:
        return None
    try:
        hour, minute = (int(p) for p in hhmm.split(":"))
        local = fetched_at.astimezone(zone)
        local.replace(hour=hour, minute=minute)  # validates the clock values
    except ValueError:
        return None
    return _latest_wall_time(hour, minute, local, fetched_at, zone)


def _latest_wall_time(hour: int, minute: int, local: datetime, fetched_at: datetime, zone: tzinfo) -> datetime | None:
    """The latest `hour:minute` on the wall clock in `zone` at or before `fetched_at`.

    `local` is `fetched_at` in `zone`; `hour` and `minute` are valid clock values.
    """
    return _WallClock(local, fetched_at, zone).latest(hour, minute)


_Candidate = tuple[datetime | None, datetime]  # (the moment in UTC if representable, in `zone`)


def _wall_candidate_uncached(day: date, hour: int, minute: int, fold: int, zone: tzinfo) -> _Candidate:
    """The moment `day` `hour:minute` (`fold`) means on the wall clock in `zone`.

    Round-trip through UTC so a DST-gap time gets the real offset.
    """
    candidate = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone, fold=fold)
    candidate = candidate.astimezone(zone)
    try:
        return candidate.astimezone(UTC), candidate
    except OverflowError:  # at the ends of the datetime range: compare in `zone`
        return None, candidate


# Pure function of its arguments; pages fetched the same day share most keys (a worker
# resolves the same few thousand (day, HH:MM) pairs all day long).
_wall_candidate_cached = lru_cache(maxsize=16384)(_wall_candidate_uncached)


class _WallClock:
    """`_latest_wall_time` for one `fetched_at`: its UTC form and local day computed once.

    Comparing datetimes in different zones asks both zones for their offsets on every
    comparison; comparing two UTC datetimes is a plain field comparison.
    """

    __slots__ = ("candidate", "fetched_at", "fetched_utc", "today", "zone")

    def __init__(self, local: datetime, fetched_at: datetime, zone: tzinfo) -> None:
        self.fetched_at = fetched_at
        self.zone = zone
        self.candidate: Callable[[date, int, int, int, tzinfo], _Candidate]
        try:
            hash(zone)
            self.candidate = _wall_candidate_cached
        except TypeError:  # an unhashable tzinfo cannot key the cache
            self.candidate = _wall_candidate_uncached
        self.today = local.date()
        try:
            self.fetched_utc: datetime | None = fetched_at.astimezone(UTC)
        except OverflowError:
            self.fetched_utc = None

    def latest(self, hour: int, minute: int) -> datetime | None:
        fetched_utc = self.fetched_utc
        candidate_at = self.candidate
        for back in range(3):
            day = self.today - timedelta(days=back) if back else self.today
            # In the hour the clocks go back, a wall time happens twice (fold=1 is the later
            # one): try the later first.
            for fold in (1, 0):
                utc, candidate = candidate_at(day, hour, minute, fold, self.zone)
                if (candidate <= self.fetched_at) if utc is None or fetched_utc is None else (utc <= fetched_utc):
                    return candidate
        return None


def extract_ticker_items(text: str, fetched_at: datetime, tz: str | tzinfo = "Asia/Damascus") -> tuple[TickerItem, ...]:
    """All ticker items on a plain-text page, with `time` resolved to `reported_at`."""
    lines = text.splitlines()
    return items_from_lines(lines, find_ticker_lines(lines), fetched_at, tz)


def items_from_lines(
    lines: Sequence[str], indices: Sequence[int], fetched_at: datetime, tz: str | tzinfo
) -> tuple[TickerItem, ...]:
    """Ticker items from the lines at `indices` (as found by `find_ticker_lines`)."""
    if not indices:
        return ()
    zone = zone_for(tz) if isinstance(tz, str) else tz
    block = " ".join(lines[i] for i in indices if not is_ticker_header(lines[i]))
    items: list[TickerItem] = []
    clock: _WallClock | None = None
    for text, source, hhmm, hour, minute in _items(block):
        if not items:  # `resolve_reported_at` per item, with the zone conversion done once
            aware = fetched_at.tzinfo is not None and fetched_at.utcoffset() is not None
            try:
                clock = _WallClock(fetched_at.astimezone(zone), fetched_at, zone) if aware else None
            except ValueError:
                clock = None
        reported = None if clock is None else clock.latest(hour, minute)
        items.append(TickerItem(text, source, hhmm, reported))
    return tuple(items)

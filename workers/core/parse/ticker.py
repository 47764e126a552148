"""Breaking-news ticker: find the block on a page and split it into items.

A ticker item is printed `TEXT (ATTRIBUTION) - HH:MM` (time last) or, on some sites,
`HH:MM - TEXT (ATTRIBUTION)` / `HH:MM TEXT` (time first, the time opening its line). A
block is either a header line (`الأخبار العاجلة`, `عاجل`, `أخبار عاجلة`, `شريط الأخبار`,
`Breaking news`) followed by lines of items, or, without a header, a line that carries
several time-last items, a run of lines that each end in `- HH:MM`, or a run of lines
that each open with a time. Time-last items are cut at every `- HH:MM`; a time-first line
holds one item, or several when each further one starts `HH:MM -` after a space. A
trailing parenthesized source becomes the attribution (with or without a space before
the parenthesis). A line that ends in `- HH:MM` is read time-last even when it opens
with a time.

Times:

* A time is one or two digits, a colon, one or two digits, not part of a longer number
  (`12:30:15`, `123:30` are text). Its digits may be ASCII, Arabic-Indic (`١٢:٣٠`) or
  Persian (`۱۳:۵۲`), even mixed; an item's `time` is always written with ASCII digits,
  the hour padded to two (`9:05` and `٩:٠٥` give `"09:05"`).
* A time-last time must end its token: the character after it, if any, is not one a URL
  can continue with (RFC 3986: ASCII letters and digits, `-._~:/?#[]@!$&'()*+,;=%`). So
  `https://x.com/a-13:52/b` inside an item is text, not an item end, while `- 13:52`
  before a space, the end of the text, an Arabic letter, `"` or a bullet (`|`, `•`) is one.
* A time is valid when its hour is 0-23 and its minute two digits, 00-59. An invalid
  time (`24:00`, `25:61`, `9:5`) has the same shape and plays the same structural part
  as a valid one: it counts towards finding ticker lines and it separates two stories.
  But it is never an item's time, so the story printed with it (the text between the
  previous time and it) is not an item and is dropped, like text after the last time:
  it is neither glued onto the next story nor reported with that story's time.
  `A - 10:00 B - 24:00 C - 9:5 D - 09:05` gives A at 10:00 and D at 09:05. In the
  time-first form the story after an invalid time is the one dropped.

An item needs text: a story that is empty, punctuation only, or only a parenthesized
source (`(وكالات) - 10:00`) is not an item.

Every step is linear in the length of the text: patterns are tried only where a match
can start (a dash, a line start, a space before a time), each backtracks over at most one
whitespace run, and every line or story is read a fixed number of times.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from workers.core.models import TickerItem
from workers.core.normalize import normalize_for_matching
from workers.core.scan import matches_at, occurrences

__all__ = [
    "extract_ticker_items",
    "find_ticker_lines",
    "is_time_first",
    "resolve_reported_at",
    "split_attribution",
    "split_ticker_items",
    "split_time_first_items",
    "zone_for",
]

# Clock digits: ASCII, Arabic-Indic and Persian (`int` reads all three).
_DIGITS = "0-9٠-٩۰-۹"
# A clock-shaped time, `H:M` to `HH:MM`, not part of a longer number; `_item` says whether
# it is a valid one. `\d` in the lookahead is any Unicode digit.
_CLOCK = rf"([{_DIGITS}]{{1,2}}):([{_DIGITS}]{{1,2}})(?![\d:])"
# `- 13:52`: a dash (any kind), then a clock time that ends its token: no character that
# can continue a URL (RFC 3986) follows it, so `https://x.com/a-13:52/b` holds no item end.
# The pattern starts at the dash (a literal character set lets the regex engine skip ahead
# to candidate dashes); whitespace before the dash belongs to the item text, where
# `split_ticker_items` collapses and trims it anyway.
_DASH_CHARS = "-–—−"
_URL_CHARS = r"A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%"
_ITEM_END = re.compile(rf"[{_DASH_CHARS}]\s*{_CLOCK}(?![{_URL_CHARS}])")
# The same at the end of a line; it can only start at the line's last dash.
_ITEM_AT_END = re.compile(_ITEM_END.pattern + r"\s*$")
# Time first: a line opening with `13:52 - `, `13:52 | `, `13:52 ` (after blanks or a
# bullet), then text. The item's text must hold a word of two letters or more, so a line
# like `12:30 م` is not an item.
_TIME_FIRST_BULLETS = "|•●▪■◆►"
_TIME_FIRST = re.compile(rf"[\s{_TIME_FIRST_BULLETS}]*{_CLOCK}(?:\s*[-–—−|]\s*|\s+)(?=\S)")
# A further time-first item on the same line: a time after a space, then a dash, then no
# digit (`من 10:00 - 12:00` is a time range inside an item's text, not a new item).
_TIME_FIRST_NEXT = re.compile(rf"(?<=\s){_CLOCK}\s*[-–—−](?!\s*\d)\s*")
_TWO_LETTERS = re.compile(r"[^\W\d_]{2}")
_WORD_CHAR = re.compile(r"[^\W_]")  # a letter or a digit: an item's text needs one
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


def _item_ends(text: str) -> Iterator[re.Match[str]]:
    """`_ITEM_END.finditer(text)`, tried only at the dashes (every match starts with one)."""
    return matches_at(_ITEM_END, text, occurrences(text, _DASH_CHARS))


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


def is_time_first(line: str) -> bool:
    """True when `line` is a time-first item line: `13:52 - TEXT`, `13:52 TEXT`.

    A line that ends in a time-last item (`- HH:MM`) is not: it is read time-last.
    """
    m = _TIME_FIRST.match(line)
    return m is not None and _TWO_LETTERS.search(line, m.end()) is not None and not _ends_with_item(line)


def _may_have_time_first(joined: str) -> bool:
    """False only when no line of `joined` (lines joined by newlines) is time-first.

    A time-first line's first colon is its time's, right after a digit: at the first
    colon after a digit on a line, try `_TIME_FIRST` from the start of that line (once per
    line: the answer is the same for every colon on it).
    """
    c = joined.find(":", 1)
    while c >= 0:
        if joined[c - 1].isdigit():
            if _TIME_FIRST.match(joined, joined.rfind("\n", 0, c) + 1) is not None:
                return True
            c = joined.find("\n", c)  # on to the next line
            if c < 0:
                return False
        c = joined.find(":", c + 1)
    return False


def is_ticker_header(line: str) -> bool:
    """True when `line` is a breaking-news header such as `الأخبار العاجلة`."""
    if len(line) > _MAX_HEADER_CHARS:
        return False
    if _HEADER_WORD.search(line.casefold()) is None:
        return False
    return normalize_for_matching(line).strip(_PUNCT_EDGES) in TICKER_HEADERS


def _run(lines: Sequence[str], start: int, accept: Callable[[str], bool]) -> tuple[int, list[int]]:
    """From `start`, the lines `accept` takes (blank lines in between allowed).

    Returns (the index after the run, the indices of its non-blank lines).
    """
    j, run = start, []
    while j < len(lines) and (not lines[j].strip() or accept(lines[j])):
        if lines[j].strip():
            run.append(j)
        j += 1
    return j, run


def find_ticker_lines(lines: Sequence[str]) -> list[int]:
    """Indices of the lines that form ticker blocks (headers included), in page order."""
    out: list[int] = []
    # every block holds at least one line with a `- HH:MM` item or one opening with a
    # time: most pages have neither, and one look at the whole text (a superset of the
    # lines' matches) rules them out at once
    joined = "\n".join(lines)
    time_first = _may_have_time_first(joined)
    if not time_first and _count_items(joined, 1) == 0:
        return out

    def item_line(line: str) -> bool:
        return _count_items(line, 1) > 0 or (time_first and is_time_first(line))

    n = len(lines)
    i = 0
    while i < n:
        line = lines[i]
        if time_first and line and is_time_first(line):
            j, run = _run(lines, i, is_time_first)  # lines that each open with a time
            if len(run) >= 2:
                out.extend(run)
                i = j
                continue
        if not line or ("-" not in line and "–" not in line and "—" not in line):
            if line and len(line) <= _MAX_HEADER_CHARS and is_ticker_header(line):
                j, block = _run(lines, i + 1, item_line)
                if block:
                    out.extend([i, *block])
                    i = j
                    continue
            i += 1
            continue
        items = _count_items(line)
        if items >= 2 and (_ends_with_item(line) or _HEADER_PREFIX.match(line)):
            out.append(i)
        elif items == 1 and _ends_with_item(line):
            j, run = _run(lines, i, _ends_with_item)  # lines that each end in `- HH:MM`
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
    source = m.group(1).strip()
    if not source or source.count(" ") >= _MAX_ATTRIBUTION_WORDS:
        return segment, None
    return segment[: m.start()].strip(), source  # the text is empty for `(وكالات)` alone


def split_attribution(text: str) -> tuple[str, str | None]:
    """`TEXT (SOURCE)` -> (`TEXT`, `SOURCE`); (`text`, None) without a trailing source.

    `text` is trimmed first and its whitespace runs become single spaces."""
    return _split_attribution(" ".join(text.split()))


_Item = tuple[str, str | None, str, int, int]  # text, attribution, "HH:MM", hour, minute


# "HH:MM" (ASCII digits) of every valid clock, at hour * 60 + minute
_HHMM = tuple(f"{hour:02d}:{minute:02d}" for hour in range(24) for minute in range(60))


def _item(segment: str, hh: str, mm: str) -> _Item | None:
    """The item of a story: its trimmed text `segment` and its time's digits `hh`, `mm`.

    None when the time is not a valid clock (hour over 23, minute over 59, a one-digit
    minute) or the story has no text (empty, punctuation only, or only a parenthesized
    source). `int` reads every digit system `_DIGITS` allows; the time is given in ASCII.
    """
    hour, minute = int(hh), int(mm)
    if hour > 23 or minute > 59 or len(mm) != 2:
        return None
    text, source = _split_attribution(segment)
    if not (text[:1].isalnum() or _WORD_CHAR.search(text)):  # `[^\W_]` is `str.isalnum`
        return None
    return text, source, _HHMM[hour * 60 + minute], hour, minute


def _items(block: str) -> Iterator[_Item]:
    """`split_ticker_items`, each item with its clock as (hour, minute) integers too."""
    if ":" not in block:  # every item ends in a clock time
        return
    block = _HEADER_PREFIX.sub("", block, count=1)
    # every whitespace character but the space is unprintable: a printable block holds
    # only spaces, and a segment without two in a row needs no collapsing
    spaces_only = block.isprintable()
    start = 0
    for m in _item_ends(block):
        end, next_start = m.span()
        raw = block[start:end]
        start = next_start  # the next story starts after this time, valid or not
        if spaces_only and "  " not in raw:
            segment = raw.strip(_ITEM_EDGES)
        else:  # whitespace runs become one space (str.split is the fast spelling of `\s+`)
            segment = " ".join(raw.split()).strip(_ITEM_EDGES)
        if not segment:  # `- 10:00 - 09:00`: nothing between two times
            continue
        hh, mm = m.groups()
        if item := _item(segment, hh, mm):  # None for an invalid time: the story is dropped
            yield item


def _time_first_items(line: str) -> Iterator[_Item]:
    """The items of a time-first line (see `is_time_first`), with their clocks."""
    first = _TIME_FIRST.match(line)
    if first is None:
        return
    cuts = [(first.start(1), first.end(), first.group(1), first.group(2))]
    cuts.extend((m.start(), m.end(), m.group(1), m.group(2)) for m in _TIME_FIRST_NEXT.finditer(line, first.end()))
    for k, (_, start, hh, mm) in enumerate(cuts):
        end = cuts[k + 1][0] if k + 1 < len(cuts) else len(line)
        # None for an invalid time: the story after it is dropped
        if item := _item(" ".join(line[start:end].split()).strip(_ITEM_EDGES), hh, mm):
            yield item


def split_time_first_items(line: str) -> list[tuple[str, str | None, str]]:
    """Split a time-first line (`13:52 - TEXT (SOURCE)`) into `(text, attribution, "HH:MM")`."""
    return [(text, source, hhmm) for text, source, hhmm, _, _ in _time_first_items(line)]


def _line_items(lines: Sequence[str], indices: Sequence[int]) -> Iterator[_Item]:
    """The items of the ticker lines at `indices`, in page order.

    Consecutive time-last lines are joined into one block (an item may wrap onto the next
    line); a time-first line is read on its own. Header lines are skipped.
    """
    block: list[str] = []
    for i in indices:
        line = lines[i]
        if is_ticker_header(line):
            continue
        if is_time_first(line):
            if block:
                yield from _items(" ".join(block))
                block = []
            yield from _time_first_items(line)
        else:
            block.append(line)
    if block:
        yield from _items(" ".join(block))


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
    items: list[TickerItem] = []
    clock: _WallClock | None = None
    for text, source, hhmm, hour, minute in _line_items(lines, indices):
        if not items:  # `resolve_reported_at` per item, with the zone conversion done once
            aware = fetched_at.tzinfo is not None and fetched_at.utcoffset() is not None
            try:
                clock = _WallClock(fetched_at.astimezone(zone), fetched_at, zone) if aware else None
            except ValueError:
                clock = None
        reported = None if clock is None else clock.latest(hour, minute)
        items.append(TickerItem(text, source, hhmm, reported))
    return tuple(items)

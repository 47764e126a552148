"""Dates as Arabic news pages print them: explicit publish dates and inferred ones.

Everything here works on text already passed through `normalize_for_matching` (ASCII
digits, bare alef, ه for ة, ي for ى), so one table of month names covers the spellings
(`آب`/`اب`/`أب`, `أيار`, `تشرين الأول`). Month names come in three families, all mapped
to month numbers: Egyptian/Gulf (`يناير` .. `ديسمبر`), Levantine/Iraqi (`كانون الثاني` ..
`كانون الأول`, `شباط`, `آذار`, `نيسان`, `أيار`, `حزيران`, `تموز`, `آب`, `أيلول`) and
Maghrebi (`جانفي`, `فيفري`, `أفريل`, `جوان`, `جويلية`, `أوت`, `غشت`, `شتنبر`, `نونبر`,
`دجنبر`). Combined forms (`تموز/يوليو`, `يوليو (تموز)`) match as one month.

No clock: inference takes the reference date (the page's fetched_at) as an argument.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Final

from workers.core.normalize import normalize_for_matching
from workers.core.scan import matches_at, occurrences

__all__ = [
    "FoundDate",
    "find_explicit_date",
    "infer_published_date",
    "iso_local",
    "may_mention_weekday",
    "parse_iso_datetime",
]

# Month names, normalized (see module docstring). Longest alternatives first in the regex.
MONTHS: Final[dict[str, int]] = {
    # Egyptian / Gulf
    "يناير": 1,
    "فبراير": 2,
    "مارس": 3,
    "ابريل": 4,
    "ابربل": 4,
    "مايو": 5,
    "يونيو": 6,
    "يونيه": 6,
    "يوليو": 7,
    "يوليه": 7,
    "اغسطس": 8,
    "اغسطش": 8,
    "سبتمبر": 9,
    "اكتوبر": 10,
    "نوفمبر": 11,
    "ديسمبر": 12,
    # Levantine / Iraqi
    "كانون الثاني": 1,
    "كانون ثاني": 1,
    "شباط": 2,
    "اذار": 3,
    "نيسان": 4,
    "ايار": 5,
    "حزيران": 6,
    "تموز": 7,
    "اب": 8,
    "ايلول": 9,
    "تشرين الاول": 10,
    "تشرين اول": 10,
    "تشرين الثاني": 11,
    "تشرين ثاني": 11,
    "كانون الاول": 12,
    "كانون اول": 12,
    # Maghrebi
    "جانفي": 1,
    "فيفري": 2,
    "افريل": 4,
    "ماي": 5,
    "جوان": 6,
    "جويليه": 7,
    "يوليوز": 7,
    "اوت": 8,
    "غشت": 8,
    "شتنبر": 9,
    "نونبر": 11,
    "دجنبر": 12,
}

# Python weekday numbers (Monday = 0), keyed by normalized Arabic day names.
WEEKDAYS: Final[dict[str, int]] = {
    "الاثنين": 0,
    "الاتنين": 0,
    "الثلاثاء": 1,
    "الثلاثا": 1,
    "الاربعاء": 2,
    "الاربعا": 2,
    "الخميس": 3,
    "الجمعه": 4,
    "السبت": 5,
    "الاحد": 6,
}

_UNITS = [
    "الاول",
    "الثاني",
    "الثالث",
    "الرابع",
    "الخامس",
    "السادس",
    "السابع",
    "الثامن",
    "التاسع",
    "العاشر",
]


def _ordinal_days() -> dict[str, int]:
    """Ordinal day words: الأول .. الحادي والثلاثين (normalized)."""
    out: dict[str, int] = {}
    for i, word in enumerate(_UNITS, start=1):
        out[word] = i
    out["الحادي عشر"] = 11
    for i, word in enumerate(_UNITS[1:9], start=12):
        out[f"{word} عشر"] = i
    out["العشرين"] = 20
    out["الثلاثين"] = 30
    out["الحادي والعشرين"] = 21
    out["الحادي والثلاثين"] = 31
    for i, word in enumerate(_UNITS[1:9], start=22):
        out[f"{word} والعشرين"] = i
    return out


ORDINAL_DAYS: Final[dict[str, int]] = _ordinal_days()


def _alternation(words: dict[str, int]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_MONTH = rf"(?:{_alternation(MONTHS)})"
# "تموز/يوليو", "يوليو (تموز)", "تموز - يوليو": a second name for the same month.
_MONTH_PAIR = rf"(?P<month>{_MONTH})(?:\s*[/(\-]\s*{_MONTH}\s*\)?)?"
_B = r"(?<![\w])"  # word start (Arabic letters are \w)
# Blanks with an optional comma among them: `\s*(?:[,،]\s*)?` rather than `\s*[,،]?\s*`,
# the same text, but a run of blanks without a comma has one way to match instead of one
# per split of the run between the two `\s*` (quadratic backtracking on a long run when
# what follows fails; text reaching here is normalized, but the patterns should not rely on it).
_COMMA = r"\s*(?:[,،]\s*)?"
_E = r"(?![\w])"  # word end
_TIME = (
    r"(?P<hh>[01]?\d|2[0-3])\s*:\s*(?P<mi>[0-5]\d)(?:\s*:\s*(?P<ss>[0-5]\d))?"
    r"(?:\s*(?P<ampm>ص|م|am|pm|a\.m\.|p\.m\.)(?![\w]))?"
)

_YMD = re.compile(rf"{_B}(?P<y>(?:19|20)\d\d)\s*[/\-.]\s*(?P<m>\d{{1,2}})\s*[/\-.]\s*(?P<d>\d{{1,2}}){_E}")
_DMY = re.compile(rf"{_B}(?P<d>\d{{1,2}})\s*[/\-.]\s*(?P<m>\d{{1,2}})\s*[/\-.]\s*(?P<y>(?:19|20)\d\d){_E}")
_D_MONTH_Y = re.compile(
    rf"{_B}(?P<d>\d{{1,2}})\s*(?:من\s+)?(?:شهر\s+)?{_MONTH_PAIR}{_E}{_COMMA}(?:عام\s+|سنه\s+)?"
    rf"(?P<y>(?:19|20)\d\d){_E}"
)
_MONTH_D_Y = re.compile(rf"{_B}{_MONTH_PAIR}{_E}\s*(?P<d>\d{{1,2}}){_COMMA}(?P<y>(?:19|20)\d\d){_E}")
_TIME_RE = re.compile(rf"{_B}{_TIME}(?![\d:])")
_CLOCK = re.compile(r"\d\s*:\s*[0-5]\d")  # the end of the hour in every `_TIME_RE` match

_ORDINAL = rf"(?:{_alternation(ORDINAL_DAYS)})"
_WEEKDAY = rf"(?:{_alternation(WEEKDAYS)})"
# `أمس الجمعة 6 أب`, `اليوم الأربعاء الخامس عشر من فبراير`, `مساء أمس الخميس، 5 آب`.
_RELATIVE = re.compile(
    rf"{_B}(?P<anchor>امس|البارحه|اليوم|غدا){_E}{_COMMA}(?:يوم\s+)?(?P<wd>{_WEEKDAY}){_E}"
    rf"{_COMMA}(?:الموافق\s+|في\s+)?(?:(?P<dnum>\d{{1,2}})|(?P<dword>{_ORDINAL}))\s*"
    rf"(?:من\s+)?(?:شهر\s+)?{_MONTH_PAIR}{_E}(?:{_COMMA}(?P<y>(?:19|20)\d\d){_E})?"
)
# Every full date has a four-digit year and every relative mention a weekday name: cheap
# substring checks that let most text skip the (comparatively costly) date patterns.
_YEAR_HINT = re.compile(r"(?:19|20)\d\d")
_WEEKDAY_HINTS: Final = tuple(sorted({w[:5] for w in WEEKDAYS}))
# Raw (not normalized) text made only of these characters is left alone by NFKC and has
# nothing deleted by `normalize_for_matching`: its normalization is a one-to-one folding
# of characters (أ -> ا, ة -> ه, ...) plus whitespace collapsing. ASCII, Arabic letters
# (no tatweel, no marks), Arabic digits and punctuation, common quotes and dashes, NBSP.
_PLAIN_CHARS: Final = (
    "".join(map(chr, range(0x80)))
    + "\u00a0\u00ab\u00bb\u060c\u061b\u061f\u066a\u066b\u066c\u2013\u2014\u2018\u2019\u201c\u201d"
    + "".join(map(chr, [*range(0x0621, 0x063B), *range(0x0641, 0x064B), *range(0x0660, 0x066A)]))
)
_PLAIN_TEXT = re.compile(f"[{re.escape(_PLAIN_CHARS)}]*")


def _raw_pattern(normalized: str) -> str:
    """A pattern matching the plain raw spellings of a normalized, letters-only string."""
    classes = []
    for ch in normalized:
        sources = sorted(c for c in _PLAIN_CHARS if normalize_for_matching(c) == ch)
        classes.append(f"[{re.escape(''.join(sources))}]")
    return "".join(classes)


# A weekday hint as it can be spelled in plain raw text: `الأربعاء` for `الاربعاء`.
_WEEKDAY_RAW = re.compile("|".join(_raw_pattern(hint) for hint in _WEEKDAY_HINTS))


def may_mention_weekday(raw: str) -> bool:
    """False only when `normalize_for_matching(raw)` surely holds no weekday name.

    `infer_published_date` needs a weekday name, so text for which this is False can skip
    normalization and inference (its answer would be None). Exact for plain text (see
    `_PLAIN_CHARS`) and True for anything else.
    """
    if _PLAIN_TEXT.fullmatch(raw) is None:
        return True
    return _WEEKDAY_RAW.search(raw) is not None


_ANCHOR_OFFSET: Final[dict[str, int]] = {"امس": 1, "البارحه": 1, "اليوم": 0, "غدا": -1}
_MAX_YEARS_BACK = 30


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A calendar date as printed, with the wall-clock time when one is printed."""

    day: date
    clock: time | None = None


def _valid_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _find_time(text: str, exclude: tuple[int, int]) -> time | None:
    """The first `HH:MM` in `text` outside the date span `exclude`."""
    # `_TIME_RE` starts with a lookbehind, so the regex engine tries it at every position;
    # start where the first `H:MM` could (its hour ends at the first digit before a colon)
    first = _CLOCK.search(text)
    if first is None:
        return None
    for m in _TIME_RE.finditer(text, max(first.start() - 1, 0)):
        if exclude[0] <= m.start() < exclude[1]:
            continue
        hh, mi, ss, ampm = m.group("hh", "mi", "ss", "ampm")
        hour, minute = int(hh), int(mi)
        second = int(ss) if ss else 0
        ampm = (ampm or "").replace(".", "")
        if ampm in ("م", "pm") and hour < 12:
            hour += 12
        elif ampm in ("ص", "am") and hour == 12:
            hour = 0
        return time(hour, minute, second)
    return None


# Cheap necessary conditions for the date patterns (see `find_explicit_date`).
_LETTER_RUN = re.compile(r"[^\W\d_]+")
# A month name in `_D_MONTH_Y`/`_MONTH_D_Y` starts a run of letters and its first word is the
# whole run (what follows it is never a letter), so one of these runs must be in the text.
_MONTH_FIRST_WORDS: Final = frozenset(name.split(" ", 1)[0] for name in MONTHS)
_PATTERNS = ((_YMD, False), (_D_MONTH_Y, True), (_MONTH_D_Y, True), (_DMY, False))  # (pattern, by name)


def find_explicit_date(normalized: str) -> FoundDate | None:
    """Return the first full date (day, month, year) in `normalized` text, with its time.

    Accepts `2020/06/29 14:49`, `29-06-2020`, `1 نوفمبر 2021`, `6 آب 2021`, `تموز/يوليو
    3, 2019` and `12:30 م`-style times anywhere on the same text. Returns None when no
    valid date is printed. `normalized` must come from `normalize_for_matching`.
    """
    if _YEAR_HINT.search(normalized) is None:
        return None
    numeric = "/" in normalized or "-" in normalized or "." in normalized  # `_YMD`, `_DMY` need one
    named = not _MONTH_FIRST_WORDS.isdisjoint(_LETTER_RUN.findall(normalized))
    best: tuple[int, date, tuple[int, int]] | None = None
    for pattern, by_name in _PATTERNS:
        if not (named if by_name else numeric):
            continue
        m = pattern.search(normalized)
        if m is None:
            continue
        month = MONTHS[m["month"]] if by_name else int(m["m"])
        found = _valid_date(int(m["y"]), month, int(m["d"]))
        if found is not None and (best is None or m.start() < best[0]):
            best = (m.start(), found, m.span())
    if best is None:
        return None
    return FoundDate(best[1], _find_time(normalized, best[2]))


def _year_for(weekday: int, month: int, day: int, latest: date) -> date | None:
    """The latest date on or before `latest` that is `day`/`month` and falls on `weekday`."""
    for year in range(latest.year, latest.year - _MAX_YEARS_BACK, -1):
        candidate = _valid_date(year, month, day)
        if candidate is not None and candidate <= latest and candidate.weekday() == weekday:
            return candidate
    return None


def _relative_mentions(normalized: str) -> Iterator[re.Match[str]]:
    """`_RELATIVE.finditer(normalized)`, tried only where an anchor word starts.

    `_RELATIVE` begins with a lookbehind, so the regex engine would try it at every
    position of a paragraph; every match starts with one of `_ANCHOR_OFFSET`'s words.
    """
    return matches_at(_RELATIVE, normalized, occurrences(normalized, _ANCHOR_OFFSET))


def infer_published_date(normalized: str, reference: date) -> date | None:
    """Infer the publish date from a relative mention such as `أمس الجمعة 6 آب`.

    The first mention anchored on اليوم/أمس/البارحة/غدا with a weekday, a day (digits or an
    ordinal word like الخامس عشر) and a month gives the event date: the latest date on or
    before `reference` (the crawl date) with that day and month falling on that weekday
    (or the printed year, when it agrees). The publish date is that date shifted by the
    anchor (أمس: +1 day). Returns None when nothing consistent is found.
    """
    for hint in _WEEKDAY_HINTS:
        if hint in normalized:
            break
    else:
        return None
    for m in _relative_mentions(normalized):
        offset = _ANCHOR_OFFSET[m["anchor"]]
        weekday = WEEKDAYS[m["wd"]]
        day = int(m["dnum"]) if m["dnum"] else ORDINAL_DAYS[m["dword"]]
        month = MONTHS[m["month"]]
        if m["y"]:
            event = _valid_date(int(m["y"]), month, day)
            if event is None or event.weekday() != weekday:
                continue
        else:
            event = _year_for(weekday, month, day, reference - timedelta(days=offset))
            if event is None:
                continue
        return event + timedelta(days=offset)
    return None


def iso_local(found: FoundDate, zone: tzinfo) -> str:
    """`2020-06-29T14:49:00+03:00` when a time is known (offset of `zone` then), else the date."""
    if found.clock is None:
        return found.day.isoformat()
    local = datetime.combine(found.day, found.clock, tzinfo=zone)
    return local.isoformat(timespec="seconds")


_ISO = re.compile(
    r"^\s*(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
    r"(?:[T ](?P<hh>\d{2}):(?P<mi>\d{2})(?::(?P<ss>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)


def parse_iso_datetime(value: str, zone: tzinfo) -> str | None:
    """Normalize an ISO 8601 value from page metadata to local time in `zone`.

    `2021-11-01T08:20:00+00:00` becomes `2021-11-01T10:20:00+02:00` in Asia/Damascus; a
    value without an offset is taken as local time; a bare date stays a date.
    """
    m = _ISO.match(value)
    if m is None:
        return None
    day = _valid_date(int(m["y"]), int(m["m"]), int(m["d"]))
    if day is None:
        return None
    if m["hh"] is None:
        return day.isoformat()
    try:
        clock = time(int(m["hh"]), int(m["mi"]), int(m["ss"] or 0))
    except ValueError:
        return None
    offset = m["tz"]
    if offset is None:
        return iso_local(FoundDate(day, clock), zone)
    stamp = datetime.fromisoformat(f"{day.isoformat()}T{clock.isoformat()}{'+00:00' if offset == 'Z' else offset}")
    return stamp.astimezone(zone).isoformat(timespec="seconds")

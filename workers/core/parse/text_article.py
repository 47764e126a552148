"""Plain-text article parser: line roles, not site templates.

A page is read line by line and every line gets one role:

* ticker lines (see `ticker.find_ticker_lines`), blank lines, separators (`ـــــ ــ`);
* UI residue: icon names and tag slugs (`pictogram-avatar`, `access_time`, `austin_tice`),
  share/print widgets (`مشاركة:`), navigation words;
* metadata: labelled fields (`Editing: NAME |`, `الكاتب:`, `بقلم`, `كتب`, `المصدر:`,
  `تاريخ النشر:`), a bulleted category line with a date (`● أخبار سورية ١ نوفمبر ٢٠٢١`),
  a breadcrumb, a date-only line, a dateline (`سمارت – درعا`);
* markers: a related/comments marker (`مقالات ذات صلة`, `اترك تعليقاً`, `تعليقات`,
  `المشاركات الشائعة من هذه المدونة` …) ends the body: nothing after it is body.
  `اقرأ أيضاً` drops itself and the headline-like lines right after it;
* the title: the first headline-like line (a few words, no sentence end) before the body;
  its repeats anywhere are dropped;
* body paragraphs: everything else after the title.

Phrase families are matched on `normalize_for_matching` output, so spelling variants
(`اقرأ أيضاً`/`اقرا ايضا`, `تعليقات (3)`) match one entry. Only short lines are
normalized: long lines are paragraphs and skip the phrase checks, which keeps the parser
fast.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from functools import lru_cache
from typing import Final, NamedTuple

from workers.core.models import Article, Dateline, PublishedAtSource
from workers.core.normalize import count_alpha, letter_runs, normalize_for_matching
from workers.core.parse.dates import FoundDate, find_explicit_date, infer_published_date, iso_local, may_mention_weekday

__all__ = [
    "ArticleFields",
    "clean_title",
    "is_end_marker",
    "parse_text_article",
]

SHORT_LINE: Final = 160  # longer lines are paragraphs: no phrase/label checks
_TITLE_MIN_WORDS = 3
_TITLE_MAX_WORDS = 40
_TITLE_MAX_CHARS = 260
_META_MAX_WORDS = 14
_NAME_MAX_WORDS = 6
_BARE_AUTHOR_MAX_WORDS = 5  # `كتب NAME` starts sentences too: only very short lines


@lru_cache(maxsize=8192)  # a site's furniture lines repeat on every page
def _key(line: str) -> str:
    """Phrase-matching key: normalized, punctuation and digits removed, spaces collapsed."""
    return _key_of(normalize_for_matching(line))


def _key_of(normalized: str) -> str:
    """`_key` of a line from its `normalize_for_matching` form (single spaces, trimmed).

    The words are the runs of letters (`[^\\W\\d_]`): the same as replacing punctuation,
    `_` and digits (`[^\\w\\s]|_|\\d`) with spaces and collapsing whitespace. A line made
    only of letters and single spaces (the usual case) is its own key, without a regex pass.
    """
    if normalized.replace(" ", "").isalpha():
        return normalized
    return letter_runs(normalized)


def _keys(phrases: Iterable[str]) -> frozenset[str]:
    return frozenset(_key(p) for p in phrases)


# Everything after one of these (once the body has started) is not body.
END_MARKERS: Final = _keys(
    [
        "مقالات ذات صلة",
        "أخبار ذات صلة",
        "مواضيع ذات صلة",
        "مواد ذات صلة",
        "ذات صلة",
        "أخبار متعلقة",
        "مقالات مشابهة",
        "مواضيع مشابهة",
        "أخبار مشابهة",
        "مقالات قد تهمك",
        "قد يعجبك أيضاً",
        "قد يهمك أيضاً",
        "ربما يعجبك أيضاً",
        "قد يعجبك",
        "المزيد من الأخبار",
        "المزيد من المقالات",
        "اترك تعليقاً",
        "اترك تعليقا",
        "اترك رداً",
        "أضف تعليق",
        "أضف تعليقاً",
        "التعليقات",
        "تعليقات",
        "تعليق",
        "لا توجد تعليقات",
        "أرسل تعليقك",
        "شارك برأيك",
        "لن يتم نشر عنوان بريدك الإلكتروني",
        "زر الذهاب إلى الأعلى",
        "الذهاب إلى الأعلى",
        "العودة إلى الأعلى",
        "المشاركات الشائعة من هذه المدونة",
        "المشاركات الشائعة",
        "الأكثر قراءة",
        "الأكثر مشاهدة",
        "الأكثر تعليقاً",
        "الأكثر شعبية",
        "جميع الحقوق محفوظة",
        "حقوق النشر محفوظة",
        "اشترك في النشرة البريدية",
        "النشرة البريدية",
        "تابعونا على",
        "تابعنا على",
        "Related posts",
        "Related articles",
        "You may also like",
        "Leave a reply",
        "Leave a comment",
        "Comments",
        "Popular posts",
        "All rights reserved",
    ]
)
# A tag list (`الوسوم: درعا، جاسم`) ends the body too, whatever follows on its line.
TAG_MARKERS: Final = _keys(["الوسوم", "وسوم", "كلمات مفتاحية", "الكلمات المفتاحية", "العلامات", "التسميات", "Tags"])
# Drops itself and the headline-like lines right after it (links to other articles).
SKIP_NEXT_MARKERS: Final = _keys(
    [
        "اقرأ أيضاً",
        "اقرأ أيضا",
        "اقرأ المزيد",
        "شاهد أيضاً",
        "إقرأ أيضا",
        "طالع أيضاً",
        "للمزيد",
        "Read also",
        "Read more",
        "See also",
    ]
)
# Lines that are interface residue wherever they appear.
UI_PHRASES: Final = _keys(
    [
        "مشاركة",
        "شارك",
        "شارك المقال",
        "شارك الخبر",
        "شارك على",
        "مشاركة الخبر",
        "طباعة",
        "حجم الخط",
        "نسخ الرابط",
        "تم نسخ الرابط",
        "أرسل لصديق",
        "إعلان",
        "إعلانات",
        "الرئيسية",
        "القائمة",
        "بحث",
        "ابحث",
        "إغلاق",
        "تويتر",
        "فيسبوك",
        "واتساب",
        "تلغرام",
        "تيليجرام",
        "يوتيوب",
        "انستغرام",
        "لينكدإن",
        "دقيقة للقراءة",
        "دقائق للقراءة",
        "قراءة",
        "مشاهدة",
        "مشاهدات",
        "تعليق واحد",
        "صفر تعليق",
        "اضغط هنا",
        "facebook",
        "twitter",
        "whatsapp",
        "telegram",
        "linkedin",
        "pinterest",
        "email",
        "print",
        "share",
        "tweet",
        "advertisement",
        "menu",
        "search",
        "home",
    ]
)
# Words that make up navigation bars; a line made only of them is navigation.
NAV_WORDS: Final = frozenset(
    _key(w)
    for w in [
        "الرئيسية",
        "الأخبار",
        "أخبار",
        "سوريا",
        "سورية",
        "عربي",
        "دولي",
        "عربية",
        "دولية",
        "سياسة",
        "اقتصاد",
        "رياضة",
        "منوعات",
        "تقارير",
        "تحقيقات",
        "مقالات",
        "رأي",
        "الرأي",
        "ثقافة",
        "فن",
        "صحة",
        "تكنولوجيا",
        "علوم",
        "فيديو",
        "صور",
        "ملفات",
        "اتصل",
        "بنا",
        "من",
        "نحن",
        "عن",
        "الموقع",
        "الموقع",
        "محلي",
        "محليات",
        "العالم",
        "المدونة",
        "مدونات",
        "حوارات",
        "ترجمات",
        "إنفوغراف",
        "انفوغرافيك",
        "بودكاست",
        "خاص",
        "أرشيف",
        "English",
    ]
)
_NAV_DROP: Final = frozenset({"و", "ال"})
_NAV_OR_DROP: Final = NAV_WORDS | _NAV_DROP

# `Label: value` fields. Longest first so `تاريخ النشر` wins over `تاريخ`.
_AUTHOR_LABELS = (
    "Editing",
    "Edited by",
    "Written by",
    "Author",
    "By",
    "الكاتب",
    "الكاتبة",
    "كتب",
    "كتبت",
    "بقلم",
    "إعداد",
    "اعداد",
    "تحرير",
    "المحرر",
    "تقرير",
    "بواسطة",
    "مراسل",
)
_SOURCE_LABELS = ("المصدر", "مصدر الخبر", "Source")
_DATE_LABELS = (
    "تاريخ النشر",
    "نشر في",
    "نُشر في",
    "نشر بتاريخ",
    "تاريخ",
    "التاريخ",
    "نشر",
    "Published",
    "Posted on",
    "Date",
)
_UPDATED_LABELS = ("آخر تحديث", "اخر تحديث", "تم التحديث", "تحديث", "Updated", "Last updated")
_CATEGORY_LABELS = ("التسميات", "القسم", "التصنيف", "تصنيف", "الفئة", "Category", "Section")
_LABELS: Final[dict[str, str]] = {
    **dict.fromkeys(_AUTHOR_LABELS, "author"),
    **dict.fromkeys(_SOURCE_LABELS, "source"),
    **dict.fromkeys(_DATE_LABELS, "date"),
    **dict.fromkeys(_UPDATED_LABELS, "updated"),
    **dict.fromkeys(_CATEGORY_LABELS, "category"),
}
_LABEL_RE = re.compile(
    r"(?<![\w])(?P<label>"
    + "|".join(re.escape(lbl) for lbl in sorted(_LABELS, key=len, reverse=True))
    + r")\s*[:：]\s*",
    re.IGNORECASE,
)
# `بقلم NAME`, `كتب NAME`, `By NAME`: an author label without a colon at a line start.
_AUTHOR_BARE = re.compile(r"^\s*(?:بقلم|كتب|كتبت|بواسطة|By|Written by)\s+(?P<name>\S.*)$", re.IGNORECASE)
_LABEL_LOWER: Final[dict[str, str]] = {k.casefold(): v for k, v in _LABELS.items()}

_BULLET = re.compile(r"^\s*[●•▪■◆►◉○]\s*(?P<rest>.+)$")
# (Like every per-line pattern below, read on short lines only: `SHORT_LINE` bounds its cost.)
_BREADCRUMB_SEP = re.compile(r"\s*(?:»|›|>|/|\\|→|«)\s*")
# A standalone dateline: one to three words, a dash, one to three words.
_DATELINE_WORD = r"[^\W\d_][\w\"'“”]*"
_DATELINE = re.compile(
    rf"^(?P<a>{_DATELINE_WORD}(?:\s+{_DATELINE_WORD}){{0,2}})\s*[-–—]\s*"
    rf"(?P<b>{_DATELINE_WORD}(?:\s+{_DATELINE_WORD}){{0,2}})\s*[:：.]?$"
)
# The same at the start of the first paragraph, when a colon ends it.
_DATELINE_INLINE = re.compile(
    rf"^(?P<a>{_DATELINE_WORD}(?:\s+{_DATELINE_WORD})?)\s*[-–—]\s*"
    rf"(?P<b>{_DATELINE_WORD}(?:\s+{_DATELINE_WORD})?)\s*[:：]\s*(?=\S)"
)
# `… في اخبار سوريا`: a category suffix some sites append to titles. A match starts where
# a run of whitespace does (`(?<!\s)`): a start inside a run would rescan the rest of it,
# quadratic in a long run (an `<h1>` of newlines), and the leftmost match is the same.
_TITLE_CATEGORY_SUFFIX = re.compile(
    r"(?<!\s)\s+(?:في|ضمن)\s+(?P<cat>(?:ال)?(?:[أا]خبار|تقارير|مقالات|منوعات|تحقيقات|ملفات|"
    r"سياسة|اقتصاد|رياضة|ثقافة|رأي|مدونات)(?:\s+[^\s]+){0,2})\s*$"
)
_SENTENCE_END = (".", "!", "؟", "?", "…", ":", "؛")
_WEEKDAY_WORDS: Final = frozenset(
    _key(w) for w in ["الأحد", "الاثنين", "الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت"]
)
_SEPARATOR = re.compile(r"^[\s\W_ـ]*$")
_SLUG = re.compile(r"^[a-z0-9]+(?:[_\-.][a-z0-9]+)+$|^[a-z]+_[a-z0-9_]*$", re.IGNORECASE)
# `[a-z]` under IGNORECASE also matches these four non-ASCII letters (see `re` docs)
_SLUG_NON_ASCII_FIRST = "\u0130\u0131\u017f\u212a"  # İ ı ſ K (Kelvin)


def _may_be_slug(line: str) -> bool:
    """False when `_SLUG` cannot match: a match starts with an ASCII character or one of
    the four non-ASCII letters `[a-z]` matches under IGNORECASE."""
    return bool(line) and (line[0].isascii() or line[0] in _SLUG_NON_ASCII_FIRST)


_RELATIVE_ANCHORS = ("امس", "أمس", "اليوم", "البارحة", "غدا", "غداً")


def _mentions_anchor(paragraph: str) -> bool:
    """`any(anchor in paragraph for anchor in _RELATIVE_ANCHORS)`, unrolled (half the time)."""
    p = paragraph
    return "امس" in p or "أمس" in p or "اليوم" in p or "البارحة" in p or "غدا" in p  # `غدا` covers `غداً`


# Syrian governorates, main towns and capitals often used as dateline places: tells
# `دمشق - سانا` (place first) from `سمارت – درعا` (agency first).
KNOWN_PLACES: Final = _keys(
    [
        "دمشق",
        "ريف دمشق",
        "حلب",
        "ريف حلب",
        "حمص",
        "حماة",
        "اللاذقية",
        "طرطوس",
        "إدلب",
        "ادلب",
        "درعا",
        "السويداء",
        "القنيطرة",
        "دير الزور",
        "الرقة",
        "الحسكة",
        "القامشلي",
        "منبج",
        "عفرين",
        "الباب",
        "إعزاز",
        "جرابلس",
        "تل أبيض",
        "رأس العين",
        "البوكمال",
        "الميادين",
        "تدمر",
        "جبلة",
        "بانياس",
        "دوما",
        "الغوطة",
        "الغوطة الشرقية",
        "جسر الشغور",
        "معرة النعمان",
        "سراقب",
        "بصرى الشام",
        "نوى",
        "جاسم",
        "طفس",
        "عمان",
        "بيروت",
        "أنقرة",
        "إسطنبول",
        "غازي عنتاب",
        "القاهرة",
        "بغداد",
        "موسكو",
        "طهران",
        "واشنطن",
        "باريس",
        "لندن",
        "برلين",
        "جنيف",
        "نيويورك",
        "الدوحة",
        "الرياض",
        "أبوظبي",
        "دبي",
        "أستانا",
        "الأستانة",
        "سوتشي",
        "بروكسل",
    ]
)


@dataclass(slots=True)
class ArticleFields:
    """Fields gathered while reading lines; turned into an `Article` at the end."""

    title: str | None = None
    title_key: str | None = None
    author: str | None = None
    source: str | None = None
    category: str | None = None
    dateline: Dateline | None = None
    published: FoundDate | None = None
    published_labelled: bool = False
    updated: FoundDate | None = None
    body: list[str] = field(default_factory=list)


def _words(line: str) -> int:
    return line.count(" ") + 1


def is_end_marker(key: str) -> bool:
    """True for a related-posts/comments marker line (`key` as made by `_key`)."""
    return _phrase_match(key, END_MARKERS, extra=2)


@lru_cache(maxsize=32)
def _first_words(phrases: frozenset[str]) -> frozenset[str]:
    return frozenset(p.split(" ", 1)[0] for p in phrases)


def _phrase_match(key: str, phrases: frozenset[str], *, extra: int) -> bool:
    """`key` is a phrase, or a phrase followed by at most `extra` more words."""
    return _phrase_match_words(key, key.split(" "), phrases, extra=extra)


def _phrase_match_words(key: str, words: list[str], phrases: frozenset[str], *, extra: int) -> bool:
    """`_phrase_match` with `words` = `key.split(" ")` already at hand."""
    if not key:
        return False
    if key in phrases:
        return True
    if words[0] not in _first_words(phrases):
        return False
    return any(" ".join(words[:cut]) in phrases for cut in range(max(1, len(words) - extra), len(words)))


def _is_ui(line: str, key: str) -> bool:
    return _is_ui_words(line, key, key.split(" "))


def _is_ui_words(line: str, key: str, words: list[str]) -> bool:
    """`_is_ui` with `words` = `key.split(" ")` already at hand."""
    if not key:  # only punctuation, digits, tatweel: separators, counters
        return True
    if key in UI_PHRASES:
        return True
    if _may_be_slug(line) and _SLUG.match(line):
        return True
    return len(words) <= 6 and UI_PHRASES.issuperset(words)


def _is_nav(key: str) -> bool:
    """Only navigation words (`و`/`ال` aside), and at least one of them."""
    return _is_nav_words(key.split(" "))


def _is_nav_words(words: list[str]) -> bool:
    if words[0] not in _NAV_OR_DROP:  # cheap exit for ordinary lines
        return False
    unique = set(words)
    return unique <= _NAV_OR_DROP and not unique <= _NAV_DROP


# Where a name ends. A match starts where a run of whitespace does, or at the separator
# when no whitespace is before it (`(?<!\s)`): the leftmost match is the same (a match
# starting inside a run also matches from the run's start), without rescanning a long
# run from each of its positions (quadratic). `clean_name` takes the first match only.
_NAME_END = re.compile(r"(?<!\s)(?:\s*[|｜,،•·]\s*|\s+[-–—]\s+)")


def clean_name(value: str) -> str | None:
    """An author/source value: cut at `|`/`،`/a second label, trimmed; None if empty."""
    value = _NAME_END.split(value, maxsplit=1)[0]
    value = value.strip(" \t:：|-–—*\"'«»")
    if not value or _words(value) > _NAME_MAX_WORDS:
        return None
    return value


def _labelled_fields(line: str) -> list[tuple[str, str]]:
    """`(kind, value)` for every `Label: value` on a short line."""
    if ":" not in line and "：" not in line:  # every label ends in a colon
        return []
    matches = list(_LABEL_RE.finditer(line))
    if not matches:
        return []
    # the first label must open the line (after punctuation): a colon mid-sentence is prose
    prefix = line[: matches[0].start()].split()
    if any(not (_SLUG.match(w) or _is_ui(w, _key(w))) for w in prefix):
        return []
    out = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        out.append((_LABEL_LOWER[m["label"].casefold()], line[m.end() : end].strip()))
    return out


def _strip_date_words(key: str) -> str:
    """A line's `key` without dates, times, weekdays: what is left of a date line."""
    words = [w for w in key.split(" ") if w and w not in _WEEKDAY_WORDS]
    return " ".join(words)


def _category_from(text: str) -> str | None:
    """The category in `● أخبار سورية ١ نوفمبر ٢٠٢١`: the words before the date."""
    cut = re.search(r"[\d٠-٩۰-۹]", text)
    head = text[: cut.start()] if cut else text
    head = head.strip(" \t:：|-–—،,")
    if not head or _words(head) > 5:
        return None
    # drop a trailing month name / weekday left in front of the digits
    return head or None


def _dateline_parts(a: str, b: str, site: str | None) -> Dateline:
    ka, kb = _key(a), _key(b)
    site_key = _key(site) if site else ""
    if (ka in KNOWN_PLACES and kb not in KNOWN_PLACES) or (site_key and kb == site_key):
        a, b = b, a
    return Dateline(agency=a.strip(), place=b.strip())


def clean_title(title: str) -> tuple[str, str | None]:
    """Strip a category suffix (` في اخبار سوريا`) from a title; return (title, category)."""
    m = _TITLE_CATEGORY_SUFFIX.search(title)
    if m and _words(title[: m.start()]) >= _TITLE_MIN_WORDS:
        return title[: m.start()].strip(), m["cat"].strip()
    return title.strip(), None


def _is_headline(line: str) -> bool:
    if len(line) > _TITLE_MAX_CHARS or line.endswith(_SENTENCE_END[:2]):
        return False
    words = _words(line)
    if words < _TITLE_MIN_WORDS or words > _TITLE_MAX_WORDS:
        return False
    head = line[:80]
    first = head.replace(" ", "")[:10]
    if len(first) == 10 and first.isalpha():  # ten letters up front: no need to count
        return True
    return count_alpha(head) >= 10


_UI: Final = 1
_END: Final = 2
_TAG: Final = 4
_SKIP: Final = 8
_HEADLINE: Final = 16
_NAV: Final = 32

# The metadata role that claims a short line (the first of the `or` chain in `feed`).
_NO_META: Final = 0
_META_LABELS: Final = 1
_META_DATE: Final = 2
_META_BULLET: Final = 3
_META_CRUMB: Final = 4
_META_AUTHOR: Final = 5

_LabelValue = tuple[str, str | None, FoundDate | None]


class _ShortLine(NamedTuple):  # a tuple: several times cheaper to make than a frozen dataclass
    """Everything about a short line that depends on the line alone (not on page state).

    `feed` reads a page's state (title found? body started? fields already set?) against
    this; computing it once per distinct line lets repeated furniture lines cost one
    cache lookup. `meta` is the first metadata role claiming the line, with its payload
    in `labels`/`found`/`category`/`author`; `dateline` is a standalone dateline match.
    """

    key: str
    flags: int
    meta: int = _NO_META
    labels: tuple[_LabelValue, ...] = ()
    found: FoundDate | None = None
    category: str | None = None
    author: str | None = None
    dateline: tuple[str, str] | None = None


def _label_values(pairs: list[tuple[str, str]]) -> tuple[_LabelValue, ...]:
    out: list[_LabelValue] = []
    for kind, value in pairs:
        if kind in ("date", "updated"):
            out.append((kind, None, find_explicit_date(normalize_for_matching(value))))
        else:
            out.append((kind, clean_name(value), None))
    return tuple(out)


def _breadcrumb(line: str) -> tuple[bool, str | None]:
    """(is a breadcrumb starting at the home page, the first short crumb)."""
    # no separator: `_BREADCRUMB_SEP` cannot match
    if not ("/" in line or ">" in line or "»" in line or "›" in line or "\\" in line or "→" in line or "«" in line):
        return False, None
    parts = [p for p in _BREADCRUMB_SEP.split(line) if p.strip()]
    if len(parts) < 2 or _key(parts[0]) not in ("الرئيسيه", "home", "الصفحه الرئيسيه"):
        return False, None
    crumbs = [p.strip() for p in parts[1:] if _words(p) <= 4]
    return True, (crumbs[0] if crumbs else None)


def _meta_role(
    line: str, key: str, norm: str, flags: int = 0, dateline: tuple[str, str] | None = None
) -> _ShortLine | None:
    """The metadata role of a short line of at most `_META_MAX_WORDS` words, if any.

    `flags` and `dateline` are passed through to the `_ShortLine` made.
    """
    pairs = _labelled_fields(line)
    if pairs:
        return _ShortLine(key, flags, _META_LABELS, labels=_label_values(pairs), dateline=dateline)
    bullet = _BULLET.match(line)
    found = find_explicit_date(norm)
    if found is not None:
        rest = _strip_date_words(key)
        is_date_line = len(rest.split()) <= 3 if rest else True
        if bullet or is_date_line:
            category = _category_from(bullet["rest"]) if bullet else None
            return _ShortLine(key, flags, _META_DATE, found=found, category=category, dateline=dateline)
    if bullet is not None and _words(bullet["rest"]) <= 5:
        return _ShortLine(key, flags, _META_BULLET, category=_category_from(bullet["rest"]), dateline=dateline)
    is_crumb, crumb = _breadcrumb(line)
    if is_crumb and key:
        return _ShortLine(key, flags, _META_CRUMB, category=crumb, dateline=dateline)
    m = _AUTHOR_BARE.match(line)
    if m is not None and _words(line) <= _BARE_AUTHOR_MAX_WORDS:
        return _ShortLine(key, flags, _META_AUTHOR, author=clean_name(m["name"]), dateline=dateline)
    return None


@lru_cache(maxsize=8192)  # furniture lines repeat on every page of a site
def _short_line(line: str) -> _ShortLine:
    """The state-independent reading of a short (stripped, non-blank) line."""
    norm = normalize_for_matching(line)
    key = _key_of(norm)
    words = key.split(" ")
    if _is_ui_words(line, key, words):
        return _ShortLine(key, _UI)
    if _phrase_match_words(key, words, END_MARKERS, extra=2):  # `is_end_marker`
        return _ShortLine(key, _END)
    flags = _TAG if _phrase_match_words(key, words, TAG_MARKERS, extra=_META_MAX_WORDS) else 0
    if _phrase_match_words(key, words, SKIP_NEXT_MARKERS, extra=12):
        return _ShortLine(key, flags | _SKIP)
    if _is_headline(line):
        flags |= _HEADLINE
    if _is_nav_words(words):
        flags |= _NAV
    if _words(line) > _META_MAX_WORDS:
        return _ShortLine(key, flags)
    dateline = None
    if "-" in line or "–" in line or "—" in line:  # `_DATELINE` needs a dash
        m = _DATELINE.match(line)
        if m is not None:
            dateline = (m["a"], m["b"])
    meta = _meta_role(line, key, norm, flags, dateline)
    if meta is None:
        return _ShortLine(key, flags, dateline=dateline)
    return meta


class _Reader:
    """One pass over the lines of a page, filling `ArticleFields`."""

    def __init__(self, site: str | None) -> None:
        self.fields = ArticleFields()
        self.site = site
        self.skipping_related = False
        self.join_next = False
        self.continuation: list[str] = []  # lines continuing the last paragraph (see `finish`)
        self.title_words = 0

    # --- metadata --------------------------------------------------------------------
    def take_labels(self, labels: tuple[_LabelValue, ...]) -> None:
        f = self.fields
        for kind, value, found in labels:
            if kind == "author" and f.author is None:
                f.author = value
            elif kind == "source" and f.source is None:
                f.source = value
            elif kind == "category" and f.category is None:
                f.category = value
            elif kind in ("date", "updated"):
                if found is None:
                    continue
                if kind == "date" and not f.published_labelled:
                    f.published, f.published_labelled = found, True
                elif kind == "updated" and f.updated is None:
                    f.updated = found

    def take_meta(self, info: _ShortLine) -> bool:
        """Apply the metadata a short line carries; False when it carries none."""
        f = self.fields
        meta = info.meta
        if meta == _META_LABELS:
            self.take_labels(info.labels)
            return True
        if meta == _META_DATE:
            if f.published is None:
                f.published = info.found
            if f.category is None:
                f.category = info.category
            return True
        if meta in (_META_BULLET, _META_CRUMB):
            if f.category is None:
                f.category = info.category
            return True
        if meta == _META_AUTHOR:
            if f.author is None:
                f.author = info.author
            return True
        if info.dateline is not None and not f.body and f.dateline is None:
            f.dateline = _dateline_parts(info.dateline[0], info.dateline[1], self.site)
            return True
        return False

    # --- lines ---------------------------------------------------------------------
    def feed(self, line: str) -> bool:  # noqa: PLR0911 - one early return per line role
        """Read one non-blank, non-ticker line; False once the body has ended."""
        f = self.fields
        words = line.count(" ") + 1
        # only lines that could be furniture, metadata, a title or its repeat get the
        # (comparatively costly) line reading; long paragraph lines go straight to body
        if len(line) <= SHORT_LINE and (words <= _META_MAX_WORDS + 2 or f.title is None or words == self.title_words):
            info = _short_line(line)
            flags = info.flags
            if flags & _UI:
                return True
            if flags & _END:
                return not f.body  # before the body it is page furniture: skip it
            if f.body and flags & _TAG:
                return False  # a tag list closes the article
            if flags & _SKIP:
                self.skipping_related = True
                return True
            if f.title_key is not None and info.key == f.title_key:
                return True  # the title repeated
            if self.skipping_related and words <= _META_MAX_WORDS and flags & _HEADLINE:
                return True
            self.skipping_related = False
            if words <= _META_MAX_WORDS and (info.meta or info.dateline is not None) and self.take_meta(info):
                return True
            if f.title is None and not f.body:
                if flags & _NAV or words < _TITLE_MIN_WORDS:
                    return True  # navigation, section names, widget headers
                if flags & _HEADLINE:
                    title, category = clean_title(line)
                    f.title, f.title_key = title, (info.key if title == line else _key(title))
                    self.title_words = words
                    if f.category is None:
                        f.category = category
                    return True
        self.skipping_related = False
        self.add_paragraph(line)
        return True

    def add_paragraph(self, line: str) -> None:
        f = self.fields
        if not f.body and f.dateline is None and len(line) > 20:
            m = _DATELINE_INLINE.match(line)
            if m is not None:
                f.dateline = _dateline_parts(m["a"], m["b"], self.site)
                line = line[m.end() :]
        if self.join_next and f.body:
            self.continuation.append(line)
        else:
            self.finish()
            f.body.append(line)
        # a paragraph broken after a comma continues on the next line
        self.join_next = line.endswith(("،", ","))

    def finish(self) -> None:
        """Join the lines continuing the last paragraph onto it: once, so a paragraph
        broken over many lines costs its length (not its length times its lines)."""
        if self.continuation:
            body = self.fields.body
            body[-1] = " ".join([body[-1], *self.continuation])
            self.continuation.clear()


def read_lines(lines: Iterable[str], site: str | None, *, title: str | None = None) -> ArticleFields:
    """Assign roles to `lines` (ticker lines already removed) and gather the fields.

    A `title` known from elsewhere (HTML metadata) is taken as given: its repeats are
    dropped and no other line is taken for the title.
    """
    reader = _Reader(site)
    if title is not None:
        reader.fields.title, reader.fields.title_key = title, _key(title)
        reader.title_words = _words(title)
    for raw in lines:
        line = raw.strip()
        if not line:
            reader.join_next = False
            continue
        if not reader.feed(line):
            break
    reader.finish()
    return reader.fields


def _infer(fields: ArticleFields, reference: date) -> date | None:
    for paragraph in fields.body:
        if _mentions_anchor(paragraph) and may_mention_weekday(paragraph):
            found = infer_published_date(normalize_for_matching(paragraph), reference)
            if found is not None:
                return found
    return None


def to_article(fields: ArticleFields, *, fetched_at: datetime, zone: tzinfo, site: str | None) -> Article:
    """Turn gathered fields into an `Article` (date inference happens here)."""
    published: str | None = None
    source: PublishedAtSource = "missing"
    found = fields.published or fields.updated
    if found is not None:
        published, source = iso_local(found, zone), "explicit"
    elif fields.body and fetched_at.tzinfo is not None:
        inferred = _infer(fields, fetched_at.astimezone(zone).date())
        if inferred is not None:
            published, source = inferred.isoformat(), "inferred"
    outlet = (fields.dateline.agency if fields.dateline else None) or fields.source or site
    return Article(
        title=fields.title,
        author=fields.author,
        published_at=published,
        published_at_source=source,
        category=fields.category,
        dateline=fields.dateline,
        outlet=outlet,
        body=tuple(fields.body),
    )


def parse_text_article(
    lines: Sequence[str],
    *,
    fetched_at: datetime,
    zone: tzinfo,
    site: str | None = None,
    skip: Iterable[int] = (),
) -> Article | None:
    """Parse the article on a page given as lines; `skip` holds ticker line indices.

    Returns None when the page has neither a title nor a body paragraph.
    """
    skipped = set(skip)
    fields = read_lines((ln for i, ln in enumerate(lines) if i not in skipped) if skipped else lines, site)
    if fields.title is None and not fields.body:
        return None
    return to_article(fields, fetched_at=fetched_at, zone=zone, site=site)

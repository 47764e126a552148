"""Hypothesis strategies for the parsing core: Arabic-ish text, ticker items, HTML."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

from hypothesis import strategies as st

from workers.core.normalize import _TABLE


def reference_normalize(text: str) -> str:
    """`normalize_for_matching` by its plain definition (no fast paths), to test against."""
    for _ in range(4):
        text = unicodedata.normalize("NFKC", text).translate(_TABLE).casefold()
        if unicodedata.is_normalized("NFKC", text):
            break
    return " ".join(text.split())


ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئةى"
DIACRITICS = "".join(chr(c) for c in range(0x064B, 0x0660)) + "\u0670\u0640"
DIGITS = "0123456789٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹"

arabic_word = st.text(alphabet=ARABIC_LETTERS, min_size=2, max_size=9)
arabic_phrase = st.lists(arabic_word, min_size=1, max_size=12).map(" ".join)
# Anything Unicode, weighted towards Arabic letters, marks, digits and punctuation.
messy_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(ARABIC_LETTERS + DIACRITICS + DIGITS + ' \n\t-–—()"“”«»:،؛؟.'),
        st.characters(),
    ),
    max_size=300,
)
clock = st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda t: f"{t[0]:02d}:{t[1]:02d}")
# Clock-shaped but not a clock: hour over 23, minute over 59, or a one-digit minute.
invalid_clock = st.one_of(
    st.tuples(st.integers(24, 99), st.integers(0, 59)).map(lambda t: f"{t[0]}:{t[1]:02d}"),
    st.tuples(st.integers(0, 23), st.integers(60, 99)).map(lambda t: f"{t[0]:02d}:{t[1]}"),
    st.tuples(st.integers(0, 23), st.integers(0, 9), st.booleans()).map(
        lambda t: f"{t[0]:02d}:{t[1]}" if t[2] else f"{t[0]}:{t[1]}"
    ),
)
# The digit systems a page may print numbers in: ASCII, Arabic-Indic, Persian.
DIGIT_SYSTEMS = ("0123456789", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹")
digit_system = st.sampled_from(DIGIT_SYSTEMS)


def in_digits(text: str, system: str) -> str:
    """`text` with its ASCII digits written in `system` (one of `DIGIT_SYSTEMS`)."""
    return text.translate(str.maketrans(DIGIT_SYSTEMS[0], system))


# Item text: words (digits allowed) that cannot end in a parenthesis or contain `- HH:MM`.
ticker_text = st.lists(
    st.one_of(arabic_word, st.integers(0, 5000).map(str), st.just('"قسد"')),
    min_size=1,
    max_size=15,
).map(" ".join)
attribution = st.one_of(st.none(), st.lists(arabic_word, min_size=1, max_size=4).map(" ".join))
ticker_item = st.tuples(ticker_text, attribution, clock)
# hypothesis takes naive bounds and attaches the zone itself
_EARLIEST = datetime(2012, 1, 1, tzinfo=UTC).replace(tzinfo=None)
_LATEST = datetime(2030, 12, 31, tzinfo=UTC).replace(tzinfo=None)
fetched_at = st.datetimes(min_value=_EARLIEST, max_value=_LATEST, timezones=st.just(UTC))

_TAGS = ["div", "p", "span", "a", "article", "section", "li", "ul", "b", "br", "h1", "script"]


@st.composite
def html_documents(draw: st.DrawFn) -> str:
    """Random, often malformed HTML: unbalanced tags, attributes, text and junk."""
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 40))):
        kind = draw(st.integers(0, 4))
        tag = draw(st.sampled_from(_TAGS))
        if kind == 0:
            cls = draw(st.sampled_from(["", "entry-content", "ticker", "comments", "post-body"]))
            parts.append(f'<{tag} class="{cls}">')
        elif kind == 1:
            parts.append(f"</{tag}>")
        elif kind == 2:
            parts.append(draw(messy_text))
        elif kind == 3:
            parts.append('<meta property="og:title" content="' + draw(arabic_phrase) + '">')
        else:
            parts.append(draw(st.text(max_size=30)))
    return "".join(parts)

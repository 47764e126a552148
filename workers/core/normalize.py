"""Arabic normalization for matching (never for display) and a clitic-aware tokenizer.

`normalize_for_matching` is the one normalization every matching decision in raqib uses
(ticker dedup keys, fingerprints, boilerplate detection). It is a single `str.translate`
pass plus NFKC and whitespace collapsing: character-level folding is a table lookup, which
is what pyarabic's `strip_tashkeel`/`normalize_hamza` do with one regex pass each, so one
combined table does the same work in one pass.

It is faster than pyarabic 0.6.15's chain (`strip_tashkeel` + `strip_tatweel` +
`normalize_alef` + `normalize_teh` + NFKC + whitespace), which folds less (no digits,
quotes, dashes or ى) in more passes (docs/benchmarks.md has the figures), so pyarabic is
not used on the hot path.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from functools import lru_cache
from typing import Final

__all__ = ["count_alpha", "letter_runs", "normalize_for_matching", "tokenize"]

_DELETE = {
    **dict.fromkeys(range(1611, 1632)),  # tashkeel: fathatan .. hamza below
    0x0670: None,  # superscript (dagger) alef
    0x0640: None,  # tatweel
    0x200C: None,  # zero-width non-joiner
    0x200D: None,  # zero-width joiner
    0x200E: None,  # left-to-right mark
    0x200F: None,  # right-to-left mark
    0x061C: None,  # Arabic letter mark
    0xFEFF: None,  # byte-order mark / zero-width no-break space
}

_FOLD = {
    # alef forms -> bare alef
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    # alef maqsura -> yeh, taa marbuta -> heh
    "ى": "ي",
    "ة": "ه",
    # Persian letter variants that Arabic sites sometimes emit
    "ی": "ي",
    "ک": "ك",
    # quotes -> ASCII double quote
    "“": '"',
    "”": '"',
    "„": '"',
    "«": '"',
    "»": '"',
    "‘": '"',
    "’": '"',
    "'": '"',
    "`": '"',
    # dashes and minus signs -> hyphen-minus
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "–": "-",
    "—": "-",
    "―": "-",
    "−": "-",
    # Arabic punctuation that has an ASCII twin for matching
    "،": ",",
    "؛": ";",
    "؟": "?",
    "٪": "%",
}

# Arabic-Indic (U+0660..) and Extended/Persian (U+06F0..) digits -> ASCII.
_DIGITS = {0x0660 + i: str(i) for i in range(10)} | {0x06F0 + i: str(i) for i in range(10)}

_MAPPING: dict[int, str | None] = {**{ord(k): v for k, v in _FOLD.items()}, **_DIGITS, **_DELETE}
# A list indexed by code point is about twice as fast in `str.translate` as a dict; code
# points past its end raise IndexError, which `translate` treats as "leave unchanged".
_TABLE: list[str | None] = [chr(cp) for cp in range(max(_MAPPING) + 1)]
for _cp, _to in _MAPPING.items():
    _TABLE[_cp] = _to
_MAX_PASSES = 4

# `str.translate` looks every character up in the table through a generic Python-level
# lookup for every character, and `casefold` and the whitespace split/join are two more
# passes. Text made only of the characters below (ASCII, the Arabic block up to dagger
# alef, Persian digits and letters, the quotes, dashes, spaces and bullets news pages use)
# takes one trip through the C charmap codec instead: encode to one byte per character,
# decode each byte to the character folded and casefolded, whitespace to a plain space
# and U+FFFF standing for "deleted": several times faster, more so on long text.
# Text with any other character takes `str.translate` and `casefold`. The unit and
# property tests check both paths against the plain definition.
_DELETED = "\uffff"  # not a fast character and never a folded form
_LETTER_RUN = re.compile(r"[^\W\d_]+")
_FAST_CHARS: Final = "".join(
    dict.fromkeys(
        "\x00"  # the codec's map must start with U+0000
        "\t\n\x0b\x0c\r"
        + "".join(map(chr, range(0x20, 0x7F)))
        + "".join(map(chr, range(0x060C, 0x0671)))  # Arabic punctuation, letters, marks, digits
        + "".join(map(chr, range(0x06F0, 0x06FA)))  # Extended Arabic-Indic (Persian) digits
        + "یک\u00a0\u00ab\u00bb\u00b7\u200c\u200d\u200e\u200f\u061c\ufeff"
        + "\u2002\u2003\u2009\u202f\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
        + "\u2018\u2019\u201c\u201d\u201e\u2022\u2026\u2192\u25cf\u25aa\u25a0\u25c6\u25ba\uff1a\uff5c"
    )
)


def _fast_form(ch: str) -> str:
    if ch.isspace():  # what `str.split()` splits on
        return " "
    folded = _TABLE[ord(ch)] if ord(ch) < len(_TABLE) else ch
    if folded is None:
        return _DELETED
    out = folded.casefold()
    if len(out) != 1:  # pragma: no cover - guarded at import: every fast character maps to one
        raise ValueError(f"{ch!r} does not fold to one character")
    return out


# U+FFFE marks the unused byte values (the codec treats them as unmapped).
_FAST_ENCODE = codecs.charmap_build(_FAST_CHARS.ljust(256, "\ufffe"))
_FAST_DECODE: Final = "".join(map(_fast_form, _FAST_CHARS))


def _fold(text: str) -> tuple[str, bool]:
    """(`text.translate(_TABLE).casefold()`, True) with whitespace made plain spaces, when
    every character is a fast one; else (`text.translate(_TABLE).casefold()`, False)."""
    try:
        encoded = codecs.charmap_encode(text, "strict", _FAST_ENCODE)[0]
    except UnicodeEncodeError:
        return text.translate(_TABLE).casefold(), False
    folded: str = codecs.charmap_decode(encoded, "strict", _FAST_DECODE)[0]
    return (folded.replace(_DELETED, "") if _DELETED in folded else folded), True


_LETTER = re.compile(r"[^\W\d_]")
# The same codec, decoding each fast character to itself when it is a letter (`[^\W\d_]`,
# what `letter_runs` keeps) or when `str.isalpha` holds (what `count_alpha` counts).
_LETTER_DECODE: Final = "".join(ch if _LETTER.fullmatch(ch) else " " for ch in _FAST_CHARS)
_ALPHA_DECODE: Final = "".join(ch if ch.isalpha() else _DELETED for ch in _FAST_CHARS)


def _fast_decode(text: str, table: str) -> str | None:
    """`text` with each character replaced by its entry in `table`; None unless all are fast."""
    try:
        encoded = codecs.charmap_encode(text, "strict", _FAST_ENCODE)[0]
    except UnicodeEncodeError:
        return None
    decoded: str = codecs.charmap_decode(encoded, "strict", table)[0]
    return decoded


def letter_runs(text: str) -> str:
    r"""The runs of letters (`[^\W\d_]+`) in `text`, joined by single spaces."""
    spaced = _fast_decode(text, _LETTER_DECODE)
    if spaced is None:
        return " ".join(_LETTER_RUN.findall(text))
    return " ".join(spaced.split())


def count_alpha(text: str) -> int:
    """`sum(map(str.isalpha, text))`: how many characters of `text` are letters."""
    kept = _fast_decode(text, _ALPHA_DECODE)
    if kept is None:
        return sum(map(str.isalpha, text))
    return len(kept) - kept.count(_DELETED)


def normalize_for_matching(text: str) -> str:
    """Return `text` folded for matching: NFKC, no diacritics or tatweel, unified letters.

    Alef forms become bare alef, ى becomes ي and ة becomes ه; Arabic-Indic and Persian
    digits become ASCII; typographic quotes and dashes become `"` and `-`; runs of
    whitespace become one space and the ends are trimmed. Latin letters are casefolded.
    The function is idempotent: deleting a mark can let NFKC compose its neighbours, and
    casefolding can un-normalize, so the steps repeat until nothing changes (one pass
    for ordinary text, checked with the cheap `unicodedata.is_normalized`).
    """
    plain_spaces = False
    for _ in range(_MAX_PASSES):
        text, plain_spaces = _fold(unicodedata.normalize("NFKC", text))
        if unicodedata.is_normalized("NFKC", text):  # translate and casefold are stable
            break
    if plain_spaces and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text  # the only whitespace is single inner spaces: nothing to collapse
    return " ".join(text.split())


# A token is a run of letters/digits (Arabic or Latin), keeping internal dots/commas in
# numbers ("1,125", "3.5") together.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+", re.UNICODE)

# Proclitics split off a word for matching. The definite article is split only when at
# least two letters remain, so short words that merely start with those letters survive
# ("الى" is "إلى", not the article). Single-letter conjunction/preposition prefixes are
# split only before the article ("وال", "بال", "لل", "فال", "كال"), where the reading is
# unambiguous; "و" before anything else is split only when the rest is long enough to be a
# word of its own (>= 4 letters), because many short stems start with و/ب/ل.
_ARTICLE_PREFIXES = ("وال", "بال", "فال", "كال", "ال")
_MIN_STEM = 2


@lru_cache(maxsize=65536)
def _split_clitics(word: str) -> tuple[str, ...]:
    if word.startswith("لل") and len(word) - 2 >= _MIN_STEM:
        # "للمدنيين" = ل + ال + مدنيين (the alef of the article is elided after lam)
        return ("ل", "ال", word[2:])
    for prefix in _ARTICLE_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= _MIN_STEM:
            head = prefix[:-2]
            return (*((head,) if head else ()), "ال", word[len(prefix) :])
    if word[0] in "وف" and len(word) >= 5:
        return (word[0], *_split_clitics(word[1:]))
    return (word,)


def tokenize(text: str, *, normalized: bool = False) -> list[str]:
    """Split `text` into matching tokens, with the clitics that matter split off.

    The article ال and attached و/ب/ل/ف/ك before it become their own tokens, so
    "والمدنيين" yields ["و", "ال", "مدنيين"]. Numbers stay whole. Pass `normalized=True`
    when `text` already went through `normalize_for_matching`.
    """
    if not normalized:
        text = normalize_for_matching(text)
    tokens: list[str] = []
    for match in _TOKEN.finditer(text):
        word = match.group()
        if word[0].isdigit() or not ("\u0600" <= word[0] <= "\u06ff"):
            tokens.append(word)
        else:
            tokens.extend(_split_clitics(word))
    return tokens

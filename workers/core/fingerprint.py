"""Fingerprints of short Arabic ticker lines and the exact comparison that verifies a merge.

Two levels, both over text that already went through `normalize_for_matching`:

* `exact_key(normalized)`: the line with punctuation, quotes and spaces removed. Two
  sightings with the same key are the same item (`"قسد"` = `قسد`, `دير الزور` =
  `ديرالزور`); ticker dedup looks it up in a dict, the O(1) path.
* `line_features(normalized)`: a `LineFeatures` bundle for the near path: the set of
  content tokens (clitics, stop words and numbers removed), the numbers, whether the line
  is negated, the tokens that name a place. Candidates are found through an inverted
  index over the content tokens (see `dedup.ScopeIndex`), then `compare(a, b)` decides.

Why an inverted index of tokens and not MinHash or SimHash: a ticker line has 8-20 content
tokens, so a 64-bit SimHash of it moves many bits for a one-word change and a MinHash needs
~100 permutations for a stable Jaccard estimate; both cost far more than looking up 4-6
rare tokens in a dict, and neither can explain *which* word differs, which is what the
vetoes below need. `benchmarks/bench_dedup.py` measures it against datasketch's MinHashLSH.

`compare` returns a similarity and, when the two lines must not be merged however similar
they are, the rule that vetoes it:

* `numbers`: each line has a number (digits or a number word) the other lacks: a figure
  was changed. COVID counts, casualty figures and dates share a template and differ only
  here; `12 إصابة ... إلى 66` is never `65 إصابة ... إلى 1125`. A figure only present on
  one side (a shortened line, a less precise report) does not veto.
* `negation`: the lines' negation words differ (`تنفي`, `لم`, `لا` ...): a denial is the
  opposite news, even of a line that was itself negated.
* `place`: both lines have a word the other lacks, and one of them sits in a place slot
  (after `بلدة`/`قرية`/`مدينة`..., or after `جنوب`/`شرق`...): a place was replaced.
  Templates like `قوات النظام تقصف ... قرية X جنوب إدلب` repeat all day with X changing.
  Place names are never paired as spelling variants (the substitution rule's inflection
  pairing skips them), because `المنصور` and `المنصورة` are two towns. A place that is
  only added or dropped (`... كنصفرة جنوب إدلب` vs `... كنصفرة`) is a rewording.
* `substitution`: both lines have a content word the other lacks (after spelling variants
  and inflections of the same word are paired). Desks reword by adding or dropping words
  (`عشرات`, an attribution, a qualifier); a *replaced* word is an actor, object or verb
  that makes another event (`قسد تعتقل` vs `النظام يعتقل`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

__all__ = [
    "Comparison",
    "LineFeatures",
    "compare",
    "exact_key",
    "line_features",
]

# ASCII punctuation, quotes, brackets and dashes: removed for the exact key, turned into
# spaces for tokens. Text that went through `normalize_for_matching` has its quotes,
# dashes and Arabic punctuation folded to ASCII (and NFKC turns "…" into "..."), so ASCII
# covers it. Working on the UTF-8 bytes is safe (ASCII bytes never occur inside a
# multi-byte sequence) and fast: one `bytes.translate` is ~0.3 µs where `str.translate`
# with a dict table costs ~7 µs on Arabic text.
_ASCII_PUNCT: Final = bytes(c for c in range(33, 127) if not chr(c).isalnum())
_SQUASH_DELETE: Final = _ASCII_PUNCT + b" \t\n\r"
_NUMBER_SEPARATORS: Final = b".,"  # kept inside tokens: 1,125 stays one number
_TO_SPACE: Final = bytes.maketrans(
    bytes(c for c in _ASCII_PUNCT if c not in _NUMBER_SEPARATORS),
    b" " * (len(_ASCII_PUNCT) - len(_NUMBER_SEPARATORS)),
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words that carry no event identity (normalized spellings: ى->ي, ة->ه, أ->ا).
_STOP: Final = _words(
    """
    من في على الي الى عن مع ب ل ك و ف بـ لـ ان انه انها قد ما او ثم حتى بين عند خلال
    بعد قبل منذ ضد لدي لدى عبر هذا هذه ذلك تلك التي الذي الذين اللذين كما اي كل به بها
    له لها فيه فيها منه منها عليه عليها الا اذا لكن ايضا تجاه اثر جراء اليوم امس
    """
)

# Words whose presence or absence does not make another event: quantifiers and vague
# amounts desks add or drop, place-type nouns, and reporting verbs and nouns. They still
# count in the similarity; they only cannot trigger the substitution veto.
_BENIGN: Final = _words(
    """
    عشرات مئات الاف االاف اف الف عدد بعض نحو قرابه حوالي اكثر اقل جديد جديده جديدين
    جديدتين جدد كبير كبيره عاجل مدينه بلده قريه قري قريتي بلدتي حي مخيم ريف ناحيه منطقه
    مناطق محافظه مصدر مصادر ناشطون ناشطين وكالات قال قالت افاد افادت اعلن اعلنت يوم مساء
    صباح ليل ليلا فجر ظهر عصر
    """
)

# Negation particles and verbs of denial. A line that has one and a line that has none
# report opposite things.
_NEGATION: Final = _words("لا لم لن ليس ليست لست غير عدم تنفي ينفي نفت نفي تنفيان ينفون")

# Nouns after which the next content token names a place, and directions likewise
# ("جنوب إدلب"). Conjoined names after a place noun ("قرى الموزرة والفطيرة") are included.
_PLACE_NOUNS: Final = _words("مدينه بلده قريه قري قريتي بلدتي حي مخيم ريف ناحيه محافظه منطقه مناطق بلدات مدن")
_DIRECTIONS: Final = _words("شرق غرب شمال جنوب شرقي غربي شمالي جنوبي وسط قرب محيط اطراف")
_PLACE_MARKERS: Final = _PLACE_NOUNS | _DIRECTIONS

# Number words (normalized spelling) -> the digits a desk may write instead.
_NUMBER_WORDS: Final = {
    **dict.fromkeys(("واحد", "واحده"), "1"),
    **dict.fromkeys(("اثنان", "اثنين", "اثنتان", "اثنتين"), "2"),
    **dict.fromkeys(("ثلاث", "ثلاثه"), "3"),
    **dict.fromkeys(("اربع", "اربعه"), "4"),
    **dict.fromkeys(("خمس", "خمسه"), "5"),
    **dict.fromkeys(("ست", "سته"), "6"),
    **dict.fromkeys(("سبع", "سبعه"), "7"),
    **dict.fromkeys(("ثماني", "ثمانيه", "ثمان"), "8"),
    **dict.fromkeys(("تسع", "تسعه"), "9"),
    **dict.fromkeys(("عشر", "عشره"), "10"),
    **dict.fromkeys(("عشرين", "عشرون"), "20"),
    **dict.fromkeys(("ثلاثين", "ثلاثون"), "30"),
    **dict.fromkeys(("مئه", "مائه"), "100"),
}

# Proclitics stripped from a word: the article with an attached conjunction/preposition,
# then a bare article; "و" alone only before 4+ letters (as `normalize.tokenize` does).
_ARTICLE_PREFIXES: Final = ("وبال", "وال", "بال", "فال", "كال", "لل", "ال")
_MIN_STEM: Final = 2
_MORPH_DICE: Final = 0.6  # bigram Dice at which two differing words count as one word

_HAS_DIGIT: Final = re.compile(r"\d")


@lru_cache(maxsize=1 << 16)
def _strip_word(word: str) -> str:
    """Return the content form of one normalized word, or "" for a function word."""
    word = word.strip(".,")
    if not word or word in _STOP:
        return ""
    if word in _BENIGN or word in _NEGATION:
        return word
    for prefix in _ARTICLE_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= _MIN_STEM:
            word = word[len(prefix) :]
            break
    else:
        if word[0] == "و" and len(word) >= 5:
            return _strip_word(word[1:])
    if word in _STOP:
        return ""
    return _NUMBER_WORDS.get(word, word)


@dataclass(frozen=True, slots=True)
class LineFeatures:
    """What the near-duplicate check needs to know about one normalized line."""

    tokens: frozenset[str]  # content tokens (no stop words, no numbers)
    numbers: tuple[str, ...]  # sorted; digits and number words, separators removed
    negations: frozenset[str]  # negation particles and verbs of denial in the line
    places: frozenset[str]  # content tokens in a place slot
    squashed: bytes  # exact_key: the line without punctuation and spaces


def exact_key(normalized: str) -> bytes:
    """Return the exact-match key of a normalized line: its UTF-8 bytes without ASCII
    punctuation, quotes or whitespace."""
    return normalized.encode().translate(None, _SQUASH_DELETE)


@lru_cache(maxsize=1 << 14)
def line_features(normalized: str) -> LineFeatures:
    """Return the `LineFeatures` of a line that went through `normalize_for_matching`."""
    tokens: set[str] = set()
    numbers: list[str] = []
    places: set[str] = set()
    negations: set[str] = set()
    in_place = False  # the previous content token was a place marker
    after_place = False  # the previous content token was a place name
    for raw in normalized.encode().translate(_TO_SPACE).decode().split():
        word = _strip_word(raw)
        if not word:
            continue
        if _HAS_DIGIT.search(word):
            numbers.append(word.replace(",", "").replace(".", ""))
            in_place = after_place = False
            continue
        if word in _NEGATION:
            negations.add(word)
            in_place = after_place = False
            continue
        tokens.add(word)
        if word in _PLACE_MARKERS:
            in_place, after_place = True, False
        elif in_place or (after_place and raw[0] == "و" and raw != word):
            # a name after a marker, or a conjoined one after it: "قرى الموزرة والفطيرة"
            places.add(word)
            in_place, after_place = False, True
        else:
            after_place = False
    return LineFeatures(
        tokens=frozenset(tokens),
        numbers=tuple(sorted(numbers)),
        negations=frozenset(negations),
        places=frozenset(places),
        squashed=exact_key(normalized),
    )


@dataclass(frozen=True, slots=True)
class Comparison:
    """The verdict of `compare`: a similarity in [0, 1] and the vetoing rule, if any."""

    similarity: float
    veto: str | None  # "numbers" | "negation" | "place" | "substitution" | None

    @property
    def is_same_event(self) -> bool:
        """True when no rule vetoes the merge (the caller still applies its threshold)."""
        return self.veto is None


@lru_cache(maxsize=1 << 14)
def _bigrams(word: str) -> frozenset[str]:
    return frozenset(word[i : i + 2] for i in range(len(word) - 1))


def _dice(a: str, b: str) -> float:
    ba, bb = _bigrams(a), _bigrams(b)
    if not ba or not bb:
        return 0.0
    return 2 * len(ba & bb) / (len(ba) + len(bb))


_FILLERS: Final = frozenset(("ال", "و", "ب", "ل", "ف", "ك"))
_MIN_JOIN: Final = 4  # shortest word that can be two pieces (ب + a 3-letter token)


def _is_join(word: str, parts: frozenset[str]) -> bool:
    """True when `word` is other-side tokens written together (`ديرالزور` = دير+ال+زور).

    Clitics may glue the pieces (`بانفجار` = ب+انفجار); it takes at least two pieces, one
    of them a token. A word that only *contains* a token (`المنصورة` ⊃ `المنصور`) is not a
    join: that is another word.
    """
    stack = [(0, 0, False)]  # (position, pieces so far, a token among them)
    while stack:
        pos, pieces, used = stack.pop()
        if pos == len(word):
            if used and pieces >= 2:
                return True
            continue
        for end in range(pos + 1, len(word) + 1):
            piece = word[pos:end]
            if piece in parts:
                stack.append((end, pieces + 1, True))
            elif piece in _FILLERS:
                stack.append((end, pieces + 1, used))
    return False


def _unexplained(a: LineFeatures, b: LineFeatures) -> tuple[set[str], set[str]]:
    """The tokens each side has and the other lacks, after spacing/clitic variants.

    A token of one side that is a join of the other side's tokens is the same words
    written together: it and the pieces it is made of are dropped from both sides.
    """
    diff_a, diff_b = a.tokens - b.tokens, b.tokens - a.tokens
    only_a, only_b = set(diff_a), set(diff_b)
    if not (only_a and only_b):
        return only_a, only_b
    for joined, pieces, own, other in ((diff_a, diff_b, only_a, only_b), (diff_b, diff_a, only_b, only_a)):
        for word in sorted(joined):
            if len(word) < _MIN_JOIN:
                continue
            inside = [t for t in pieces if t in word]
            if inside and _is_join(word, frozenset(inside)):
                own.discard(word)
                other.difference_update(inside)
    return only_a, only_b


def compare(a: LineFeatures, b: LineFeatures) -> Comparison:
    """Compare two lines: similarity of their content tokens, and the veto if one fires."""
    if a.numbers != b.numbers and _both_have_extra(a.numbers, b.numbers):
        return Comparison(_similarity(a, b), "numbers")
    if a.negations != b.negations:
        return Comparison(_similarity(a, b), "negation")
    common = len(a.tokens & b.tokens)
    only_a, only_b = _unexplained(a, b)
    similarity = common / (common + len(only_a) + len(only_b)) if common else 0.0
    rest_a = only_a - _BENIGN
    rest_b = only_b - _BENIGN
    if not (rest_a and rest_b):  # words only added or dropped: a rewording, if similar
        return Comparison(similarity, None)
    if (rest_a & a.places) or (rest_b & b.places):
        return Comparison(similarity, "place")
    _pair_inflections(rest_a, rest_b)
    if rest_a and rest_b:
        return Comparison(similarity, "substitution")
    return Comparison(similarity, None)


def _pair_inflections(rest_a: set[str], rest_b: set[str]) -> None:
    """Remove pairs of words that are inflections or spellings of one word (in place).

    `تعتقل`/`اعتقلت` or `مقاتلين`/`مقاتلون` share most character bigrams; two different
    actors or objects do not. Pairs are taken best-first, each word at most once.
    """
    scored = sorted(
        ((_dice(x, y), x, y) for x in rest_a for y in rest_b),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    for score, x, y in scored:
        if score < _MORPH_DICE:
            break
        if x in rest_a and y in rest_b:
            rest_a.discard(x)
            rest_b.discard(y)


def _both_have_extra(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """True when each side has a number the other lacks (a figure was changed)."""
    rest = list(b)
    extra_a = False
    for n in a:
        if n in rest:
            rest.remove(n)
        else:
            extra_a = True
    return extra_a and bool(rest)


def _similarity(a: LineFeatures, b: LineFeatures) -> float:
    union = len(a.tokens | b.tokens)
    return len(a.tokens & b.tokens) / union if union else 1.0

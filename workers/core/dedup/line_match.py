"""Fingerprints of short Arabic ticker lines and the exact comparison that verifies a merge.

Two levels, both over text that already went through `normalize_for_matching`:

* `exact_key(normalized)`: the line with punctuation, quotes and spaces removed. Two
  sightings with the same key are the same item (`"قسد"` = `قسد`, `دير الزور` =
  `ديرالزور`); ticker dedup looks it up in a dict, the O(1) path.
* `line_features(normalized)`: a `LineFeatures` bundle for the near path: the set of
  content tokens (clitics, stop words and numbers removed), the numbers, whether the line
  is negated, the tokens that name a place. Candidates are found through an inverted
  index over the content tokens (see `dedup.ScopeIndex`), then `compare(a, b)` decides.

Speed (the near path runs this for every line that is not an exact repeat):

* The work per word (clitics, stop words, number words, its kind) is cached per
  whitespace-separated chunk, so a line costs one `str.split` and a dict lookup per chunk.
  The caches hold pure functions of their keys and are bounded (`clear_caches` empties
  them): they change timings, never a decision.
* `Probe(line, threshold).first_match(texts)` is what dedup calls: the verdict `compare`
  gives at that threshold ("merge, at this similarity" or not), without what it does not
  need: the cheap vetoes first, the similarity next, the place and substitution rules only
  above the threshold, and joins only when a token of one line sits inside a long token of
  the other (`_joinable`, one substring search per differing token).
  `benchmarks/eval_dedup.py` checks it against `compare` on every pair of labeled lines.
* The compiled kernel (`_nearpath.pyx`, Cython, built at install by hatch_build.py) runs
  `line_features`, `Probe.first_match` and, in `dedup`, the candidate lookup and the
  candidate loop, with the same results as the Python here, which stays the reference and
  the fallback when no C compiler was there (`use_compiled`, `compiled`). It makes the
  worst-case near path several times faster (benchmarks/bench_dedup.py prints both);
  tests/unit/test_nearpath.py and tests/property/test_nearpath_properties.py compare the two.
  For it, `LineFeatures.order` holds the tokens sorted by (hash, token): two lines are
  intersected by one merge of those tuples.

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
import sys
from collections.abc import Hashable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import Any, Final, NamedTuple, TypeAlias

# The compiled near path (`_nearpath.pyx`, built at install time by hatch_build.py when a
# C compiler is there): the same results as the Python here and in `dedup`, faster. The
# Python stays the reference, and the fallback when it was not built.
try:
    from workers.core.dedup import _nearpath

    _BUILT = True
except ImportError:  # pragma: no cover - a machine without a C compiler at install time
    _BUILT = False

__all__ = [
    "Comparison",
    "LineFeatures",
    "Probe",
    "StoredText",
    "clear_caches",
    "compare",
    "compiled",
    "exact_key",
    "line_features",
    "match",
    "stored",
    "stored_texts",
    "stored_tokens",
    "text_key",
    "unstored",
    "use_compiled",
]

# ASCII punctuation, quotes, brackets and dashes: removed for the exact key, turned into
# spaces for tokens. Text that went through `normalize_for_matching` has its quotes,
# dashes and Arabic punctuation folded to ASCII (and NFKC turns "…" into "..."), so ASCII
# covers it. Working on the UTF-8 bytes is safe (ASCII bytes never occur inside a
# multi-byte sequence) and fast: one `bytes.translate` is a C loop over bytes, where
# `str.translate` with a dict table looks every character up in Python.
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
_FILLERS: Final = frozenset(("ال", "و", "ب", "ل", "ف", "ك"))
_MIN_JOIN: Final = 4  # shortest word that can be two pieces (ب + a 3-letter token)

_HAS_DIGIT: Final = re.compile(r"\d")


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


# What one word is to `line_features`: its kind and its content form.
_NUMBER: Final = 1  # form: the digits, separators removed
_NEGATED: Final = 2  # form: the negation word
_MARKER: Final = 3  # a content token that is a place marker
_TOKEN: Final = 4  # a content token
_CONJOINED: Final = 5  # a content token written with a leading "و" ("والفطيرة")
_JOIN_SEP: Final = " "  # separates the words of `_joinable` (never in a token)


def _word_info(raw: str) -> tuple[int, str] | None:
    """The kind and content form of one word (punctuation already spaced), None for a
    function word."""
    word = _strip_word(raw)
    if not word:
        return None
    # one str object per distinct word (`sys.intern`), as the kernel does: the remembered
    # texts of a state then share their tokens and figures with each other and with the
    # postings' keys, and the kernel's merge finds equal tokens by pointer
    if _HAS_DIGIT.search(word):
        return (_NUMBER, sys.intern(word.replace(",", "").replace(".", "")))
    word = sys.intern(word)
    if word in _NEGATION:
        return (_NEGATED, word)
    if word in _PLACE_MARKERS:
        return (_MARKER, word)
    if raw[0] == "و" and raw != word:
        return (_CONJOINED, word)
    return (_TOKEN, word)


class _ChunkCache(dict[str, tuple[tuple[int, str], ...]]):
    """Whitespace-separated chunk of a line -> the kinds and forms of the words in it,
    function words left out.

    Every value is a pure function of its key, so the cache only saves time (a ticker's
    vocabulary repeats all day); it is bounded by emptying it when full.
    """

    __slots__ = ()
    max_size: Final = 1 << 16

    def __missing__(self, chunk: str) -> tuple[tuple[int, str], ...]:
        words = chunk.encode().translate(_TO_SPACE).decode().split()
        info = tuple(i for raw in words if (i := _word_info(raw)) is not None)
        if len(self) >= self.max_size:
            self.clear()
        self[chunk] = info
        return info


_CHUNKS: Final = _ChunkCache()


def clear_caches() -> None:
    """Empty this module's caches (they only save time; benchmarks measure them cold)."""
    _CHUNKS.clear()
    if _compiled:
        _nearpath.clear_cache()
    line_features.cache_clear()
    _bigrams.cache_clear()
    _is_join.cache_clear()


class LineFeatures(NamedTuple):
    """What the near-duplicate check needs to know about one normalized line (built by
    `line_features`; a named tuple because it is built for every line and tuples are the
    cheapest immutable records)."""

    tokens: frozenset[str]  # content tokens (no stop words, no numbers)
    numbers: tuple[str, ...]  # sorted; digits and number words, separators removed
    negations: frozenset[str]  # negation particles and verbs of denial in the line
    places: frozenset[str]  # content tokens in a place slot
    squashed: bytes  # exact_key: the line without punctuation and spaces
    # the tokens sorted by (hash, token): the compiled kernel intersects two lines by
    # merging these (hashes are cached on the strings) instead of a set lookup per token
    order: tuple[str, ...]


# What the state keeps of an entry's remembered texts (`stored`): one flat tuple holding,
# text after text, `(n_numbers, n_places, n_order, negations, *numbers, *places, *order)`:
# the fields of each text's `LineFeatures` that verifying a candidate reads, with no set
# of its own, no exact key (the exact map holds it) and no tuple per text or per entry: a
# few hundred bytes less per remembered text than the `LineFeatures` (its token frozenset
# alone is a 32-slot hash table). Tokens, places and figures are interned strings,
# shared across the state. An alias appended is `texts + stored(features)`.
StoredText: TypeAlias = tuple[Any, ...]
_S_NEGATIONS: Final = 3
_S_NUMBERS: Final = 4  # where the numbers start


def stored(features: LineFeatures) -> StoredText:
    """The `StoredText` of one line's features (an entry's are these, concatenated)."""
    numbers, places, order = features.numbers, features.places, features.order
    return (len(numbers), len(places), len(order), features.negations, *numbers, *places, *order)


def stored_texts(texts: StoredText) -> Iterator[StoredText]:
    """The `StoredText` of each text of an entry's concatenated ones, in order."""
    at, end = 0, len(texts)
    while at < end:
        size = _S_NUMBERS + texts[at] + texts[at + 1] + texts[at + 2]
        yield texts[at : at + size]
        at += size


def stored_tokens(texts: StoredText) -> set[str]:
    """The content tokens of (concatenated) `StoredText`s: what an entry's postings hold."""
    out: set[str] = set()
    at, end = 0, len(texts)
    while at < end:
        order_at = at + _S_NUMBERS + texts[at] + texts[at + 1]
        at = order_at + texts[at + 2]
        out.update(texts[order_at:at])
    return out


def unstored(text: StoredText) -> LineFeatures:
    """The `LineFeatures` one `StoredText` was made from, except its exact key (b""):
    what the Python reference verifies a remembered text with."""
    places_at = _S_NUMBERS + text[0]
    order_at = places_at + text[1]
    order: tuple[str, ...] = text[order_at : order_at + text[2]]
    return LineFeatures(
        frozenset(order),
        text[_S_NUMBERS:places_at],
        text[_S_NEGATIONS],
        frozenset(text[places_at:order_at]) if order_at > places_at else _NO_WORDS,
        b"",
        order,
    )


def exact_key(normalized: str) -> bytes:
    """Return the exact-match key of a normalized line: its UTF-8 bytes without ASCII
    punctuation, quotes or whitespace."""
    return normalized.encode().translate(None, _SQUASH_DELETE)


_NO_WORDS: Final[frozenset[str]] = frozenset()


class _TextKey:
    """`text_key` in Python: the reference of the kernel's `TextKey`."""

    __slots__ = ("_hash", "text")

    def __init__(self, text: str, key_hash: int) -> None:
        self.text = text
        self._hash = key_hash

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, bytes):
            return exact_key(self.text) == other
        text = getattr(other, "text", None)
        return isinstance(text, str) and exact_key(self.text) == exact_key(text)


def text_key(text: str, key: bytes) -> Hashable:
    """A key of the exact map for `text`, whose `exact_key` is `key`: equal to those bytes
    and hashed like them, so the map is looked up with `exact_key` of a line, but holding
    the text (shared with its entry) instead of a bytes object of the line (32 bytes on
    the kernel instead of ~110 for a ticker line)."""
    if _compiled:
        return _nearpath.TextKey(text, hash(key))
    return _TextKey(text, hash(key))


@lru_cache(maxsize=1 << 14)
def line_features(normalized: str) -> LineFeatures:
    """Return the `LineFeatures` of a line that went through `normalize_for_matching`."""
    if _compiled:
        return _nearpath.line_features(normalized)
    return _line_features(normalized)


def _line_features(normalized: str) -> LineFeatures:
    """`line_features` in Python: the reference of the compiled one."""
    tokens: list[str] = []
    numbers: list[str] = []
    places: list[str] = []
    negations: list[str] = []
    in_place = False  # the previous content token was a place marker
    after_place = False  # the previous content token was a place name
    # Splitting on whitespace, then each chunk at its punctuation, gives the words that
    # spacing the punctuation first would: the chunks repeat, so that is cached per chunk.
    for kind, word in chain.from_iterable(map(_CHUNKS.__getitem__, normalized.split())):
        if kind >= _MARKER:
            tokens.append(word)
            if kind == _MARKER:
                in_place, after_place = True, False
            elif in_place or (after_place and kind == _CONJOINED):
                # a name after a marker, or a conjoined one after it: "قرى الموزرة والفطيرة"
                places.append(word)
                in_place, after_place = False, True
            else:
                after_place = False
        elif kind == _NUMBER:
            numbers.append(word)
            in_place = after_place = False
        else:
            negations.append(word)
            in_place = after_place = False
    token_set = frozenset(tokens)
    if numbers:
        numbers.sort()
    return LineFeatures(
        token_set,
        tuple(numbers),
        frozenset(negations) if negations else _NO_WORDS,
        frozenset(places) if places else _NO_WORDS,
        normalized.encode().translate(None, _SQUASH_DELETE),
        tuple(sorted(token_set, key=_hash_order)),
    )


def _hash_order(token: str) -> tuple[int, str]:
    return hash(token), token


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


@lru_cache(maxsize=1 << 14)
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


def _drop_joins(joined: AbstractSet[str], pieces: list[str], own: set[str], other: set[str]) -> None:
    """Drop from `own` the words of `joined` that are `pieces` written together, and those
    pieces from `other` (in place)."""
    for word in joined:
        if len(word) < _MIN_JOIN:
            continue
        inside = list(filter(word.__contains__, pieces))
        if inside and _is_join(word, frozenset(inside)):
            own.discard(word)
            other.difference_update(inside)


def _joinable(words: Iterable[str]) -> str:
    """The words long enough to be a join (`_MIN_JOIN`), space-separated, so that one
    substring search tells whether a token of the other line is inside one of them."""
    return _JOIN_SEP.join([word for word in words if len(word) >= _MIN_JOIN])


def _explain_joins(
    a: LineFeatures, b: LineFeatures, diff_a: frozenset[str], diff_b: frozenset[str]
) -> tuple[set[str], set[str]] | None:
    """`_unexplained` of two lines from their token differences, or None when no join is
    possible and they are the differences themselves."""
    # A piece of a join is a token of one side inside a long differing token of the other,
    # so inside `_joinable` of that side: one substring search per token finds every
    # candidate piece (almost always none), and only those are tried against the words.
    pieces_b = list(filter(_joinable(diff_a).__contains__, diff_b))
    pieces_a = list(filter(_joinable(diff_b).__contains__, diff_a))
    if not (pieces_a or pieces_b):
        return None
    return _drop_all_joins(diff_a, diff_b, pieces_a, pieces_b)


def _drop_all_joins(
    diff_a: AbstractSet[str], diff_b: AbstractSet[str], pieces_a: list[str], pieces_b: list[str]
) -> tuple[set[str], set[str]]:
    """`_explain_joins` once the candidate pieces of each side are known (not both empty)."""
    only_a, only_b = set(diff_a), set(diff_b)
    if pieces_b:
        _drop_joins(diff_a, pieces_b, only_a, only_b)
    if pieces_a:
        _drop_joins(diff_b, pieces_a, only_b, only_a)
    return only_a, only_b


def _unexplained(a: LineFeatures, b: LineFeatures) -> tuple[set[str], set[str]]:
    """The tokens each side has and the other lacks, after spacing/clitic variants.

    A token of one side that is a join of the other side's tokens is the same words
    written together: it and the pieces it is made of are dropped from both sides. Every
    step only removes words and none depends on another, so the order does not matter.
    """
    diff_a, diff_b = a.tokens - b.tokens, b.tokens - a.tokens
    explained = _explain_joins(a, b, diff_a, diff_b) if diff_a and diff_b else None
    return (set(diff_a), set(diff_b)) if explained is None else explained


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


def match(a: LineFeatures, b: LineFeatures, threshold: float) -> float | None:
    """`compare(a, b).similarity` when no rule vetoes the merge and it reaches
    `threshold` (> 0), else None: the same verdict, without the work it does not need.
    To check one line against several, `Probe(a, threshold).first_match` is cheaper."""
    return Probe(a, threshold).match(b)


class Probe:
    """One line checked against several others (a sighting against its candidates' texts):
    `match` with what depends on this line alone computed once.

    Every check only rejects, so the cheapest come first: the figures and negations, the
    shared tokens, then the similarity, and the place and substitution vetoes only for a
    pair similar enough to merge. Joins (`_unexplained`) can only raise the similarity and
    are looked for only when a token of one line can be a piece of a word of the other.
    """

    __slots__ = ("features", "threshold")

    def __init__(self, features: LineFeatures, threshold: float) -> None:
        self.features = features
        self.threshold = threshold

    def first_match(self, texts: Iterable[LineFeatures]) -> float | None:
        """`match` of the first of `texts` that matches, if any (one loop: this is the
        hot path of ticker dedup)."""
        a, threshold = self.features, self.threshold
        if threshold <= 0.0:  # outside the fast path's assumptions; never the case in dedup
            return next((found for b in texts if (found := _slow_match(a, b, threshold)) is not None), None)
        if _compiled:
            return _nearpath.first_match(a, texts, threshold)
        return self._first_match(texts)

    def _first_match(self, texts: Iterable[LineFeatures]) -> float | None:
        """`first_match` in Python: the reference of the compiled one."""
        a, threshold = self.features, self.threshold
        ta, negations, numbers = a.tokens, a.negations, a.numbers
        n_a = len(ta)
        for b in texts:
            # the figures and negations first (they reject most pairs); identity is the
            # cheap common case of equality (the empty ones are shared singletons)
            if b.negations is not negations and b.negations != negations:
                continue
            numbers_b = b.numbers
            if numbers_b != numbers and numbers and numbers_b and _both_have_extra(numbers, numbers_b):
                continue
            tb = b.tokens
            common = len(ta & tb)
            if not common:  # similarity 0.0
                continue
            n_b = len(tb)
            if common in (n_a, n_b):
                # one side's tokens are all in the other: no join (it takes a word on each
                # side) and no place or substitution veto (they take words on both sides),
                # so the similarity is the token Jaccard and the pair matches if it is
                # high enough
                similarity = common / (n_a + n_b - common)
                if similarity >= threshold:
                    return similarity
                continue
            only_a: AbstractSet[str] = ta - tb
            only_b: AbstractSet[str] = tb - ta
            # a join needs a token of one side inside a long differing token of the other
            long_a, long_b = _joinable(only_a), _joinable(only_b)
            pieces_b = [t for t in only_b if t in long_a] if long_a else []
            pieces_a = [t for t in only_a if t in long_b] if long_b else []
            if pieces_a or pieces_b:
                only_a, only_b = _drop_all_joins(only_a, only_b, pieces_a, pieces_b)
                similarity = common / (common + len(only_a) + len(only_b))
            else:
                similarity = common / (n_a + n_b - common)
            if similarity >= threshold and not _vetoed(a, b, only_a, only_b):
                return similarity
        return None

    def first_stored(self, texts: StoredText) -> float | None:
        """`first_match` of an entry's remembered texts as the state keeps them (`stored`,
        concatenated)."""
        if self.threshold > 0.0 and _compiled:
            return _nearpath.first_stored(self.features, texts, self.threshold)
        return self.first_match(map(unstored, stored_texts(texts)))

    def match(self, b: LineFeatures) -> float | None:
        """`compare(self.features, b).similarity` when no rule vetoes the merge and it
        reaches the threshold, else None."""
        return self.first_match((b,))


def _slow_match(a: LineFeatures, b: LineFeatures, threshold: float) -> float | None:
    verdict = compare(a, b)
    return verdict.similarity if verdict.veto is None and verdict.similarity >= threshold else None


def _vetoed(a: LineFeatures, b: LineFeatures, only_a: AbstractSet[str], only_b: AbstractSet[str]) -> bool:
    """True when the place or the substitution rule vetoes a pair with these differences."""
    rest_a, rest_b = only_a - _BENIGN, only_b - _BENIGN
    if not (rest_a and rest_b):  # words only added or dropped: a rewording
        return False
    return not (rest_a.isdisjoint(a.places) and rest_b.isdisjoint(b.places)) or _substituted(rest_a, rest_b)


def _substituted(rest_a: AbstractSet[str], rest_b: AbstractSet[str]) -> bool:
    """True when `_pair_inflections` would leave words on both sides.

    That needs every word of the smaller side paired: one of them without any word of
    the other side close enough settles it without the best-first pairing.
    """
    small, large = (rest_a, rest_b) if len(rest_a) <= len(rest_b) else (rest_b, rest_a)
    for x in small:
        if not any(_dice(x, y) >= _MORPH_DICE for y in large):
            return True
    left_a, left_b = set(rest_a), set(rest_b)
    _pair_inflections(left_a, left_b)
    return bool(left_a and left_b)


def _pair_inflections(rest_a: set[str], rest_b: set[str]) -> None:
    """Remove pairs of words that are inflections or spellings of one word (in place).

    `تعتقل`/`اعتقلت` or `مقاتلين`/`مقاتلون` share most character bigrams; two different
    actors or objects do not. Pairs are taken best-first, each word at most once.
    """
    scored = sorted(
        (t for x in rest_a for y in rest_b if (t := (_dice(x, y), x, y))[0] >= _MORPH_DICE),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    for _, x, y in scored:
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


_compiled = False  # the near path runs on `_nearpath` (see `use_compiled`)


def use_compiled(enabled: bool = True) -> bool:
    """Run the near path on the compiled kernel (the default, when it was built) or on the
    Python reference; return whether the compiled one is in use. Decisions are the same
    either way (tests run both); only the speed differs."""
    global _compiled  # noqa: PLW0603 - one switch for the module's hot functions
    _compiled = False
    line_features.cache_clear()
    if not (enabled and _BUILT):
        return False
    _nearpath.configure(
        benign=_BENIGN,
        fillers=_FILLERS,
        morph_dice=_MORPH_DICE,
        min_join=_MIN_JOIN,
        kinds=(_NUMBER, _NEGATED, _MARKER, _TOKEN, _CONJOINED),
        features_type=LineFeatures,
        no_words=_NO_WORDS,
        squash_delete=_SQUASH_DELETE,
        chunks_max=_ChunkCache.max_size,
        stop=_STOP,
        negation=_NEGATION,
        place_markers=_PLACE_MARKERS,
        article_prefixes=_ARTICLE_PREFIXES,
        min_stem=_MIN_STEM,
        number_words=_NUMBER_WORDS,
        to_space=_TO_SPACE,
        is_join=_is_join,
        dice=_dice,
        pair_inflections=_pair_inflections,
        slow_match=_slow_match,
        unstored=unstored,
    )
    _compiled = True
    return True


def compiled() -> bool:
    """True when the near path runs on the compiled kernel."""
    return _compiled


use_compiled()

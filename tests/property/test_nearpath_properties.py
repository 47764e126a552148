"""Properties: the compiled near path and the Python reference agree on any input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies_dedup import sighting_lists
from tests.unit.test_nearpath import kernel, python_reference
from workers.core.dedup import line_match, ticker
from workers.core.dedup.line_match import Probe
from workers.core.dedup.ticker import DEFAULT_CONFIG, DedupConfig, DedupState, TickerSighting, decide
from workers.core.normalize import normalize_for_matching

# Words that reach every rule: stop words, benign words, place markers, directions,
# negations, number words, digits, clitics, spacing variants, and random letter strings
# (which make accidental substrings, joins and inflections).
_VOCABULARY = (  # noqa: SIM905 - a line of text reads better than a list of 60 words
    "من في على الى ان قد عشرات مئات بلدة قرية مدينة حي ريف جنوب شرق غرب شمال لا لم تنفي "
    "ثلاثة سبعة عشرين 12 65 1,125 والفطيرة والقرى الموزرة دير الزور ديرالزور بالزور "
    "قسد تعتقل اعتقلت يعتقل شبان الشبان مقاتلين مقاتلون قوات النظام تقصف قصف ادلب الرقة "
    "انفجار بانفجار المنصور المنصورة كنصفرة الرويحة"
).split()
_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهويء"

words = st.one_of(
    st.sampled_from(_VOCABULARY),
    st.text(alphabet=_LETTERS, min_size=1, max_size=9),
    st.builds(lambda w: "ال" + w, st.text(alphabet=_LETTERS, min_size=2, max_size=6)),
    st.builds(lambda w: "و" + w, st.sampled_from(_VOCABULARY)),
)
punctuation = st.sampled_from(("", "", "", '"', "(", ")", "-", ".", "،", ":"))
lines = st.lists(st.tuples(punctuation, words, punctuation), min_size=0, max_size=18).map(
    lambda parts: normalize_for_matching(" ".join(f"{p}{w}{q}" for p, w, q in parts))
)


@given(lines)
def test_chunk_words_agree(line: str) -> None:
    """Each chunk's words (kinds and content forms) as the reference's cache computes them
    (the kernel keeps its own cache)."""
    for chunk in line.split():
        assert kernel().chunk_info(chunk) == line_match._ChunkCache()[chunk]


@given(lines)
def test_line_features_agree(line: str) -> None:
    """The compiled features are the reference's, field by field."""
    assert kernel().line_features(line) == line_match._line_features(line)


@settings(max_examples=400)
@given(lines, st.lists(lines, min_size=1, max_size=4), st.sampled_from((0.05, 0.2, 0.4, 0.6, 1.0)))
def test_first_match_agrees(line: str, others: list[str], threshold: float) -> None:
    """The same similarity (or None) for a line against any texts, at any threshold."""
    a = line_match._line_features(line)
    texts = tuple(line_match._line_features(other) for other in others)
    assert kernel().first_match(a, texts, threshold) == Probe(a, threshold)._first_match(texts)


@st.composite
def reworded(draw: st.DrawFn) -> tuple[str, str]:
    """A line and a reworded copy: words dropped, added, joined or replaced."""
    parts = draw(st.lists(words, min_size=2, max_size=14))
    other = list(parts)
    for _ in range(draw(st.integers(0, 3))):
        action = draw(st.sampled_from(("drop", "add", "join", "replace")))
        i = draw(st.integers(0, max(0, len(other) - 1)))
        if action == "drop" and len(other) > 1:
            del other[i]
        elif action == "add":
            other.insert(i, draw(words))
        elif action == "join" and i + 1 < len(other):
            other[i : i + 2] = [other[i] + other[i + 1]]
        elif action == "replace" and other:
            other[i] = draw(words)
    return normalize_for_matching(" ".join(parts)), normalize_for_matching(" ".join(other))


@settings(max_examples=400)
@given(reworded(), st.sampled_from((0.2, 0.4, 0.6)))
def test_first_match_agrees_on_rewordings(pair: tuple[str, str], threshold: float) -> None:
    """Close pairs (where joins, inflections and vetoes decide) agree too."""
    a, b = (line_match._line_features(x) for x in pair)
    for x, y in ((a, b), (b, a)):
        assert kernel().first_match(x, (y,), threshold) == Probe(x, threshold)._first_match((y,))


def _decide_all(items: list[TickerSighting], config: DedupConfig = DEFAULT_CONFIG) -> tuple[list[object], list[object]]:
    state = DedupState()
    decisions = []
    for item in items:
        index = state.view(item.scope)
        decisions.append(index.candidates(line_match.line_features(item.normalized), config))
        decision, change = decide(item, state, config)
        decisions.append(decision)
        state.apply(change)
    return decisions, list(state.records())


@given(sighting_lists)
def test_decide_agrees(items: list[TickerSighting]) -> None:
    """Candidate lookup and the candidate loop: the same decisions and table records."""
    compiled = _decide_all(items)
    with python_reference():
        reference = _decide_all(items)
    assert compiled == reference


@given(sighting_lists, st.sampled_from((1, 2, 3, 4, 12)))
def test_bounded_lookup_agrees(items: list[TickerSighting], budget: int) -> None:
    """With a postings budget the generated streams exceed (lists looked up rather than
    walked, lines left without candidates): the same candidates, decisions and records,
    and the same postings visited."""
    config = DedupConfig(max_postings=budget)
    before = ticker.postings_visited()
    compiled = _decide_all(items, config)
    visited = ticker.postings_visited() - before
    with python_reference():
        before = ticker.postings_visited()
        reference = _decide_all(items, config)
        assert ticker.postings_visited() - before == visited
    assert compiled == reference

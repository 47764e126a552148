"""The compiled near path (`workers/core/dedup/_nearpath.pyx`) gives the verdicts of the Python
reference in `fingerprint`/`dedup`: the same features, similarities, candidates and
decisions, on the labelled lines, on every pair of them and on a stream of pages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from workers.core.dedup import line_match
from workers.core.dedup.line_match import LineFeatures, Probe, line_features
from workers.core.dedup.ticker import DEFAULT_CONFIG, DedupConfig, DedupState, TickerSighting, decide
from workers.core.normalize import normalize_for_matching

PAIRS = Path(__file__).resolve().parent.parent / "fixtures" / "dedup_pairs.jsonl"
T0 = datetime(2020, 6, 29, 12, tzinfo=UTC)


@contextmanager
def python_reference() -> Iterator[None]:
    """Run the block on the pure-Python reference, then switch the kernel back on."""
    line_match.use_compiled(False)
    try:
        yield
    finally:
        line_match.use_compiled(True)


def kernel() -> ModuleType:
    """The compiled module (the tests below need it; `test_kernel_is_built` says why)."""
    assert line_match.compiled()
    return line_match._nearpath


@pytest.fixture(scope="module")
def lines() -> list[str]:
    """Every distinct normalized line of the labelled pairs."""
    pairs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return sorted({normalize_for_matching(p[k]) for p in pairs for k in ("a", "b")})


def test_kernel_is_built() -> None:
    """`make` builds the kernel (hatch_build.py); without it dedup still decides the same,
    but several times slower (docs/benchmarks.md), so a broken build must not go unnoticed."""
    assert line_match.use_compiled(True), (
        "workers/core/dedup/_nearpath.pyx was not compiled: reinstall with a C compiler"
    )
    assert line_match.compiled()


def test_switching_off_runs_the_reference() -> None:
    """`use_compiled(False)` really takes the kernel out of the hot path."""
    with python_reference():
        assert not line_match.compiled()
        assert not line_match._compiled
    assert line_match.compiled()


def test_chunk_words_are_the_same(lines: list[str]) -> None:
    """The words of every chunk of the labelled lines, computed by each side from scratch."""
    chunks = {chunk for line in lines for chunk in line.split()}
    line_match.clear_caches()
    compiled = {chunk: kernel().chunk_info(chunk) for chunk in chunks}
    assert compiled == {chunk: line_match._ChunkCache()[chunk] for chunk in chunks}
    assert any(kind == line_match._CONJOINED for info in compiled.values() for kind, _ in info)


def test_line_features_are_the_same(lines: list[str]) -> None:
    """Features of every labelled line, field by field (frozensets, sorted numbers, key)."""
    for line in lines:
        assert kernel().line_features(line) == line_match._line_features(line), line


def _all_features(lines: list[str]) -> list[LineFeatures]:
    return [line_match._line_features(line) for line in lines]


@pytest.mark.parametrize("threshold", [0.2, 0.4, 0.65, 0.9])
def test_first_match_on_every_pair(lines: list[str], threshold: float) -> None:
    """Every ordered pair of labelled lines: the same similarity (as a float) or None."""
    features = _all_features(lines)
    matched = 0
    for a in features:
        probe = Probe(a, threshold)
        for b in features:
            expected = probe._first_match((b,))
            assert kernel().first_match(a, (b,), threshold) == expected, (a.tokens, b.tokens)
            matched += expected is not None
    assert matched > len(features)  # more than the identical pairs: real merges were compared


def test_first_match_takes_the_first_matching_text(lines: list[str]) -> None:
    """With several texts (an entry and its aliases) the first one that matches wins."""
    features = _all_features(lines)
    for i, a in enumerate(features):
        texts = tuple(features[(i + k) % len(features)] for k in (1, 2, 3, 0, 5))
        probe = Probe(a, 0.4)
        assert kernel().first_match(a, texts, 0.4) == probe._first_match(texts)


def _stream(lines: list[str]) -> list[TickerSighting]:
    """Pages of a ticker strip over the labelled lines: the latest 10, 1-3 new per page,
    every fifth page on another site."""
    out = []
    end = page = 0
    while end < len(lines):
        end = min(len(lines), end + 1 + page % 3)
        site = "other.example" if page % 5 == 4 else "smartnews-agency.com"
        for line in reversed(lines[max(0, end - 10) : end]):
            out.append(TickerSighting(site, line, line, T0 + timedelta(minutes=7 * page), f"https://x/{page}"))
        page += 1
    return out


def _run(stream: list[TickerSighting], config: DedupConfig) -> tuple[list[Any], list[Any]]:
    state = DedupState()
    decisions, candidates = [], []
    for sighting in stream:
        index = state.view(sighting.scope)
        candidates.append(index.candidates(line_features(sighting.normalized), config))
        decision, change = decide(sighting, state, config)
        decisions.append(decision)
        state.apply(change)
    return decisions, [*candidates, list(state.records())]


@pytest.mark.parametrize("config", [DEFAULT_CONFIG, DedupConfig(threshold=0.25, max_candidates=3, probe_share=0.4)])
def test_decide_on_a_stream_is_the_same(lines: list[str], config: DedupConfig) -> None:
    """Candidates at every step, every decision and the final table records."""
    # shuffled deterministically so that rewordings arrive between other items
    shuffled = sorted(lines, key=lambda line: (len(line) * 7919) % 101)
    stream = _stream(shuffled)
    compiled = _run(stream, config)
    with python_reference():
        reference = _run(stream, config)
    assert compiled == reference
    kinds = {type(d).__name__ for d in compiled[0]}
    assert kinds == {"New", "Duplicate"}  # both outcomes were exercised


_LETTERS = "بتثجحخدذرزسشصضطظعغفقكمنهي"


def _word(i: int, suffix: str) -> str:
    """A distinct content word of letters only (digits would make it a number)."""
    return "".join(_LETTERS[(i // len(_LETTERS) ** k) % len(_LETTERS)] for k in range(3)) + suffix


def test_very_long_words_and_lines_fall_back() -> None:
    """Words over 64 letters and lines with over 64 differing tokens take the reference's
    own code inside the kernel, with the same verdict."""
    long_x = "س" * 30 + "ر" * 40
    cases = [
        # a 71-letter join (ب + a 70-letter token of the other side): a match, via `_is_join`
        (f"قصف ب{long_x} جنوب ادلب", f"قصف {long_x} جنوب ادلب"),
        # two different 70-letter words: the substitution rule's Dice, via `_dice`
        (f"قوات {long_x} تقصف المدينه", f"قوات {'ع' * 70} تقصف المدينه"),
        # 80 and 70 tokens, 60 shared: over 64 differing tokens on a side
        (
            " ".join(_word(i, "ل") for i in range(80)),
            " ".join(_word(i, "ل") for i in range(60)) + " " + " ".join(_word(i, "ن") for i in range(70)),
        ),
    ]
    for text_a, text_b in cases:
        a, b = line_features(text_a), line_features(text_b)
        for x, y in ((a, b), (b, a)):
            for threshold in (0.1, 0.4):
                assert kernel().first_match(x, (y,), threshold) == Probe(x, threshold)._first_match((y,))
    assert len(line_features(cases[2][1]).tokens - line_features(cases[2][0]).tokens) > 64
    assert kernel().first_match(line_features(cases[0][0]), (line_features(cases[0][1]),), 0.4) == 1.0


def test_inflection_pairing_at_exactly_the_dice_threshold() -> None:
    """Two words whose bigram Dice is exactly 0.6 (3 of 5 bigrams shared) pair as
    inflections of one word, in both implementations: no substitution veto."""
    a = line_features("قوات النظام قسدتعل في ريف الرقة الشمالي")
    b = line_features("قوات النظام قسدتمن في ريف الرقة الشمالي")
    assert line_match._dice("قسدتعل", "قسدتمن") == 0.6
    expected = Probe(a, 0.4)._first_match((b,))
    assert expected is not None
    assert kernel().first_match(a, (b,), 0.4) == expected


def test_chunk_cache_empties_when_full_and_stays_right() -> None:
    """The kernel's chunk cache holds at most `_ChunkCache.max_size` chunks; past that it
    starts over, and what it returns is still the reference's words."""
    limit = line_match._ChunkCache.max_size
    chunks = [f"{_word(i, 'ل')}و{_word(i // 7, 'ن')}" for i in range(limit + 500)]
    probe = "والفطيرة"
    first = kernel().chunk_info(probe)
    for chunk in chunks:
        kernel().chunk_info(chunk)
    assert kernel().chunk_info(probe) == first == line_match._ChunkCache()[probe]
    for chunk in chunks[-3:] + chunks[:3]:
        assert kernel().chunk_info(chunk) == line_match._ChunkCache()[chunk]
    line_match.clear_caches()
    assert line_features("قصف والفطيرة") == line_match._line_features("قصف والفطيرة")


def test_candidates_for_a_line_of_many_tokens() -> None:
    """A 100-token line probes 70 tokens (more than the kernel's stack arrays hold): the
    same candidates as the reference."""
    state = DedupState()
    texts = [" ".join(_word(i + k, "ل") for i in range(100)) for k in range(0, 30, 3)]
    for n, text in enumerate(texts):
        state.apply(decide(TickerSighting("s", text, text, T0 + timedelta(minutes=n)), state)[1])
    index = state.view("s")
    query = line_features(" ".join(_word(i, "ل") for i in range(1, 101)))
    unbounded = DedupConfig(max_postings=10_000)  # every probed list walked
    for config in (unbounded, DEFAULT_CONFIG):  # and within the default budget
        compiled = index.candidates(query, config)
        with python_reference():
            assert index.candidates(query, config) == compiled
    assert len(index.candidates(query, unbounded)) == DEFAULT_CONFIG.max_candidates


def test_first_stored_is_first_match(lines: list[str]) -> None:
    """Texts as the state keeps them (`line_match.stored`, concatenated per entry) get the
    verdicts of their `LineFeatures`, on the kernel and on the reference."""
    features = _all_features(lines)
    for i, a in enumerate(features):
        texts = tuple(features[(i + k) % len(features)] for k in (1, 2, 3, 0, 5))
        flat = tuple(x for b in texts for x in line_match.stored(b))
        probe = Probe(a, 0.4)
        expected = probe._first_match(texts)
        assert kernel().first_stored(a, flat, 0.4) == expected
        assert probe.first_stored(flat) == expected
        with python_reference():
            assert Probe(a, 0.4).first_stored(flat) == expected
        for b in texts[:2]:
            assert kernel().first_stored(a, line_match.stored(b), 0.4) == probe._first_match((b,))


def test_stored_lines_of_many_tokens_fall_back() -> None:
    """A remembered text of over 64 tokens, after another in the same entry, is verified
    by the reference's own code inside the kernel, with the same verdict."""
    a = line_features(" ".join(_word(i, "ل") for i in range(80)))
    b = line_features(" ".join(_word(i, "ل") for i in range(60)) + " " + " ".join(_word(i, "ن") for i in range(70)))
    other = line_features("قصف حلب")
    for x, y in ((a, b), (b, a)):
        flat = line_match.stored(other) + line_match.stored(y)
        for threshold in (0.1, 0.4):
            assert kernel().first_stored(x, flat, threshold) == Probe(x, threshold)._first_match((other, y))

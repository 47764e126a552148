"""Ticker dedup benchmark: µs per line on the exact and the near path, bytes per remembered
item, and datasketch's MinHashLSH on the same lines in the same run.

Run: `.venv/bin/python -m benchmarks.bench_dedup [--repeat N] [--ours-only]` (not a test: it
prints). Every timing is the median of N rounds (default 7): the benchmark machine is shared.
A round times raqib on its compiled kernel, raqib on the pure-Python reference (the same
decisions, `line_match.use_compiled(False)`) and datasketch, back to back; a speed-up is the
median of the per-round ratios, so a slow spell of the machine hits both of its sides.
Caches are emptied before each round, so every round starts cold.

Lines: every distinct line of tests/fixtures/dedup_pairs.jsonl (the seeds, their
rewordings and hard negatives), normalized once up front, as the parser hands them over.

* near path, worst case: a fresh state per round; each line goes through `decide` (no exact
  hit, so candidate lookup + verification) and the change is applied. The lines are
  variants of the same 20 events, so most have several close candidates (up to
  `max_candidates`), each with its remembered rewordings. Reported: decide alone, and
  decide + apply (what datasketch's query + insert is compared with); then, timed apart in
  a pass of their own, the three phases of decide's near path (`line_features`,
  `ScopeIndex.candidates`, `Probe.first_match` over the candidates' texts) with the
  candidates and texts verified per line.
* exact path: the same lines again against the filled state (every line an exact hit).
* realistic mix: a ticker strip as sites serve it, fetched page after page: each page shows
  the latest `PAGE_ITEMS` items, one to three of them new since the previous page, so most
  sightings are exact repeats and the rest are first sightings (new events, rewordings and
  hard negatives, in a seeded random order). Reported: µs per sighting over the whole
  stream (decide + apply), and the share that took the near path.
* bytes per item: the Faust table record (key + orjson value) per remembered event; and the
  Python heap of the in-memory index per event (tracemalloc).
* datasketch: MinHash (128 permutations, generated once and shared, as the library allows
  with `permutations=`: generating them costs ~150 µs per MinHash and no user would pay that
  per line) of each line's token set, query then insert in a MinHashLSH; P/R/F1 on the
  labeled pairs at each threshold. Timed at raqib's threshold (threshold-matched) and at
  its own best-F1 threshold, on the worst case and on the realistic mix (there with the same
  exact-key dict in front, as anyone would put it). Same lines, same process, same run.
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from eval_dedup import (  # noqa: E402
    Pair,
    Score,
    choose_threshold,
    load_pairs,
    predict,
    score,
)

from workers.core.dedup import line_match  # noqa: E402
from workers.core.dedup.line_match import Probe, exact_key, line_features  # noqa: E402
from workers.core.dedup.ticker import (  # noqa: E402
    DEFAULT_CONFIG,
    DedupState,
    TickerSighting,
    decide,
)
from workers.core.normalize import normalize_for_matching, tokenize  # noqa: E402

T0 = datetime(2020, 6, 29, 12, tzinfo=UTC)
NUM_PERM = 128
PAGE_ITEMS = 10  # items a ticker page shows
PAGE_EVERY = timedelta(minutes=5)


def _sightings(lines: list[str]) -> list[TickerSighting]:
    return [
        TickerSighting(
            scope="smartnews-agency.com",
            text=line,
            normalized=normalize_for_matching(line),
            seen_at=T0 + timedelta(seconds=i),
            url=f"https://smartnews-agency.com/ar/{i}",
        )
        for i, line in enumerate(lines)
    ]


def realistic_stream(lines: list[str], seed: int = 0) -> list[TickerSighting]:
    """Pages of a ticker strip: the latest `PAGE_ITEMS` items, 1-3 new ones per page."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible shuffle, not cryptography
    order = list(lines)
    rng.shuffle(order)
    normalized = {line: normalize_for_matching(line) for line in order}
    out: list[TickerSighting] = []
    end, page = 0, 0
    while end < len(order):
        end = min(len(order), end + rng.randint(1, 3))
        seen_at = T0 + page * PAGE_EVERY
        url = f"https://smartnews-agency.com/ar/breaking?page={page}"
        for line in reversed(order[max(0, end - PAGE_ITEMS) : end]):  # newest first
            out.append(TickerSighting("smartnews-agency.com", line, normalized[line], seen_at, url))
        page += 1
    return out


def _clear_caches() -> None:
    line_match.clear_caches()  # a benchmark measures cold caches


def _median_us(runs: list[float]) -> float:
    return statistics.median(runs) * 1e6


def round_ours(sightings: list[TickerSighting]) -> dict[str, float]:
    """One round (cold caches, fresh state): µs/line of the near path (decide, decide +
    apply) and then of the exact path over the same lines."""
    _clear_caches()
    state = DedupState()
    decide_total = 0.0
    start = time.perf_counter()
    for s in sightings:
        t = time.perf_counter()
        _, change = decide(s, state)
        decide_total += time.perf_counter() - t
        state.apply(change)
    near_apply = time.perf_counter() - start
    start = time.perf_counter()
    for s in sightings:
        decide(s, state)
    exact = time.perf_counter() - start
    n = len(sightings)
    return {"near_us": decide_total / n * 1e6, "near_apply_us": near_apply / n * 1e6, "exact_us": exact / n * 1e6}


def memory_ours(sightings: list[TickerSighting]) -> dict[str, float]:
    """Bytes per remembered event: as Faust table records (key + orjson value), and as the
    Python heap of the in-memory index rebuilt from them (tracemalloc)."""
    state = DedupState()
    for s in sightings:
        state.apply(decide(s, state)[1])
    records = list(state.records())
    table_bytes = sum(len(k.encode()) + len(orjson.dumps(v)) for k, v in records)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    rebuilt = DedupState.from_records(records)
    heap = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return {
        "items": len(rebuilt),
        "table_bytes_per_item": table_bytes / len(records),
        "heap_bytes_per_item": heap / len(records),
    }


def bench_phases(lines: list[str], repeat: int) -> dict[str, float]:
    """Where the near path's time goes, worst case: µs/line of `line_features`,
    `ScopeIndex.candidates` and the verification (`Probe.first_match` over the candidates'
    texts), timed apart in a pass of their own over the same lines (cold caches per round);
    candidates and texts verified per line."""
    sightings = _sightings(lines)
    threshold = DEFAULT_CONFIG.threshold
    features_runs, candidates_runs, verify_runs = [], [], []
    n_candidates = n_texts = 0
    for _ in range(repeat):
        _clear_caches()
        state = DedupState()
        t_features = t_candidates = t_verify = 0.0
        n_candidates = n_texts = 0
        for s in sightings:
            start = time.perf_counter()
            features = line_features(s.normalized)
            t1 = time.perf_counter()
            index = state.view(s.scope)
            candidates = index.candidates(features, DEFAULT_CONFIG)
            t2 = time.perf_counter()
            first_match = Probe(features, threshold).first_match
            texts = index.texts_features
            for event_id in candidates:
                first_match(texts[event_id])
            t3 = time.perf_counter()
            t_features += t1 - start
            t_candidates += t2 - t1
            t_verify += t3 - t2
            n_candidates += len(candidates)
            n_texts += sum(len(texts[e]) for e in candidates)
            state.apply(decide(s, state)[1])
        features_runs.append(t_features / len(sightings))
        candidates_runs.append(t_candidates / len(sightings))
        verify_runs.append(t_verify / len(sightings))
    return {
        "features_us": _median_us(features_runs),
        "candidates_us": _median_us(candidates_runs),
        "verify_us": _median_us(verify_runs),
        "candidates": n_candidates / len(sightings),
        "texts": n_texts / len(sightings),
    }


def _takes_near_path(stream: list[TickerSighting]) -> list[bool]:
    """Which sightings of `stream` miss the exact-key lookup (an untimed replay)."""
    state = DedupState()
    out = []
    for s in stream:
        out.append(state.view(s.scope).exact(exact_key(s.normalized)) is None)
        state.apply(decide(s, state)[1])
    return out


def round_ours_mix(stream: list[TickerSighting], near_path: list[bool]) -> dict[str, float]:
    """One round of the realistic mix (decide + apply): µs per sighting, and per sighting
    that took the near path (`near_path`, from `_takes_near_path`)."""
    _clear_caches()
    state = DedupState()
    near_total = 0.0
    start = time.perf_counter()
    for s, near in zip(stream, near_path, strict=True):
        t = time.perf_counter()
        state.apply(decide(s, state)[1])
        if near:
            near_total += time.perf_counter() - t
    total = time.perf_counter() - start
    return {"mix_us": total / len(stream) * 1e6, "mix_near_us": near_total / max(1, sum(near_path)) * 1e6}


def _token_set(line: str) -> set[bytes]:
    return {t.encode() for t in tokenize(line)}


def _minhash_factory() -> Callable[[list[bytes]], Any]:
    """MinHash of a token list, with the permutations generated once and shared (the same
    ones `MinHash(num_perm=NUM_PERM)` generates each time from its default seed)."""
    from datasketch import MinHash  # noqa: PLC0415 - optional, benchmark only

    template = MinHash(num_perm=NUM_PERM)
    permutations, scheme = template.permutations, template.scheme

    def minhash(tokens: list[bytes]) -> Any:
        m = MinHash(num_perm=NUM_PERM, permutations=permutations, scheme=scheme)
        m.update_batch(tokens)
        return m

    return minhash


def datasketch_predict(pairs: list[Pair], threshold: float) -> list[bool]:
    """Pairwise MinHashLSH predictions: a is inserted in an empty index, b queried."""
    from datasketch import MinHashLSH  # noqa: PLC0415 - optional, benchmark only

    minhash = _minhash_factory()
    sketches: dict[str, Any] = {}

    def sketch(line: str) -> Any:
        if line not in sketches:
            sketches[line] = minhash(list(_token_set(line)))
        return sketches[line]

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    out = []
    for pair in pairs:
        lsh.insert("a", sketch(pair.a))
        out.append(bool(lsh.query(sketch(pair.b))))
        lsh.remove("a")
    return out


def _lsh_dedup(minhash: Callable[[list[bytes]], Any], normalized: list[str], threshold: float) -> tuple[int, float]:
    """MinHash + query of each line, insert when nothing is found (datasketch's dedup of
    the worst-case lines): (lines kept, seconds spent inserting)."""
    from datasketch import MinHashLSH  # noqa: PLC0415 - optional, benchmark only

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    kept = 0
    inserting = 0.0
    for i, text in enumerate(normalized):
        m = minhash([t.encode() for t in tokenize(text, normalized=True)])
        if not lsh.query(m):
            t = time.perf_counter()
            lsh.insert(str(i), m)
            inserting += time.perf_counter() - t
            kept += 1
    return kept, inserting


def round_datasketch(
    minhash: Callable[[list[bytes]], Any], normalized: list[str], stream: list[TickerSighting], threshold: float
) -> dict[str, float]:
    """One round: µs/line of MinHash + query + insert on the worst-case lines (and of
    MinHash + query alone, what raqib's decide is compared with), and µs/sighting on the
    realistic mix (behind an exact-key dict there, as anyone would put it)."""
    from datasketch import MinHashLSH  # noqa: PLC0415 - optional, benchmark only

    start = time.perf_counter()
    _, inserting = _lsh_dedup(minhash, normalized, threshold)
    worst = time.perf_counter() - start
    start = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    seen: dict[bytes, str] = {}
    for i, s in enumerate(stream):
        key = exact_key(s.normalized)
        if key in seen:
            continue
        m = minhash([t.encode() for t in tokenize(s.normalized, normalized=True)])
        found = lsh.query(m)
        if found:
            seen[key] = found[0]
        else:
            seen[key] = str(i)
            lsh.insert(str(i), m)
    mix = time.perf_counter() - start
    n = len(normalized)
    return {"us": worst / n * 1e6, "query_us": (worst - inserting) / n * 1e6, "mix_us": mix / len(stream) * 1e6}


def memory_datasketch(minhash: Callable[[list[bytes]], Any], normalized: list[str], threshold: float) -> float:
    """Heap bytes per kept line of the MinHashLSH dedup of the worst-case lines."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept, _ = _lsh_dedup(minhash, normalized, threshold)
    heap = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return heap / max(1, kept)


def _fmt(s: Score) -> str:
    return f"P {s.precision:.3f} R {s.recall:.3f} F1 {s.f1:.3f} (FP {s.fp}, FN {s.fn})"


def _median(rounds: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in rounds)


def _ratio(rounds: list[dict[str, float]], theirs: str, ours: str) -> float:
    """Median over rounds of a per-round ratio: both sides of a ratio ran back to back."""
    return statistics.median(r[theirs] / r[ours] for r in rounds)


def _round(
    sightings: list[TickerSighting],
    stream: list[TickerSighting],
    near_path: list[bool],
    datasketch: tuple[Callable[[list[bytes]], Any], list[str], tuple[float, float]] | None,
) -> dict[str, float]:
    """One round of every timing: raqib compiled, raqib pure Python, then datasketch at both
    thresholds (when `datasketch`: its MinHash, the normalized lines, the thresholds), back
    to back so that a slow spell of the shared machine hits both sides of a ratio."""
    compiled = line_match.compiled()
    out: dict[str, float] = {}
    for label, enabled in (("", True), ("py_", False)):
        line_match.use_compiled(enabled)
        timings = {**round_ours(sightings), **round_ours_mix(stream, near_path)}
        out.update({label + k: v for k, v in timings.items()})
    line_match.use_compiled(compiled)
    if datasketch is not None:
        minhash, normalized, thresholds = datasketch
        for label, threshold in zip(("ds_", "dsbest_"), thresholds, strict=True):
            out.update({label + k: v for k, v in round_datasketch(minhash, normalized, stream, threshold).items()})
    return out


def main(argv: list[str]) -> int:
    """Run both and print the figures."""
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 7
    pairs = load_pairs()
    lines = sorted({p.a for p in pairs} | {p.b for p in pairs})
    stream = realistic_stream(lines)
    compiled = line_match.compiled()
    print(f"{len(lines)} distinct ticker lines from {len(pairs)} labeled pairs; median of {repeat} rounds")
    print(
        "near path on the compiled kernel (workers/core/dedup/_nearpath.pyx)"
        if compiled
        else "the compiled kernel is not built: every raqib figure is the pure-Python reference"
    )

    with_datasketch = "--ours-only" not in argv
    if with_datasketch:
        try:
            import datasketch  # noqa: F401, PLC0415
        except ImportError:
            print("datasketch not installed: `.venv/bin/pip install datasketch`")
            with_datasketch = False
    threshold = DEFAULT_CONFIG.threshold
    ds_scores: dict[float, Score] = {}
    ds_setup = None
    if with_datasketch:
        grid = tuple(round(0.05 * i, 2) for i in range(4, 20))
        ds_scores = {t: score(datasketch_predict(pairs, t), pairs) for t in grid}
        thresholds = (threshold, choose_threshold(ds_scores))
        ds_setup = (_minhash_factory(), [normalize_for_matching(line) for line in lines], thresholds)
    sightings = _sightings(lines)
    near_path = _takes_near_path(stream)
    rounds = [_round(sightings, stream, near_path, ds_setup) for _ in range(repeat)]
    memory = memory_ours(sightings)

    our_score = score(predict(pairs, threshold), pairs)
    print(f"raqib (threshold {threshold:.2f}): {_fmt(our_score)}")
    for label, name in (("", "compiled"), ("py_", "pure Python")):
        if label == "py_" and not compiled:
            continue
        print(f"  [{name}]")
        print(
            f"  near path, worst case: {_median(rounds, label + 'near_us'):7.1f} µs/line decide, "
            f"{_median(rounds, label + 'near_apply_us'):.1f} µs/line with apply"
        )
        print(f"  exact path           : {_median(rounds, label + 'exact_us'):7.1f} µs/line")
        print(
            f"  realistic mix        : {_median(rounds, label + 'mix_us'):7.1f} µs/sighting with apply over "
            f"{len(stream)} sightings ({PAGE_ITEMS} items a page); "
            f"{sum(near_path) / len(stream):.0%} took the near path, "
            f"at {_median(rounds, label + 'mix_near_us'):.1f} µs each"
        )
    if compiled:
        near, mix = _ratio(rounds, "py_near_us", "near_us"), _ratio(rounds, "py_mix_us", "mix_us")
        print(f"  compiled vs pure Python: near path {near:.1f}x, realistic mix {mix:.1f}x")
    phases = bench_phases(lines, repeat)
    print(
        f"  near path phases (timed apart): line_features {phases['features_us']:.1f}, candidates "
        f"{phases['candidates_us']:.1f} ({phases['candidates']:.1f} events), verification "
        f"{phases['verify_us']:.1f} ({phases['texts']:.1f} texts) µs/line"
    )
    print(
        f"  remembered: {memory['items']:.0f} events; {memory['table_bytes_per_item']:.0f} B/item "
        f"as table records, {memory['heap_bytes_per_item']:.0f} B/item in-memory index"
    )
    normalize_us = _time_normalize(lines)
    print(f"  (normalize_for_matching, done by the parser: {normalize_us:.1f} µs/line)")
    if ds_setup is not None:
        _print_datasketch(rounds, ds_scores, ds_setup)
    return 0


def _print_datasketch(
    rounds: list[dict[str, float]],
    ds_scores: dict[float, Score],
    ds_setup: tuple[Callable[[list[bytes]], Any], list[str], tuple[float, float]],
) -> None:
    """datasketch's figures and the speed-ups over it (per-round ratios)."""
    minhash, normalized, thresholds = ds_setup
    print(f"datasketch MinHashLSH, {NUM_PERM} perms (MinHash + query + insert):")
    for label, t in zip(("ds_", "dsbest_"), thresholds, strict=True):
        which = "raqib's threshold" if label == "ds_" else "its best-F1 threshold (P >= 0.99)"
        print(
            f"  at {which} {t:.2f}: {_fmt(ds_scores[t])}; worst case {_median(rounds, label + 'us'):.1f} "
            f"µs/line ({_median(rounds, label + 'query_us'):.1f} MinHash + query), "
            f"realistic mix {_median(rounds, label + 'mix_us'):.1f} µs/sighting, "
            f"{memory_datasketch(minhash, normalized, t):.0f} B/item in memory"
        )
    print("speed-up vs datasketch (median of per-round ratios; threshold-matched / its best-F1 threshold):")
    print(
        f"  worst case, decide vs MinHash + query: {_ratio(rounds, 'ds_query_us', 'near_us'):.1f}x / "
        f"{_ratio(rounds, 'dsbest_query_us', 'near_us'):.1f}x"
    )
    print(
        f"  worst case, decide + apply vs MinHash + query + insert: {_ratio(rounds, 'ds_us', 'near_apply_us'):.1f}x / "
        f"{_ratio(rounds, 'dsbest_us', 'near_apply_us'):.1f}x"
    )
    print(
        f"  realistic mix (with apply / with insert): {_ratio(rounds, 'ds_mix_us', 'mix_us'):.1f}x / "
        f"{_ratio(rounds, 'dsbest_mix_us', 'mix_us'):.1f}x"
    )


def _time_normalize(lines: list[str]) -> float:
    start = time.perf_counter()
    for line in lines:
        normalize_for_matching(line)
    return (time.perf_counter() - start) / len(lines) * 1e6


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Ticker dedup benchmark: µs per line on the exact and the near path, bytes per remembered
item, and datasketch's MinHashLSH on the same lines in the same run.

Run: `.venv/bin/python -m benchmarks.bench_dedup [--repeat N] [--ours-only] [--state-only]
[--rss-only] [--rss-1m]` (not a test: it prints). Every timing is the median of N rounds (default 7): the benchmark
machine is shared. A round times raqib on its compiled kernel, raqib on the pure-Python reference (the same
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
* state size (`--state-only` runs this part alone; issue 14): templated strips (a template,
  a place from the site's pool, a number, a direction, a city; `Templated`). A realistic
  state of 1,000 and of 100,000 stored items over 200 sites (Zipf sizes, the same shape at
  both), then pages of the sites' strips, each shifting its strip by 1-2 items (one in six
  a rewording of an item on it): µs per sighting of decide + apply, per near-path sighting,
  postings visited per near-path line (`ticker.postings_visited`), and the ratios. The
  hostile probe: one scope of 1,000-20,000 templated items, ms per page of 10 new items;
  one page of a 5,000-item ticker into an empty scope; and the heap bytes per item of a
  100,000-item state (tracemalloc), with what part of the index holds them.
* RSS (`--rss-only` runs this part alone): a process of its own builds the same realistic
  state of 100,000 items (and of 1,000,000 with `--rss-1m`: about a minute and, before
  the compact index, 3 GB) and reads its VmRSS before and after, caches emptied and freed
  memory trimmed; bytes per item, and 1,000,000 items at the 100,000-item rate.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import random
import statistics
import subprocess
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

from workers.core.dedup import line_match, ticker  # noqa: E402
from workers.core.dedup.line_match import Probe, exact_key, line_features, stored_texts  # noqa: E402
from workers.core.dedup.ticker import (  # noqa: E402
    DEFAULT_CONFIG,
    DedupState,
    StateChange,
    TickerEntry,
    TickerSighting,
    decide,
    ticker_event_id,
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
            first_match = Probe(features, threshold).first_stored
            texts = index.stored_texts
            for event_id in candidates:
                first_match(texts[event_id])
            t3 = time.perf_counter()
            t_features += t1 - start
            t_candidates += t2 - t1
            t_verify += t3 - t2
            n_candidates += len(candidates)
            n_texts += sum(len(list(stored_texts(texts[e]))) for e in candidates)
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


def _one_part(argv: list[str], repeat: int) -> bool:
    """Run the one part of the benchmark `argv` asks for, if any (True when it did)."""
    if "--rss-child" in argv:
        rss_child(int(argv[argv.index("--rss-child") + 1]))
    elif "--rss-only" in argv:
        print_rss((100_000, 1_000_000) if "--rss-1m" in argv else (100_000,))
    elif "--state-only" in argv:
        print_state_size(repeat)
    else:
        return False
    return True


def main(argv: list[str]) -> int:
    """Run both and print the figures."""
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 7
    if _one_part(argv, repeat):
        return 0
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
    print_state_size(repeat)
    return 0


def print_state_size(repeat: int) -> None:
    """The cost against the size of the state: realistic state at 1k and 100k items, one
    scope of 1k-20k items, one 5,000-item page, memory per item at 100k."""
    small, large = 1_000, 100_000
    kernel = "compiled kernel" if line_match.compiled() else "pure Python"
    print(f"state size ({kernel}; {SITES} sites, Zipf sizes, templated strips, {PAGE_ITEMS} items a page):")
    figures = bench_state_size((small, large), repeat)
    for total, f in figures.items():
        print(
            f"  {total:>7,} stored: {f['us']:5.1f} µs/sighting decide + apply over {f['sightings']:,.0f} sightings; "
            f"{f['near_share']:.0%} near path at {f['near_us']:.1f} µs each, "
            f"{f['postings']:.1f} postings visited per near-path line (most {f['most_postings']:.0f}); "
            f"median of {f['rounds']:.0f} rounds"
        )
    print(
        f"  {large:,} vs {small:,}: {figures[large]['us'] / figures[small]['us']:.2f}x per sighting, "
        f"{figures[large]['near_us'] / figures[small]['near_us']:.2f}x per near-path sighting"
    )
    for size, f in bench_one_scope((1_000, 2_000, 3_000, 4_000, 10_000, 20_000)).items():
        print(
            f"  one scope of {size:>6,} items: {f['ms_per_page']:6.2f} ms per page of {PAGE_ITEMS} new items, "
            f"{f['postings']:.1f} postings per line"
        )
    page = bench_big_page()
    print(f"  one page of 5,000 new items (empty scope): {page['s']:.2f} s, {page['postings']:.1f} postings per line")
    memory = memory_at(large)
    parts = ", ".join(f"{k.removesuffix('_bytes')} {v:.0f}" for k, v in memory.items() if k.endswith("_bytes"))
    print(f"  memory at {memory['items']:,.0f} items: {memory['heap']:.0f} B/item heap (tracemalloc); by part: {parts}")
    print_rss((large, 1_000_000) if "--rss-1m" in sys.argv else (large,))


def print_rss(totals: tuple[int, ...]) -> None:
    """RSS per remembered item (`rss_per_item`) at each of `totals`, and what a worker
    holding 1,000,000 items would take at the first one's rate."""
    first = None
    for total in totals:
        f = rss_per_item(total)
        first = first or f
        print(
            f"  RSS at {f['items']:,.0f} items (a process of its own): {f['rss_mb']:.0f} MB, "
            f"{f['per_item']:,.0f} B/item over the {f['base_mb']:.0f} MB before the state"
        )
    if first is not None:
        million = first["base_mb"] + first["per_item"] * 1e6 / 1e6
        print(f"  1,000,000 items at the {first['items']:,.0f}-item rate: {million:,.0f} MB RSS")


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


# ---------------------------------------------------------------------------------------
# cost against the size of the state (issue 14): templated strips, as sites serve them

_LETTERS = "ابتثجحخدرزسشصضطعغفقكلمنهي"
_ACTORS = ("قوات النظام", "الطيران الروسي", "قوات قسد", "فصائل المعارضة", "هيئة تحرير الشام")
_WEAPONS = ("بقذائف المدفعية", "براجمات الصواريخ", "بقذائف الهاون", "بالرشاشات الثقيلة", "بالطيران المسير")
_NOUNS = ("قرية", "بلدة", "مدينة")
_DIRECTIONS = ("جنوب", "شمال", "شرق", "غرب", "ريف")
_CITIES = ("إدلب", "حلب", "حماة", "درعا", "دير الزور", "الرقة", "حمص", "اللاذقية")
_TEMPLATES = (
    "قوات النظام تقصف {weapon} {noun} {place} {direction} {city}",
    "مقتل {n} مدنيين بقصف {actor} على {noun} {place} {direction} {city}",
    "{actor} تعتقل {n} شبان من {noun} {place} {direction} {city}",
    "إصابة {n} مدنيين بانفجار عبوة ناسفة في {noun} {place} {direction} {city}",
    "الطيران الروسي يشن {n} غارات على {noun} {place} {direction} {city}",
    "{actor} تستهدف {weapon} مواقع في محيط {noun} {place} {direction} {city}",
)
# how a desk rewords an item of its strip: an attribution or a word added
_REWORDINGS = ("عاجل: {line}", "{line} وفق ناشطين", "{line} (مصادر محلية)")
SITES = 200
SITE_ZIPF = 0.8  # site i holds a share of the items proportional to 1 / (i + 1) ** 0.8
STRIP_EVERY = timedelta(minutes=2)
T_NOW = T0 + timedelta(days=3)


def _place(rng: random.Random) -> str:
    name = "".join(rng.choice(_LETTERS) for _ in range(rng.randint(4, 6)))
    return rng.choice(("", "", "", "كفر", "تل ", "عين ", "ال")) + name


class Templated:
    """Distinct templated ticker lines of one site: a template, a place from the site's
    pool (each place recurs about three times among `expected` lines), a number, a
    direction and a city."""

    def __init__(self, seed: int, expected: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible text, not cryptography
        self.places = [_place(self.rng) for _ in range(max(8, expected // 3))]
        self.seen: set[str] = set()

    def line(self) -> str:
        """A line whose normalized text was not produced before."""
        rng = self.rng
        while True:
            line = rng.choice(_TEMPLATES).format(
                weapon=rng.choice(_WEAPONS),
                noun=rng.choice(_NOUNS),
                place=rng.choice(self.places),
                direction=rng.choice(_DIRECTIONS),
                city=rng.choice(_CITIES),
                actor=rng.choice(_ACTORS),
                n=rng.randint(2, 60),
            )
            normalized = normalize_for_matching(line)
            if normalized not in self.seen:
                self.seen.add(normalized)
                return line


def site_sizes(total: int, sites: int = SITES) -> list[int]:
    """Stored items per site: `total` split by a Zipf law (the same shape at any total)."""
    weights = [1 / (i + 1) ** SITE_ZIPF for i in range(sites)]
    scale = total / sum(weights)
    sizes = [max(1, round(w * scale)) for w in weights]
    sizes[0] += total - sum(sizes)
    return sizes


def filled_state(sizes: list[int], seed: int = 0) -> tuple[DedupState, list[Templated], list[list[str]]]:
    """A state holding `sizes[i]` distinct templated items of site i, first seen over the
    horizon before `T_NOW` (applied as the entries `decide` stores for new items, which is
    faster than deciding them); also each site's line generator and its strip (the latest
    `PAGE_ITEMS` items, newest first)."""
    state = DedupState()
    generators, strips = [], []
    for site, size in enumerate(sizes):
        gen = Templated(seed * 1_000_003 + site, size)
        lines = [gen.line() for _ in range(size)]
        state.apply(StateChange(put=_site_entries(site, lines)))
        generators.append(gen)
        strips.append(lines[-PAGE_ITEMS:][::-1])
    return state, generators, strips


def _site_entries(site: int, lines: list[str]) -> tuple[TickerEntry, ...]:
    """The entries `decide` stores for `lines`, new items of site `site`, first seen over
    the horizon before `T_NOW`."""
    span = DEFAULT_CONFIG.horizon_s - 3600
    now = int(T_NOW.timestamp())
    scope = f"site{site}.example"
    puts = []
    for k, line in enumerate(lines):
        normalized = normalize_for_matching(line)
        at = now - span + span * k // len(lines)
        puts.append(TickerEntry(scope, ticker_event_id(scope, normalized), normalized, at, at))
    return tuple(puts)


def _vm_rss() -> int:
    """This process's resident set size in bytes (Linux: /proc/self/status)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    msg = "no VmRSS in /proc/self/status"
    raise RuntimeError(msg)


def _release_free_memory() -> None:
    """Hand freed heap back to the OS (glibc's malloc_trim), so RSS counts what is live."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: RSS keeps what was freed
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def rss_child(total: int) -> None:
    """In a process of its own (`--rss-child N`): the realistic state of `total` items,
    built as `filled_state` does, without keeping the line generators; print the RSS
    before (after imports) and after, caches emptied and freed memory trimmed, as JSON."""
    gc.collect()
    _release_free_memory()
    before = _vm_rss()
    state = DedupState()
    for site, size in enumerate(site_sizes(total)):
        gen = Templated(site, size)
        state.apply(StateChange(put=_site_entries(site, [gen.line() for _ in range(size)])))
        del gen
    _clear_caches()  # bounded caches (line_features, chunks): not per remembered item
    gc.collect()
    _release_free_memory()
    after = _vm_rss()
    print(orjson.dumps({"items": len(state), "before": before, "after": after}).decode())


def rss_per_item(total: int) -> dict[str, float]:
    """RSS of a process holding a realistic state of `total` items (`rss_child`, run in a
    subprocess so that nothing else this benchmark built is counted): the process before
    the state, and bytes per item of the growth."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_dedup", "--rss-child", str(total)],
        cwd=ROOT,
        capture_output=True,
        check=True,
        text=True,
    )
    figures = orjson.loads(out.stdout.splitlines()[-1])
    return {
        "items": figures["items"],
        "base_mb": figures["before"] / 1e6,
        "rss_mb": figures["after"] / 1e6,
        "per_item": (figures["after"] - figures["before"]) / figures["items"],
    }


def strip_pages(
    sizes: list[int], generators: list[Templated], strips: list[list[str]], n_new: int, seed: int = 1
) -> list[TickerSighting]:
    """Pages of the sites' strips after `T_NOW`, each from a site picked by its size, until
    `n_new` items were new on their strip: a page shifts its strip by 1-2 items, one in six
    of them a rewording of an item on the strip."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible stream, not cryptography
    out: list[TickerSighting] = []
    made = page = 0
    while made < n_new:
        site = rng.choices(range(len(sizes)), weights=sizes)[0]
        strip, gen = strips[site], generators[site]
        for _ in range(rng.randint(1, 2)):
            line = rng.choice(_REWORDINGS).format(line=rng.choice(strip)) if rng.random() < 1 / 6 else gen.line()
            strip.insert(0, line)
            made += 1
        del strip[PAGE_ITEMS:]
        scope = f"site{site}.example"
        seen_at, url = T_NOW + page * STRIP_EVERY, f"https://{scope}/breaking?page={page}"
        out.extend(TickerSighting(scope, line, normalize_for_matching(line), seen_at, url) for line in strip)
        page += 1
    return out


def postings_visited() -> int:
    """Postings the candidate lookups visited so far (0 where the counter does not exist)."""
    counter = getattr(ticker, "postings_visited", None)
    return counter() if counter is not None else 0


def time_stream(state: DedupState, stream: list[TickerSighting]) -> dict[str, float]:
    """decide + apply over `stream` (changing `state`): µs per sighting and per sighting
    that missed the exact key (the near path), the near path's share, postings visited
    per near-path sighting and the most visited by one."""
    total = near_total = 0.0
    n_near = most = 0
    visited = postings_visited()
    for s in stream:
        is_near = state.view(s.scope).exact(exact_key(s.normalized)) is None
        before = postings_visited()
        t = time.perf_counter()
        state.apply(decide(s, state)[1])
        dt = time.perf_counter() - t
        total += dt
        if is_near:
            near_total += dt
            n_near += 1
            most = max(most, postings_visited() - before)
    return {
        "us": total / len(stream) * 1e6,
        "near_us": near_total / max(1, n_near) * 1e6,
        "near_share": n_near / len(stream),
        "postings": (postings_visited() - visited) / max(1, n_near),
        "most_postings": most,
    }


def bench_state_size(totals: tuple[int, ...], repeat: int) -> dict[int, dict[str, float]]:
    """The realistic state: `total` stored items over `SITES` sites (Zipf sizes), then
    strip pages until 10% of `total` (at least 300) were new; medians over `repeat` rounds
    (a third of them from 10,000 items up), each on a freshly filled state."""
    out = {}
    for total in totals:
        rounds = []
        for _ in range(repeat if total < 10_000 else max(1, repeat // 3)):
            sizes = site_sizes(total)
            state, generators, strips = filled_state(sizes)
            stream = strip_pages(sizes, generators, strips, max(300, total // 10))
            _clear_caches()
            gc.collect()
            rounds.append(time_stream(state, stream))
        out[total] = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
        out[total]["sightings"] = len(stream)
        out[total]["rounds"] = len(rounds)
    return out


def bench_one_scope(sizes: tuple[int, ...], pages: int = 20) -> dict[int, dict[str, float]]:
    """The hostile probe: one scope holding `size` templated items, then `pages` pages of
    10 templated items all new: ms per page (median) and postings per line."""
    out = {}
    for size in sizes:
        state, generators, _ = filled_state([size], seed=7)
        gen = generators[0]
        per_page = []
        visited = postings_visited()
        for page in range(pages):
            seen_at = T_NOW + page * STRIP_EVERY
            items = [gen.line() for _ in range(PAGE_ITEMS)]
            sightings = [TickerSighting("site0.example", x, normalize_for_matching(x), seen_at) for x in items]
            start = time.perf_counter()
            for s in sightings:
                state.apply(decide(s, state)[1])
            per_page.append(time.perf_counter() - start)
        out[size] = {
            "ms_per_page": statistics.median(per_page) * 1e3,
            "postings": (postings_visited() - visited) / (pages * PAGE_ITEMS),
        }
    return out


def bench_big_page(items: int = 5000) -> dict[str, float]:
    """One page whose ticker holds `items` distinct templated items, into an empty scope:
    seconds for the page, and postings visited per line."""
    gen = Templated(11, items)
    lines = [gen.line() for _ in range(items)]
    sightings = [TickerSighting("big.example", x, normalize_for_matching(x), T_NOW) for x in lines]
    state = DedupState()
    visited = postings_visited()
    _clear_caches()
    start = time.perf_counter()
    for s in sightings:
        state.apply(decide(s, state)[1])
    return {"s": time.perf_counter() - start, "postings": (postings_visited() - visited) / items}


def memory_at(total: int) -> dict[str, float]:
    """Heap bytes per remembered item of a realistic state of `total` items (tracemalloc,
    the state built under it), and what dominates (`index_breakdown`)."""
    sizes = site_sizes(total)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    state, _, _ = filled_state(sizes)
    heap = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return {"items": len(state), "heap": heap / len(state), **index_breakdown(state)}


def index_breakdown(state: DedupState) -> dict[str, float]:
    """Bytes per item by part of the index (`sys.getsizeof`, each object counted once, in
    the first part that reaches it): entries (the dict, the records, their texts and ids),
    features (the per-text `LineFeatures` and what they hold), exact keys map, postings."""
    seen: set[int] = set()

    def size(obj: object) -> int:
        if id(obj) in seen:
            return 0
        seen.add(id(obj))
        return sys.getsizeof(obj)

    def deep(obj: object) -> int:
        n = size(obj)
        if n and isinstance(obj, tuple | list | frozenset | set):
            n += sum(deep(x) for x in obj)
        elif n and isinstance(obj, dict):
            n += sum(deep(k) + deep(v) for k, v in obj.items())
        return n

    parts = dict.fromkeys(("entries", "features", "exact", "postings", "other"), 0)
    for index in state.scopes.values():
        parts["entries"] += deep(index.entries)
        slots = {name: getattr(index, name) for name in type(index).__slots__ if hasattr(index, name)}
        for name, value in slots.items():
            if name == "entries":
                continue
            part = (
                "features"
                if "feature" in name
                else "exact"
                if "exact" in name
                else ("postings" if "posting" in name else "other")
            )
            parts[part] += deep(value)
    n = len(state)
    return {f"{k}_bytes": v / n for k, v in parts.items()}


def _time_normalize(lines: list[str]) -> float:
    start = time.perf_counter()
    for line in lines:
        normalize_for_matching(line)
    return (time.perf_counter() - start) / len(lines) * 1e6


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

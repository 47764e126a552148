"""Ticker dedup benchmark: µs per line on the exact and the near path, bytes per remembered
item, and datasketch's MinHashLSH on the same lines in the same run.

Run: `.venv/bin/python benchmarks/bench_dedup.py [--repeat N]` (not a test: it prints).

Lines: every distinct line of tests/fixtures/dedup_pairs.jsonl (the seeds, their
rewordings and hard negatives), normalized once up front, as the parser hands them over.

* near path: a fresh state per round; each line goes through `decide` (no exact hit, so
  candidate lookup + verification) and the change is applied. Reported: decide alone, and
  decide + apply.
* exact path: the same lines again against the filled state (every line an exact hit).
* bytes per item: the Faust table record (key + orjson value) per remembered event; and the
  Python heap of the in-memory index per event (tracemalloc).
* datasketch: MinHash (128 permutations) of each line's token set, query then insert in a
  MinHashLSH; P/R/F1 on the labeled pairs at each threshold, the best one reported and
  timed. Same lines, same process, same run.
"""

from __future__ import annotations

import gc
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

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

from workers.core import fingerprint  # noqa: E402
from workers.core.dedup import (  # noqa: E402
    DEFAULT_CONFIG,
    DedupState,
    TickerSighting,
    decide,
)
from workers.core.normalize import normalize_for_matching, tokenize  # noqa: E402

T0 = datetime(2020, 6, 29, 12, tzinfo=UTC)
NUM_PERM = 128


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


def _clear_caches() -> None:
    fingerprint.line_features.cache_clear()
    fingerprint._strip_word.cache_clear()  # a benchmark measures cold caches


def bench_ours(lines: list[str], repeat: int) -> dict[str, float]:
    """µs/line of the near path (decide, decide+apply) and the exact path; bytes per item."""
    sightings = _sightings(lines)
    near, near_apply, exact = [], [], []
    state = DedupState()
    for _ in range(repeat):
        _clear_caches()
        state = DedupState()
        decide_total = 0.0
        start = time.perf_counter()
        for s in sightings:
            t = time.perf_counter()
            _, change = decide(s, state)
            decide_total += time.perf_counter() - t
            state.apply(change)
        near_apply.append((time.perf_counter() - start) / len(sightings))
        near.append(decide_total / len(sightings))
        start = time.perf_counter()
        for s in sightings:
            decide(s, state)
        exact.append((time.perf_counter() - start) / len(sightings))
    records = list(state.records())
    table_bytes = sum(len(k.encode()) + len(orjson.dumps(v)) for k, v in records)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    rebuilt = DedupState.from_records(records)
    heap = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return {
        "near_us": min(near) * 1e6,
        "near_apply_us": min(near_apply) * 1e6,
        "exact_us": min(exact) * 1e6,
        "items": len(rebuilt),
        "table_bytes_per_item": table_bytes / len(records),
        "heap_bytes_per_item": heap / len(records),
    }


def _token_set(line: str) -> set[bytes]:
    return {t.encode() for t in tokenize(line)}


def datasketch_predict(pairs: list[Pair], threshold: float) -> list[bool]:
    """Pairwise MinHashLSH predictions: a is inserted in an empty index, b queried."""
    from datasketch import MinHash, MinHashLSH  # noqa: PLC0415 - optional, benchmark only

    sketches: dict[str, MinHash] = {}

    def sketch(line: str) -> MinHash:
        if line not in sketches:
            m = MinHash(num_perm=NUM_PERM)
            m.update_batch(list(_token_set(line)))
            sketches[line] = m
        return sketches[line]

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    out = []
    for pair in pairs:
        lsh.insert("a", sketch(pair.a))
        out.append(bool(lsh.query(sketch(pair.b))))
        lsh.remove("a")
    return out


def bench_datasketch(lines: list[str], threshold: float, repeat: int) -> dict[str, float]:
    """µs/line of MinHash + query + insert on the same lines; heap bytes per item."""
    from datasketch import MinHash, MinHashLSH  # noqa: PLC0415 - optional, benchmark only

    normalized = [normalize_for_matching(line) for line in lines]

    def run() -> int:
        lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        kept = 0
        for i, text in enumerate(normalized):
            m = MinHash(num_perm=NUM_PERM)
            m.update_batch([t.encode() for t in tokenize(text, normalized=True)])
            if not lsh.query(m):
                lsh.insert(str(i), m)
                kept += 1
        return kept

    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        runs.append((time.perf_counter() - start) / len(normalized))
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = run()
    heap = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return {"us": min(runs) * 1e6, "heap_bytes_per_item": heap / max(1, kept)}


def _fmt(s: Score) -> str:
    return f"P {s.precision:.3f} R {s.recall:.3f} F1 {s.f1:.3f} (FP {s.fp}, FN {s.fn})"


def main(argv: list[str]) -> int:
    """Run both and print the figures."""
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 5
    pairs = load_pairs()
    lines = sorted({p.a for p in pairs} | {p.b for p in pairs})
    print(f"{len(lines)} distinct ticker lines from {len(pairs)} labeled pairs; best of {repeat}")

    ours = bench_ours(lines, repeat)
    threshold = DEFAULT_CONFIG.threshold
    our_score = score(predict(pairs, threshold), pairs)
    print(f"raqib (threshold {threshold:.2f}): {_fmt(our_score)}")
    print(f"  near path : {ours['near_us']:7.1f} µs/line decide, {ours['near_apply_us']:.1f} µs/line with apply")
    print(f"  exact path: {ours['exact_us']:7.1f} µs/line")
    print(
        f"  remembered: {ours['items']:.0f} events; {ours['table_bytes_per_item']:.0f} B/item "
        f"as table records, {ours['heap_bytes_per_item']:.0f} B/item in-memory index"
    )
    normalize_us = _time_normalize(lines)
    print(f"  (normalize_for_matching, done by the parser: {normalize_us:.1f} µs/line)")

    if "--ours-only" in argv:
        return 0
    try:
        import datasketch  # noqa: F401, PLC0415
    except ImportError:
        print("datasketch not installed: `.venv/bin/pip install datasketch`")
        return 0
    grid = tuple(round(0.05 * i, 2) for i in range(4, 20))
    ds_scores = {t: score(datasketch_predict(pairs, t), pairs) for t in grid}
    ds_threshold = choose_threshold(ds_scores)
    ds = bench_datasketch(lines, ds_threshold, repeat)
    matched = bench_datasketch(lines, threshold, repeat)
    print(
        f"datasketch MinHashLSH, {NUM_PERM} perms, best-F1 threshold {ds_threshold:.2f}: "
        f"{_fmt(ds_scores[ds_threshold])}"
    )
    print(f"  {ds['us']:7.1f} µs/line (MinHash + query + insert), {ds['heap_bytes_per_item']:.0f} B/item in memory")
    at_ours = score(datasketch_predict(pairs, threshold), pairs)
    print(f"  at raqib's threshold {threshold:.2f}: {_fmt(at_ours)}, {matched['us']:.1f} µs/line")
    print(f"speed-up, near path vs datasketch: {ds['us'] / ours['near_us']:.1f}x")
    return 0


def _time_normalize(lines: list[str]) -> float:
    start = time.perf_counter()
    for line in lines:
        normalize_for_matching(line)
    return (time.perf_counter() - start) / len(lines) * 1e6


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""The first ticker lookup of every scope after an assignment: `PipelineState.ticker_index`
over a table of remembered items (issue 14, item 4).

    python -m benchmarks.bench_scope_load [ITEMS] [SCOPES]

A worker forgets its derived index on every rebalance and rebuilds it scope by scope from
the ticker table as pages arrive. The baseline, measured in the same run, is the previous
rule: each scope scanned the whole table for its keys. Now the first scope lists every
scope's keys in one pass and each scope then loads only its own entries. Prints the time to
load every scope once, both ways, and the time of the first scope and of the rest.
"""

from __future__ import annotations

import random
import sys
import time
from typing import Any

from workers.core.dedup.ticker import DedupState, StateChange, TickerEntry
from workers.core.pipeline import PipelineState

WORDS = ["قصف", "مدفعي", "على", "بلدة", "في", "ريف", "إدلب", "الجنوبي", "وسقوط", "قتلى", "وجرحى", "بين", "المدنيين"]


def table(items: int, scopes: int, seed: int = 3) -> dict[str, list[Any]]:
    """`items` remembered events spread over `scopes` sites (Zipf-like sizes)."""
    rng = random.Random(seed)  # noqa: S311 - generated data, not secrets
    weights = [1 / (rank + 1) for rank in range(scopes)]
    names = [f"site{n}.example" for n in range(scopes)]
    records: dict[str, list[Any]] = {}
    for n in range(items):
        scope = rng.choices(names, weights)[0]
        text = " ".join(rng.sample(WORDS, 8)) + f" {n}"
        records[f"{scope}|{n:016x}"] = [text, 1_700_000_000 + n, 1_700_000_000 + n, []]
    return records


def per_scope_scan(records: dict[str, list[Any]], scopes: list[str]) -> float:
    """The previous rule: every scope met scans the whole table."""
    index = DedupState()
    began = time.perf_counter()
    for scope in scopes:
        prefix = scope + "|"
        entries = tuple(TickerEntry.from_json(k, v) for k, v in list(records.items()) if k.startswith(prefix))
        index.apply(StateChange(put=entries))
    return time.perf_counter() - began


def one_pass(records: dict[str, list[Any]], scopes: list[str]) -> tuple[float, float]:
    """Today's rule, through PipelineState: (first scope, all scopes) in seconds."""
    state = PipelineState(ticker_records=records)
    began = time.perf_counter()
    state.ticker_index(scopes[0])
    first = time.perf_counter() - began
    for scope in scopes[1:]:
        state.ticker_index(scope)
    return first, time.perf_counter() - began


def main() -> None:
    items = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    n_scopes = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    records = table(items, n_scopes)
    scopes = sorted({key.rpartition("|")[0] for key in records})
    first, total = one_pass(records, scopes)
    before = per_scope_scan(records, scopes)
    print(f"{items:,} remembered items over {len(scopes)} scopes, every scope loaded once:")
    print(f"  per-scope scan of the table (before): {before:.2f} s")
    print(f"  one pass, then scope by scope (now):  {total:.2f} s (first scope {first:.2f} s)  {before / total:.1f}x")


if __name__ == "__main__":
    main()

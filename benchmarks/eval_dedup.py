"""Precision and recall of ticker near-duplicate detection on tests/fixtures/dedup_pairs.jsonl.

Run: `.venv/bin/python benchmarks/eval_dedup.py [--show-errors]`

For each threshold, a pair is predicted "same" when `line_match.compare` vetoes nothing and
the similarity reaches the threshold. The chosen threshold is the middle of the widest run
of thresholds with the best F1 at precision >= 0.99 (the middle, so that a small drift of
the data does not fall off the edge). Then the whole pair set is replayed through `decide`
at that threshold (one state per pair: a is seen first, then b) to check that candidate
retrieval loses nothing the comparison alone would find; and the fast verdict `decide` uses
(`line_match.Probe`, which skips work `compare` does) is checked against `compare` on every
ordered pair of lines at every threshold.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workers.core.dedup import line_match  # noqa: E402
from workers.core.dedup.line_match import Probe, compare, line_features  # noqa: E402
from workers.core.dedup.ticker import DedupConfig, DedupState, Duplicate, TickerSighting, decide  # noqa: E402
from workers.core.normalize import normalize_for_matching  # noqa: E402

PAIRS = ROOT / "tests" / "fixtures" / "dedup_pairs.jsonl"
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(4, 20))
MIN_PRECISION = 0.99


@dataclass(frozen=True, slots=True)
class Pair:
    """One labeled pair of ticker lines."""

    a: str
    b: str
    same: bool
    why: str


@dataclass(frozen=True, slots=True)
class Score:
    """Precision, recall and F1 of a list of predictions."""

    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int


def load_pairs(path: Path = PAIRS) -> list[Pair]:
    """Read the pairs file."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            pairs.append(Pair(row["a"], row["b"], row["label"] == "same", row["why"]))
    return pairs


def score(predicted: list[bool], pairs: list[Pair]) -> Score:
    """Precision, recall and F1 of `predicted` against the labels."""
    tp = sum(p and q.same for p, q in zip(predicted, pairs, strict=True))
    fp = sum(p and not q.same for p, q in zip(predicted, pairs, strict=True))
    fn = sum(not p and q.same for p, q in zip(predicted, pairs, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, tp, fp, fn)


def predict(pairs: list[Pair], threshold: float) -> list[bool]:
    """Pairwise predictions of `compare` at `threshold`."""
    out = []
    for pair in pairs:
        verdict = compare(
            line_features(normalize_for_matching(pair.a)),
            line_features(normalize_for_matching(pair.b)),
        )
        out.append(verdict.veto is None and verdict.similarity >= threshold)
    return out


def predict_with_decide(pairs: list[Pair], threshold: float) -> list[bool]:
    """End-to-end predictions: a fresh state sees a, then `decide` judges b."""
    config = DedupConfig(threshold=threshold)
    t0 = datetime(2020, 6, 29, 12, tzinfo=UTC)
    out = []
    for pair in pairs:
        state = DedupState()
        _, change = decide(TickerSighting.of(pair.a, seen_at=t0, site="s"), state, config)
        state.apply(change)
        later = t0 + timedelta(minutes=5)
        decision, _ = decide(TickerSighting.of(pair.b, seen_at=later, site="s"), state, config)
        out.append(isinstance(decision, Duplicate))
    return out


def fast_path_disagreements(pairs: list[Pair]) -> tuple[int, int]:
    """(checked, disagreeing): `Probe.match` against `compare` on every ordered pair of the
    labeled lines at every threshold."""
    features = [line_features(normalize_for_matching(x)) for x in sorted({p.a for p in pairs} | {p.b for p in pairs})]
    checked = wrong = 0
    for a in features:
        verdicts = [(v.similarity, v.veto) for v in (compare(a, b) for b in features)]
        for t in THRESHOLDS:
            probe = Probe(a, t)
            for b, (similarity, veto) in zip(features, verdicts, strict=True):
                expected = similarity if veto is None and similarity >= t else None
                checked += 1
                wrong += probe.match(b) != expected
    return checked, wrong


def choose_threshold(scores: dict[float, Score]) -> float:
    """Middle of the widest run of thresholds with the best F1 at precision >= 0.99."""
    eligible = {t: s for t, s in scores.items() if s.precision >= MIN_PRECISION}
    if not eligible:
        return max(scores, key=lambda t: scores[t].f1)
    best = max(s.f1 for s in eligible.values())
    runs: list[list[float]] = []
    for t in sorted(scores):
        if t in eligible and eligible[t].f1 >= best - 1e-9:
            if runs and runs[-1][-1] == round(t - 0.05, 2):
                runs[-1].append(t)
            else:
                runs.append([t])
    widest = max(runs, key=len)
    return widest[(len(widest) - 1) // 2]


def main(argv: list[str]) -> int:
    """Print the threshold sweep, the chosen threshold and the end-to-end check."""
    pairs = load_pairs()
    n_same = sum(p.same for p in pairs)
    print(f"{len(pairs)} pairs: {n_same} same event, {len(pairs) - n_same} different events")
    print(f"{'threshold':>9} {'precision':>9} {'recall':>7} {'F1':>6} {'FP':>4} {'FN':>4}")
    scores = {t: score(predict(pairs, t), pairs) for t in THRESHOLDS}
    for t, s in scores.items():
        print(f"{t:>9.2f} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f} {s.fp:>4} {s.fn:>4}")
    chosen = choose_threshold(scores)
    end_to_end = score(predict_with_decide(pairs, chosen), pairs)
    print(
        f"chosen threshold {chosen:.2f}: precision {scores[chosen].precision:.3f} "
        f"recall {scores[chosen].recall:.3f} F1 {scores[chosen].f1:.3f}; through decide(): "
        f"precision {end_to_end.precision:.3f} recall {end_to_end.recall:.3f} "
        f"F1 {end_to_end.f1:.3f}"
    )
    checked, wrong = fast_path_disagreements(pairs)
    kernel = "the compiled kernel" if line_match.compiled() else "pure Python (the kernel is not built)"
    print(f"fast path (Probe.match, on {kernel}) vs compare: {wrong} disagreements in {checked} checks")
    if line_match.compiled():
        line_match.use_compiled(False)
        py_checked, py_wrong = fast_path_disagreements(pairs)
        line_match.use_compiled(True)
        print(f"fast path (Probe.match, pure Python) vs compare: {py_wrong} disagreements in {py_checked} checks")
        wrong += py_wrong
    if "--show-errors" in argv:
        for pair, p in zip(pairs, predict(pairs, chosen), strict=True):
            if p != pair.same:
                verdict = compare(
                    line_features(normalize_for_matching(pair.a)),
                    line_features(normalize_for_matching(pair.b)),
                )
                label = "FN" if pair.same else "FP"
                print(f"{label} {pair.why} sim={verdict.similarity:.2f} veto={verdict.veto}")
                print(f"   a: {pair.a}\n   b: {pair.b}")
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

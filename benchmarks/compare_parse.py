"""`parse_page` throughput of this checkout against another one, measured in one process.

Not a test: run `python -m benchmarks.compare_parse OTHER [ROUNDS]`, where OTHER is the
root of another checkout of raqib (for example `git archive <commit> | tar -x -C /tmp/x`).
Both parsers run on the same pages (`bench_parse.make_corpus`, the fixtures for `warm`),
in alternation round after round (which goes first alternating too), so a busy machine
slows both alike; every figure is the median of ROUNDS rounds (default 9) and the ratio
is the median of the per-round ratios. Regimes as in `bench_parse` (warm, realistic, cold). trafilatura, when
installed, is measured on the same realistic HTML pages in the same process.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType

from benchmarks import bench_parse
from workers.core.models import Page
from workers.core.parse.page import parse_page


def load_other(root: Path) -> tuple[Callable[[Page], object], Callable[[], None]]:
    """`parse_page` and a cache-clearing function of the `workers` package under `root`.

    The other package is imported under its own name, its modules taken out of
    `sys.modules` again, so this checkout's `workers` stays the one imported elsewhere.
    """
    saved = {name: mod for name, mod in sys.modules.items() if name == "workers" or name.startswith("workers.")}
    for name in saved:
        del sys.modules[name]
    sys.path.insert(0, str(root))
    try:
        import workers.core.parse as other_parse  # noqa: PLC0415 - the other checkout's

        if not hasattr(other_parse, "parse_page"):  # the layout since 0.2: workers/core/parse/page.py
            import workers.core.parse.page as other_parse  # noqa: PLC0415

        other = {name: module for name, module in sys.modules.items() if name.startswith("workers.core.")}
        if not Path(other_parse.__file__ or "").resolve().is_relative_to(root.resolve()):
            raise SystemExit(f"{root}: imported {other_parse.__file__} instead")
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == "workers" or n.startswith("workers.")]:
            del sys.modules[name]
        sys.modules.update(saved)

    def clear() -> None:
        _clear(other.values())

    return other_parse.parse_page, clear


def _clear(modules: Iterable[ModuleType]) -> None:
    for module in modules:
        for obj in vars(module).values():
            fn = getattr(obj, "cache_clear", None)
            if callable(fn):
                fn()


def _rates(parse: Callable[[Page], object], clear: Callable[[], None], pages: list[Page], regime: str) -> float:
    if regime == "warm":
        return bench_parse.rate_warm(parse, pages, 1.0)
    real_clear = bench_parse.clear_caches
    bench_parse.clear_caches = clear  # the rate functions clear through this name
    try:
        if regime == "realistic":
            return bench_parse.rate_realistic(parse, pages)
        return bench_parse.rate_cold(parse, pages)
    finally:
        bench_parse.clear_caches = real_clear


def main(other_root: str, rounds: int = 9) -> None:
    other_parse, other_clear = load_other(Path(other_root))
    warm_text, warm_html = bench_parse.load_pages()
    text_pages, html_pages = bench_parse.make_corpus()
    sides = {
        "this": (parse_page, bench_parse.clear_caches),
        "other": (other_parse, other_clear),
    }
    cases = [
        ("text warm", warm_text, "warm"),
        ("text realistic", text_pages, "realistic"),
        ("text cold", text_pages, "cold"),
        ("html warm", warm_html, "warm"),
        ("html realistic", html_pages, "realistic"),
        ("html cold", html_pages, "cold"),
    ]
    got: dict[tuple[str, str], list[float]] = {(c, s): [] for c, _, _ in cases for s in sides}
    for r in range(rounds):
        for case, pages, regime in cases:
            order = list(sides.items()) if r % 2 else list(sides.items())[::-1]  # who goes first alternates
            for side, (parse, clear) in order:
                got[(case, side)].append(_rates(parse, clear, pages, regime))
    print(f"parse_page pages/s, one process, median of {rounds} alternating rounds")
    print(f"  this = {Path(bench_parse.__file__).resolve().parent.parent}, other = {Path(other_root).resolve()}")
    print(f"  {'':<16} {'other':>8} {'this':>8}   this/other")
    for case, _, _ in cases:
        mine, theirs = got[(case, "this")], got[(case, "other")]
        ratio = statistics.median(a / b for a, b in zip(mine, theirs, strict=True))
        print(f"  {case:<16} {statistics.median(theirs):8.0f} {statistics.median(mine):8.0f}   {ratio:.2f}x")
    traf = bench_parse.trafilatura_extractor()
    if traf is None:
        print("  trafilatura not installed")
        return
    rate = statistics.median(len(html_pages) / bench_parse._timed(traf, html_pages) for _ in range(max(1, rounds // 4)))
    print(f"  trafilatura bare_extraction, same realistic html pages: {rate:.0f} pages/s")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit("usage: python -m benchmarks.compare_parse OTHER_CHECKOUT [ROUNDS]")
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 9)

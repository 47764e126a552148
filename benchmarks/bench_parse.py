"""Throughput of `parse_page` on text and HTML pages, with trafilatura as the HTML baseline.

Not a test: run `python -m benchmarks.bench_parse [ROUNDS]` (single process, so pages/s
is per core; every figure is the median of ROUNDS measurements, default 5).

Three regimes, because the parser keeps bounded per-line caches (a site's furniture
lines repeat on every page of that site, article lines do not):

* warm: the 11 fixture pages parsed over and over. Every line is a cache hit after the
  first pass, so this flatters the parser; kept only for comparison with old figures.
* realistic: a corpus of distinct pages generated from the fixtures (see `make_corpus`):
  each site's furniture (ticker header, UI residue, labels, boilerplate and related
  blocks) kept, the article lines (title, paragraphs, author, dates, ticker items)
  recombined and mutated so they do not repeat. One pass, caches cleared at the start
  of the pass and then left to fill as they would in a worker.
* cold: the same corpus with every parser cache cleared before every page (the time to
  clear is not counted): a lower bound.

HTML pages are the built HTML fixtures plus each text page wrapped in WordPress-like
furniture (menus, sidebar, footer, ~60 KB); trafilatura runs on the same realistic HTML
corpus in the same run.
"""

from __future__ import annotations

import html
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from workers.core import normalize
from workers.core.models import Page, ParsedPage
from workers.core.parse import dates, html_article, text_article, ticker
from workers.core.parse import page as parse
from workers.core.parse.page import parse_page
from workers.core.parse.ticker import find_ticker_lines, is_ticker_header, split_ticker_items

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
FETCHED_AT = datetime(2022, 1, 1, 12, 0, tzinfo=UTC)
VARIANTS_PER_TEXT_PAGE = 50  # 11 fixture text pages -> 550 distinct text pages
HTML_EVERY = 5  # every 5th generated text page is also wrapped as HTML
VARIANTS_PER_HTML_PAGE = 10
_PARSER_MODULES: tuple[ModuleType, ...] = (normalize, ticker, dates, text_article, parse, html_article)


def wrap_as_html(text: str, n_menu: int = 150, n_sidebar: int = 120) -> str:
    """A seed page inside WordPress-like furniture: nav, ticker, sidebar, footer."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    title, body = lines[0], lines[1:]
    menu = "".join(f'<li class="menu-item"><a href="/c/{i}">قسم رقم {i}</a></li>' for i in range(n_menu))
    side = "".join(
        f'<li><a href="/p/{i}">عنوان مقال آخر في الشريط الجانبي رقم {i}</a><span>منذ {i} ساعة</span></li>'
        for i in range(n_sidebar)
    )
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in body)
    return (
        '<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
        f'<meta property="og:title" content="{html.escape(title)}">'
        '<meta property="og:site_name" content="موقع">'
        "<style>body{margin:0}.a{color:red}</style><script>var a=1;</script></head><body>"
        f'<header><nav class="main-menu"><ul>{menu}</ul></nav></header>'
        '<div class="container"><main><article class="post">'
        f'<h1 class="entry-title">{html.escape(title)}</h1>'
        f'<div class="entry-content">{paras}</div></article></main>'
        f'<aside class="sidebar"><div class="widget"><ul>{side}</ul></div></aside></div>'
        '<footer class="site-footer"><p>جميع الحقوق محفوظة</p></footer></body></html>'
    )


def fixture_texts() -> list[str]:
    paths = sorted([*FIXTURES.glob("seeds/*.txt"), *FIXTURES.glob("built/*.txt")])
    return [p.read_text(encoding="utf-8") for p in paths]


def fixture_htmls() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("built/*.html"))]


def load_pages() -> tuple[list[Page], list[Page]]:
    """The fixture pages as they are (the `warm` set)."""
    texts = fixture_texts()
    htmls = fixture_htmls() + [wrap_as_html(t) for t in texts]
    return [_text_page(t) for t in texts], [_html_page(h) for h in htmls]


def _text_page(body: str) -> Page:
    return Page(None, FETCHED_AT, "text/plain", body)


def _html_page(body: str) -> Page:
    return Page(None, FETCHED_AT, "text/html", body)


# --- the distinct-page corpus -------------------------------------------------------------

_FIRST_NAMES = ("أحمد", "محمد", "خالد", "سلمى", "ريم", "يوسف", "عمر", "ليلى", "حسام", "نور", "مازن", "رنا", "هبة")
_LAST_NAMES = ("الأحمد", "الحمصي", "الحلبي", "الشامي", "الخطيب", "النجار", "العلي", "الحسن", "الزعبي", "المصري")
_SENTENCE_CUT = re.compile(r"(?<=[.،؛])\s+")
_DIGIT_RUN = re.compile(r"[0-9]+|[٠-٩]+")
_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


class _Pools:
    """Article material of all fixture pages: what variants are recombined from."""

    def __init__(self, texts: list[str]) -> None:
        self.sentences: list[str] = []
        self.words: list[str] = []
        self.titles: list[str] = []
        self.items: list[str] = []
        self.sources: list[str] = []
        for text in texts:
            parsed = parse_page(_text_page(text))
            if not isinstance(parsed, ParsedPage):
                raise SystemExit(f"fixture page failed to parse: {parsed}")
            for item in parsed.ticker:
                self.items.append(item.text)
                if item.attribution:
                    self.sources.append(item.attribution)
            art = parsed.article
            if art is None:
                continue
            if art.title:
                self.titles.append(art.title)
            for para in art.body:
                self.sentences.extend(s for s in _SENTENCE_CUT.split(para) if len(s) > 15)
                self.words.extend(w for w in para.split() if w.isalpha())


def _numbers(text: str, rng: random.Random) -> str:
    """Replace digit runs: years stay plausible years, short runs become 1..12."""

    def sub(m: re.Match[str]) -> str:
        run = m.group()
        arabic = not run.isascii()
        if len(run) == 4 and run.translate({ord(a): str(i) for i, a in enumerate("٠١٢٣٤٥٦٧٨٩")})[:2] in ("19", "20"):
            new = str(rng.randint(2015, 2023))
        elif len(run) <= 2:
            new = f"{rng.randint(1, 12):0{len(run)}d}"
        else:
            new = str(rng.randint(10 ** (len(run) - 1), 10 ** len(run) - 1))
        return new.translate(_ARABIC_DIGITS) if arabic else new

    return _DIGIT_RUN.sub(sub, text)


def _mutate(text: str, pools: _Pools, rng: random.Random, rate: float = 0.2) -> str:
    words = [rng.choice(pools.words) if w.isalpha() and rng.random() < rate else w for w in text.split()]
    return _numbers(" ".join(words), rng)


def _paragraph(pools: _Pools, rng: random.Random, like: str) -> str:
    target = max(len(like), 60)
    parts: list[str] = []
    while sum(len(p) + 1 for p in parts) < target:
        parts.append(_mutate(rng.choice(pools.sentences), pools, rng))
    out = " ".join(parts).rstrip("،,")
    # keep how the original line ends (a comma makes the parser join the next line)
    if like.endswith(("،", ",")):
        return out.rstrip(".") + "،"
    return out if out.endswith((".", "!", "؟")) else out + "."


def _title(pools: _Pools, rng: random.Random) -> str:
    words = _mutate(rng.choice(pools.titles), pools, rng, rate=0.35).split()
    rng.shuffle(words[1:])  # keep the first word, reorder the rest a little
    return " ".join(words).rstrip(".!")


def _ticker_line(line: str, pools: _Pools, rng: random.Random) -> str:
    n = max(1, len(split_ticker_items(line)))
    items = []
    for _ in range(n):
        text = _mutate(rng.choice(pools.items), pools, rng, rate=0.3)
        source = f" ({rng.choice(pools.sources)})" if pools.sources and rng.random() < 0.8 else ""
        items.append(f"{text}{source} - {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}")
    return " ".join(items)


def _variant(text: str, pools: _Pools, rng: random.Random) -> str:
    parsed = parse_page(_text_page(text))
    if not isinstance(parsed, ParsedPage) or parsed.article is None:
        raise SystemExit(f"fixture page has no article: {parsed}")
    art = parsed.article
    lines = text.splitlines()
    ticker_idx = set(find_ticker_lines(lines))
    new_title = _title(pools, rng)
    author = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"
    out: list[str] = []
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            out.append(raw)
        elif i in ticker_idx:
            out.append(raw if is_ticker_header(line) else _ticker_line(line, pools, rng))
        elif art.title and line.startswith(art.title):
            out.append(new_title + line[len(art.title) :])
        elif len(line) >= 40 and any(line in p or p in line for p in art.body):
            # a body line; keep an inline dateline in front of the paragraph
            para = next((p for p in art.body if p in line and line.endswith(p)), None)
            prefix = line[: len(line) - len(para)] if para else ""
            out.append(prefix + _paragraph(pools, rng, line))
        elif art.author and art.author in line:
            out.append(_numbers(line.replace(art.author, author), rng))
        elif len(line) < 80 and _DIGIT_RUN.search(line):
            out.append(_numbers(line, rng))  # dates, times, counters
        else:
            out.append(raw)  # site furniture: kept as is
    return "\n".join(out)


def make_corpus(seed: int = 2024) -> tuple[list[Page], list[Page]]:
    """Distinct text pages (and HTML pages) generated from the fixtures; deterministic."""
    texts = fixture_texts()
    pools = _Pools(texts)
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not crypto
    generated = [_variant(t, pools, rng) for _ in range(VARIANTS_PER_TEXT_PAGE) for t in texts]
    htmls = [wrap_as_html(t) for t in generated[::HTML_EVERY]]
    for h in fixture_htmls():
        for _ in range(VARIANTS_PER_HTML_PAGE):
            htmls.append(
                re.sub(r"(<p[^>]*>)([^<]{40,})(</p>)", lambda m: m[1] + _paragraph(pools, rng, m[2]) + m[3], h)
            )
    return [_text_page(t) for t in generated], [_html_page(h) for h in htmls]


# --- measuring -----------------------------------------------------------------------------


def clear_caches() -> None:
    """Empty every `lru_cache` of the parser modules."""
    for module in _PARSER_MODULES:
        for obj in vars(module).values():
            clear = getattr(obj, "cache_clear", None)
            if callable(clear):
                clear()


def rate_warm(fn: Callable[[Page], object], pages: list[Page], seconds: float) -> float:
    """Pages per second of `fn` looping over `pages` for about `seconds` (caches warm)."""
    for page in pages:
        fn(page)
    done, start = 0, time.perf_counter()
    while True:
        for page in pages:
            fn(page)
        done += len(pages)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed


def rate_realistic(fn: Callable[[Page], object], pages: list[Page]) -> float:
    """One pass over `pages`, caches cleared once at the start."""
    clear_caches()
    start = time.perf_counter()
    for page in pages:
        fn(page)
    return len(pages) / (time.perf_counter() - start)


def rate_cold(fn: Callable[[Page], object], pages: list[Page]) -> float:
    """One pass over `pages`, caches cleared before every page (clearing not timed)."""
    spent = 0.0
    for page in pages:
        clear_caches()
        start = time.perf_counter()
        fn(page)
        spent += time.perf_counter() - start
    return len(pages) / spent


def median_of(rounds: int, measure: Callable[[], float]) -> tuple[float, float, float]:
    """(median, min, max) of `rounds` measurements."""
    values = [measure() for _ in range(rounds)]
    return statistics.median(values), min(values), max(values)


def trafilatura_extractor() -> Callable[[Page], object] | None:
    """The baseline both parse benchmarks run: trafilatura's extraction of a page's HTML
    with metadata (None when trafilatura cannot be imported)."""
    try:
        import trafilatura  # noqa: PLC0415 - optional baseline
    except ImportError:
        return None

    def extract(page: Page) -> object:
        return trafilatura.bare_extraction(page.body, with_metadata=True, favor_precision=True)

    return extract


def _row(label: str, stats: tuple[float, float, float]) -> None:
    med, lo, hi = stats
    print(f"  {label:<34} {med:8.0f} pages/s   (min {lo:.0f}, max {hi:.0f})")


def main(rounds: int = 5) -> None:
    warm_text, warm_html = load_pages()
    text_pages, html_pages = make_corpus()
    failed = [p for p in warm_text + warm_html + text_pages + html_pages if not isinstance(parse_page(p), ParsedPage)]
    if failed:
        raise SystemExit(f"{len(failed)} benchmark pages failed to parse")
    distinct = len({ln.strip() for p in text_pages for ln in p.body.splitlines() if ln.strip()})
    total = sum(1 for p in text_pages for ln in p.body.splitlines() if ln.strip())
    print(f"parse_page throughput, one process (= per core), median of {rounds} rounds")
    print(
        f"text: warm = {len(warm_text)} fixture pages repeated; realistic/cold = {len(text_pages)} distinct "
        f"pages (avg {sum(len(p.body) for p in text_pages) / len(text_pages) / 1000:.1f} kchar, "
        f"{distinct}/{total} non-blank lines distinct)"
    )
    _row("warm (same pages repeated)", median_of(rounds, lambda: rate_warm(parse_page, warm_text, 1.0)))
    _row("realistic (distinct, one pass)", median_of(rounds, lambda: rate_realistic(parse_page, text_pages)))
    _row("cold (caches cleared every page)", median_of(rounds, lambda: rate_cold(parse_page, text_pages)))
    avg_html = sum(len(p.body) for p in html_pages) / len(html_pages)
    print(
        f"html: warm = {len(warm_html)} fixture pages repeated; realistic/cold = {len(html_pages)} distinct "
        f"pages (avg {avg_html / 1000:.1f} kchar)"
    )
    _row("warm (same pages repeated)", median_of(rounds, lambda: rate_warm(parse_page, warm_html, 1.0)))
    _row("realistic (distinct, one pass)", median_of(rounds, lambda: rate_realistic(parse_page, html_pages)))
    _row("cold (caches cleared every page)", median_of(rounds, lambda: rate_cold(parse_page, html_pages)))
    traf = trafilatura_extractor()
    if traf is None:
        print("  trafilatura                        not installed")
        return
    traf_rounds = max(1, rounds // 2)
    stats = median_of(traf_rounds, lambda: len(html_pages) / _timed(traf, html_pages))
    print(f"  (baseline, same realistic html pages, median of {traf_rounds} rounds)")
    _row("trafilatura bare_extraction", stats)


def _timed(fn: Callable[[Page], object], pages: list[Page]) -> float:
    start = time.perf_counter()
    for page in pages:
        fn(page)
    return time.perf_counter() - start


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)

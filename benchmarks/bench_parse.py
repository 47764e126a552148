"""Throughput of `parse_page` on text and HTML pages, with trafilatura as the HTML baseline.

Not a test: run `python -m benchmarks.bench_parse` (single process, so pages/s is per
core). Text pages are the seeds and the built fixtures; HTML pages are the built HTML
fixtures plus each seed wrapped in realistic site furniture (menus, sidebar, footer,
~60 KB), so the HTML numbers are not flattered by tiny documents.
"""

from __future__ import annotations

import html
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from workers.core.models import Page, ParsedPage
from workers.core.parse import parse_page

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
FETCHED_AT = datetime(2022, 1, 1, 12, 0, tzinfo=UTC)


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


def load_pages() -> tuple[list[Page], list[Page]]:
    texts = [
        p.read_text(encoding="utf-8") for p in sorted([*FIXTURES.glob("seeds/*.txt"), *FIXTURES.glob("built/*.txt")])
    ]
    htmls = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("built/*.html"))]
    htmls += [wrap_as_html(t) for t in texts]
    text_pages = [Page(None, FETCHED_AT, "text/plain", t) for t in texts]
    html_pages = [Page(None, FETCHED_AT, "text/html", h) for h in htmls]
    return text_pages, html_pages


def rate(fn: Callable[[Page], object], pages: list[Page], seconds: float) -> float:
    """Pages per second of `fn` over `pages`, looping for about `seconds`."""
    done, start = 0, time.perf_counter()
    while True:
        for page in pages:
            fn(page)
        done += len(pages)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed


def main(seconds: float = 3.0) -> None:
    text_pages, html_pages = load_pages()
    failed = [p for p in text_pages + html_pages if not isinstance(parse_page(p), ParsedPage)]
    if failed:
        raise SystemExit(f"{len(failed)} benchmark pages failed to parse")
    avg_text = sum(len(p.body) for p in text_pages) / len(text_pages)
    avg_html = sum(len(p.body) for p in html_pages) / len(html_pages)
    print(f"text pages: {len(text_pages)} (avg {avg_text / 1000:.1f} kchar)")
    print(f"  raqib parse_page   {rate(parse_page, text_pages, seconds):8.0f} pages/s")
    print(f"html pages: {len(html_pages)} (avg {avg_html / 1000:.1f} kchar)")
    print(f"  raqib parse_page   {rate(parse_page, html_pages, seconds):8.0f} pages/s")
    try:
        import trafilatura  # noqa: PLC0415 - optional baseline
    except ImportError:
        print("  trafilatura        not installed")
        return

    def traf(page: Page) -> object:
        return trafilatura.bare_extraction(page.body, with_metadata=True, favor_precision=True)

    print(f"  trafilatura        {rate(traf, html_pages, seconds):8.0f} pages/s")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 3.0)

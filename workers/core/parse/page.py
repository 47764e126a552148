"""The one parsing entry point: a `Page` in, a `ParsedPage` or a `ParseFailure` out.

Pure and total: no I/O, no clock (time comes from `page.fetched_at`), and no exception
escapes. Unexpected internal errors become `ParseFailure("parser_error", ...)`, so a bug
on one odd page dead-letters that page instead of stopping the worker. Oversized input is
refused up front (`too_large`) so one page cannot stall a partition.
"""

from __future__ import annotations

from typing import Final
from zoneinfo import ZoneInfoNotFoundError

from workers.core.models import Page, ParsedPage, ParseFailure
from workers.core.parse.html_article import parse_html_page
from workers.core.parse.text_article import parse_text_article
from workers.core.parse.ticker import find_ticker_lines, items_from_lines, zone_for

__all__ = ["MAX_HTML_CHARS", "MAX_TEXT_CHARS", "parse_page", "parse_text_page"]

# Real article pages are far below these; a bigger body is a scraper bug or an attack.
MAX_TEXT_CHARS: Final = 2_000_000
MAX_HTML_CHARS: Final = 8_000_000
_MAX_LINES: Final = 50_000


def parse_text_page(page: Page, tz: str) -> ParsedPage | ParseFailure:
    """Parse a `text/plain` page (no guards: `parse_page` applies them)."""
    zone = zone_for(tz)
    lines = page.body.splitlines()
    if len(lines) > _MAX_LINES:
        return ParseFailure("too_large", f"{len(lines)} lines > {_MAX_LINES}")
    ticker_lines = find_ticker_lines(lines)
    ticker = items_from_lines(lines, ticker_lines, page.fetched_at, zone)
    article = parse_text_article(lines, fetched_at=page.fetched_at, zone=zone, site=page.site, skip=ticker_lines)
    if article is None and not ticker:
        return ParseFailure("no_content", "neither ticker items nor an article found")
    return ParsedPage(ticker=ticker, article=article)


def parse_page(  # noqa: PLR0911 - one early return per failure reason
    page: Page, *, tz: str = "Asia/Damascus"
) -> ParsedPage | ParseFailure:
    """Parse one page; never raises.

    Dispatches on `page.content_type`. Failures: `empty_body`, `too_large`,
    `unsupported_content_type`, `unknown_time_zone`, `no_content`, `html_unparseable`,
    `parser_error` (a bug: the detail names the exception).
    """
    try:
        body = page.body
        if not body or not body.strip():
            return ParseFailure("empty_body", "the page body is empty")
        try:
            zone_for(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            return ParseFailure("unknown_time_zone", f"{tz!r}: {exc}")
        # tolerate `text/html; charset=utf-8` and odd casing from scrapers
        ctype = str(page.content_type).split(";", 1)[0].strip().lower()
        if ctype == "text/plain":
            if len(body) > MAX_TEXT_CHARS:
                return ParseFailure("too_large", f"{len(body)} chars > {MAX_TEXT_CHARS}")
            return parse_text_page(page, tz)
        if ctype in ("text/html", "application/xhtml+xml"):
            if len(body) > MAX_HTML_CHARS:
                return ParseFailure("too_large", f"{len(body)} chars > {MAX_HTML_CHARS}")
            return parse_html_page(page, tz)
        return ParseFailure("unsupported_content_type", repr(page.content_type)[:100])
    except RecursionError as exc:  # pragma: no cover - guarded against, kept as a backstop
        return ParseFailure("too_complex", f"RecursionError: {exc}"[:500])
    except Exception as exc:  # noqa: BLE001 - the contract: a typed failure, never a raise
        return ParseFailure("parser_error", f"{type(exc).__name__}: {exc}"[:500])

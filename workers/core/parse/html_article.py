"""HTML article parser on selectolax (Lexbor): metadata first, text heuristics second.

One parse per page builds a small precomputed bundle, fundus-style: `<meta>` tags,
JSON-LD article objects, the ticker element, the main content node. Each field is then
read by a small function that prefers page metadata (`og:title`, JSON-LD `headline`,
`article:published_time`, `datePublished`, `article:section`, `og:site_name`) and falls
back to the plain-text rules of `text_article` applied to the page's text lines. Body
paragraphs come from the main content node (`[itemprop=articleBody]`, `.entry-content`,
`.post-body`, ... or the element holding the most paragraph text), cleaned by the same
line roles as plain text (boilerplate, related/comment markers, title repeats).

Lexbor is a C parser and our tree walks are generator-based (no recursion), but its tree
building costs more than linear time on some markup (deep nesting, formatting elements
reopened over and over), so a linear scan of the tags estimates that cost first and
refuses a document that would exceed its budget (`too_complex`, see `html_cost`). Every
other pass is linear in the page, or reads a bounded part of it (JSON-LD blocks, the
`<p>` text scored for the main node).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, Final

from selectolax.lexbor import LexborHTMLParser, LexborNode

from workers.core.models import Article, Page, ParsedPage, ParseFailure, TickerItem
from workers.core.normalize import normalize_for_matching
from workers.core.parse.dates import find_explicit_date, iso_local, parse_iso_datetime
from workers.core.parse.html_body import SPACES, find_body, html_to_lines
from workers.core.parse.html_cost import too_costly
from workers.core.parse.news_bar import HINT_SELECTOR, NewsBar, find_news_bars, news_bar_items
from workers.core.parse.text_article import ArticleFields, clean_name, clean_title, read_lines, to_article
from workers.core.parse.ticker import (
    find_ticker_lines,
    is_time_first,
    items_from_lines,
    resolve_reported_at,
    split_ticker_items,
    split_time_first_items,
    zone_for,
)

__all__ = ["html_to_lines", "parse_html_page"]

_JUNK_TAGS: Final = [
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "object",
    "embed",
    "canvas",
    "select",
    "button",
    "input",
    "textarea",
    "head",
]
# Page furniture: removed unless it contains the main content.
_NOISE_SELECTOR: Final = ", ".join(
    [
        "nav",
        "aside",
        "footer",
        "form",
        "[role=navigation]",
        "[role=complementary]",
        "[role=contentinfo]",
        *(
            f'[{attr}*="{word}"]'
            for attr in ("class", "id")
            for word in (
                "comment",
                "related",
                "share",
                "sharing",
                "social",
                "sidebar",
                "widget",
                "menu",
                "navbar",
                "footer",
                "advert",
                "ads-",
                "popular",
                "newsletter",
                "subscribe",
                "cookie",
                "post-tags",
                "tagcloud",
                "author-box",
                "author-bio",
                "most-read",
                "trending",
                "read-also",
                "readmore",
                "more-news",
                "copyright",
            )
        ),
    ]
)
# Ticker elements: a `marquee`, or a class or id containing one of these (case-sensitive).
_TICKER_WORDS: Final = ("ticker", "breaking", "urgent", "newsbar", "news-bar", "ajel", "3ajel")


def _is_ticker_element(node: LexborNode) -> bool:
    """`marquee, [class*=ticker], [id*=ticker], ...` (`_TICKER_WORDS`), tested on an
    element `news_bar.HINT_SELECTOR` matched (a superset), so the tree is queried once."""
    if node.tag == "marquee":
        return True
    attrs = node.attributes
    for name in ("class", "id"):
        value = attrs.get(name)
        if value and any(word in value for word in _TICKER_WORDS):
            return True
    return False


_MAIN_SELECTORS: Final = (
    "[itemprop=articleBody]",
    ".entry-content",
    ".post-body",
    ".post-content",
    ".article-body",
    ".article-content",
    ".article__body",
    ".article-text",
    ".td-post-content",
    ".story-body",
    ".news-content",
    ".news-text",
    ".content-body",
    "#article-body",
    ".single-content",
    ".post-entry",
    ".entry",
    ".post-text",
    "article",
)
_TITLE_SELECTORS: Final = ("article h1", "h1.entry-title", "h1.post-title", ".post-title", "h1")
_TIME_SELECTORS: Final = (
    "[itemprop=datePublished]",
    "abbr.published[title]",
    "article time[datetime]",
    "time.entry-date[datetime]",
    "time.published[datetime]",
    ".entry-meta time[datetime]",
    ".post-meta time[datetime]",
)
_ARTICLE_TYPES: Final = frozenset(
    {
        "NewsArticle",
        "Article",
        "BlogPosting",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "WebPage",
        "Report",
        "LiveBlogPosting",
        "SocialMediaPosting",
    }
)
# `Title - Site`. A match starts where a run of whitespace does (`(?<!\s)`): the same
# splits, without rescanning a long run from each of its positions (quadratic).
_TITLE_SITE_SEP = re.compile(r"(?<!\s)\s+[|\-–—:»]\s+")
_MIN_MAIN_TEXT = 80
MAX_TICKER_ELEMENT_CHARS: Final = 20_000  # a ticker element holding more is a page section
# JSON-LD: real blocks are a few kB with a handful of objects, nested a few levels. A block
# past these is skipped (json.loads is linear, but a page could hold thousands of big ones).
_MAX_LD_BLOCKS: Final = 50
_MAX_LD_CHARS: Final = 1_000_000
_MAX_LD_OBJECTS: Final = 200  # objects looked at per block
_MAX_LD_NAME_DEPTH: Final = 3  # `author: [[{"name": ...}]]` at most


@dataclass(slots=True)
class _Bundle:
    """What is computed once per page and read by the field functions."""

    meta: dict[str, str] = field(default_factory=dict)
    ld: dict[str, Any] = field(default_factory=dict)


def _read_meta(tree: LexborHTMLParser) -> dict[str, str]:
    meta: dict[str, str] = {}
    for node in tree.css("meta"):
        attrs = node.attributes
        key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
        value = attrs.get("content")
        if key and value and value.strip():
            meta.setdefault(key.strip().lower(), value.strip())
    return meta


def _ld_objects(data: Any) -> Iterator[dict[str, Any]]:
    stack = [data]
    seen = 0
    while stack and seen < _MAX_LD_OBJECTS:
        item = stack.pop()
        seen += 1
        if isinstance(item, list):  # past the first _MAX_LD_OBJECTS items none is reached
            stack.extend(reversed(item[:_MAX_LD_OBJECTS]))
        elif isinstance(item, dict):
            yield item
            graph = item.get("@graph")
            if isinstance(graph, list):
                stack.extend(reversed(graph[:_MAX_LD_OBJECTS]))


def _is_article_type(obj: dict[str, Any]) -> bool:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k in _ARTICLE_TYPES for k in kinds)


def _load_json_ld(text: str) -> Any:
    """A JSON-LD block's data, or None when it is malformed, too big or too deep.

    Python's `json` recurses once per nesting level and raises RecursionError past the
    interpreter's limit (about a thousand levels, fewer when the caller is deep already):
    such a block is skipped, the rest of the page is read as usual.
    """
    if len(text) > _MAX_LD_CHARS:
        return None
    try:
        return json.loads(text or "null")
    except (ValueError, RecursionError):
        return None


def _read_json_ld(tree: LexborHTMLParser) -> dict[str, Any]:
    fallback: dict[str, Any] = {}
    for node in tree.css('script[type="application/ld+json"]')[:_MAX_LD_BLOCKS]:
        for obj in _ld_objects(_load_json_ld(node.text(deep=True))):
            if _is_article_type(obj):
                if obj.get("@type") != "WebPage":
                    return obj
                fallback = fallback or obj
    return fallback


def _ld_name(value: Any, depth: int = 0) -> str | None:
    if isinstance(value, list):  # a list of names; a list nested deeper is not one
        if depth >= _MAX_LD_NAME_DEPTH:
            return None
        names = [n for n in (_ld_name(v, depth + 1) for v in value[:5]) if n]
        return "، ".join(names) if names else None
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, str) and value.strip() and not value.startswith("http"):
        return value.strip()
    return None


def _ld_str(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _node_text(node: LexborNode | None) -> str | None:
    if node is None:
        return None
    text = SPACES.sub(" ", node.text(deep=True, separator=" ")).strip()
    return text or None


def _strip_site_suffix(title: str, site_names: list[str]) -> str:
    """`Title - Site` / `Site | Title` → `Title`, for a known site name."""
    keys = {normalize_for_matching(s) for s in site_names if s}
    parts = _TITLE_SITE_SEP.split(title)
    if len(parts) > 1:
        if normalize_for_matching(parts[-1]) in keys:
            return title[: title.rfind(parts[-1])].rstrip(" |-–—:»")
        if normalize_for_matching(parts[0]) in keys:
            return title[len(parts[0]) :].lstrip(" |-–—:»")
    return title


def _outermost(nodes: list[LexborNode], limit: int = 500) -> list[LexborNode]:
    """Drop nodes nested inside another node of the list (document order kept)."""
    unique = list({n.mem_id: n for n in nodes[:limit]}.values())  # a node matched twice
    ids = set()
    for n in unique:
        ids.add(n.mem_id)
    # whether an element or one of its ancestors is in `ids`, for the ancestors walked
    # already: each element is walked once, however deep and many the nodes are
    below: dict[int, bool] = {}
    out = []
    for node in unique:
        parent, inside, path = node.parent, False, []
        while parent is not None:
            key = parent.mem_id
            if key in ids:
                inside = True
                break
            known = below.get(key)
            if known is not None:
                inside = known
                break
            path.append(key)
            parent = parent.parent
        below.update(dict.fromkeys(path, inside))
        if not inside:
            out.append(node)
    return out


def _ancestors(node: LexborNode | None) -> set[int]:
    ids: set[int] = set()
    while node is not None:
        ids.add(node.mem_id)
        node = node.parent
    return ids


def _find_main(tree: LexborHTMLParser, budget: int) -> LexborNode | None:
    """The main content node. `budget`: the characters of `<p>` text to read at most (the
    page's size: the `<p>`s of a page hold less text, unless they nest, which the parser
    allows only through tables in quirks mode, each repeating the text of those inside)."""
    for selector in _MAIN_SELECTORS:
        node = tree.css_first(selector)
        if node is not None and len(node.text(deep=True)) >= _MIN_MAIN_TEXT:
            return node
    # no known container: the element whose <p> children hold the most text
    scores: dict[int, tuple[int, LexborNode]] = {}
    for p in tree.css("p"):
        parent = p.parent
        if parent is None:
            continue
        text = p.text(deep=True)
        budget -= len(text)
        if budget < 0:
            break
        size = len(text.strip())
        prev = scores.get(parent.mem_id)
        scores[parent.mem_id] = ((prev[0] if prev else 0) + size, parent)
    if not scores:
        return None
    best_size, best = max(scores.values(), key=lambda v: v[0])
    return best if best_size >= _MIN_MAIN_TEXT else None


def _is_page_section(node: LexborNode) -> bool:
    """A `breaking`/`ticker`-named element that is a part of the page, not a ticker: it
    holds the page's headline (`h1`) or an article, or more text than a ticker bar."""
    if node.tag in ("body", "html"):
        return True
    if node.css_first("h1, article, [itemprop=articleBody]") is not None:
        return True
    return len(node.text(deep=True)) > MAX_TICKER_ELEMENT_CHARS


def _ticker_items(
    tree: LexborHTMLParser, page: Page, zone: tzinfo
) -> tuple[tuple[TickerItem, ...], list[NewsBar], bool]:
    """Items from ticker elements, and the page's headline bars (items without times, see
    `news_bar`); both are removed from the tree. The flag says a ticker element was found."""
    marked = tree.css(HINT_SELECTOR)  # a superset of `_TICKER_SELECTOR`'s elements
    nodes = _outermost([node for node in marked if _is_ticker_element(node) and not _is_page_section(node)])
    items: list[TickerItem] = []
    timed: list[LexborNode] = []
    reported: dict[str, datetime | None] = {}
    for node in nodes:
        count = len(items)
        lines = html_to_lines(node)
        indices = find_ticker_lines(lines)
        if indices:
            items.extend(items_from_lines(lines, indices, page.fetched_at, zone))
        else:  # an element with one item, or items split over tags: the element is the block
            found = split_ticker_items(" ".join(lines)) or [
                item for line in lines if is_time_first(line) for item in split_time_first_items(line)
            ]
            for text, source, hhmm in found:
                if hhmm not in reported:  # a page has at most 1440 distinct times
                    reported[hhmm] = resolve_reported_at(hhmm, page.fetched_at, zone)
                items.append(TickerItem(text, source, hhmm, reported[hhmm]))
        if len(items) > count:
            timed.append(node)
    bars = find_news_bars(tree, page.body, marked=marked, taken=timed)
    for node in _outermost([*nodes, *(bar.node for bar in bars)]):
        node.decompose()
    return tuple(items), bars, bool(nodes)


def _remove_noise(tree: LexborHTMLParser, main: LexborNode | None) -> None:
    keep = _ancestors(main)
    noise = [n for n in tree.css(_NOISE_SELECTOR) if n.mem_id not in keep]
    for node in _outermost(noise, limit=2000):
        node.decompose()


def _meta_published(tree: LexborHTMLParser, b: _Bundle, zone: tzinfo) -> str | None:
    for value in (
        b.meta.get("article:published_time"),
        _ld_str(b.ld.get("datePublished")),
        b.meta.get("datepublished"),
        b.meta.get("date"),
        b.meta.get("pubdate"),
        b.meta.get("publish-date"),
        b.meta.get("og:published_time"),
        _ld_str(b.ld.get("dateCreated")),
    ):
        if value:
            iso = parse_iso_datetime(value, zone)
            if iso is None:
                found = find_explicit_date(normalize_for_matching(value))
                iso = iso_local(found, zone) if found else None
            if iso:
                return iso
    for selector in _TIME_SELECTORS:
        node = tree.css_first(selector)
        if node is not None:
            attrs = node.attributes
            value = attrs.get("datetime") or attrs.get("content") or attrs.get("title")
            iso = parse_iso_datetime(value, zone) if value else None
            if iso:
                return iso
    return None


def _meta_title(tree: LexborHTMLParser, b: _Bundle) -> str | None:
    sites = [b.meta.get("og:site_name", ""), _ld_name(b.ld.get("publisher")) or ""]
    for value in (
        _ld_str(b.ld.get("headline")),
        b.meta.get("og:title"),
        b.meta.get("twitter:title"),
    ):
        if value:
            return clean_title(_strip_site_suffix(SPACES.sub(" ", value).strip(), sites))[0]
    for selector in _TITLE_SELECTORS:
        text = _node_text(tree.css_first(selector))
        if text:
            return clean_title(text)[0]
    return None


def _meta_author(b: _Bundle) -> str | None:
    for value in (
        _ld_name(b.ld.get("author")),
        b.meta.get("author"),
        b.meta.get("article:author"),
        b.meta.get("twitter:creator"),
    ):
        if value and not value.startswith(("http", "@")):
            name = clean_name(value)
            if name:
                return name
    return None


def parse_html_page(page: Page, tz: str) -> ParsedPage | ParseFailure:
    """Parse a `text/html` page (size guards are applied by `parse_page`)."""
    zone = zone_for(tz)
    html = page.body
    refusal = too_costly(html)
    if refusal is not None:
        return ParseFailure("too_complex", refusal)
    tree = LexborHTMLParser(html)
    if tree.body is None:
        return ParseFailure("html_unparseable", "no <body> in the document")
    b = _Bundle(meta=_read_meta(tree), ld=_read_json_ld(tree))
    tree.strip_tags(_JUNK_TAGS)
    ticker, bars, had_ticker_element = _ticker_items(tree, page, zone)
    body = find_body(tree, html, title=_meta_title(tree, b))  # by structure: html_body
    main = body.node if body is not None else _find_main(tree, budget=len(html))
    _remove_noise(tree, main)

    # the whole page as text lines: ticker lines (when no element held them) and fields
    page_lines = html_to_lines(tree.body)
    ticker_idx = find_ticker_lines(page_lines)
    if ticker_idx and not had_ticker_element:
        ticker = items_from_lines(page_lines, ticker_idx, page.fetched_at, zone)
    if bars:  # headline bars: items without times, after the timed ones
        ticker += news_bar_items(bars, known={normalize_for_matching(item.text) for item in ticker})
    skipped = set(ticker_idx)
    text_fields = read_lines((ln for i, ln in enumerate(page_lines) if i not in skipped), page.site)

    title = _meta_title(tree, b) or text_fields.title
    body_fields = text_fields
    if main is not None:
        main_fields = read_lines(body.lines if body is not None else html_to_lines(main), page.site, title=title)
        if main_fields.body:
            body_fields = main_fields
    article = _merge(page=page, zone=zone, b=b, text=text_fields, body=body_fields, title=title, tree=tree)
    if article is None and not ticker:
        return ParseFailure("no_content", "neither ticker items nor an article found")
    return ParsedPage(ticker=ticker, article=article)


def _merge(
    *,
    page: Page,
    zone: tzinfo,
    b: _Bundle,
    text: ArticleFields,
    body: ArticleFields,
    title: str | None,
    tree: LexborHTMLParser,
) -> Article | None:
    fields = ArticleFields(
        title=title,
        author=_meta_author(b) or body.author or text.author,
        source=body.source or text.source,
        category=(
            b.meta.get("article:section") or _ld_str(b.ld.get("articleSection")) or text.category or body.category
        ),
        dateline=body.dateline or text.dateline,
        published=text.published or body.published,
        published_labelled=text.published_labelled,
        updated=text.updated or body.updated,
        body=body.body,
    )
    if fields.title is None and not fields.body:
        return None
    site = b.meta.get("og:site_name") or _ld_name(b.ld.get("publisher")) or page.site
    article = to_article(fields, fetched_at=page.fetched_at, zone=zone, site=site)
    published = _meta_published(tree, b, zone)
    if published is not None:
        article = Article(
            title=article.title,
            author=article.author,
            published_at=published,
            published_at_source="explicit",
            category=article.category,
            dateline=article.dateline,
            outlet=article.outlet,
            body=article.body,
        )
    return article

"""Unit tests for the HTML article parser (through parse_page)."""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

from workers.core.models import Article, Page, ParsedPage, ParseFailure
from workers.core.parse.html_cost import nesting_depth
from workers.core.parse.page import parse_page

FETCHED = datetime(2022, 5, 1, 12, 0, tzinfo=ZoneInfo("Asia/Damascus"))
PARA = "وقالت مصادر محلية إن القصف استهدف الأحياء السكنية في المدينة وأدى إلى أضرار مادية كبيرة."
TITLE = "قصف مدفعي يستهدف أحياء سكنية في مدينة درعا"


def parse(html: str) -> ParsedPage:
    result = parse_page(Page(None, FETCHED, "text/html", html))
    assert isinstance(result, ParsedPage), result
    return result


def article(html: str) -> Article:
    got = parse(html).article
    assert got is not None
    return got


def doc(head: str = "", body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


class TestMetadataFirst:
    def test_og_title_over_h1(self) -> None:
        """og:title wins over the page's h1, and a `- Site` suffix is cut."""
        head = f'<meta property="og:title" content="{TITLE} - شبكة"><meta property="og:site_name" content="شبكة">'
        assert article(doc(head, f"<h1>عنوان آخر للصفحة هنا</h1><p>{PARA}</p>")).title == TITLE

    def test_json_ld_headline_author_date(self) -> None:
        """JSON-LD NewsArticle gives headline, author and datePublished."""
        ld = (
            f'{{"@type":"NewsArticle","headline":"{TITLE}","author":{{"name":"ليلى"}},'
            '"datePublished":"2022-04-30T06:00:00Z"}'
        )
        got = article(doc(f'<script type="application/ld+json">{ld}</script>', f"<p>{PARA}</p>"))
        assert (got.title, got.author, got.published_at, got.published_at_source) == (
            TITLE,
            "ليلى",
            "2022-04-30T09:00:00+03:00",
            "explicit",
        )

    def test_broken_json_ld_ignored(self) -> None:
        """Malformed JSON-LD does not break parsing."""
        got = article(doc('<script type="application/ld+json">{oops</script>', f"<h1>{TITLE}</h1><p>{PARA}</p>"))
        assert got.title == TITLE

    def test_json_ld_nested_too_deep_is_skipped(self) -> None:
        """A JSON-LD block nested 2,000 levels deep (json.loads raises RecursionError) is
        skipped: the article comes out of the rest of the page, and another JSON-LD block
        still gives its headline."""
        deep = '<script type="application/ld+json">' + "[" * 2000 + "]" * 2000 + "</script>"
        deep_objects = '<script type="application/ld+json">' + '{"a":' * 2000 + "1" + "}" * 2000 + "</script>"
        got = article(doc(deep + deep_objects, f"<h1>{TITLE}</h1><p>{PARA}</p>"))
        assert (got.title, got.body) == (TITLE, (PARA,))
        good = f'<script type="application/ld+json">{{"@type":"NewsArticle","headline":"{TITLE}"}}</script>'
        got = article(doc(deep + good, f"<p>{PARA}</p>"))
        assert (got.title, got.body) == (TITLE, (PARA,))

    def test_json_ld_deep_author_list(self) -> None:
        """An author nested in 900 lists (which json.loads reads) is no name, and costs no
        recursion: the article keeps its headline and body."""
        ld = f'{{"@type":"NewsArticle","headline":"{TITLE}","author":' + "[" * 900 + '"ليلى"' + "]" * 900 + "}"
        got = article(doc(f'<script type="application/ld+json">{ld}</script>', f"<p>{PARA}</p>"))
        assert (got.title, got.author, got.body) == (TITLE, None, (PARA,))

    def test_section_meta_is_category(self) -> None:
        """article:section gives the category."""
        head = '<meta property="article:section" content="اقتصاد">'
        assert article(doc(head, f"<h1>{TITLE}</h1><p>{PARA}</p>")).category == "اقتصاد"

    def test_text_rules_when_no_metadata(self) -> None:
        """Without metadata the text rules find the author and the date."""
        body = f"<h1>{TITLE}</h1><div>بقلم: سارة</div><div>تاريخ النشر: 2022/04/30 10:00</div><p>{PARA}</p>"
        got = article(doc(body=body))
        assert (got.author, got.published_at) == ("سارة", "2022-04-30T10:00:00+03:00")


class TestBody:
    def test_main_container_paragraphs(self) -> None:
        """Body paragraphs come from the article container, not the sidebar."""
        body = (
            f'<div class="entry-content"><p>{PARA}</p><p>{PARA} ثانية.</p></div>'
            "<aside><p>خبر جانبي لا علاقة له بالمقال الحالي إطلاقاً وهو طويل بما يكفي</p></aside>"
        )
        assert article(doc(body=f"<h1>{TITLE}</h1>{body}")).body == (PARA, f"{PARA} ثانية.")

    def test_scripts_and_styles_ignored(self) -> None:
        """Script and style text never reaches the body."""
        body = f"<h1>{TITLE}</h1><article><script>var a='x';</script><style>p{{}}</style><p>{PARA}</p></article>"
        assert article(doc(body=body)).body == (PARA,)

    def test_br_separates_paragraphs(self) -> None:
        """`<br>` inside a Blogger-style div separates paragraphs."""
        body = f'<h1>{TITLE}</h1><div class="post-body">{PARA}<br><br>{PARA} ثانية.</div>'
        assert len(article(doc(body=body)).body) == 2

    def test_comments_block_removed(self) -> None:
        """A comments block inside the article is not body."""
        comments = '<div id="comments"><p>تعليق طويل من أحد القراء على هذا الخبر المنشور</p></div>'
        body = f"<article><h1>{TITLE}</h1><p>{PARA}</p>{comments}</article>"
        assert article(doc(body=body)).body == (PARA,)


class TestTicker:
    def test_ticker_element(self) -> None:
        """Items in a `.breaking-news` element become ticker items."""
        ticker = "<li>خبر أول (ناشطون) - 11:00</li><li>خبر ثان - 10:00</li>"
        body = f'<div class="breaking-news">{ticker}</div><h1>{TITLE}</h1><p>{PARA}</p>'
        got = parse(doc(body=body)).ticker
        assert [(i.text, i.attribution, i.time) for i in got] == [
            ("خبر أول", "ناشطون", "11:00"),
            ("خبر ثان", None, "10:00"),
        ]

    def test_ticker_element_with_one_time_first_item(self) -> None:
        """A ticker element holding a single `HH:MM - TEXT` item (too short for a block of
        lines) still gives its item, attribution and time."""
        ticker = "<span>13:52 - قوات النظام تقصف بلدة كنصفرة جنوب إدلب (ناشطون)</span>"
        body = f'<div class="breaking-news">{ticker}</div><h1>{TITLE}</h1><p>{PARA}</p>'
        got = parse(doc(body=body)).ticker
        assert [(i.text, i.attribution, i.time) for i in got] == [
            ("قوات النظام تقصف بلدة كنصفرة جنوب إدلب", "ناشطون", "13:52"),
        ]
        assert got[0].reported_at is not None

    def test_ticker_from_text_without_element(self) -> None:
        """A `الأخبار العاجلة` block in plain markup is found by the text rules."""
        ticker = "<div>الأخبار العاجلة</div><div>خبر (وكالات) - 09:00 خبر آخر - 08:00</div>"
        body = f"{ticker}<h1>{TITLE}</h1><p>{PARA}</p>"
        assert len(parse(doc(body=body)).ticker) == 2


class TestGuards:
    def test_deep_nesting_refused_fast(self) -> None:
        """100k nested tags are refused as `too_complex` in well under a second."""
        html = "<html><body>" + "<div>" * 100_000 + "x" + "</div>" * 100_000 + "</body></html>"
        start = time.perf_counter()
        result = parse_page(Page(None, FETCHED, "text/html", html))
        assert isinstance(result, ParseFailure)
        assert result.reason == "too_complex"
        assert time.perf_counter() - start < 2

    def test_unclosed_div_tags_scanned_fast(self) -> None:
        """30k `<div` without a `>` after them (a truncated page) cost a scan of the page,
        not a rescan to its end for each of them (that took 30 s); the article comes out."""
        html = f"<html><body><h1>{TITLE}</h1><p>{PARA}</p>" + "<div " * 30_000
        start = time.perf_counter()
        assert article(html).body == (PARA,)
        assert time.perf_counter() - start < 2

    def test_deep_unknown_and_block_tags_refused(self) -> None:
        """Any element the parser nests counts: 50k nested `<x>` or `<pre>`, or `<div/>`
        (HTML has no self-closing `div`) are refused like 50k `<div>`."""
        for unit in ("<x>", "<pre>", "<details>", "<div/>", "<optgroup>", "<rt>"):
            result = parse_page(Page(None, FETCHED, "text/html", doc(body=unit * 50_000)))
            assert isinstance(result, ParseFailure), unit
            assert result.reason == "too_complex", unit

    def test_deep_but_cheap_stack_walks_refused(self) -> None:
        """20k tags under 2,990 levels (below MAX_DEPTH, but each walks the whole stack)
        are refused: the tags sit deeper than MAX_MEAN_DEPTH on average."""
        html = doc(body="<x>" * 2990 + "<h1>a</h1>" * 20_000)
        result = parse_page(Page(None, FETCHED, "text/html", html))
        assert isinstance(result, ParseFailure)
        assert result.reason == "too_complex"
        assert "average" in result.detail

    def test_reopened_formatting_elements_refused(self) -> None:
        """Formatting elements left open across paragraphs are reopened before each later
        tag: 700 distinct unclosed `<b>` then 1,600 list items would make a million
        elements (seconds, on an 18 kB page). Such a page is refused."""
        html = "<html><body>" + "".join(f'<p><b id="{i}">' for i in range(700)) + "x<li>a" * 1600
        result = parse_page(Page(None, FETCHED, "text/html", html))
        assert isinstance(result, ParseFailure)
        assert result.reason == "too_complex"

    def test_nesting_depth_follows_the_parser(self) -> None:
        """The scan's depth follows the tree builder's rules for the common cases."""
        assert nesting_depth("<div>" * 10) == 10
        assert nesting_depth("<div/>" * 10) == 10  # no self-closing div in HTML
        assert nesting_depth("<svg>" + "<path/>" * 10 + "</svg>") == 1  # but in SVG there is
        assert nesting_depth("<p>a" * 10) == 1  # a `<p>` closes the open one
        assert nesting_depth("<ul>" + "<li>a" * 10 + "</ul>") == 2
        assert nesting_depth("<table>" + "<tr><td>a" * 10 + "</table>") == 3
        assert nesting_depth("<div><span></div>" * 10) == 2  # `</div>` closes the span
        assert nesting_depth("<span><div></span>" * 10) == 20  # `</span>` cannot reach past a div
        assert nesting_depth("<!--" + "<div>" * 10 + "-->") == 0
        assert nesting_depth("<script>" + "'<div>'" * 10 + "</script>") == 1
        assert nesting_depth("<svg><title>" + "<x>" * 10) == 12  # HTML inside SVG, no raw text

    def test_blank_runs_in_metadata_are_linear(self) -> None:
        """A title or author holding a run of 50k blank characters does not make the
        separator patterns rescan the run from each of its positions (minutes before)."""
        head = (
            f'<meta property="og:title" content="{TITLE}{chr(10) * 50_000}x">'
            f'<meta name="author" content="a{" " * 50_000}b">'
        )
        start = time.perf_counter()
        got = article(doc(head, f"<h1>{TITLE}{chr(10) * 50_000}</h1><p>{PARA}</p>"))
        assert time.perf_counter() - start < 2
        assert got.title is not None
        assert got.title.startswith(TITLE)
        assert got.author is None  # 50k blanks make too many words for a name

    def test_nested_paragraph_text_read_once(self) -> None:
        """`<p><table><td><p>` nests paragraphs (quirks mode); scoring them reads at most
        the page's size of text, not the innermost text once per enclosing paragraph."""
        html = "<html><body><h1>t</h1>" + "<p><table><tr><td>" * 600 + PARA * 2000
        start = time.perf_counter()
        assert parse(html).article is not None
        assert time.perf_counter() - start < 2

    def test_huge_body_refused(self) -> None:
        """A 20 MB HTML body is refused as `too_large`."""
        result = parse_page(Page(None, FETCHED, "text/html", "<p>" + "ا" * 20_000_000))
        assert isinstance(result, ParseFailure)
        assert result.reason == "too_large"

    def test_many_flat_tags_are_parsed(self) -> None:
        """Many sibling tags (not nested) are still parsed."""
        html = doc(body=f"<h1>{TITLE}</h1>" + "<span></span>" * 50_000 + f"<p>{PARA}</p>")
        assert article(html).title == TITLE

    def test_content_type_with_charset(self) -> None:
        """`text/html; charset=utf-8` is dispatched to the HTML parser."""
        page = Page(None, FETCHED, "text/html; charset=utf-8", doc(body=f"<h1>{TITLE}</h1><p>{PARA}</p>"))  # type: ignore[arg-type]
        assert isinstance(parse_page(page), ParsedPage)

    def test_unsupported_content_type(self) -> None:
        """Another content type is a typed failure."""
        page = Page(None, FETCHED, "application/pdf", "%PDF")  # type: ignore[arg-type]
        result = parse_page(page)
        assert isinstance(result, ParseFailure)
        assert result.reason == "unsupported_content_type"

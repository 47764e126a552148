"""Structural body extraction (`workers/core/parse/html_body.py`), one small page per rule."""

from __future__ import annotations

from datetime import UTC, datetime

from selectolax.lexbor import LexborHTMLParser

from workers.core.models import Page, ParsedPage
from workers.core.parse.html_body import find_body
from workers.core.parse.page import parse_page

TITLE = "Council approves the new water plan"
P1 = "The city council approved the new water plan on Monday, after a long debate, by nine votes to four."
P2 = "The plan, which costs two million dollars, will replace the old pipes in the northern districts first."
P3 = "Work is expected to start in the spring, the mayor said, and to last about three years in all."
COMMENT = "I think this plan is a waste of money, and the council should have listened to the residents, honestly."


def page(body: str, title: str = TITLE) -> tuple[LexborHTMLParser, str]:
    html = f"<html><head><title>{title}</title></head><body>{body}</body></html>"
    return LexborHTMLParser(html), html


def lines(body: str, title: str | None = TITLE) -> list[str]:
    found = find_body(*page(body), title=title)
    assert found is not None
    return list(found.lines)


def article(inner: str, after: str = "") -> str:
    return f'<div class="wrap"><article><h1>{TITLE}</h1><div class="story">{inner}</div></article>{after}</div>'


BODY = f"<p>{P1}</p><p>{P2}</p><p>{P3}</p>"


def test_paragraphs_of_the_article() -> None:
    assert lines(article(BODY)) == [P1, P2, P3]


def test_comment_section_dropped() -> None:
    comments = f'<section id="comments"><h3>3 comments</h3><div class="comment"><p>{COMMENT}</p></div></section>'
    got = lines(article(BODY, after=comments))
    assert got == [P1, P2, P3]


def test_long_comment_thread_is_not_taken_for_the_body() -> None:
    """Many long comments outscore the article by text: their container is left out."""
    thread = "".join(f'<li class="comment"><p>{COMMENT} {i}, {COMMENT}</p></li>' for i in range(20))
    got = lines(f"<h1>{TITLE}</h1><div><p>{P1}</p><p>{P2}</p></div><ol class='commentlist'>{thread}</ol>")
    assert got == [P1, P2]


def test_caption_and_photo_credit_dropped() -> None:
    figure = (
        '<figure><img src="x.jpg"><figcaption>The council chamber on Monday.</figcaption></figure>'
        '<span class="photo-credit">Photo: Jane Doe / Agency</span>'
    )
    got = lines(article(f"<p>{P1}</p>{figure}<p>{P2}</p>"))
    assert got == [P1, P2]


def test_read_also_insert_dropped() -> None:
    inserts = (
        '<p><a href="/other">Mayor opens the new bridge over the river</a></p>'
        '<p><strong>Read also:</strong> <a href="/more">Water prices to rise next year across the region</a></p>'
    )
    got = lines(article(f"<p>{P1}</p>{inserts}<p>{P2}</p>"))
    assert got == [P1, P2]


def test_link_heavy_list_dropped() -> None:
    related = "<ul>" + "".join(f'<li><a href="/n/{i}">Another story number {i}</a></li>' for i in range(8)) + "</ul>"
    got = lines(article(f"<p>{P1}</p><p>{P2}</p>{related}"))
    assert got == [P1, P2]


def test_tags_share_and_newsletter_dropped() -> None:
    extras = (
        '<div class="tags"><a rel="tag" href="/t/water">water</a><a rel="tag" href="/t/city">city</a></div>'
        '<div class="share-buttons">Share on Facebook Twitter</div>'
        '<div class="newsletter-signup">Sign up for our daily newsletter and get the news first.</div>'
    )
    got = lines(article(BODY + extras))
    assert got == [P1, P2, P3]


def test_trailing_disclaimer_dropped() -> None:
    note = "<p><em>This article was updated to correct the cost of the plan.</em></p>"
    got = lines(article(BODY + note))
    assert got == [P1, P2, P3]


def test_header_before_the_headline_dropped() -> None:
    """In a container holding the headline, what precedes it (a "filed under" header,
    a kicker) is page header, not body."""
    header = '<div class="kicker">Filed under: <a href="/c/city">City</a> <a href="/c/water">Water</a></div>'
    got = lines(f'<article>{header}<h1>{TITLE}</h1><div class="body">{BODY}</div></article>')
    assert got == [P1, P2, P3]


def test_lead_container_kept() -> None:
    lead = "A two-million-dollar plan to replace the city's pipes passed after a long night."
    body = f'<h1>{TITLE}</h1><div class="article-summary">{lead}</div><div class="article-text">{BODY}</div>'
    assert lines(f"<main>{body}</main>") == [lead, P1, P2, P3]


def test_text_directly_in_divs_counts() -> None:
    got = lines(f'<h1>{TITLE}</h1><div class="content"><div>{P1}</div><div>{P2}<br>{P3}</div></div>')
    assert got == [P1, P2, P3]


def test_body_near_the_headline_preferred() -> None:
    """A block of prose far from the headline (a site-wide "about us" box) loses to the
    article next to it, though it scores more on its own."""
    about = f"<p>{COMMENT}, {COMMENT}</p><p>{COMMENT}</p>"
    far = f"<div><div><div><div><div><div><div>{about}</div></div></div></div></div></div></div>"
    got = lines(f"{far}<div><h1>{TITLE}</h1><div>{BODY}</div></div>")
    assert got == [P1, P2, P3]


def test_no_body_gives_none() -> None:
    assert find_body(*page("<div><a href='/'>Home</a></div>"), title=None) is None


def test_tree_is_not_modified() -> None:
    tree, html = page(article(BODY, after='<div id="comments"><p>' + COMMENT + "</p></div>"))
    before = tree.html
    find_body(tree, html, title=TITLE)
    assert tree.html == before


def test_is_repeated_hook_drops_lines() -> None:
    boiler = "Our newsroom follows the standards of the press council, see our policy."
    found = find_body(*page(article(f"{BODY}<p>{boiler}</p>")), title=TITLE, is_repeated=lambda line: line == boiler)
    assert found is not None
    assert list(found.lines) == [P1, P2, P3]


AR_TITLE = "مجلس المدينة يقر خطة جديدة للمياه"
AR_P1 = "أقر مجلس مدينة حلب، يوم الاثنين، خطة جديدة لإصلاح شبكة المياه في الأحياء الشمالية، بعد نقاش طويل."
AR_P2 = "وقال رئيس المجلس إن الخطة، التي تبلغ كلفتها مليوني دولار، ستبدأ في الربيع المقبل وتستمر ثلاث سنوات."
AR_P3 = "وأضاف أن الأعمال ستشمل استبدال الأنابيب القديمة، وبناء خزانات جديدة، وتحسين محطات الضخ في المدينة."


def test_arabic_page() -> None:
    """RTL page: `،` counts as a comma, a `اقرأ أيضا` link insert, a share bar and a
    comment form are left out; the lead in its own container comes first."""
    lead = "خطة بمليوني دولار لإصلاح شبكة المياه في حلب تبدأ في الربيع المقبل."
    body = (
        f'<div class="post"><h1 class="entry-title">{AR_TITLE}</h1>'
        f'<div class="post-excerpt">{lead}</div>'
        f'<div class="post-text"><p>{AR_P1}</p>'
        '<p>اقرأ أيضا: <a href="/x">افتتاح جسر جديد فوق النهر في حلب</a></p>'
        f"<p>{AR_P2}</p><p>{AR_P3}</p>"
        '<div class="social-share">شارك على فيسبوك تويتر واتساب</div></div></div>'
        '<div id="respond" class="comment-respond"><h3>اترك تعليقاً</h3>'
        "<p>لن يتم نشر عنوان بريدك الإلكتروني، الحقول الإلزامية مشار إليها.</p></div>"
    )
    head = f'<head><meta property="og:title" content="{AR_TITLE}"></head>'
    html = f'<html lang="ar" dir="rtl">{head}<body>{body}</body></html>'
    found = find_body(LexborHTMLParser(html), html, title=AR_TITLE)
    assert found is not None
    assert list(found.lines) == [lead, AR_P1, AR_P2, AR_P3]
    result = parse_page(Page(None, datetime(2022, 5, 1, 9, 0, tzinfo=UTC), "text/html", html), tz="Asia/Damascus")
    assert isinstance(result, ParsedPage)
    assert result.article is not None
    assert result.article.title == AR_TITLE
    assert AR_P1 in result.article.body
    assert AR_P3 in result.article.body
    assert "اقرأ أيضا" not in result.article.body
    assert "تعليق" not in result.article.body

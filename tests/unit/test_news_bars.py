"""Headline bars (news bars without times): real-layout pages and small built cases.

The pages under tests/fixtures/news_bars/ (PROVENANCE.md says where their markup comes
from): `pos_*` hold one bar each, whose headlines are listed below in page order; `neg_*`
hold none, but menus, mega-menus, breadcrumbs, tag lists, related, most-read and
latest-teaser blocks, a trending-tags strip marked `ticker`, and an article inside a
`section#breaking-news`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.contract import assert_matches_schema
from workers.contract.topics import load_topics
from workers.core.models import Page, ParsedPage, TickerItem
from workers.core.parse.news_bar import is_headline_like
from workers.core.parse.page import parse_page
from workers.core.pipeline import PageOutcome, PipelineState, process_page

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "news_bars"
FETCHED = datetime.fromisoformat("2025-03-04T12:00:00+02:00")

POSITIVES: dict[str, list[str]] = {
    "pos_jannah_top_nav.html": [
        "الحكومة تعلن خطة لإعادة تأهيل محطات الكهرباء في حلب",
        "إعادة فتح معبر نصيب الحدودي أمام حركة الشاحنات التجارية",
        "أمطار غزيرة تغمر مخيمات النازحين في ريف إدلب الشمالي",
        "وزارة النفط تخفض سعر ليتر البنزين للمرة الثانية هذا الشهر",
    ],
    "pos_jnews_ticker.html": [
        "مؤسسة المياه تبدأ حفر بئر جديدة لتغذية مدينة السويداء بمياه الشرب",
        "ترميم عشر مدارس في ريف درعا الغربي قبل نهاية الفصل الدراسي",
        "إصلاح الطريق الواصل بين القنيطرة ودمشق بعد أشهر من الإهمال",
    ],
    "pos_marquee_table.html": [
        "وصول قافلة مساعدات إنسانية إلى مدينة البوكمال على الحدود العراقية",
        "استئناف العمل في جسر الميادين المعلق بعد انتهاء أعمال الصيانة",
        "مديرية الزراعة تبدأ توزيع بذار القمح على الفلاحين في ريف دير الزور",
        "ارتفاع منسوب نهر الفرات بعد زيادة الإطلاقات المائية من السدود التركية",
    ],
    "pos_label_only_bar.html": [
        "الدفاع المدني يخمد حريقاً في غابات ريف اللاذقية الشمالي",
        "وصول أول رحلة جوية تجارية إلى مطار حلب منذ سنوات",
        "تقرير: عودة آلاف العائلات إلى ريف حماة الشمالي",
    ],
    "pos_bootstrap_ticker.html": [
        "انطلاق حملة لقاح ضد شلل الأطفال في محافظة الرقة",
        "أزمة خبز خانقة في مدينة الحسكة بسبب نقص الطحين",
        "ارتفاع منسوب المياه في بحيرة سد الفرات قرب مدينة الطبقة",
    ],
    "pos_aria_label_bar.html": [
        "الاتحاد الأوروبي يعلن حزمة مساعدات جديدة للاجئين السوريين في دول الجوار",
        "انفجار محدود في مستودع قرب مرفأ بيروت دون وقوع إصابات",
        "قمة ثلاثية في عمّان لبحث ملف المياه والطاقة في المنطقة",
    ],
}
NEGATIVES = sorted(p.name for p in FIXTURES.glob("neg_*.html"))


def parse_html(html: str, url: str | None = "https://example.org/a") -> ParsedPage:
    result = parse_page(Page(url, FETCHED, "text/html", html))
    assert isinstance(result, ParsedPage), result
    return result


def fixture(name: str) -> ParsedPage:
    return parse_html((FIXTURES / name).read_text(encoding="utf-8"))


class TestRealLayouts:
    def test_every_fixture_is_listed(self) -> None:
        """Each positive page has its expected items here; the rest are negatives."""
        names = {p.name for p in FIXTURES.glob("*.html")}
        assert set(POSITIVES) <= names
        assert names - set(POSITIVES) == set(NEGATIVES)
        assert len(NEGATIVES) >= 4

    @pytest.mark.parametrize("name", sorted(POSITIVES))
    def test_positive_pages_give_their_headlines(self, name: str) -> None:
        """The bar's headlines, in page order, without times, each once."""
        parsed = fixture(name)
        assert [item.text for item in parsed.ticker] == POSITIVES[name]
        assert all(item.time is None and item.reported_at is None for item in parsed.ticker)
        assert parsed.article is not None

    @pytest.mark.parametrize("name", NEGATIVES)
    def test_negative_pages_give_none(self, name: str) -> None:
        """Menus, related and most-read lists, tags, breadcrumbs, teasers: no ticker items."""
        parsed = fixture(name)
        assert parsed.ticker == ()
        assert parsed.article is not None
        assert parsed.article.title

    def test_bar_text_stays_out_of_the_article(self) -> None:
        """A bar's headlines are not read as the article's body."""
        article = fixture("pos_jannah_top_nav.html").article
        assert article is not None
        assert not any("معبر نصيب" in paragraph for paragraph in article.body)

    def test_the_articles_own_headline_is_still_an_item(self) -> None:
        """An item equal to the article's headline stays a ticker item."""
        parsed = fixture("pos_bootstrap_ticker.html")
        assert parsed.article is not None
        assert parsed.article.title in [item.text for item in parsed.ticker]

    def test_an_article_inside_a_breaking_section_is_kept(self) -> None:
        """`section#breaking-news` around the article is a page section, not a ticker."""
        article = fixture("neg_marked_not_bars.html").article
        assert article is not None
        assert any("مشروع قانون الاستثمار" in paragraph for paragraph in article.body)


HEAD = "<html><head><title>صفحة</title></head><body>"
TAIL = (
    "<article><h1>عنوان المقال في الصفحة</h1><p>"
    + "فقرة من نص المقال تتحدث عن الأوضاع في المدينة. " * 6
    + "</p></article></body></html>"
)
H1 = "قوات الدفاع المدني تنقذ عائلة من تحت الأنقاض في حلب"
H2 = "وزارة التربية تعلن موعد بدء العام الدراسي الجديد"
H3 = "ارتفاع أسعار المحروقات في الأسواق المحلية للمرة الثالثة"


def items(html: str) -> list[TickerItem]:
    return list(parse_html(HEAD + html + TAIL).ticker)


class TestBuiltCases:
    def test_marquee_of_links(self) -> None:
        bar = f'<marquee><a href="/1">{H1}</a> • <a href="/2">{H2}</a></marquee>'
        assert [i.text for i in items(bar)] == [H1, H2]

    def test_plain_text_marquee_cut_at_bullets(self) -> None:
        assert [i.text for i in items(f"<marquee>{H1} | {H2} | {H3}</marquee>")] == [H1, H2, H3]

    def test_attribution_is_split_off(self) -> None:
        bar = f'<div class="news-ticker"><ul><li><a>{H1} (سانا)</a></li><li><a>{H2}</a></li></ul></div>'
        got = items(bar)
        assert (got[0].text, got[0].attribution) == (H1, "سانا")
        assert got[1].attribution is None

    def test_leading_label_inside_an_item_is_dropped(self) -> None:
        bar = f'<div class="urgent"><p><a>عاجل: {H1}</a></p><p><a>عاجل | {H2}</a></p></div>'
        assert [i.text for i in items(bar)] == [H1, H2]

    def test_a_scrolling_bar_repeats_its_list(self) -> None:
        """Duplicated lists (seamless scrolling) give each item once."""
        lis = "".join(f"<li><a>{h}</a></li>" for h in (H1, H2, H1, H2))
        assert [i.text for i in items(f'<ul class="ticker">{lis}</ul>')] == [H1, H2]

    def test_one_headline_is_not_a_bar(self) -> None:
        """Two headlines at least: one alone could be anything."""
        assert items(f'<div class="breaking"><span>عاجل</span><a href="/1">{H1}</a></div>') == []

    def test_timed_ticker_is_read_as_before(self) -> None:
        """A ticker element with times gives timed items, and no timeless copies."""
        bar = f'<div class="breaking"><ul><li>{H1} - 10:15</li><li>{H2} - 09:40</li></ul></div>'
        got = items(bar)
        assert [(i.text, i.time) for i in got] == [(H1, "10:15"), (H2, "09:40")]

    def test_timed_and_timeless_bars_on_one_page(self) -> None:
        timed = f'<div id="urgent-ticker"><p>{H1} - 10:15</p></div>'
        bar = f'<ul class="latest-ticker"><li><a>{H2}</a></li><li><a>{H3}</a></li><li><a>{H1}</a></li></ul>'
        got = items(timed + bar)
        assert [(i.text, i.time) for i in got] == [(H1, "10:15"), (H2, None), (H3, None)]

    @pytest.mark.parametrize(
        "html",
        [
            # a menu in a ticker-named wrapper: short category words
            '<div class="ticker"><ul><li><a>الرئيسية</a></li><li><a>سياسة</a></li><li><a>اقتصاد</a></li></ul></div>',
            # menu words strung into long items
            '<div class="breaking"><a>أخبار سياسة اقتصاد رياضة</a><a>ثقافة فن منوعات تكنولوجيا</a></div>',
            # dates alone
            '<div class="ticker"><a>الأحد 12 مارس 2024 الساعة</a><a>الاثنين 13 آذار 2024 م</a></div>',
            # a related block, even strongly named
            f'<div class="related-ticker"><a>{H1}</a><a>{H2}</a></div>',
            # a most-read list under a ticker-named wrapper: its heading says so
            f'<div class="ticker-box"><h3>الأكثر قراءة</h3><a>{H1}</a><a>{H2}</a></div>',
            # a latest-news list in a sidebar (weak mark)
            f'<aside><div class="latest-news"><a>{H1}</a><a>{H2}</a></div></aside>',
            # a label heading plain paragraphs (not links): weak candidates need links
            f"<div><span>آخر الأخبار</span><p>{H1}</p><div>{H2}</div></div>",
            # English headlines
            '<ul class="ticker"><li><a>Storm hits the northern coast overnight</a></li>'
            "<li><a>Talks resume in Geneva next week</a></li></ul>",
            # a nav element named breaking
            f'<nav class="breaking-nav"><a>{H1}</a><a>{H2}</a></nav>',
        ],
    )
    def test_not_bars(self, html: str) -> None:
        assert items(html) == []

    def test_label_only_bar(self) -> None:
        bar = f'<div class="x1"><b>أخبار عاجلة</b><ul><li><a>{H1}</a></li><li><a>{H2}</a></li></ul></div>'
        assert [i.text for i in items(bar)] == [H1, H2]

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            (H1, True),
            ("الرئيسية", False),
            ("أخبار سياسة اقتصاد رياضة", False),
            ("الأحد 12 مارس 2024", False),
            ("Storm hits the northern coast overnight", False),
            (" ".join([H1] * 4), False),  # too long for a headline
        ],
    )
    def test_headline_like(self, text: str, expected: bool) -> None:
        assert is_headline_like(text) is expected


class TestPipeline:
    def test_timeless_items_are_events_and_sightings(self) -> None:
        """Items without a time are deduped by their text like the others; their records
        carry `time` and `reported_at` null and match the schemas."""
        topics = load_topics()
        html = (FIXTURES / "pos_bootstrap_ticker.html").read_text(encoding="utf-8")
        state = PipelineState()
        first = process_page(Page("https://raqqa.example/a", FETCHED, "text/html", html, site="raqqa.example"), state)
        assert isinstance(first, PageOutcome)
        events = [r for r in first.records if r.topic == "events.ticker"]
        assert len(events) == 3
        for record in first.records:
            assert_matches_schema(topics, record.topic, record.value)
        assert all(r.value["time"] is None and r.value["reported_at"] is None for r in events)
        state.commit()
        again = process_page(Page("https://raqqa.example/b", FETCHED, "text/html", html, site="raqqa.example"), state)
        assert isinstance(again, PageOutcome)
        sightings = [r for r in again.records if r.topic == "events.sightings" and r.value["kind"] == "exact"]
        assert [r.key for r in sightings] == [r.key for r in events]
        for record in again.records:
            assert_matches_schema(topics, record.topic, record.value)
        assert all(r.value["time"] is None for r in sightings)

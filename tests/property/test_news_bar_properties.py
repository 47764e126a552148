"""Headline bars: lists made of menu words, section names and dates never become tickers,
whatever their container is named and whatever label heads them."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from workers.core.models import Page, ParsedPage
from workers.core.parse.page import parse_page

FAST = settings(max_examples=300, deadline=None)

CATEGORY_WORDS = (
    "الرئيسية",
    "أخبار",
    "الأخبار",
    "سياسة",
    "اقتصاد",
    "رياضة",
    "ثقافة",
    "فن",
    "منوعات",
    "تكنولوجيا",
    "صحة",
    "محليات",
    "عربي",
    "دولي",
    "مقالات",
    "رأي",
    "تقارير",
    "تحقيقات",
    "فيديو",
    "صور",
    "اتصل بنا",
    "من نحن",
    "سياسة الخصوصية",
    "أعلن معنا",
    "المزيد",
    "البث المباشر",
    "الطقس",
    "عاجل",
    "آخر الأخبار",
    "الأكثر قراءة",
    "الثلاثاء 4 مارس 2025",
    "12 كانون الثاني",
    "منذ ساعتين",
    "2024/05/01",
)
CONTAINERS = (
    '<div class="{}">',
    '<ul class="{}">',
    '<nav class="{}">',
    '<section id="{}">',
    '<marquee class="{}">',
)
CONTAINER_CLOSE = {"div": "</div>", "ul": "</ul>", "nav": "</nav>", "section": "</section>", "marquee": "</marquee>"}
NAMES = ("ticker", "breaking-news", "news-bar", "urgent", "latest-news", "main-menu", "nav", "x1", "")
LABELS = ("", "<span>عاجل</span>", "<b>آخر الأخبار</b>", "<h3>شريط الأخبار</h3>", "<strong>أخبار عاجلة</strong>")

# an item: one to three category words or dates, up to six words in all
item = st.lists(st.sampled_from(CATEGORY_WORDS), min_size=1, max_size=3).map(" ".join)


@st.composite
def nav_like(draw: st.DrawFn) -> str:
    container = draw(st.sampled_from(CONTAINERS)).format(draw(st.sampled_from(NAMES)))
    tag = container[1 : container.index(" ")]
    label = draw(st.sampled_from(LABELS))
    words = draw(st.lists(item, min_size=2, max_size=25))
    as_list = tag == "ul" or draw(st.booleans())
    if as_list:
        inner = "".join(f'<li><a href="/c/{i}">{w}</a></li>' for i, w in enumerate(words))
        inner = inner if tag == "ul" else f"<ul>{inner}</ul>"
    else:
        inner = draw(st.sampled_from((" | ", " • ", " "))).join(
            f'<a href="/c/{i}">{w}</a>' for i, w in enumerate(words)
        )
    return f"{container}{label}{inner}{CONTAINER_CLOSE[tag]}"


PAGE = (
    "<html><head><title>صفحة</title></head><body><header>{}</header><main><article><h1>عنوان المقال في الصفحة</h1>"
    "<p>" + "فقرة من نص المقال تتحدث عن الأوضاع في المدينة وريفها. " * 5 + "</p></article></main>"
    "<footer>{}</footer></body></html>"
)


@FAST
@given(st.lists(nav_like(), min_size=1, max_size=4), nav_like())
def test_menu_like_lists_never_become_tickers(blocks: list[str], footer: str) -> None:
    """No ticker item comes out of menu words, section names and dates, in any container."""
    html = PAGE.format("".join(blocks), footer)
    result = parse_page(Page(None, datetime(2025, 3, 4, 10, tzinfo=UTC), "text/html", html))
    assert isinstance(result, ParsedPage)
    assert [item.text for item in result.ticker if item.time is None] == []

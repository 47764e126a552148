"""Unit tests for the plain-text article rules (through parse_page)."""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

from workers.core.models import Article, Page, ParsedPage, ParseFailure
from workers.core.parse.page import parse_page
from workers.core.parse.text_article import clean_name, clean_title

FETCHED = datetime(2022, 5, 1, 12, 0, tzinfo=ZoneInfo("Asia/Damascus"))
PARA = "وقالت مصادر محلية إن القصف استهدف الأحياء السكنية في المدينة وأدى إلى أضرار مادية كبيرة."
TITLE = "قصف مدفعي يستهدف أحياء سكنية في مدينة درعا"


def article(text: str) -> Article:
    result = parse_page(Page(None, FETCHED, "text/plain", text))
    assert isinstance(result, ParsedPage), result
    assert result.article is not None
    return result.article


class TestTitle:
    def test_first_headline_line(self) -> None:
        """The first headline-like line is the title."""
        assert article(f"{TITLE}\n{PARA}").title == TITLE

    def test_navigation_before_title_skipped(self) -> None:
        """Short navigation lines before the title are not the title."""
        assert article(f"الرئيسية\nأخبار سورية\nتقارير\n{TITLE}\n{PARA}").title == TITLE

    def test_repeated_title_kept_once(self) -> None:
        """Repeats of the title are neither a second title nor body."""
        got = article(f"{TITLE}\n{TITLE}\n\n{TITLE}\n{PARA}")
        assert got.body == (PARA,)

    def test_category_suffix_stripped(self) -> None:
        """` في اخبار سوريا` is cut off the title and becomes the category."""
        got = article(f"{TITLE} في اخبار سوريا\n{PARA}")
        assert (got.title, got.category) == (TITLE, "اخبار سوريا")


class TestMetadata:
    def test_editing_author(self) -> None:
        """`Editing: NAME |` gives the author."""
        assert article(f"{TITLE}\nEditing: سامر علي |\n{PARA}").author == "سامر علي"

    def test_bare_byline(self) -> None:
        """`بقلم NAME` without a colon gives the author."""
        assert article(f"{TITLE}\nبقلم محمد الحوراني\n{PARA}").author == "محمد الحوراني"

    def test_source_and_author_on_one_line(self) -> None:
        """`المصدر: X الكاتب: Y` gives both fields."""
        got = article(f"{TITLE}\n{PARA}\nالمصدر: شبكة شام الكاتب: فريق التحرير")
        assert (got.outlet, got.author) == ("شبكة شام", "فريق التحرير")

    def test_labelled_date_with_time(self) -> None:
        """`تاريخ النشر:` gives an explicit date with time and offset."""
        got = article(f"{TITLE}\nتاريخ النشر: 2022/04/30 18:05\n{PARA}")
        assert (got.published_at, got.published_at_source) == (
            "2022-04-30T18:05:00+03:00",
            "explicit",
        )

    def test_bullet_category_and_date(self) -> None:
        """`● CATEGORY DATE` gives both the category and the date."""
        got = article(f"{TITLE}\n● شؤون محلية ٣ نيسان ٢٠٢٢\n{PARA}")
        assert (got.category, got.published_at) == ("شؤون محلية", "2022-04-03")

    def test_breadcrumb_category(self) -> None:
        """`الرئيسية » CATEGORY` gives the category."""
        assert article(f"الرئيسية » اقتصاد محلي\n{TITLE}\n{PARA}").category == "اقتصاد محلي"

    def test_dateline_agency_first(self) -> None:
        """`سمارت – درعا` is agency then place."""
        got = article(f"{TITLE}\nسمارت – درعا\n{PARA}")
        assert got.dateline is not None
        assert (got.dateline.agency, got.dateline.place) == ("سمارت", "درعا")

    def test_dateline_place_first(self) -> None:
        """`دمشق-سانا` is recognized as place then agency."""
        got = article(f"{TITLE}\nدمشق-سانا\n{PARA}")
        assert got.dateline is not None
        assert (got.dateline.agency, got.dateline.place) == ("سانا", "دمشق")

    def test_outlet_falls_back_to_site(self) -> None:
        """Without dateline or source, the outlet is the page's site."""
        page = Page(None, FETCHED, "text/plain", f"{TITLE}\n{PARA}", site="example.org")
        result = parse_page(page)
        assert isinstance(result, ParsedPage)
        assert result.article is not None
        assert result.article.outlet == "example.org"

    def test_missing_date(self) -> None:
        """Without any date the source is `missing`."""
        got = article(f"{TITLE}\n{PARA}")
        assert (got.published_at, got.published_at_source) == (None, "missing")


class TestBoilerplate:
    def test_ui_residue_removed(self) -> None:
        """Icon names, share widgets and tag slugs never reach the body."""
        got = article(f"{TITLE}\npictogram-avatar\naccess_time\nمشاركة:\nsome_tag\n{PARA}")
        assert got.body == (PARA,)

    def test_end_marker_cuts_body(self) -> None:
        """Nothing after `مقالات ذات صلة` is body."""
        got = article(f"{TITLE}\n{PARA}\nمقالات ذات صلة\n{PARA} آخر")
        assert got.body == (PARA,)

    def test_comment_count_marker(self) -> None:
        """`تعليقات (3)` is an end marker too."""
        assert article(f"{TITLE}\n{PARA}\nتعليقات (3)\nنص تعليق طويل من قارئ").body == (PARA,)

    def test_read_also_drops_linked_titles_only(self) -> None:
        """`اقرأ أيضاً` drops the headline after it, and the body continues."""
        more = "وأضافت المصادر أن فرق الدفاع المدني عملت على إخماد الحرائق."
        got = article(f"{TITLE}\n{PARA}\nاقرأ أيضاً:\nعنوان مقال آخر عن الاقتصاد\n{more}")
        assert got.body == (PARA, more)

    def test_separator_removed(self) -> None:
        """A line of tatweel/dashes is not body."""
        assert article(f"{TITLE}\n{PARA}\nـــــــ ــ").body == (PARA,)

    def test_marker_before_body_does_not_end_page(self) -> None:
        """A sidebar header (`الأكثر قراءة`) above the article is skipped, not an end."""
        assert article(f"الأكثر قراءة\n{TITLE}\n{PARA}").body == (PARA,)

    def test_comma_broken_paragraph_joined(self) -> None:
        """A line ending with `،` continues on the next line."""
        got = article(f"{TITLE}\nقال المصدر إن القصف استمر،\nحتى ساعات الصباح.")
        assert got.body == ("قال المصدر إن القصف استمر، حتى ساعات الصباح.",)


class TestBudget:
    def test_paragraph_broken_over_many_lines_joined_once(self) -> None:
        """20k lines each ending in `،` make one paragraph, joined once: appending each
        line to the paragraph so far copied it again for every line (quadratic)."""
        lines = [f"قال المصدر إن القصف استمر في المنطقة رقم {i}،" for i in range(20_000)]
        start = time.perf_counter()
        got = article(TITLE + "\n" + "\n".join(lines))
        assert time.perf_counter() - start < 2
        assert got.body == (" ".join(lines),)

    def test_title_suffix_after_a_long_blank_run(self) -> None:
        """A title whose category suffix follows a run of 50k blanks is read in one pass
        (the suffix pattern used to rescan the run from each of its positions)."""
        start = time.perf_counter()
        assert clean_title(f"{TITLE} في{' ' * 50_000}اخبار سوريا") == (TITLE, "اخبار سوريا")
        assert clean_title(f"{TITLE}{chr(10) * 50_000}x") == (f"{TITLE}{chr(10) * 50_000}x", None)
        assert time.perf_counter() - start < 1

    def test_name_with_a_long_blank_run(self) -> None:
        """A name holding a run of 50k blanks is cut in one pass (and is too long a name)."""
        start = time.perf_counter()
        assert clean_name(f"ليلى{' ' * 50_000}حسن") is None
        assert clean_name(f"ليلى حسن{' ' * 50_000}| المصدر") == "ليلى حسن"
        assert time.perf_counter() - start < 1


class TestFailures:
    def test_empty_body(self) -> None:
        """A blank page is an `empty_body` failure."""
        assert parse_page(Page(None, FETCHED, "text/plain", " \n ")) == ParseFailure(
            "empty_body", "the page body is empty"
        )

    def test_no_content(self) -> None:
        """A page of furniture only is a `no_content` failure."""
        result = parse_page(Page(None, FETCHED, "text/plain", "الرئيسية\naccess_time\n"))
        assert isinstance(result, ParseFailure)
        assert result.reason == "no_content"

    def test_too_large(self) -> None:
        """A 20 MB text body is refused quickly as `too_large`."""
        result = parse_page(Page(None, FETCHED, "text/plain", "ا" * 20_000_000))
        assert isinstance(result, ParseFailure)
        assert result.reason == "too_large"

    def test_unknown_zone(self) -> None:
        """An unknown time zone name is a typed failure."""
        result = parse_page(Page(None, FETCHED, "text/plain", TITLE), tz="Mars/Olympus")
        assert isinstance(result, ParseFailure)
        assert result.reason == "unknown_time_zone"

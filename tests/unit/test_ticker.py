"""Unit tests for workers.core.parse.ticker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from workers.core.models import Page, ParsedPage
from workers.core.parse.page import parse_page
from workers.core.parse.ticker import (
    extract_ticker_items,
    find_ticker_lines,
    is_time_first,
    resolve_reported_at,
    split_ticker_items,
    split_time_first_items,
)

DAMASCUS = ZoneInfo("Asia/Damascus")
FETCHED = datetime(2020, 6, 30, 10, 0, tzinfo=DAMASCUS)


class TestSplitTickerItems:
    def test_text_attribution_time(self) -> None:
        """`TEXT (SOURCE) - HH:MM` splits into its three parts."""
        assert split_ticker_items("قصف على درعا (ناشطون) - 13:52") == [("قصف على درعا", "ناشطون", "13:52")]

    def test_attribution_without_space(self) -> None:
        """A parenthesis glued to the text still gives an attribution."""
        assert split_ticker_items("انفجار في الرقة(مصدر محلي) - 17:38")[0][1] == "مصدر محلي"

    def test_attribution_is_trimmed(self) -> None:
        """Spaces inside the parentheses are trimmed."""
        assert split_ticker_items("حالة (مصدر طبي ) - 21:08")[0][1] == "مصدر طبي"

    def test_attribution_with_quotes(self) -> None:
        """An attribution may hold quotes."""
        assert split_ticker_items('اعتقالات (مصدر عسكري من "قسد") - 21:21')[0][1] == ('مصدر عسكري من "قسد"')

    def test_no_attribution(self) -> None:
        """An item without parentheses has attribution None."""
        assert split_ticker_items("ارتفاع العدد إلى 12 وفاة - 09:33") == [("ارتفاع العدد إلى 12 وفاة", None, "09:33")]

    def test_inner_parentheses_are_text(self) -> None:
        """Parentheses in the middle of the text are not an attribution."""
        text, source, _ = split_ticker_items("مدينة بصرى (شرق درعا) تشهد قصفا - 10:00")[0]
        assert (text, source) == ("مدينة بصرى (شرق درعا) تشهد قصفا", None)

    def test_several_items_on_one_line(self) -> None:
        """Items are cut at every `- HH:MM`."""
        got = split_ticker_items("أ ب (ج) - 10:00 د ه - 9:05 و ز (ح) - 08:01")
        assert [t for _, _, t in got] == ["10:00", "09:05", "08:01"]

    def test_trailing_text_without_time_dropped(self) -> None:
        """Text after the last time is not an item."""
        assert len(split_ticker_items("خبر (ناشطون) - 10:00 المزيد")) == 1

    def test_header_prefix_stripped(self) -> None:
        """A `عاجل:` prefix is not part of the first item."""
        assert split_ticker_items("عاجل: خبر مهم - 10:00")[0][0] == "خبر مهم"


class TestTimeFirstItems:
    def test_time_dash_text_attribution(self) -> None:
        """`HH:MM - TEXT (SOURCE)` splits into its three parts."""
        assert split_time_first_items("13:52 - قصف على درعا (ناشطون)") == [("قصف على درعا", "ناشطون", "13:52")]

    def test_time_space_text(self) -> None:
        """`HH:MM TEXT` (no dash) is an item too; a one-digit hour is padded."""
        assert split_time_first_items("9:05 ارتفاع الأسعار في حلب") == [("ارتفاع الأسعار في حلب", None, "09:05")]

    def test_bar_separator_and_glued_attribution(self) -> None:
        """`HH:MM | TEXT(SOURCE)`: a bar after the time, a parenthesis glued to the text."""
        assert split_time_first_items("• 17:38 | انفجار في الرقة(مصدر محلي)") == [
            ("انفجار في الرقة", "مصدر محلي", "17:38")
        ]

    def test_several_items_on_one_line(self) -> None:
        """A further `HH:MM -` after a space starts a new item on the same line."""
        got = split_time_first_items("10:00 - خبر أول (وكالات) 09:30 - خبر ثان 08:15 - خبر ثالث (ناشطون)")
        assert got == [("خبر أول", "وكالات", "10:00"), ("خبر ثان", None, "09:30"), ("خبر ثالث", "ناشطون", "08:15")]

    def test_time_range_in_text_is_not_a_new_item(self) -> None:
        """`من 10:00 - 12:00` inside an item's text stays text."""
        got = split_time_first_items("09:30 - إغلاق المعبر من 10:00 - 12:00 للصيانة (إدارة المعبر)")
        assert got == [("إغلاق المعبر من 10:00 - 12:00 للصيانة", "إدارة المعبر", "09:30")]

    def test_what_is_not_a_time_first_line(self) -> None:
        """A time with no words after it, a longer number, or a line ending in `- HH:MM`."""
        assert not is_time_first("12:30 م")
        assert not is_time_first("12:30:15 تحديث")
        assert not is_time_first("123:30 خبر")
        assert not is_time_first("10:00 اجتماع المجلس (وكالات) - 13:52")  # read time-last
        assert is_time_first("10:00 اجتماع المجلس")


class TestFindTickerLines:
    def test_header_and_item_line(self) -> None:
        """A header followed by an item line forms a block."""
        assert find_ticker_lines(["الأخبار العاجلة", "خبر (ناشطون) - 10:00", "", "عنوان"]) == [0, 1]

    def test_one_item_per_line_under_header(self) -> None:
        """Items on their own lines under `عاجل` all belong to the block."""
        lines = ["عاجل", "خبر أول - 10:00", "خبر ثان (وكالات) - 09:00", "عنوان المقال"]
        assert find_ticker_lines(lines) == [0, 1, 2]

    def test_headerless_line_of_several_items(self) -> None:
        """A line of several `- HH:MM` items is a ticker even without a header."""
        assert find_ticker_lines(["خبر أ - 10:00 خبر ب - 09:00"]) == [0]

    def test_single_time_in_prose_is_not_ticker(self) -> None:
        """One paragraph mentioning a time is not a ticker."""
        assert find_ticker_lines(["وقع الانفجار عند الساعة - 10:00 صباحا في المدينة"]) == []

    def test_header_and_time_first_lines(self) -> None:
        """Time-first lines under a header form the block, mixed with time-last ones too."""
        lines = ["عاجل", "10:00 - خبر أول (وكالات)", "09:30 خبر ثان", "خبر ثالث - 09:00", "", "عنوان المقال"]
        assert find_ticker_lines(lines) == [0, 1, 2, 3]

    def test_headerless_run_of_time_first_lines(self) -> None:
        """Two or more lines (blank lines between allowed) that open with a time form a block."""
        lines = ["الرئيسية", "21:40 - خبر أول (الشرطة)", "", "19:05 خبر ثان", "عنوان المقال هنا"]
        assert find_ticker_lines(lines) == [1, 3]

    def test_single_time_first_line_is_not_ticker(self) -> None:
        """One line opening with a time, without a header, is not a ticker."""
        assert find_ticker_lines(["عنوان", "10:30 بدأ الاجتماع في مبنى المحافظة", "نص المقال"]) == []

    def test_header_without_items_is_not_ticker(self) -> None:
        """A lone `عاجل` line with no items after it is not a block."""
        assert find_ticker_lines(["عاجل", "نص المقال الطويل هنا"]) == []


class TestResolveReportedAt:
    def test_same_day_when_earlier(self) -> None:
        """A time earlier than the fetch resolves to the fetch day."""
        got = resolve_reported_at("09:33", FETCHED, DAMASCUS)
        assert got == datetime(2020, 6, 30, 9, 33, tzinfo=DAMASCUS)

    def test_previous_day_when_later(self) -> None:
        """A time later than the fetch resolves to the day before."""
        got = resolve_reported_at("21:08", FETCHED, DAMASCUS)
        assert got == datetime(2020, 6, 29, 21, 8, tzinfo=DAMASCUS)

    def test_uses_site_zone(self) -> None:
        """The wall clock is the site's, whatever zone fetched_at is given in."""
        fetched_utc = datetime.fromisoformat("2020-06-30T07:00:00+00:00")  # 10:00 Damascus
        got = resolve_reported_at("09:59", fetched_utc, DAMASCUS)
        assert got is not None
        assert got.isoformat() == "2020-06-30T09:59:00+03:00"

    def test_exact_fetch_time_is_included(self) -> None:
        """A time equal to fetched_at resolves to fetched_at."""
        assert resolve_reported_at("10:00", FETCHED, DAMASCUS) == FETCHED

    def test_naive_fetch_time_gives_none(self) -> None:
        """A naive fetched_at cannot be resolved."""
        assert resolve_reported_at("10:00", datetime(2020, 6, 30, 10, 0), DAMASCUS) is None  # noqa: DTZ001


class TestExtractTickerItems:
    def test_items_from_page(self) -> None:
        """A page's ticker block gives items with reported_at."""
        page = "الأخبار العاجلة\nخبر (ناشطون) - 09:00 خبر آخر - 08:00\n\nعنوان المقال"
        items = extract_ticker_items(page, FETCHED)
        assert [(i.text, i.attribution, i.time) for i in items] == [
            ("خبر", "ناشطون", "09:00"),
            ("خبر آخر", None, "08:00"),
        ]


class TestExtractTimeFirstItems:
    def test_items_from_page_in_order(self) -> None:
        """Time-first and time-last lines of a block give items in page order, with reported_at."""
        page = "الأخبار العاجلة\n09:00 - خبر (ناشطون)\nخبر آخر - 08:00\n21:08 خبر ثالث\n\nعنوان المقال"
        items = extract_ticker_items(page, FETCHED)
        assert [(i.text, i.attribution, i.time) for i in items] == [
            ("خبر", "ناشطون", "09:00"),
            ("خبر آخر", None, "08:00"),
            ("خبر ثالث", None, "21:08"),
        ]
        assert items[0].reported_at == datetime(2020, 6, 30, 9, 0, tzinfo=DAMASCUS)
        assert items[2].reported_at == datetime(2020, 6, 29, 21, 8, tzinfo=DAMASCUS)


class TestReportedAtAcrossDaylightSaving:
    """Damascus left summer time at 00:00 on 2016-10-28 (+03:00 -> +02:00)."""

    def test_repeated_hour_takes_the_later_occurrence(self) -> None:
        """In the hour that happens twice, the latest matching moment is the second one."""
        zone = ZoneInfo("Asia/Damascus")
        fetched = datetime(2016, 10, 27, 21, 50, tzinfo=UTC)  # 23:50 local, second time round
        reported = resolve_reported_at("23:45", fetched, zone)
        assert reported is not None
        assert reported.astimezone(UTC) == datetime(2016, 10, 27, 21, 45, tzinfo=UTC)

    def test_long_night_gives_25_hours(self) -> None:
        """A time not yet reached today resolves to yesterday, 25 h back over the change."""
        fetched = datetime(2016, 10, 28, 0, 0, tzinfo=UTC)  # 02:00 local (+02:00)
        reported = resolve_reported_at("02:01", fetched, ZoneInfo("Asia/Damascus"))
        assert reported is not None
        assert fetched - reported == timedelta(hours=24, minutes=59)


def page_items(line: str) -> list[tuple[str, str | None, str | None]]:
    """The ticker items `parse_page` finds on a text page with `line` under a header."""
    body = f"الأخبار العاجلة\n{line}\n\nعنوان المقال هنا\nنص المقال في سطر طويل من الكلمات العربية المفيدة للقارئ.\n"
    result = parse_page(Page(None, FETCHED, "text/plain", body))
    assert isinstance(result, ParsedPage), result
    return [(i.text, i.attribution, i.time) for i in result.ticker]


# Issue "Robustness", item 4: each probe line and the items it must give, checked through
# `split_ticker_items` and through `parse_page`.
PROBES = {
    "arabic_indic_digits": (
        "خبر أول (وكالات) - ١٢:٣٠ خبر ثان (ناشطون) - ٠٩:٠٥",
        [("خبر أول", "وكالات", "12:30"), ("خبر ثان", "ناشطون", "09:05")],
    ),
    "persian_digits": (
        "خبر أول (وكالات) - ۱۳:۵۲ خبر ثان - ۰۹:۴۰",
        [("خبر أول", "وكالات", "13:52"), ("خبر ثان", None, "09:40")],
    ),
    "mixed_digit_systems": (
        "خبر أول (وكالات) - 13:52 خبر ثان (ناشطون) - ١٢:٣٠ خبر ثالث - 11:00",
        [("خبر أول", "وكالات", "13:52"), ("خبر ثان", "ناشطون", "12:30"), ("خبر ثالث", None, "11:00")],
    ),
    "url_holding_a_time": (
        "التفاصيل على https://x.com/a-13:52/b للمتابعة (وكالات) - 10:00 خبر آخر (ناشطون) - 09:00",
        [("التفاصيل على https://x.com/a-13:52/b للمتابعة", "وكالات", "10:00"), ("خبر آخر", "ناشطون", "09:00")],
    ),
    "attribution_without_text": (
        "(وكالات) - 10:00 خبر حقيقي (ناشطون) - 09:00",
        [("خبر حقيقي", "ناشطون", "09:00")],
    ),
    "invalid_times": (
        "خبر أول - 10:00 خبر ثان - 24:00 خبر ثالث - 25:61 خبر رابع - 9:5 خبر خامس - 09:05",
        [("خبر أول", None, "10:00"), ("خبر خامس", None, "09:05")],
    ),
}


class TestRobustnessProbes:
    @pytest.mark.parametrize(("line", "expected"), PROBES.values(), ids=PROBES.keys())
    def test_split(self, line: str, expected: list[tuple[str, str | None, str]]) -> None:
        """Each probe line splits into its items, times in ASCII digits."""
        assert split_ticker_items(line) == expected

    @pytest.mark.parametrize(("line", "expected"), PROBES.values(), ids=PROBES.keys())
    def test_parse_page(self, line: str, expected: list[tuple[str, str | None, str]]) -> None:
        """Each probe line under a header gives its items through `parse_page`."""
        assert page_items(line) == expected


class TestClockDigits:
    def test_reported_at_from_arabic_indic_time(self) -> None:
        """An Arabic-Indic time resolves like the ASCII one."""
        page = "عاجل\nخبر أول - ٠٩:٣٣ خبر ثان - ۲۱:۰۸\n"
        items = extract_ticker_items(page, FETCHED)
        assert [i.reported_at for i in items] == [
            datetime(2020, 6, 30, 9, 33, tzinfo=DAMASCUS),
            datetime(2020, 6, 29, 21, 8, tzinfo=DAMASCUS),
        ]

    def test_one_digit_hour_is_padded(self) -> None:
        """`٩:٠٥` is 09:05, like `9:05`."""
        assert split_ticker_items("خبر - ٩:٠٥") == [("خبر", None, "09:05")]

    def test_time_first_lines(self) -> None:
        """Time-first items read Arabic-Indic and Persian times too, on one line or a block."""
        assert split_time_first_items("١٠:٠٠ - خبر أول (وكالات) ۰۹:۳۰ - خبر ثان") == [
            ("خبر أول", "وكالات", "10:00"),
            ("خبر ثان", None, "09:30"),
        ]
        assert find_ticker_lines(["الرئيسية", "١٠:٠٠ - خبر أول", "۰۹:۳۰ خبر ثان", "عنوان"]) == [1, 2]

    def test_longer_numbers_are_not_times(self) -> None:
        """`١٢:٣٠:١٥` and `١٢٣:٣٠` are not clock times in either form."""
        assert split_ticker_items("خبر - ١٢:٣٠:١٥ خبر - ١٢٣:٣٠") == []
        assert not is_time_first("١٢٣:٣٠ خبر")


class TestTimeInsideAToken:
    def test_time_followed_by_url_characters_is_text(self) -> None:
        """A time that a URL character follows (`/`, `.`, `?`, a letter) does not end an item."""
        for url in ("https://x.com/a-13:52/b", "x.com/a-13:52.html", "x.com/?t=a-13:52&b=1", "x.com/a-13:52b"):
            assert split_ticker_items(f"الرابط {url} هنا - 10:00") == [(f"الرابط {url} هنا", None, "10:00")]

    def test_time_glued_to_the_next_story_still_cuts(self) -> None:
        """An Arabic letter, a quote or a bullet right after the time starts the next item."""
        got = split_ticker_items('خبر أول - 13:52"قسد" تعتقل - 12:00خبر ثالث - 11:00| خبر رابع - 10:00')
        assert [text for text, _, _ in got] == ["خبر أول", '"قسد" تعتقل', "خبر ثالث", "خبر رابع"]


class TestItemsWithoutText:
    def test_punctuation_only_is_not_an_item(self) -> None:
        """Stories of dashes, dots or nothing are not items."""
        assert split_ticker_items("- 10:00 ... - 09:00 -- - 08:00 خبر - 07:00") == [("خبر", None, "07:00")]

    def test_time_first_attribution_only(self) -> None:
        """`HH:MM - (SOURCE)` alone is not an item either."""
        assert split_time_first_items("10:00 - (وكالات) 09:00 - خبر (ناشطون)") == [("خبر", "ناشطون", "09:00")]


class TestInvalidTimes:
    def test_invalid_time_drops_only_its_own_story(self) -> None:
        """Each story printed with an invalid time is dropped; its neighbours keep their own
        text and time."""
        got = split_ticker_items("أ ب - 10:00 ج د - 24:00 ه و - 11:30 ز ح - 23:60 ط ي - 09:05")
        assert got == [("أ ب", None, "10:00"), ("ه و", None, "11:30"), ("ط ي", None, "09:05")]

    def test_invalid_time_never_becomes_a_time(self) -> None:
        """`9:5` is not 09:05 nor 09:50; `24:00` is not 00:00."""
        assert split_ticker_items("خبر - 9:5") == []
        assert split_ticker_items("خبر - 24:00") == []

    def test_invalid_times_keep_the_block_together(self) -> None:
        """Item lines with invalid times stay in the block: the valid items after them are
        still items, and no item line becomes the article's title."""
        body = "عاجل\nخبر أول - 10:00\nخبر ثان - 24:00\nخبر ثالث - 9:5\nخبر رابع - 09:05\n\nعنوان المقال هنا\n"
        body += "نص المقال في سطر طويل من الكلمات العربية المفيدة للقارئ.\n"
        assert find_ticker_lines(body.splitlines()) == [0, 1, 2, 3, 4]
        result = parse_page(Page(None, FETCHED, "text/plain", body))
        assert isinstance(result, ParsedPage)
        assert [(i.text, i.time) for i in result.ticker] == [("خبر أول", "10:00"), ("خبر رابع", "09:05")]
        assert result.article is not None
        assert result.article.title == "عنوان المقال هنا"

    def test_time_first_invalid_time_drops_the_story_after_it(self) -> None:
        """In the time-first form, the story that follows an invalid time is dropped."""
        got = split_time_first_items("10:00 - خبر أول 24:00 - خبر ثان 09:05 - خبر ثالث")
        assert got == [("خبر أول", None, "10:00"), ("خبر ثالث", None, "09:05")]

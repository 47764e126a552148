"""Properties of the parsing core: idempotent normalization, total parsing, ticker round trip."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies_parse import (
    digit_system,
    fetched_at,
    html_documents,
    in_digits,
    invalid_clock,
    messy_text,
    reference_normalize,
    ticker_item,
)
from workers.core.models import Page, ParsedPage, ParseFailure
from workers.core.normalize import _FAST_CHARS, count_alpha, letter_runs, normalize_for_matching, tokenize
from workers.core.parse.page import parse_page
from workers.core.parse.ticker import extract_ticker_items, split_ticker_items, split_time_first_items

FAST = settings(max_examples=200, deadline=None)

Item = tuple[str, str | None, str]  # text, attribution, "HH:MM"


def render(items: list[tuple[str, str | None, str]], *, glue: bool) -> str:
    """Ticker items as a page prints them, on one line."""
    out = []
    for i, (text, source, clock) in enumerate(items):
        space = "" if glue and i % 2 else " "
        out.append(f"{text}{space}({source}) - {clock}" if source else f"{text} - {clock}")
    return " ".join(out)


_SEPARATORS = (" - ", " ", " | ", "- ", " – ")


def in_item_digits(item: tuple[str, str | None, str], system: str) -> tuple[str, str | None, str]:
    """An item as a page printing numbers in `system` shows it (text and time)."""
    text, source, clock = item
    return in_digits(text, system), source, in_digits(clock, system)


def render_time_first(items: list[tuple[str, str | None, str]], separators: list[int]) -> list[str]:
    """Items as a time-first ticker prints them, one a line: `HH:MM - TEXT (SOURCE)`."""
    out = []
    for (text, source, clock), k in zip(items, separators, strict=True):
        sep = _SEPARATORS[k % len(_SEPARATORS)]
        out.append(f"{clock}{sep}{text} ({source})" if source else f"{clock}{sep}{text}")
    return out


# A time-first item's text needs a word of two letters (a line like `12:30 م` is no item).
worded_ticker_item = ticker_item.filter(lambda item: re.search(r"[^\W\d_]{2}", item[0]) is not None)
# Several items on one line are cut at `HH:MM -` not followed by a digit (a time range).
letter_first_ticker_item = worded_ticker_item.filter(lambda item: not item[0][0].isdigit())


class TestNormalizeProperties:
    @FAST
    @given(messy_text)
    def test_idempotent(self, text: str) -> None:
        """Normalizing twice gives the same as normalizing once."""
        once = normalize_for_matching(text)
        assert normalize_for_matching(once) == once

    @FAST
    @given(st.text(max_size=200))
    def test_idempotent_on_any_unicode(self, text: str) -> None:
        """Idempotence holds for arbitrary Unicode, not only Arabic."""
        once = normalize_for_matching(text)
        assert normalize_for_matching(once) == once

    @FAST
    @given(st.one_of(messy_text, st.text(alphabet=_FAST_CHARS, max_size=300), st.text(max_size=100)))
    def test_matches_the_plain_definition(self, text: str) -> None:
        """The fast paths give what NFKC, the table, casefold and split/join give."""
        assert normalize_for_matching(text) == reference_normalize(text)

    @FAST
    @given(st.one_of(messy_text, st.text(alphabet=_FAST_CHARS, max_size=300), st.text(max_size=100)))
    def test_letter_helpers_match_their_definitions(self, text: str) -> None:
        """`letter_runs` and `count_alpha` agree with the regex and `str.isalpha`."""
        assert letter_runs(text) == " ".join(re.findall(r"[^\W\d_]+", text))
        assert count_alpha(text) == sum(map(str.isalpha, text))

    @FAST
    @given(messy_text)
    def test_no_diacritics_or_tatweel_left(self, text: str) -> None:
        """The output never holds tashkeel, dagger alef or tatweel."""
        out = normalize_for_matching(text)
        assert not any(0x064B <= ord(c) <= 0x065F or c in "\u0670\u0640" for c in out)

    @FAST
    @given(messy_text)
    def test_tokens_stable_under_normalization(self, text: str) -> None:
        """Tokenizing normalized text gives the same tokens as tokenizing the raw text."""
        assert tokenize(normalize_for_matching(text), normalized=True) == tokenize(text)


class TestParseIsTotal:
    @FAST
    @given(messy_text, fetched_at)
    def test_text_never_raises(self, body: str, when: datetime) -> None:
        """Any text body gives a ParsedPage or a ParseFailure, never an exception."""
        result = parse_page(Page(None, when, "text/plain", body))
        assert isinstance(result, ParsedPage | ParseFailure)

    @FAST
    @given(html_documents(), fetched_at)
    def test_html_never_raises(self, body: str, when: datetime) -> None:
        """Any HTML body gives a ParsedPage or a ParseFailure, never an exception."""
        result = parse_page(Page(None, when, "text/html", body))
        assert isinstance(result, ParsedPage | ParseFailure)

    @FAST
    @given(html_documents(), fetched_at)
    def test_no_internal_errors_on_html(self, body: str, when: datetime) -> None:
        """Malformed HTML is handled by the rules, not by the parser_error backstop."""
        result = parse_page(Page(None, when, "text/html", body))
        assert not (isinstance(result, ParseFailure) and result.reason == "parser_error")

    @FAST
    @given(messy_text, fetched_at)
    def test_no_internal_errors_on_text(self, body: str, when: datetime) -> None:
        """Arbitrary text is handled by the rules, not by the parser_error backstop."""
        result = parse_page(Page(None, when, "text/plain", body))
        assert not (isinstance(result, ParseFailure) and result.reason == "parser_error")


class TestTickerRoundTrip:
    @FAST
    @given(st.lists(ticker_item, min_size=1, max_size=12), st.booleans())
    def test_split_recovers_items(self, items: list[tuple[str, str | None, str]], glue: bool) -> None:
        """Rendering items as `TEXT (SOURCE) - HH:MM` and splitting gives them back."""
        assert split_ticker_items(render(items, glue=glue)) == items

    @FAST
    @given(st.lists(ticker_item, min_size=1, max_size=8), fetched_at)
    def test_page_block_recovers_items(self, items: list[tuple[str, str | None, str]], when: datetime) -> None:
        """Under a `الأخبار العاجلة` header, every item comes back with its fields."""
        page = f"الأخبار العاجلة\n{render(items, glue=False)}\n\nعنوان المقال هنا\n"
        got = extract_ticker_items(page, when)
        assert [(i.text, i.attribution, i.time) for i in got] == items

    @FAST
    @given(st.lists(worded_ticker_item, min_size=1, max_size=8), st.lists(st.integers(0, 9), min_size=8, max_size=8))
    def test_time_first_line_split_recovers_items(
        self, items: list[tuple[str, str | None, str]], separators: list[int]
    ) -> None:
        """Each time-first line (`HH:MM - TEXT (SOURCE)`, `HH:MM TEXT`, ...) gives its item back."""
        lines = render_time_first(items, separators[: len(items)])
        assert [got for line in lines for got in split_time_first_items(line)] == items

    @FAST
    @given(st.lists(letter_first_ticker_item, min_size=1, max_size=8))
    def test_time_first_items_on_one_line(self, items: list[tuple[str, str | None, str]]) -> None:
        """Time-first items printed on one line with `HH:MM - ` each come back in order."""
        line = " ".join(render_time_first(items, [0] * len(items)))
        assert split_time_first_items(line) == items

    @FAST
    @given(
        st.lists(worded_ticker_item, min_size=2, max_size=8),
        st.lists(st.integers(0, 9), min_size=8, max_size=8),
        fetched_at,
        st.booleans(),
    )
    def test_time_first_block_recovers_items(
        self, items: list[tuple[str, str | None, str]], separators: list[int], when: datetime, header: bool
    ) -> None:
        """Time-first lines under `عاجل`, or two or more without a header, come back in order."""
        lines = "\n".join(render_time_first(items, separators[: len(items)]))
        page = f"{'عاجل' if header else 'الرئيسية'}\n{lines}\n\nعنوان المقال هنا\n"
        got = extract_ticker_items(page, when)
        assert [(i.text, i.attribution, i.time) for i in got] == items
        for item in got:
            assert item.reported_at is not None
            assert item.reported_at <= when
            assert when - item.reported_at < timedelta(hours=25)

    @FAST
    @given(st.lists(ticker_item, min_size=1, max_size=8), fetched_at)
    def test_reported_at_within_a_day_before_fetch(
        self, items: list[tuple[str, str | None, str]], when: datetime
    ) -> None:
        """Every reported_at is at or before fetched_at and less than a calendar day earlier
        (25 hours on the night the clocks go back)."""
        got = extract_ticker_items(f"عاجل\n{render(items, glue=False)}", when)
        for item in got:
            assert item.reported_at is not None
            assert when - timedelta(hours=25) < item.reported_at <= when
            assert item.reported_at.strftime("%H:%M") == item.time


def in_digit_systems(items: list[tuple[Item, str]]) -> tuple[list[Item], list[Item]]:
    """Each item printed in its digit system (text and time), and what reading them back must
    give: the printed text, the attribution, the time in ASCII digits."""
    printed = [in_item_digits(item, system) for item, system in items]
    expected = [(text, source, clock) for (text, source, _), ((_, _, clock), _) in zip(printed, items, strict=True)]
    return printed, expected


class TestTickerDigitSystems:
    @FAST
    @given(st.lists(st.tuples(ticker_item, digit_system), min_size=1, max_size=12), st.booleans())
    def test_time_last_split_as_with_ascii(self, items: list[tuple[Item, str]], glue: bool) -> None:
        """Items printed with Arabic-Indic or Persian digits (each item its own system, text
        included) split as with ASCII digits: the same cuts, times in ASCII."""
        printed, expected = in_digit_systems(items)
        assert split_ticker_items(render(printed, glue=glue)) == expected

    @FAST
    @given(st.lists(st.tuples(ticker_item, digit_system), min_size=1, max_size=8), fetched_at)
    def test_page_block_as_with_ascii(self, items: list[tuple[Item, str]], when: datetime) -> None:
        """Under a header, items in any digit system give what the ASCII page gives, but
        for the digits of their text."""
        printed, expected = in_digit_systems(items)
        ascii_got = extract_ticker_items(f"عاجل\n{render([i for i, _ in items], glue=False)}\n", when)
        got = extract_ticker_items(f"عاجل\n{render(printed, glue=False)}\n", when)
        assert [(i.text, i.attribution, i.time) for i in got] == expected
        assert [i.reported_at for i in got] == [i.reported_at for i in ascii_got]

    @FAST
    @given(st.lists(st.tuples(letter_first_ticker_item, digit_system), min_size=1, max_size=8))
    def test_time_first_split_as_with_ascii(self, items: list[tuple[Item, str]]) -> None:
        """Time-first items on one line, in any digit system, split as with ASCII digits."""
        printed, expected = in_digit_systems(items)
        assert split_time_first_items(" ".join(render_time_first(printed, [0] * len(items)))) == expected


class TestTickerInvalidTimes:
    @FAST
    @given(
        st.lists(st.tuples(ticker_item, st.booleans()), min_size=1, max_size=12),
        st.lists(invalid_clock, min_size=12, max_size=12),
    )
    def test_invalid_times_drop_only_their_stories(self, items: list[tuple[Item, bool]], bad: list[str]) -> None:
        """Giving some stories an invalid time drops exactly those: every other item comes
        back with its own text and time, never glued to a dropped one."""
        printed = [
            (text, source, bad[k] if broken else clock) for k, ((text, source, clock), broken) in enumerate(items)
        ]
        assert split_ticker_items(render(printed, glue=False)) == [item for item, broken in items if not broken]

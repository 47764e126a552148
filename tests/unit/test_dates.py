"""Unit tests for workers.core.parse.dates."""

from __future__ import annotations

import time as clock
from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from workers.core.normalize import normalize_for_matching as norm
from workers.core.parse.dates import (
    FoundDate,
    find_explicit_date,
    infer_published_date,
    iso_local,
    parse_iso_datetime,
)

DAMASCUS = ZoneInfo("Asia/Damascus")


class TestFindExplicitDate:
    def test_numeric_year_first_with_time(self) -> None:
        """`2020/06/29 14:49` gives the date and the time."""
        assert find_explicit_date(norm("تاريخ النشر: 2020/06/29 14:49")) == FoundDate(date(2020, 6, 29), time(14, 49))

    def test_numeric_day_first(self) -> None:
        """`29-06-2020` is read day first."""
        assert find_explicit_date("29-06-2020") == FoundDate(date(2020, 6, 29))

    def test_arabic_indic_digits_and_egyptian_month(self) -> None:
        """`١ نوفمبر ٢٠٢١` is 2021-11-01."""
        assert find_explicit_date(norm("١ نوفمبر ٢٠٢١")) == FoundDate(date(2021, 11, 1))

    @pytest.mark.parametrize(
        ("text", "month"),
        [
            ("3 كانون الثاني 2020", 1),
            ("3 شباط 2020", 2),
            ("3 آذار 2020", 3),
            ("3 نيسان 2020", 4),
            ("3 أيار 2020", 5),
            ("3 حزيران 2020", 6),
            ("3 تموز 2020", 7),
            ("3 آب 2020", 8),
            ("3 أيلول 2020", 9),
            ("3 تشرين الأول 2020", 10),
            ("3 تشرين الثاني 2020", 11),
            ("3 كانون الأول 2020", 12),
        ],
    )
    def test_levantine_months(self, text: str, month: int) -> None:
        """Every Levantine month name maps to its number."""
        found = find_explicit_date(norm(text))
        assert found is not None
        assert found.day == date(2020, month, 3)

    def test_combined_month_names(self) -> None:
        """`تموز/يوليو` counts as one month."""
        found = find_explicit_date(norm("الثلاثاء 9 تموز/يوليو 2019"))
        assert found == FoundDate(date(2019, 7, 9))

    def test_month_first_english_order(self) -> None:
        """`أغسطس 6, 2021` (month first) is read too."""
        assert find_explicit_date(norm("أغسطس 6, 2021")) == FoundDate(date(2021, 8, 6))

    def test_pm_marker(self) -> None:
        """`2:30 م` is 14:30."""
        found = find_explicit_date(norm("1 نوفمبر 2021 - 2:30 م"))
        assert found is not None
        assert found.clock == time(14, 30)

    def test_invalid_date_is_none(self) -> None:
        """A 31st of February is not a date."""
        assert find_explicit_date("31/02/2020") is None

    def test_no_year_is_none(self) -> None:
        """A day and month without a year is not an explicit date."""
        assert find_explicit_date(norm("6 آب")) is None


class TestBudget:
    def test_blank_runs_cost_one_pass(self) -> None:
        """A run of 20k blanks between a month and what follows is read in one pass: the
        blanks around an optional comma (`\\s*[,،]?\\s*`) could split the run every way
        when the rest failed (quadratic; normalized text has no such runs, raw text may)."""
        start = clock.perf_counter()
        assert find_explicit_date("1 نوفمبر" + " " * 20_000 + "x 2021") is None
        assert infer_published_date("امس" + " " * 20_000 + "الجمعه x", date(2021, 8, 7)) is None
        assert clock.perf_counter() - start < 1
        assert find_explicit_date("1 نوفمبر   ,   2021") == FoundDate(date(2021, 11, 1))

    def test_long_text_costs_its_length(self) -> None:
        """200 kB of dates, times and relative mentions are read in one pass each."""
        text = norm("أمس الجمعة 6 آب 2021 الساعة 12:30 ") * 6000
        start = clock.perf_counter()
        assert find_explicit_date(text) == FoundDate(date(2021, 8, 6), time(12, 30))
        assert infer_published_date(text, date(2021, 8, 7)) == date(2021, 8, 7)
        assert clock.perf_counter() - start < 1


class TestInferPublishedDate:
    def test_yesterday_weekday_day_month(self) -> None:
        """`أمس الجمعة 6 أب` read on 2021-08-07 means the page is from 2021-08-07."""
        text = norm("قصفت قوات الأسد أمس الجمعة 6 أب، أحياء درعا البلد")
        assert infer_published_date(text, date(2021, 8, 7)) == date(2021, 8, 7)

    def test_today_with_ordinal_day(self) -> None:
        """`اليوم الأربعاء الخامس عشر من فبراير` read in 2017 gives 2017-02-15."""
        text = norm("أن تنطلق المباحثات اليوم الأربعاء الخامس عشر من فبراير.")
        assert infer_published_date(text, date(2017, 2, 16)) == date(2017, 2, 15)

    def test_picks_latest_matching_year_before_reference(self) -> None:
        """The year is the latest one, on or before the reference, where the weekday fits."""
        text = norm("اليوم الأربعاء الخامس عشر من فبراير")
        assert infer_published_date(text, date(2024, 1, 1)) == date(2023, 2, 15)

    def test_compound_ordinal(self) -> None:
        """`الحادي والعشرين` is day 21."""
        text = norm("اليوم الأحد الحادي والعشرين من نوفمبر")
        assert infer_published_date(text, date(2021, 11, 22)) == date(2021, 11, 21)

    def test_vowel_marks_inside_the_anchor(self) -> None:
        """Vocalized anchors and weekdays (`اليَومَ الأربعاءَ`, `أمسِ`) read like bare ones:
        normalization drops the marks before the anchor is looked for."""
        text = norm("اليَومَ الأربعاءَ الخامسَ عشرَ من فبراير")
        assert infer_published_date(text, date(2017, 2, 16)) == date(2017, 2, 15)
        text = norm("قصفت قوات الأسد أمسِ الجمعةَ 6 أب")
        assert infer_published_date(text, date(2021, 8, 7)) == date(2021, 8, 7)

    def test_requires_relative_anchor(self) -> None:
        """A weekday and date without اليوم/أمس (an event date) infers nothing."""
        assert infer_published_date(norm("السبت 27 حزيران"), date(2020, 6, 30)) is None

    def test_inconsistent_printed_year_is_ignored(self) -> None:
        """A printed year where the weekday does not fit gives no date."""
        assert infer_published_date(norm("أمس الجمعة 6 آب 2020"), date(2021, 1, 1)) is None


class TestIso:
    def test_local_with_offset(self) -> None:
        """A printed time gets the zone's offset at that date."""
        found = FoundDate(date(2020, 6, 29), time(14, 49))
        assert iso_local(found, DAMASCUS) == "2020-06-29T14:49:00+03:00"

    def test_date_only(self) -> None:
        """Without a time only the date is given."""
        assert iso_local(FoundDate(date(2021, 11, 1)), DAMASCUS) == "2021-11-01"

    def test_meta_utc_is_converted_to_site_time(self) -> None:
        """An aware ISO value from metadata is shown in the site's zone."""
        assert parse_iso_datetime("2023-02-12T07:30:00Z", DAMASCUS) == "2023-02-12T10:30:00+03:00"

    def test_meta_garbage_is_none(self) -> None:
        """A value that is not ISO 8601 gives None."""
        assert parse_iso_datetime("yesterday", DAMASCUS) is None

"""The range of a replay: parsing --from/--to, planning offsets, and what a worker skips."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workers.cli.replay import Bound, parse_bound, plan_range
from workers.errors import UsageError
from workers.runtime.input_range import InputRange, InputRangeError
from workers.runtime.settings import Settings, SettingsError

T0 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
T1 = datetime(2024, 3, 2, 8, 0, tzinfo=UTC)


class TestParseBound:
    def test_edge_offset_and_time(self) -> None:
        assert parse_bound("beginning", edge_words=("beginning", "earliest")) == Bound()  # the edge
        assert parse_bound(" END ", edge_words=("end",)) == Bound()
        assert parse_bound("1200", edge_words=("end",)) == Bound(offset=1200)
        assert parse_bound("2024-03-01T10:00:00+02:00", edge_words=("end",)) == Bound(time=T0)

    def test_garbage_is_a_usage_error_with_an_example(self) -> None:
        with pytest.raises(UsageError, match="not an offset, a time or one of beginning"):
            parse_bound("yesterday", edge_words=("beginning",))
        with pytest.raises(UsageError):
            parse_bound("-5", edge_words=("beginning",))


class TestPlanRange:
    BEGIN: ClassVar = {0: 0, 1: 10, 2: 0}  # partition 1's first 10 records were deleted by retention
    END: ClassVar = {0: 50, 1: 40, 2: 0}

    def test_everything_is_each_partitions_current_span(self) -> None:
        r = plan_range(self.BEGIN, self.END, Bound(), Bound())
        assert r.offsets == {0: (0, 50), 1: (10, 40), 2: (0, 0)}
        assert r.total() == 80
        assert (r.since, r.until) == (None, None)

    def test_offsets_apply_to_every_partition_and_are_clipped(self) -> None:
        r = plan_range(self.BEGIN, self.END, Bound(offset=5), Bound(offset=45))
        assert r.offsets == {0: (5, 45), 1: (10, 40), 2: (0, 0)}

    def test_a_start_past_the_end_gives_an_empty_partition(self) -> None:
        r = plan_range(self.BEGIN, self.END, Bound(offset=45), Bound())
        assert r.offsets == {0: (45, 50), 1: (40, 40), 2: (0, 0)}
        assert r.total() == 5

    def test_times_start_at_the_brokers_offset_and_cut_on_fetched_at(self) -> None:
        r = plan_range(self.BEGIN, self.END, Bound(time=T0), Bound(time=T1), time_starts={0: 20, 1: None, 2: None})
        assert r.offsets == {0: (20, 50), 1: (40, 40), 2: (0, 0)}
        assert (r.since, r.until) == (T0, T1)

    def test_reversed_bounds_are_refused(self) -> None:
        with pytest.raises(UsageError, match="must be after"):
            plan_range(self.BEGIN, self.END, Bound(time=T1), Bound(time=T0))
        with pytest.raises(UsageError, match="must be greater"):
            plan_range(self.BEGIN, self.END, Bound(offset=9), Bound(offset=9))


class TestInputRange:
    def test_everything_covers_everything(self) -> None:
        r = InputRange.everything()
        assert (dict(r.offsets), r.since, r.until) == ({}, None, None)
        assert r.covers_offset(3, 10**9)
        assert r.covers_time(T0)
        assert InputRange.from_json("") == r

    def test_half_open_bounds(self) -> None:
        r = InputRange({0: (5, 7), 1: (0, None)}, since=T0, until=T1)
        assert [o for o in range(10) if r.covers_offset(0, o)] == [5, 6]
        assert r.covers_offset(1, 10**6)
        assert not r.covers_offset(2, 0)  # a partition the plan did not include
        assert r.covers_time(T0)
        assert not r.covers_time(T1)
        assert r.total() is None

    @given(
        st.dictionaries(
            st.integers(0, 64),
            st.tuples(st.integers(0, 2**40), st.one_of(st.none(), st.integers(0, 2**40))),
            max_size=8,
        ),
        st.one_of(st.none(), st.datetimes(timezones=st.just(UTC))),
        st.one_of(st.none(), st.datetimes(timezones=st.just(UTC))),
    )
    def test_json_round_trip(
        self, offsets: dict[int, tuple[int, int | None]], since: datetime | None, until: datetime | None
    ) -> None:
        r = InputRange(offsets, since, until)
        assert InputRange.from_json(r.to_json()) == r

    @pytest.mark.parametrize(
        "text",
        ["{", "[]", '{"offsets": {"0": [1]}}', '{"offsets": {"0": ["a", 2]}}', '{"since": "2024-03-01T00:00:00"}'],
    )
    def test_malformed_ranges_are_refused(self, text: str) -> None:
        with pytest.raises(InputRangeError):
            InputRange.from_json(text)

    def test_settings_refuse_a_malformed_range(self) -> None:
        with pytest.raises(SettingsError, match="RAQIB_INPUT_RANGE"):
            Settings.from_env({"RAQIB_INPUT_RANGE": "{oops"})
        settings = Settings.from_env({"RAQIB_INPUT_RANGE": InputRange({0: (1, 2)}).to_json()})
        assert settings.range == InputRange({0: (1, 2)})

"""Ticker dedup decisions: exact, near, vetoes, horizon, scope, ids, state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest

from workers.core.dedup.ticker import (
    DedupConfig,
    DedupState,
    Duplicate,
    New,
    StateChange,
    TickerSighting,
    decide,
    dedup_scope,
    expire,
    sighting_record,
    ticker_event_id,
)

T0 = datetime(2020, 6, 29, 12, 0, tzinfo=UTC)
MANSOURA = '"قسد" تعتقل شبان من بلدة المنصور غرب مدينة الرقة لسوقهم إلى التجنيد الاجباري'
MANSOURA_2 = '"قسد" تعتقل عشرات الشبان من بلدة المنصور غرب مدينة الرقة لسوقهم إلى التجنيد الاجباري'
KANSAFRA = "قوات النظام تقصف براجمات الصواريخ بلدة كنصفرة جنوب إدلب"


def see(text: str, at: datetime = T0, site: str = "smart", url: str | None = None) -> TickerSighting:
    return TickerSighting.of(text, seen_at=at, site=site, url=url)


def feed(state: DedupState, *sightings: TickerSighting, config: DedupConfig | None = None):  # type: ignore[no-untyped-def]
    out = []
    for s in sightings:
        decision, change = decide(s, state, config or DedupConfig())
        state.apply(change)
        out.append(decision)
    return out


class TestExactPath:
    def test_first_sighting_is_new(self) -> None:
        """An item never seen is New."""
        assert isinstance(feed(DedupState(), see(KANSAFRA))[0], New)

    def test_repeat_is_exact_duplicate(self) -> None:
        """The same text again is an exact duplicate of the first event."""
        first, again = feed(DedupState(), see(KANSAFRA), see(KANSAFRA, T0 + timedelta(hours=1)))
        assert again == Duplicate(first.event_id, 1.0, "exact")

    def test_punctuation_and_quotes_are_exact(self) -> None:
        """Quotes and spacing differences still take the exact path."""
        _, again = feed(DedupState(), see(MANSOURA), see(MANSOURA.replace('"', "")))
        assert isinstance(again, Duplicate)
        assert again.kind == "exact"

    def test_exact_duplicate_writes_nothing_within_touch_interval(self) -> None:
        """A repeat within the touch interval leaves the state alone."""
        state = DedupState()
        feed(state, see(KANSAFRA))
        _, change = decide(see(KANSAFRA, T0 + timedelta(minutes=5)), state)
        assert change.is_empty


class TestNearPath:
    def test_reworded_item_is_near_duplicate(self) -> None:
        """The Mansoura pair is one event."""
        first, second = feed(DedupState(), see(MANSOURA), see(MANSOURA_2))
        assert isinstance(second, Duplicate)
        assert (second.event_id, second.kind) == (first.event_id, "near")

    def test_rewording_is_remembered_as_alias(self) -> None:
        """A rewording seen again takes the O(1) path with its stored similarity."""
        state = DedupState()
        _, near, again = feed(state, see(MANSOURA), see(MANSOURA_2), see(MANSOURA_2))
        assert isinstance(near, Duplicate)
        assert again == near

    def test_unrelated_items_are_both_new(self) -> None:
        """Two unrelated items are two events."""
        decisions = feed(DedupState(), see(MANSOURA), see(KANSAFRA))
        assert all(isinstance(d, New) for d in decisions)


class TestVetoes:
    @pytest.mark.parametrize(
        ("a", "b"),
        [
            (KANSAFRA, KANSAFRA.replace("كنصفرة", "البارة")),
            ("تسجيل 12 إصابة جديدة بكورونا شمال شرق سوريا", "تسجيل 14 إصابة جديدة بكورونا شمال شرق سوريا"),
            (MANSOURA, MANSOURA.replace('"قسد"', "قوات النظام")),
            ("روسيا تستطيع الضغط على الأسد", "روسيا لا تستطيع الضغط على الأسد"),
        ],
        ids=["place", "number", "actor", "negation"],
    )
    def test_same_template_other_event_is_new(self, a: str, b: str) -> None:
        """A changed place, number, actor or a negation makes a new event."""
        assert all(isinstance(d, New) for d in feed(DedupState(), see(a), see(b)))


class TestHorizon:
    def test_repeat_after_horizon_is_new(self) -> None:
        """An item last seen more than the horizon ago is forgotten."""
        later = T0 + timedelta(hours=73)
        _, again = feed(DedupState(), see(KANSAFRA), see(KANSAFRA, later))
        assert isinstance(again, New)

    def test_sightings_keep_an_item_alive(self) -> None:
        """Regular sightings move last_seen forward, so the item outlives the horizon."""
        state = DedupState()
        steps = [see(KANSAFRA, T0 + timedelta(hours=h)) for h in range(0, 150, 10)]
        decisions = feed(state, *steps)
        assert all(isinstance(d, Duplicate) for d in decisions[1:])

    def test_expire_deletes_old_entries(self) -> None:
        """expire() returns the delete for entries older than the horizon."""
        state = DedupState()
        feed(state, see(KANSAFRA), see(MANSOURA, T0 + timedelta(hours=80)))
        change = expire(state, "smart")
        state.apply(change)
        assert len(change.delete) == 1
        assert len(state) == 1

    def test_expire_is_a_noop_inside_horizon(self) -> None:
        """Nothing expires while every entry is inside the horizon."""
        state = DedupState()
        feed(state, see(KANSAFRA), see(MANSOURA, T0 + timedelta(hours=1)))
        assert expire(state, "smart").is_empty

    def test_expiry_timing_does_not_change_decisions(self) -> None:
        """Running expire or not gives the same decision for a late item."""
        pages = [see(KANSAFRA), see(MANSOURA, T0 + timedelta(hours=80))]
        late = see(KANSAFRA, T0 + timedelta(hours=1))
        kept, expired = DedupState(), DedupState()
        feed(kept, *pages)
        feed(expired, *pages)
        expired.apply(expire(expired, "smart"))
        assert type(decide(late, kept)[0]) is type(decide(late, expired)[0])

    def test_out_of_order_page_matches_later_first_sighting(self) -> None:
        """A page fetched earlier but processed later still matches within the horizon."""
        _, earlier = feed(DedupState(), see(MANSOURA_2), see(MANSOURA, T0 - timedelta(hours=5)))
        assert isinstance(earlier, Duplicate)

    def test_naive_datetime_is_rejected(self) -> None:
        """Event time must be timezone-aware."""
        with pytest.raises(ValueError, match="timezone-aware"):
            decide(see(KANSAFRA, datetime(2020, 1, 1)), DedupState())  # noqa: DTZ001


class TestScope:
    def test_other_site_is_other_scope(self) -> None:
        """The same item on another site is a new event there (scope = site)."""
        _, other = feed(DedupState(), see(KANSAFRA, site="a"), see(KANSAFRA, site="b"))
        assert isinstance(other, New)

    def test_global_scope_merges_sites(self) -> None:
        """With the global scope, sites share state."""
        a = TickerSighting.of(KANSAFRA, seen_at=T0, site="a", mode="global")
        b = TickerSighting.of(KANSAFRA, seen_at=T0, site="b", mode="global")
        assert isinstance(feed(DedupState(), a, b)[1], Duplicate)

    def test_scope_falls_back_to_url_host(self) -> None:
        """Without a site, the URL's host is the scope."""
        assert dedup_scope(None, "https://WWW.Smart.com/x") == "www.smart.com"


class TestIds:
    def test_event_id_is_stable(self) -> None:
        """The id is a function of scope and normalized text."""
        decision = feed(DedupState(), see(KANSAFRA))[0]
        assert decision.event_id == ticker_event_id("smart", see(KANSAFRA).normalized)

    def test_event_id_depends_on_scope(self) -> None:
        """The same text in two scopes has two ids."""
        assert ticker_event_id("a", "x") != ticker_event_id("b", "x")

    def test_replay_gives_identical_records(self) -> None:
        """Replaying the same input in the same order gives byte-identical state and events."""
        items = [see(MANSOURA), see(KANSAFRA), see(MANSOURA_2, T0 + timedelta(hours=2))]
        runs = []
        for _ in range(2):
            state = DedupState()
            decisions = feed(state, *items)
            runs.append((repr(decisions), orjson.dumps(list(state.records()))))
        assert runs[0] == runs[1]


class TestState:
    def test_records_round_trip(self) -> None:
        """State rebuilt from its table records decides the same."""
        state = DedupState()
        feed(state, see(MANSOURA), see(MANSOURA_2), see(KANSAFRA))
        records = orjson.loads(orjson.dumps(list(state.records())))
        rebuilt = DedupState.from_records([(k, v) for k, v in records])
        probe = see(MANSOURA_2, T0 + timedelta(hours=3))
        assert decide(probe, rebuilt)[0] == decide(probe, state)[0]

    def test_change_records_are_writes_and_deletes(self) -> None:
        """StateChange.records lists deletes as None values."""
        change = StateChange(delete=("smart|tk_1",))
        assert change.records() == [("smart|tk_1", None)]

    def test_decide_does_not_mutate_state(self) -> None:
        """decide is pure: the state only changes when the caller applies the change."""
        state = DedupState()
        decide(see(KANSAFRA), state)
        assert len(state) == 0

    def test_sighting_record_shape(self) -> None:
        """A duplicate yields an events.sightings record with the text as seen."""
        s = see(MANSOURA_2, url="https://smart/p")
        record = sighting_record(Duplicate("tk_1", 0.9, "near"), s)
        assert record["text"] == MANSOURA_2
        assert (record["event_id"], record["kind"], record["url"]) == ("tk_1", "near", "https://smart/p")


class TestConfig:
    def test_rejects_bad_threshold(self) -> None:
        """A threshold outside (0, 1] is refused."""
        with pytest.raises(ValueError, match="threshold"):
            DedupConfig(threshold=0)

    def test_rejects_non_positive_horizon(self) -> None:
        """A zero horizon is refused."""
        with pytest.raises(ValueError, match="horizon"):
            DedupConfig(horizon=timedelta(0))

"""Ticker dedup decisions: exact, near, vetoes, horizon, scope, ids, state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest

from workers.core.dedup import line_match
from workers.core.dedup.line_match import line_features
from workers.core.dedup.ticker import (
    DEFAULT_CONFIG,
    DedupConfig,
    DedupState,
    Duplicate,
    New,
    StateChange,
    TickerEntry,
    TickerSighting,
    _split_probes,
    decide,
    dedup_scope,
    expire,
    postings_visited,
    sighting_record,
    ticker_event_id,
)
from workers.core.normalize import normalize_for_matching

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

    def test_rejects_a_zero_postings_budget(self) -> None:
        """A candidate lookup must be allowed to visit something."""
        with pytest.raises(ValueError, match="max_postings"):
            DedupConfig(max_postings=0)

    def test_rejects_non_positive_horizon(self) -> None:
        """A zero horizon is refused."""
        with pytest.raises(ValueError, match="horizon"):
            DedupConfig(horizon=timedelta(0))


# Templated strips, as the hostile probe of issue 14 fed them: most words shared, the place,
# number, direction and city varying.
_LETTERS = "بتثجحخدرزسشصضطعغفقكلمنهي"
_TEMPLATES = (
    "قوات النظام تقصف بقذائف المدفعية {noun} {place} {direction} {city}",
    "مقتل {n} مدنيين بقصف الطيران الروسي على {noun} {place} {direction} {city}",
    "قوات قسد تعتقل {n} شبان من {noun} {place} {direction} {city}",
)
_NOUNS, _DIRECTIONS = ("قرية", "بلدة", "مدينة"), ("جنوب", "شمال", "شرق", "غرب")
_CITIES = ("إدلب", "حلب", "حماة", "درعا", "الرقة")


def _place(i: int) -> str:
    return "".join(_LETTERS[(i // len(_LETTERS) ** k) % len(_LETTERS)] for k in range(4)) + "ان"


def templated(i: int) -> str:
    """The i-th templated line: every place recurs in about three lines of the first 3n."""
    return _TEMPLATES[i % 3].format(
        noun=_NOUNS[i % 3],
        place=_place(i // 3),
        direction=_DIRECTIONS[(i // 7) % 4],
        city=_CITIES[(i // 11) % 5],
        n=2 + i % 13,
    )


def templated_state(size: int, scope: str = "smart", *, reverse: bool = False) -> DedupState:
    """A scope holding `size` templated items (the entries `decide` stores for new items),
    applied in order or, with `reverse`, in the reverse order."""
    at = int(T0.timestamp())
    entries = []
    for i in range(size):
        normalized = normalize_for_matching(templated(i))
        entries.append(TickerEntry(scope, ticker_event_id(scope, normalized), normalized, at + i, at + i))
    state = DedupState()
    state.apply(StateChange(put=tuple(reversed(entries) if reverse else entries)))
    return state


def _probed_holders(state: DedupState, line: str, config: DedupConfig) -> int:
    """Postings an unbounded walk of the line's probed tokens would visit."""
    postings = state.view("smart")._postings
    tokens = line_features(normalize_for_matching(line)).tokens
    sizes = sorted(len(postings[t]) for t in tokens if t in postings)
    return sum(sizes[: max(1, -(-len(tokens) * 7 // 10))])


@pytest.fixture(params=[True, False], ids=["compiled", "reference"])
def implementation(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Run the test on the compiled kernel and on the Python reference."""
    line_match.use_compiled(request.param)
    if request.param and not line_match.compiled():
        pytest.skip("the kernel is not built (test_nearpath.py::test_kernel_is_built fails)")
    yield
    line_match.use_compiled(True)


@pytest.mark.usefixtures("implementation")
class TestBoundedCandidates:
    """Candidate lookup visits a bounded number of postings whatever the size of the state
    (issue 14): counted, never timed."""

    def test_postings_visited_do_not_grow_with_the_state(self) -> None:
        """New templated lines against 300 and 6,000 stored items of one scope: each lookup
        visits at most `max_postings`, the most visited does not grow with the state,
        and an unbounded walk of the same probed lists would visit far more."""
        config = DEFAULT_CONFIG
        most = {}
        for size in (300, 6_000):
            state = templated_state(size)
            index = state.view("smart")
            visits = []
            for i in range(size, size + 60):  # new lines: places not seen before
                before = postings_visited()
                index.candidates(line_features(normalize_for_matching(templated(i))), config)
                visits.append(postings_visited() - before)
            most[size] = max(visits)
            assert most[size] <= config.max_postings
        assert most[6_000] <= most[300]
        walked_unbounded = _probed_holders(templated_state(6_000), templated(6_001), config)
        assert walked_unbounded > 10 * config.max_postings

    def test_a_rewording_is_still_found_in_a_large_scope(self) -> None:
        """In a scope of 6,000 templated items a rewording of one of them is a duplicate of
        it, and the same template at another place is new."""
        state = templated_state(6_000)
        target = templated(4_321)
        expected = ticker_event_id("smart", normalize_for_matching(target))
        later = T0 + timedelta(hours=2)
        reworded, _ = decide(see(target + " وفق ناشطين", later), state)
        assert isinstance(reworded, Duplicate)
        assert (reworded.event_id, reworded.kind) == (expected, "near")
        other_place = target.replace(_place(4_321 // 3), "كفرنبل")
        assert isinstance(decide(see(other_place, later), state)[0], New)

    def test_order_of_indexing_does_not_matter(self) -> None:
        """The same entries indexed in the opposite order (as a rebuild from a table may
        do) give the same candidates and decisions in the bounded regime."""
        forward, backward = templated_state(3_000), templated_state(3_000, reverse=True)
        for i in list(range(0, 3_000, 97)) + list(range(3_000, 3_030)):
            line = templated(i) + (" وفق ناشطين" if i % 2 else "")
            features = line_features(normalize_for_matching(line))
            a = forward.view("smart").candidates(features, DEFAULT_CONFIG)
            assert a == backward.view("smart").candidates(features, DEFAULT_CONFIG)
            sighting = see(line, T0 + timedelta(hours=1))
            assert decide(sighting, forward) == decide(sighting, backward)

    def test_below_the_budget_every_probed_list_is_walked(self) -> None:
        """In a small scope the lookup is the unbounded one: the same candidates as with a
        budget no lookup reaches."""
        state = templated_state(40)
        unbounded = DedupConfig(max_postings=1 << 30)
        for i in range(0, 60):
            features = line_features(normalize_for_matching(templated(i)))
            found = state.view("smart").candidates(features, DEFAULT_CONFIG)
            assert found == state.view("smart").candidates(features, unbounded)


class TestSplitProbes:
    @pytest.mark.parametrize(
        ("sizes", "budget", "expected"),
        [
            ([3, 40, 200, 900], 256, (2, 2)),  # 43 walked, looked up in 2 lists: 129 visits
            ([3, 400, 500], 256, (1, 2)),  # the rarest, looked up in both others
            ([60, 400, 500, 600, 700], 256, (1, 3)),  # 60 * 5 > 256: 60 * (1 + 3) = 240
            ([200, 400], 256, (0, 0)),  # even the rarest is over half the budget
        ],
    )
    def test_splits_within_the_budget(self, sizes: list[int], budget: int, expected: tuple[int, int]) -> None:
        """(lists walked, lists looked up in), w * (1 + m) <= budget."""
        walk, look = _split_probes(sizes, budget)
        assert (walk, look) == expected
        assert sum(sizes[:walk]) * (1 + look) <= budget
        assert walk + look <= len(sizes)

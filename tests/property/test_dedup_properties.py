"""Invariants of ticker dedup, checked over generated sighting sequences."""

from __future__ import annotations

from dataclasses import replace

import orjson
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies_dedup import sighting_lists, sightings
from workers.core.dedup.ticker import (
    DEFAULT_CONFIG,
    Decision,
    DedupConfig,
    DedupState,
    Duplicate,
    New,
    StateChange,
    TickerEntry,
    TickerSighting,
    decide,
    postings_visited,
)

# A budget small enough that the generated streams' lookups run in the bounded regime
# (lists looked up rather than walked, lines with no candidate), as a large state does.
SMALL_BUDGET = DedupConfig(max_postings=2)


def run(state: DedupState, items: list[TickerSighting], config: DedupConfig = DEFAULT_CONFIG) -> list[Decision]:
    out = []
    for item in items:
        decision, change = decide(item, state, config)
        state.apply(change)
        out.append(decision)
    return out


class TestDedupProperties:
    @given(sighting_lists)
    def test_second_pass_adds_nothing(self, items: list[TickerSighting]) -> None:
        """Deduping a sequence twice creates no new events the second time."""
        state = DedupState()
        run(state, items)
        assert not any(isinstance(d, New) for d in run(state, items))

    @given(sighting_lists)
    def test_second_pass_keeps_event_ids(self, items: list[TickerSighting]) -> None:
        """An exact repeat lands on the event its first pass created or joined."""
        state = DedupState()
        first = run(state, items)
        second = run(state, items)
        for a, b in zip(first, second, strict=True):
            if isinstance(b, Duplicate) and b.kind == "exact":
                assert b.event_id == a.event_id

    @given(sighting_lists)
    def test_replay_is_byte_identical(self, items: list[TickerSighting]) -> None:
        """Two replays of the same input give identical decisions and state records."""
        s1, s2 = DedupState(), DedupState()
        assert run(s1, items) == run(s2, items)
        assert orjson.dumps(list(s1.records())) == orjson.dumps(list(s2.records()))

    @given(sighting_lists, sighting_lists, sightings())
    def test_other_scopes_do_not_matter(
        self, history: list[TickerSighting], noise: list[TickerSighting], probe: TickerSighting
    ) -> None:
        """The decision ignores state that belongs to other scopes."""
        mine = [replace(s, scope=probe.scope) for s in history]
        others = [replace(s, scope="other-" + s.scope) for s in noise]
        clean, noisy = DedupState(), DedupState()
        run(clean, mine)
        run(noisy, others + mine)
        assert decide(probe, clean) == decide(probe, noisy)

    @given(sighting_lists)
    def test_a_new_event_adds_one_entry_and_a_sighting_names_a_known_one(self, items: list[TickerSighting]) -> None:
        """A New decision adds exactly its own event to the state, under an id not issued
        before in its scope; a Duplicate names an event the state already holds."""
        state = DedupState()
        issued: set[str] = set()
        for item in items:
            decision, change = decide(item, state)
            before = {key for key, _ in state.records()}
            state.apply(change)
            after = {key for key, _ in state.records()}
            key = f"{item.scope}|{decision.event_id}"
            if isinstance(decision, New):
                assert key not in issued
                assert after - before == {key}
                issued.add(key)
            else:
                assert key in before
                assert after == before

    @given(sighting_lists, st.randoms(use_true_random=False))
    def test_rebuild_from_records_decides_the_same(self, items: list[TickerSighting], rnd: object) -> None:
        """A state rebuilt from its records (in any order) gives the same decisions."""
        state = DedupState()
        run(state, items[:-1])
        records = list(state.records())
        rnd.shuffle(records)  # type: ignore[attr-defined]
        rebuilt = DedupState.from_records(records)
        assert decide(items[-1], rebuilt) == decide(items[-1], state)


class TestBoundedLookupProperties:
    @given(sighting_lists, st.sampled_from((1, 2, 6, 20)))
    def test_a_lookup_visits_at_most_the_budget(self, items: list[TickerSighting], budget: int) -> None:
        """Whatever the state, no decision's candidate lookup visits more than
        `max_postings` postings."""
        config = DedupConfig(max_postings=budget)
        state = DedupState()
        for item in items:
            before = postings_visited()
            _, change = decide(item, state, config)
            assert postings_visited() - before <= budget
            state.apply(change)

    @given(sighting_lists)
    def test_replay_is_byte_identical_on_a_small_budget(self, items: list[TickerSighting]) -> None:
        """Replays give identical decisions and records in the bounded regime too."""
        s1, s2 = DedupState(), DedupState()
        assert run(s1, items, SMALL_BUDGET) == run(s2, items, SMALL_BUDGET)
        assert orjson.dumps(list(s1.records())) == orjson.dumps(list(s2.records()))

    @given(sighting_lists, st.randoms(use_true_random=False))
    def test_indexing_order_does_not_matter_on_a_small_budget(self, items: list[TickerSighting], rnd: object) -> None:
        """The entries indexed in any order (as a worker's rebuild from its table does,
        unsorted) decide the same in the bounded regime."""
        state = DedupState()
        run(state, items[:-1], SMALL_BUDGET)
        entries = [TickerEntry.from_json(key, value) for key, value in state.records()]
        rnd.shuffle(entries)  # type: ignore[attr-defined]
        shuffled = DedupState()
        shuffled.apply(StateChange(put=tuple(entries)))
        assert decide(items[-1], shuffled, SMALL_BUDGET) == decide(items[-1], state, SMALL_BUDGET)

"""The 20 seed ticker items through the dedup core: exactly the expected events."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from workers.core.dedup.ticker import DedupState, Duplicate, New, TickerSighting, decide

EXPECTED = json.loads(
    (Path(__file__).resolve().parent.parent / "fixtures" / "seeds.expected.json").read_text(encoding="utf-8")
)
T0 = datetime(2020, 6, 29, 12, tzinfo=UTC)


def _run(order: list[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """Feed the items in `order` (one site, minutes apart); return item -> event id."""
    state = DedupState()
    events: dict[tuple[str, int], str] = {}
    for n, (page, index) in enumerate(order):
        text = EXPECTED["pages"][page]["required"]["ticker"][index]["text"]
        sighting = TickerSighting.of(text, seen_at=T0 + timedelta(minutes=n), site="smart")
        decision, change = decide(sighting, state)
        state.apply(change)
        assert isinstance(decision, New | Duplicate)
        events[(page, index)] = decision.event_id
    return events


ITEMS = [(page, i) for page, spec in EXPECTED["pages"].items() for i in range(len(spec["required"]["ticker"]))]


@pytest.fixture(scope="module", params=["page order", "reversed"])
def events(request: pytest.FixtureRequest) -> dict[tuple[str, int], str]:
    order = ITEMS if request.param == "page order" else ITEMS[::-1]
    return _run(order)


class TestSeedTickerDedup:
    def test_twenty_items(self) -> None:
        """The seeds hold 20 ticker items."""
        assert len(ITEMS) == 20

    def test_expected_number_of_events(self, events: dict[tuple[str, int], str]) -> None:
        """The 20 items give exactly expected_unique_ticker_events events."""
        assert len(set(events.values())) == EXPECTED["expected_unique_ticker_events"]

    def test_duplicate_groups_merge(self, events: dict[tuple[str, int], str]) -> None:
        """Every duplicate group (the Mansoura pair) is one event."""
        for group in EXPECTED["duplicate_groups"]:
            assert len({events[(page, i)] for page, i in group}) == 1

    def test_distinct_but_similar_stay_apart(self, events: dict[tuple[str, int], str]) -> None:
        """Every item of a distinct_but_similar group is its own event."""
        for group in EXPECTED["distinct_but_similar"]:
            ids = [events[(page, i)] for page, i in group["items"]]
            assert len(set(ids)) == len(ids), group["why"]

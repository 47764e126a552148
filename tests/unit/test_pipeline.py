"""core/pipeline.py: state changes are staged until the page's events are written."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from workers.core.models import Page
from workers.core.pipeline import PageOutcome, PipelineState, process_page

SAMPLES = Path(__file__).resolve().parents[2] / "workers" / "samples" / "pages.jsonl"


def sample(index: int) -> Page:
    value = orjson.loads(SAMPLES.read_bytes().splitlines()[index])
    return Page(
        url=value["url"],
        fetched_at=datetime.fromisoformat(value["fetched_at"]),
        content_type=value["content_type"],
        body=value["body"],
        site=value["site"],
    )


def topics_of(outcome: Any) -> list[str]:
    assert isinstance(outcome, PageOutcome)
    return [record.topic for record in outcome.records]


class TestStagedState:
    def test_nothing_reaches_the_tables_before_commit(self) -> None:
        """Processing a page stages its changes; the underlying mappings stay untouched."""
        tables: tuple[dict[str, Any], ...] = ({}, {}, {})
        state = PipelineState(*tables)
        process_page(sample(0), state)
        assert tables == ({}, {}, {})
        state.commit()
        assert len(tables[0]) == 10  # one record per ticker event
        assert len(tables[1]) == 1  # the article
        assert len(tables[2]) == 1  # its body fingerprint

    def test_rollback_replays_the_same_events(self) -> None:
        """After a rollback (a failed publish), the same page yields the same events again."""
        state = PipelineState()
        first = process_page(sample(0), state)
        state.rollback()
        again = process_page(sample(0), state)
        assert first == again
        assert topics_of(again).count("events.ticker") == 10

    def test_committed_state_is_remembered_and_rebuilt(self) -> None:
        """Committed records are what a new worker (fresh derived index) dedups against."""
        tables: tuple[dict[str, Any], ...] = ({}, {}, {})
        state = PipelineState(*tables)
        process_page(sample(0), state)
        state.commit()
        restarted = PipelineState(*tables)  # e.g. tables recovered from their changelogs
        outcome = process_page(sample(0), restarted)
        assert set(topics_of(outcome)) == {"events.sightings"}

    def test_staged_deletes_and_reads(self) -> None:
        """A staged mapping reads its own pending writes and deletes before commit."""
        base: dict[str, Any] = {"a": 1, "b": 2}
        state = PipelineState(base)
        staged = state.ticker_records
        staged["c"] = 3
        del staged["a"]
        assert dict(staged.items()) == {"b": 2, "c": 3}
        assert "a" not in staged
        assert len(staged) == 2
        assert base == {"a": 1, "b": 2}
        state.commit()
        assert base == {"b": 2, "c": 3}

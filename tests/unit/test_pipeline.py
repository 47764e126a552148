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


class TestBatchCheckpoints:
    """A batch of pages: each page's writes are kept (`checkpoint`) for the next page and
    written underneath only by `commit`; `rollback_to` drops pages from a savepoint on."""

    def test_checkpointed_pages_are_seen_by_later_pages_but_not_written(self) -> None:
        tables: tuple[dict[str, Any], ...] = ({}, {}, {})
        state = PipelineState(*tables)
        process_page(sample(0), state)
        state.checkpoint("page 0")
        again = process_page(sample(0), state)
        assert set(topics_of(again)) == {"events.sightings"}  # page 0's events are known
        assert tables == ({}, {}, {})
        state.checkpoint("page 1")
        state.commit()
        assert len(tables[0]) == 10
        assert state.savepoint == 0

    def test_rollback_to_drops_the_pages_after_the_savepoint_only(self) -> None:
        state = PipelineState()
        process_page(sample(0), state)
        state.checkpoint()
        kept = state.savepoint
        dropped = process_page(sample(1), state)
        state.checkpoint()
        state.rollback_to(kept)
        assert process_page(sample(1), state) == dropped  # page 1 decided as if never seen
        assert set(topics_of(process_page(sample(0), state))) == {"events.sightings"}  # page 0 stays

    def test_rollback_to_restores_a_key_an_earlier_page_wrote(self) -> None:
        base: dict[str, Any] = {"k": "base"}
        state = PipelineState(base)
        staged = state.ticker_records
        staged["k"] = "page 0"
        state.checkpoint()
        savepoint = state.savepoint
        staged["k"] = "page 1"
        del staged["k"]
        state.checkpoint()
        assert "k" not in staged
        state.rollback_to(savepoint)
        assert staged["k"] == "page 0"
        state.commit()
        assert base == {"k": "page 0"}

    def test_tagged_sink_gets_each_write_with_its_page(self) -> None:
        class Sink(dict[str, Any]):
            def __init__(self) -> None:
                super().__init__({"gone": 0})
                self.writes: list[tuple[str, Any, object]] = []

            def put(self, key: str, value: Any, tag: object) -> None:
                self.writes.append((key, value, tag))
                self[key] = value

            def remove(self, key: str, tag: object) -> None:
                self.writes.append((key, None, tag))
                self.pop(key, None)

        sink = Sink()
        state = PipelineState(sink)
        state.ticker_records["a"] = 1
        state.checkpoint("first")
        del state.ticker_records["gone"]
        state.ticker_records["b"] = 2
        state.checkpoint("second")
        state.commit()
        assert sink.writes == [("a", 1, "first"), ("gone", None, "second"), ("b", 2, "second")]
        assert dict(sink) == {"a": 1, "b": 2}


class TestScopeIndexLoad:
    def test_each_scope_loads_its_own_entries_once(self) -> None:
        """The first scope met lists every scope's keys; each scope then loads only its
        own entries, and entries written meanwhile are not lost."""
        tables: tuple[dict[str, Any], ...] = ({}, {}, {})
        state = PipelineState(*tables)
        for index in range(3):
            process_page(sample(index), state)
            state.commit()
        by_scope: dict[str, int] = {}
        for key in tables[0]:
            scope = key.rpartition("|")[0]
            by_scope[scope] = by_scope.get(scope, 0) + 1
        fresh = PipelineState(*tables)
        for loaded, scope in enumerate(sorted(by_scope), start=1):
            index = fresh.ticker_index(scope)
            assert len(index.scopes) == loaded
            assert len(index.scopes[scope].entries) == by_scope[scope]
        assert sum(len(s.entries) for s in fresh.ticker_index(next(iter(by_scope))).scopes.values()) == len(tables[0])

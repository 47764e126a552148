"""Dedup state survives a worker restart: it is rebuilt from the tables' changelogs."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.integration.helpers import fresh_topics, samples_through
from workers.contract.topics import TopicSet
from workers.runtime.child import WorkerProcess

# A restart scenario (marker `fault`, with test_faults.py). It used to fail 2 runs in 7:
# the restarted worker lost the race in Faust's recovery that workers/adapters/faust_seek.py
# works around.
pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.fault]


async def test_restarted_worker_remembers_what_it_has_seen(
    kafka_bootstrap: str, topics: TopicSet, topic_prefix: str, tmp_path: Path
) -> None:
    """Seeds, clean stop, a new worker process in the same group, the seeds again:
    the second pass yields no new events, only sightings (state came back from the changelog)."""
    prefixed = await fresh_topics(topics, kafka_bootstrap, topic_prefix)
    app_id = f"raqib-test-{uuid.uuid4().hex[:8]}"

    def worker(n: int) -> WorkerProcess:
        return WorkerProcess(
            kafka_bootstrap,
            app_id=app_id,
            log_path=tmp_path / f"worker-{n}.log",
            extra_env={"RAQIB_TOPIC_PREFIX": prefixed.prefix},
        ).start()

    first = worker(1)
    try:
        before = await samples_through(kafka_bootstrap, prefixed, first, lambda s: len(s["events.ticker"]) >= 19)
    finally:
        assert first.stop() == 0

    second = worker(2)
    try:
        after = await samples_through(kafka_bootstrap, prefixed, second, lambda s: len(s["events.sightings"]) >= 26)
    finally:
        assert second.stop() == 0

    assert len(before["events.ticker"]) == 19
    assert len(before["events.articles"]) == 5
    assert len(before["events.sightings"]) == 1

    # Second pass: no new event (not even a repeat), and every ticker event and article is
    # seen again. At least once allows a page to be processed twice, so sightings may repeat.
    def values(records: list[dict[str, Any]]) -> list[bytes]:
        return sorted(orjson.dumps(r["value"]) for r in records)

    assert values(after["events.ticker"]) == values(before["events.ticker"])
    assert values(after["events.articles"]) == values(before["events.articles"])
    first_pass = {(s["partition"], s["offset"]) for s in before["events.sightings"]}
    again = [s["value"] for s in after["events.sightings"] if (s["partition"], s["offset"]) not in first_pass]
    ticker_ids = {t["value"]["event_id"] for t in before["events.ticker"]}
    article_ids = {a["value"]["article_id"] for a in before["events.articles"]}
    assert {s["event_id"] for s in again} == ticker_ids | article_ids
    assert {s["event_id"] for s in again if s["kind"] == "article"} == article_ids
    assert len(again) >= 20 + 5

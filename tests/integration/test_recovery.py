"""Dedup state survives a worker restart: it is rebuilt from the tables' changelogs."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.integration.helpers import SAMPLES, collect, fresh_topics, wait_drained
from workers.demo import WorkerProcess
from workers.producer import send_pages
from workers.topics import TopicSet

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def test_restarted_worker_remembers_what_it_has_seen(
    kafka_bootstrap: str, topics: TopicSet, topic_prefix: str, tmp_path: Path
) -> None:
    """Seeds, clean stop, a new worker process in the same group, the seeds again:
    the second pass yields no new events, only sightings (state came back from the changelog)."""
    prefixed = await fresh_topics(topics, kafka_bootstrap, topic_prefix)
    app_id = f"raqib-test-{uuid.uuid4().hex[:8]}"

    def worker(n: int) -> WorkerProcess:
        return WorkerProcess(
            kafka_bootstrap, app_id=app_id, log_path=tmp_path / f"worker-{n}.log",
            extra_env={"RAQIB_TOPIC_PREFIX": prefixed.prefix},
        ).start()

    first = worker(1)
    try:
        await send_pages([SAMPLES], prefixed, kafka_bootstrap, prefixed.name("pages.raw"), progress=False)
        await wait_drained(kafka_bootstrap, prefixed, first)
        before = await collect(kafka_bootstrap, prefixed, lambda s: len(s["events.ticker"]) >= 19, idle=2)
    finally:
        assert first.stop() == 0

    second = worker(2)
    try:
        await send_pages([SAMPLES], prefixed, kafka_bootstrap, prefixed.name("pages.raw"), progress=False)
        await wait_drained(kafka_bootstrap, prefixed, second)
        after = await collect(kafka_bootstrap, prefixed, lambda s: len(s["events.sightings"]) >= 26, idle=3)
    finally:
        assert second.stop() == 0

    assert len(before["events.ticker"]) == 19
    assert len(before["events.articles"]) == 5
    assert len(before["events.sightings"]) == 1
    # second pass: nothing new, every ticker item (20) and every article (5) is a sighting
    assert len(after["events.ticker"]) == 19
    assert len(after["events.articles"]) == 5
    sightings = after["events.sightings"]
    assert len(sightings) == 1 + 20 + 5  # the first pass's one, then 20 ticker items and 5 articles
    assert sorted(s["value"]["kind"] for s in sightings).count("article") == 5
    known = {t["value"]["event_id"] for t in before["events.ticker"]} | {
        a["value"]["article_id"] for a in before["events.articles"]}
    assert {s["value"]["event_id"] for s in sightings} <= known

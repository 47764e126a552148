"""The failure guard stops a worker whose own code fails on every page, with a clear log line."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import orjson
import pytest

from tests.integration.helpers import fresh_topics, start_worker, wait_drained, wait_for
from workers.adapters.kafka_clients import kafka_producer
from workers.adapters.kafka_offsets import end_offsets
from workers.contract.topics import TopicSet

pytestmark = [pytest.mark.integration]


async def test_worker_stops_when_its_own_stage_fails_on_every_page(
    kafka_bootstrap: str, topics: TopicSet, topic_prefix: str, tmp_path: Path
) -> None:
    """Failures of raqib's own making trip the guard after N in a row; what the input is to
    blame for (poison bytes, blank pages) never does, however much of it comes.

    raqib's own failure is simulated where it can happen on a real worker: records of its
    internal topic (which only raqib writes) that its dedup stage cannot read."""
    prefixed = await fresh_topics(topics, kafka_bootstrap, topic_prefix)
    worker = start_worker(kafka_bootstrap, prefixed, tmp_path, RAQIB_GUARD_MAX_CONSECUTIVE="5")
    internal = prefixed.scope_topic(worker.app_id)
    blank_page = orjson.dumps(
        {"url": None, "fetched_at": "2021-08-07T12:00:00+03:00", "content_type": "text/plain", "body": "   "}
    )
    try:
        async with kafka_producer(kafka_bootstrap) as producer:
            for _ in range(20):  # poison input and blank pages: dead-lettered, never counted
                await producer.send_and_wait(prefixed.name("pages.raw"), b"\xff not json", partition=0)
                await producer.send_and_wait(prefixed.name("pages.raw"), blank_page, partition=0)
            await wait_drained(kafka_bootstrap, prefixed, worker)
            assert worker.is_running(), "input faults stopped the worker"

            async def internal_topic_exists() -> bool:
                return bool(await end_offsets(kafka_bootstrap, internal))

            await wait_for(internal_topic_exists, timeout=60, what="the worker's internal topic")
            for _ in range(8):  # raqib's own records, unreadable: the dedup stage fails on each
                await producer.send_and_wait(internal, b"{}", key=b"site.example", partition=0)
        assert worker.process is not None
        try:
            await asyncio.to_thread(worker.process.wait, 90)
        except subprocess.TimeoutExpired:
            pytest.fail("the guard should have stopped the worker")
    finally:
        status = worker.stop()
    log = worker.log_path.read_text()
    assert status != 0
    assert "worker_stopping_failure_guard_tripped" in log
    assert log.count('"message_dead_lettered"') >= 40 + 5

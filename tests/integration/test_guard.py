"""The failure guard stops a worker whose own code fails on every page, with a clear log line."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import orjson
import pytest

from tests.integration.helpers import fresh_topics, start_worker
from workers.adapters.kafka_clients import kafka_producer
from workers.contract.topics import TopicSet

pytestmark = [pytest.mark.integration]


async def test_worker_stops_when_every_page_fails(
    kafka_bootstrap: str, topics: TopicSet, topic_prefix: str, tmp_path: Path
) -> None:
    """Pages the parser cannot handle trip the guard after N in a row; poison bytes do not."""
    prefixed = await fresh_topics(topics, kafka_bootstrap, topic_prefix)
    worker = start_worker(kafka_bootstrap, prefixed, tmp_path, RAQIB_GUARD_MAX_CONSECUTIVE="5")
    empty_page = orjson.dumps(
        {"url": None, "fetched_at": "2021-08-07T12:00:00+03:00", "content_type": "text/plain", "body": "   "}
    )
    try:
        async with kafka_producer(kafka_bootstrap) as producer:
            for _ in range(20):  # poison input: dead-lettered, never counted by the guard
                await producer.send_and_wait(prefixed.name("pages.raw"), b"\xff not json", partition=0)
            for _ in range(8):  # unparseable pages: our parser "fails" on each
                await producer.send_and_wait(prefixed.name("pages.raw"), empty_page, partition=0)
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
    assert "5 consecutive messages failed" in log

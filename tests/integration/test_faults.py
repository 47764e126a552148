"""Fault tests: a worker killed mid-stream, a paused broker, a second worker taking over.

Every scenario checks the delivery contract: every expected event arrives at least once,
and a repeated event carries the same id and the same bytes.

Status: deselected by default (marker `fault`, run with `make test-faults`). On the
embedded Tansu broker, after SIGKILLs and the rebalances that follow, the restarted
worker's consumer was seen to skip ranges of offsets (e.g. 4 -> 19 on pages-by-scope,
3 -> 30 on pages.raw); Faust then never commits past the hole, so the skipped pages wait
for the next restart and the scenario does not drain. Not yet understood; see README.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import defaultdict
from pathlib import Path

import pytest

from tests.integration.generated import Stream, generate
from tests.integration.helpers import fresh_topics, supervise_until_drained
from workers.broker import EmbeddedBroker
from workers.consumer import consume
from workers.demo import WorkerProcess
from workers.producer import kafka_producer
from workers.topics import TopicSet

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.fault]


async def produce(bootstrap: str, topic: str, stream: Stream, start: int = 0, stop: int | None = None) -> None:
    # One record per request: the embedded broker misreports end offsets after
    # multi-record batches (see Settings.producer_max_batch_bytes).
    async with kafka_producer(bootstrap) as producer:
        for value, key in zip(stream.pages[start:stop], stream.keys[start:stop], strict=True):
            await producer.send_and_wait(topic, value, key=key)


async def read_events(bootstrap: str, topics: TopicSet) -> dict[str, dict[str, list[bytes]]]:
    """logical topic -> key -> every value seen (raw bytes, in order)."""
    seen: dict[str, dict[str, list[bytes]]] = {"events.ticker": defaultdict(list), "events.articles": defaultdict(list)}
    names = {topics.name(t): t for t in seen}
    async for record in consume(list(names), bootstrap, from_beginning=True, idle=3):
        assert record.key is not None
        assert record.value is not None
        seen[names[record.topic]][record.key.decode()].append(record.value)
    return seen


def check_delivery(stream: Stream, seen: dict[str, dict[str, list[bytes]]]) -> int:
    """Every expected event arrived; repeats are byte-identical. Returns the repeat count."""
    assert set(seen["events.ticker"]) == stream.ticker_ids
    assert set(seen["events.articles"]) == stream.article_ids
    repeats = 0
    for by_key in seen.values():
        for key, values in by_key.items():
            assert len(set(values)) == 1, f"{key} was repeated with different bytes"
            repeats += len(values) - 1
    return repeats


def worker_factory(bootstrap: str, topics: TopicSet, log_dir: Path):  # type: ignore[no-untyped-def]
    app_id = f"raqib-fault-{uuid.uuid4().hex[:8]}"
    count = 0

    def start() -> WorkerProcess:
        nonlocal count
        count += 1
        return WorkerProcess(
            bootstrap, app_id=app_id, log_path=log_dir / f"worker-{count}.log",
            extra_env={"RAQIB_TOPIC_PREFIX": topics.prefix, "RAQIB_SESSION_TIMEOUT_S": "4",
                       "RAQIB_HEARTBEAT_INTERVAL_S": "0.5"},
        ).start()

    return start


async def test_sigkill_at_random_points_loses_nothing(
    kafka_bootstrap: str, topics: TopicSet, topic_prefix: str, tmp_path: Path
) -> None:
    """2,000 pages; the worker is SIGKILLed 4 times at random moments and restarted."""
    stream = generate(2000)
    prefixed = await fresh_topics(topics, kafka_bootstrap, topic_prefix)
    start_worker = worker_factory(kafka_bootstrap, prefixed, tmp_path)
    await produce(kafka_bootstrap, prefixed.name("pages.raw"), stream)
    rng = random.Random(11)
    started = time.monotonic()
    worker = start_worker()
    for _ in range(4):
        await asyncio.sleep(rng.uniform(3.0, 9.0))
        worker.kill()  # SIGKILL: no commit, no leave-group, buffers lost
        worker = start_worker()
    last_kill = time.monotonic()
    try:
        worker, restarts = await supervise_until_drained(kafka_bootstrap, prefixed, worker, start_worker, 400)
        drained_in = time.monotonic() - last_kill
    finally:
        assert worker.stop() == 0
    seen = await read_events(kafka_bootstrap, prefixed)
    repeats = check_delivery(stream, seen)
    print(
        f"\ncrash test: {len(stream.pages)} pages, 4 SIGKILLs, {len(stream.ticker_ids)} ticker events and "
        f"{len(stream.article_ids)} articles all delivered, {repeats} repeated records (identical bytes); "
        f"drained {drained_in:.0f}s after the last kill ({restarts} self-stops restarted); "
        f"total {time.monotonic() - started:.0f}s"
    )


async def test_broker_paused_for_20s_mid_stream(tmp_path: Path, topics: TopicSet) -> None:
    """SIGSTOP the broker for 20 s while the worker is busy, then SIGCONT: it recovers alone."""
    stream = generate(600, seed=3)
    with EmbeddedBroker(log_path=tmp_path / "broker.log") as broker:  # our own: we pause it
        prefixed = await fresh_topics(topics, broker.bootstrap, "pause.")
        start_worker = worker_factory(broker.bootstrap, prefixed, tmp_path)
        worker = start_worker()
        try:
            await produce(broker.bootstrap, prefixed.name("pages.raw"), stream, stop=300)
            await asyncio.sleep(4)
            broker.pause()
            await asyncio.sleep(20)
            broker.resume()
            resumed = time.monotonic()
            await produce(broker.bootstrap, prefixed.name("pages.raw"), stream, start=300)
            worker, restarts = await supervise_until_drained(broker.bootstrap, prefixed, worker, start_worker, 240)
            drained_after = time.monotonic() - resumed
        finally:
            assert worker.stop() == 0
        seen = await read_events(broker.bootstrap, prefixed)
    repeats = check_delivery(stream, seen)
    print(
        f"\nbroker pause: 20 s SIGSTOP, drained {drained_after:.0f}s after SIGCONT, {repeats} repeats, "
        f"{restarts} self-stops restarted"
    )


async def test_second_worker_takes_over_a_killed_ones_partitions(
    kafka_bootstrap: str, topics: TopicSet, topic_prefix: str, tmp_path: Path
) -> None:
    """Two workers share the partitions; one is SIGKILLed; the other takes its partitions
    and their state (no lost events, and repeated items stay sightings)."""
    stream = generate(1000, seed=5)
    prefixed = await fresh_topics(topics, kafka_bootstrap, topic_prefix)
    start_worker = worker_factory(kafka_bootstrap, prefixed, tmp_path)
    first, second = start_worker(), start_worker()
    try:
        await produce(kafka_bootstrap, prefixed.name("pages.raw"), stream, stop=500)
        await asyncio.sleep(8)
        first.kill()
        killed = time.monotonic()
        await produce(kafka_bootstrap, prefixed.name("pages.raw"), stream, start=500)
        second, restarts = await supervise_until_drained(kafka_bootstrap, prefixed, second, start_worker, 240)
        took_over_in = time.monotonic() - killed
    finally:
        first.kill()
        assert second.stop() == 0
    seen = await read_events(kafka_bootstrap, prefixed)
    repeats = check_delivery(stream, seen)
    both = [p for p in (tmp_path / "worker-1.log", tmp_path / "worker-2.log") if "page_processed" in p.read_text()]
    assert len(both) == 2, "both workers processed pages before the kill"
    print(f"\ntakeover: drained {took_over_in:.0f}s after the kill, {repeats} repeats, {restarts} self-stops restarted")

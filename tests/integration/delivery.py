"""Delivery checks shared by the fault scenarios: produce a generated stream, read every
event back, and check that each expected event arrived and that repeats are identical."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from tests.integration.generated import Stream
from workers.consumer import consume
from workers.producer import kafka_producer
from workers.topics import TopicSet
from workers.worker_process import WorkerProcess


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


def worker_factory(bootstrap: str, topics: TopicSet, log_dir: Path) -> Callable[[], WorkerProcess]:
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

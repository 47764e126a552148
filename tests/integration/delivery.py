"""Delivery checks shared by the fault scenarios: produce a generated stream, read every
event back, and check that each expected event arrived and that repeats are identical."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import orjson

from tests.integration.generated import Stream
from tests.integration.helpers import wait_for
from workers.adapters.kafka_clients import kafka_producer
from workers.adapters.kafka_reader import consume
from workers.contract.topics import TopicSet
from workers.runtime.child import WorkerProcess


async def produce(bootstrap: str, topic: str, stream: Stream, start: int = 0, stop: int | None = None) -> None:
    async with kafka_producer(bootstrap, linger_ms=5) as producer:
        acks = [
            await producer.send(topic, value, key=key)
            for value, key in zip(stream.pages[start:stop], stream.keys[start:stop], strict=True)
        ]
        await asyncio.gather(*acks)


async def read_events(bootstrap: str, topics: TopicSet) -> dict[str, dict[str, list[bytes]]]:
    """logical topic -> key -> every value seen (raw bytes, in order)."""
    seen: dict[str, dict[str, list[bytes]]] = {"events.ticker": defaultdict(list), "events.articles": defaultdict(list)}
    names = {topics.name(t): t for t in seen}
    async for record in consume(list(names), bootstrap, from_beginning=True, until_end=True, idle=30):
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


def delivery_counts(stream: Stream, seen: dict[str, dict[str, list[bytes]]]) -> str:
    """'N events expected, M delivered (R repeats)' for a scenario's report."""
    expected = len(stream.ticker_ids) + len(stream.article_ids)
    distinct = sum(len(by_key) for by_key in seen.values())
    records = sum(len(values) for by_key in seen.values() for values in by_key.values())
    return f"{expected} events expected, {distinct} delivered in {records} records ({records - distinct} repeats)"


def processed(log_path: Path) -> list[tuple[float, int]]:
    """(wall-clock time, pages-by-scope partition) of every page the worker logging to
    `log_path` finished (its `page_processed` lines)."""
    pages = []
    for line in log_path.read_bytes().splitlines():
        if b'"page_processed"' in line:
            with contextlib.suppress(orjson.JSONDecodeError, KeyError, ValueError):
                entry = orjson.loads(line)
                pages.append((datetime.fromisoformat(entry["timestamp"]).timestamp(), int(entry["partition"])))
    return pages


def first_processed(log_path: Path, after: float = 0.0, partitions: set[int] | None = None) -> float | None:
    """Time of the first page finished at or after `after` (time.time()), on one of
    `partitions` if given; None if there is none."""
    return next((at for at, p in processed(log_path) if at >= after and (partitions is None or p in partitions)), None)


async def wait_processed(worker: WorkerProcess, at_least: int, timeout: float = 120.0) -> int:
    """Wait until `worker` has finished `at_least` pages (its `page_processed` log lines);
    return how many it had finished then."""
    done = 0

    async def enough() -> bool:
        nonlocal done
        assert worker.is_running(), f"worker died; log: {worker.log_path.read_text()[-3000:]}"
        done = len(processed(worker.log_path))
        return done >= at_least

    await wait_for(enough, timeout=timeout, what=f"{worker.log_path.name} to process {at_least} pages", poll=0.05)
    return done


def worker_factory(bootstrap: str, topics: TopicSet, log_dir: Path) -> Callable[[], WorkerProcess]:
    app_id = f"raqib-fault-{uuid.uuid4().hex[:8]}"
    count = 0

    def start() -> WorkerProcess:
        nonlocal count
        count += 1
        return WorkerProcess(
            bootstrap,
            app_id=app_id,
            log_path=log_dir / f"worker-{count}.log",
            extra_env={
                "RAQIB_TOPIC_PREFIX": topics.prefix,
                "RAQIB_SESSION_TIMEOUT_S": "4",
                "RAQIB_HEARTBEAT_INTERVAL_S": "0.5",
            },
        ).start()

    return start

"""Read topics without a consumer group: `raqib tail`, the demo's event printer, the dead-
letter re-drive and the tests (up to the end offsets, or following new records)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from workers.adapters.kafka_clients import start_client
from workers.adapters.kafka_offsets import true_end_offsets
from workers.errors import TransientError

__all__ = ["consume", "record_to_dict"]


def _text(data: bytes | None) -> Any:
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(data).decode("ascii")}


def record_to_dict(record: ConsumerRecord[bytes, bytes]) -> dict[str, Any]:
    """{topic, partition, offset, key, value}; JSON values are decoded, others kept as text."""
    value: Any = _text(record.value)
    if isinstance(value, str):
        with contextlib.suppress(orjson.JSONDecodeError):
            value = orjson.loads(value)
    return {
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "key": _text(record.key),
        "value": value,
    }


async def consume(
    topics: list[str],
    bootstrap: str,
    *,
    from_beginning: bool = True,
    until_end: bool = False,
    idle: float | None = 5.0,
    wait_for_topics: float = 10.0,
) -> AsyncIterator[ConsumerRecord[bytes, bytes]]:
    """Yield records of every partition of `topics` (no consumer group, nothing committed).

    `until_end`: stop once every partition has been read up to the end offset it had when
    reading began (what a reader of "everything written so far" wants: no waiting).
    `idle`: stop after `idle` seconds with nothing new (None: never; with `until_end`, a
    safety net for a broker that stops answering).
    """
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        auto_offset_reset="earliest" if from_beginning else "latest",
        fetch_max_bytes=64 * 1024 * 1024,
        max_partition_fetch_bytes=32 * 1024 * 1024,
    )
    await start_client(consumer.start, consumer.stop, bootstrap, timeout=20)
    try:
        partitions = await _partitions(consumer, topics, wait_for_topics)
        consumer.assign(partitions)
        if from_beginning:
            await consumer.seek_to_beginning(*partitions)
        else:
            await consumer.seek_to_end(*partitions)
        ends = await true_end_offsets(bootstrap, partitions) if until_end else {}
        last = time.monotonic()
        while True:
            if until_end and await _read_to(consumer, ends):
                return
            batch = await consumer.getmany(timeout_ms=200, max_records=500)
            if batch:
                last = time.monotonic()
                for records in batch.values():
                    for record in records:
                        yield record
            elif idle is not None and time.monotonic() - last > idle:
                return
    finally:
        await consumer.stop()


async def _read_to(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    """Whether every partition's position has reached its end in `ends` (those that did
    are dropped from `ends`). Positions, not record offsets: a compacted or transactional
    topic has offsets that carry no record."""
    for tp in [tp for tp, end in ends.items() if await consumer.position(tp) >= end]:
        del ends[tp]
    return not ends


async def _partitions(consumer: AIOKafkaConsumer, topics: list[str], wait: float) -> list[TopicPartition]:
    deadline = time.monotonic() + wait
    while True:
        found = [
            TopicPartition(topic, p) for topic in topics for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        known = {tp.topic for tp in found}
        if known == set(topics):
            return found
        if time.monotonic() > deadline:
            missing = ", ".join(sorted(set(topics) - known))
            raise TransientError(f"no such topic: {missing}")
        await consumer._client.force_metadata_update()
        await asyncio.sleep(0.2)

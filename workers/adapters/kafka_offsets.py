"""Offsets of topics and consumer groups: how far a group is from the end of its input.

End offsets are read to the true end (`true_end_offsets`): a broker's ListOffsets answer
is checked against the high watermark of a fetch of the partition's last record. They
agree on Apache Kafka. The embedded Tansu broker answers ListOffsets with the last batch's
base offset + 1, so after a multi-record batch it reports an end short of the records it
holds, while its fetches report the true high watermark (docs/embedded-broker.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition

from workers.adapters.kafka_clients import admin_client

__all__ = ["committed_offsets", "consumer_lag", "end_offsets", "true_end_offsets"]

_PROBE_TIMEOUT_S = 5.0


async def end_offsets(bootstrap: str, *topics: str) -> dict[TopicPartition, int]:
    """The end offset of every partition of `topics` (topics that do not exist are left out)."""
    async with _probe_consumer(bootstrap) as consumer:
        partitions = [
            TopicPartition(topic, p) for topic in topics for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        return await _true_ends(consumer, partitions, _PROBE_TIMEOUT_S)


async def true_end_offsets(
    bootstrap: str, partitions: Iterable[TopicPartition], timeout: float = _PROBE_TIMEOUT_S
) -> dict[TopicPartition, int]:
    """The end offset of each partition: what ListOffsets reports, or more when a fetch of
    the partition's last reported record shows a higher high watermark (within `timeout`;
    a partition that does not answer keeps the reported end)."""
    partitions = list(partitions)
    if not partitions:
        return {}
    async with _probe_consumer(bootstrap) as consumer:
        return await _true_ends(consumer, partitions, timeout)


@contextlib.asynccontextmanager
async def _probe_consumer(bootstrap: str) -> AsyncIterator[AIOKafkaConsumer]:
    """A started consumer without a group, for offset lookups and probe fetches."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=100, max_partition_fetch_bytes=1 << 20
    )
    await consumer.start()
    try:
        yield consumer
    finally:
        # aiokafka's stop() re-raises the cancellation of a background task that has not
        # run yet: let it start first (it has not when no request was made).
        await asyncio.sleep(0)
        await consumer.stop()


async def _true_ends(
    consumer: AIOKafkaConsumer, partitions: list[TopicPartition], timeout: float
) -> dict[TopicPartition, int]:
    """`true_end_offsets` with a started consumer (which it assigns)."""
    if not partitions:
        return {}
    ends: dict[TopicPartition, int] = dict(await consumer.end_offsets(partitions))
    pending = {tp for tp, end in ends.items() if end > 0}
    if pending:
        consumer.assign(sorted(pending))
        for tp in pending:
            consumer.seek(tp, ends[tp] - 1)
        deadline = time.monotonic() + timeout
        while pending and time.monotonic() < deadline:
            fetched = await consumer.getmany(*pending, timeout_ms=200)
            for tp in [tp for tp in pending if fetched.get(tp) or consumer.highwater(tp) is not None]:
                ends[tp] = max(ends[tp], consumer.highwater(tp) or 0)
                pending.discard(tp)
    return ends


async def committed_offsets(bootstrap: str, group: str, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
    """The offsets consumer group `group` has committed, for the partitions that have one."""
    if not partitions:
        return {}
    async with admin_client(bootstrap) as admin:
        # Explicit partitions: "all partitions of the group" is not supported by every broker.
        committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
    return {tp: meta.offset for tp, meta in committed.items() if meta is not None and meta.offset >= 0}


async def consumer_lag(bootstrap: str, group: str, *topics: str) -> int:
    """Records of `topics` not yet committed by consumer group `group` (topics that do not
    exist yet count as empty)."""
    ends = await end_offsets(bootstrap, *topics)
    committed = await committed_offsets(bootstrap, group, list(ends))
    return sum(max(0, end - committed.get(tp, 0)) for tp, end in ends.items())

"""Offsets of topics and consumer groups: how far a group is from the end of its input."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, TopicPartition

from workers.adapters.kafka_clients import admin_client

__all__ = ["committed_offsets", "consumer_lag", "end_offsets"]


async def end_offsets(bootstrap: str, *topics: str) -> dict[TopicPartition, int]:
    """The end offset of every partition of `topics` (topics that do not exist are left out)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [
            TopicPartition(topic, p) for topic in topics for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        return await consumer.end_offsets(partitions) if partitions else {}
    finally:
        # aiokafka's stop() re-raises the cancellation of a background task that has not
        # run yet: let it start first (it has not when no request was made above).
        await asyncio.sleep(0)
        await consumer.stop()


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

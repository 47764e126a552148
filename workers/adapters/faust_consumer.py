"""Faust's worker consumer, adjusted where faust-streaming 0.15 fixes or assumes too much.

* **Fetch wait** (`set_fetch_wait`). Faust fixes `fetch_max_wait_ms` at 1,500 ms. A fetch
  returns when the broker has data for it or when the wait expires. Apache Kafka answers as
  soon as data is there, so the wait only bounds an idle poll; the embedded Tansu broker
  holds every fetch until the wait expires, even with data waiting, so a record waits up to
  the fetch wait at each of raqib's two consumer hops (docs/pipeline.md has the figures).
  `RAQIB_FETCH_WAIT_MS` sets it.
* **True end offsets** (`read_to_true_end`). Table recovery reads each changelog partition
  up to the end offset the broker reports (ListOffsets). Tansu reports the last batch's base
  offset + 1, short of a multi-record batch, while its fetches report the true high
  watermark; recovery now asks `kafka_offsets.true_end_offsets`, which checks one against
  the other (the same answer on Apache Kafka, at the cost of one fetch per recovery).
* **Batches acked only when done** (`take_batches`). Faust's `Stream.take_events` acks a
  batch's events in a `finally`, also when the agent's body did not finish it (a shutdown
  cancels it mid-batch): the consumer could then commit offsets of pages whose records
  were never acked. This copy of it acks them only once the body asks for the next batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from aiokafka import TopicPartition
from mode.utils.futures import notify

from workers.adapters.kafka_offsets import true_end_offsets

__all__ = ["read_to_true_end", "set_fetch_wait", "take_batches"]


def set_fetch_wait(consumer: Any, wait_ms: int) -> None:
    """Make the aiokafka consumer that Faust's consumer thread creates wait `wait_ms` per
    fetch (set before it starts, when it builds its fetcher)."""
    thread = consumer._thread
    create = thread._create_worker_consumer

    def create_worker_consumer(transport: Any) -> Any:
        client = create(transport)
        client._fetch_max_wait_ms = wait_ms
        return client

    thread._create_worker_consumer = create_worker_consumer


def read_to_true_end(consumer: Any, bootstrap: str) -> None:
    """Make the Faust consumer's `highwaters` (what table recovery reads up to) the true
    end offsets."""
    reported_highwaters = consumer.highwaters

    async def highwaters(*partitions: Any) -> Mapping[Any, int]:
        reported = dict(await reported_highwaters(*partitions))
        if consumer.in_transaction:  # the last stable offsets: left as they are
            return reported
        true = await true_end_offsets(bootstrap, [TopicPartition(tp.topic, tp.partition) for tp in reported])
        return {tp: max(end, true.get(TopicPartition(tp.topic, tp.partition), end)) for tp, end in reported.items()}

    consumer.highwaters = highwaters


async def take_batches(  # noqa: PLR0915 - kept line for line with Faust's take_events
    stream: Any, max_: int, within: float
) -> AsyncIterator[Sequence[Any]]:
    """Faust's `Stream.take_events` (faust-streaming 0.15, BSD licence), acking a batch's
    events only after the body that took it asks for the next one: a batch the body did not
    finish (an exception, a shutdown's cancellation) stays unacked and is read again."""
    buffer: list[Any] = []
    events: list[Any] = []
    buffer_full = asyncio.Event()
    buffer_consumed = asyncio.Event()
    buffer_consuming: asyncio.Future[None] | None = None
    enable_acks = stream.enable_acks
    channel_it = stream.channel.__aiter__()

    async def add_to_buffer(value: Any) -> Any:
        # Runs in the stream's passive drainer: fills the batch, and waits while it is full.
        nonlocal buffer_consuming
        try:
            if buffer_consuming is not None:
                try:
                    await buffer_consuming
                finally:
                    buffer_consuming = None
            buffer.append(value)
            event = stream.current_event
            if event is None:
                raise RuntimeError("take_batches found no current event")
            events.append(event)
            if len(buffer) >= max_:
                buffer_full.set()
                buffer_consumed.clear()
                await stream.wait(buffer_consumed)
        except asyncio.CancelledError:  # pragma: no cover - the stream is stopping
            raise
        except Exception as exc:  # pragma: no cover - as in Faust: the stream crashes
            stream.log.exception("Error adding to take buffer: %r", exc)
            await stream.crash(exc)
        return value

    stream.enable_acks = False  # this function acks, batch by batch
    stream.add_processor(add_to_buffer)
    stream._enable_passive(channel_it)
    try:
        while not stream.should_stop:
            await stream.wait_for_stopped(buffer_full, timeout=within)
            if not buffer:
                continue
            buffer_consuming = asyncio.get_running_loop().create_future()
            try:
                yield list(events)
                # The body finished the batch (it asked for the next one): ack it.
                for event in events:
                    await stream.ack(event)
            finally:
                buffer.clear()
                events.clear()
                notify(buffer_consuming)
                buffer_full.clear()
                buffer_consumed.set()
    finally:
        stream.enable_acks = enable_acks
        stream._processors.remove(add_to_buffer)

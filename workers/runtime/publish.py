"""Publishing from the agents: many records in flight, acks awaited once per batch,
transient failures retried in place.

An agent enqueues every record of a batch of pages (`Enqueue`: the producer buffers it and
hands back the future of its ack), then awaits the acks together (`InFlight.settle`). The
producer keeps each partition's records in order, so pipelining keeps per-key order.

A broker that is down or slow must not turn a good page into a dead letter, and an
exception escaping an agent makes Faust ack the event: so retriable errors and timeouts
are retried, with capped backoff, for as long as they last (`Send`), in the order the
records were enqueued. Permanent errors (a record the broker refuses) are reported with
the index of the page whose record it was, for the agent to dead-letter.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import structlog
from aiokafka.errors import KafkaError, KafkaTimeoutError

__all__ = ["MAX_BACKOFF_S", "Enqueue", "InFlight", "Send", "backoff", "publish_changelogs", "publisher", "retriable"]

if TYPE_CHECKING:
    from workers.adapters.faust_tables import TableSink

log = structlog.get_logger("raqib.publish")

MAX_BACKOFF_S = 5.0

Headers = list[tuple[str, bytes]] | None
# (logical topic, key, value, headers) -> the broker's ack (RecordMetadata), retried
Send = Callable[[str, bytes | None, bytes, Headers], Awaitable[Any]]
# (logical topic, key, value, headers) -> once buffered by the producer: a future of the ack
Enqueue = Callable[[str, bytes | None, bytes, Headers], Awaitable[Awaitable[Any]]]


def backoff(attempt: int) -> float:
    """Seconds to wait before sending again after `attempt` failures (0-based): doubling from
    0.2 s, capped at MAX_BACKOFF_S."""
    return min(MAX_BACKOFF_S, 0.2 * 2.0**attempt)


def retriable(exc: BaseException) -> bool:
    """A failure worth sending again: the broker may take the record later."""
    return isinstance(exc, KafkaError) and (exc.retriable or isinstance(exc, KafkaTimeoutError))


def publisher(handles: Mapping[str, Any]) -> tuple[Send, Enqueue]:
    """`Send` and `Enqueue` over Faust topic handles keyed by logical topic name."""

    async def send(logical: str, key: bytes | None, value: bytes, headers: Headers) -> Any:
        """Publish one record and return its RecordMetadata once the broker acked it."""
        for attempt in itertools.count():
            try:
                fut = await handles[logical].send(key=key, value=value, headers=headers)
                return await fut
            except KafkaError as exc:
                if not retriable(exc):
                    raise
                delay = backoff(attempt)
                log.warning("publish_retrying", topic=logical, attempt=attempt + 1, delay_s=delay, error=repr(exc))
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def enqueue(logical: str, key: bytes | None, value: bytes, headers: Headers) -> Awaitable[Any]:
        """Hand one record to the producer (waits only while its buffer is full)."""
        return await handles[logical].send(key=key, value=value, headers=headers)  # type: ignore[no-any-return]

    return send, enqueue


@dataclass(slots=True)
class _Record:
    page: int  # index of the page (in its batch) that produced the record
    topic: str
    key: bytes | None
    value: bytes
    ack: Awaitable[Any] | None  # None: the producer refused it outright (`refused`)
    refused: BaseException | None = None


@dataclass(slots=True)
class InFlight:
    """The records of one batch, in the order they were enqueued, awaiting their acks."""

    send: Send
    enqueue: Enqueue
    records: list[_Record] = field(default_factory=list)

    async def add(self, page: int, topic: str, key: bytes | None, value: bytes) -> None:
        """Enqueue one record of page `page`; a refusal is kept for `settle` to report."""
        try:
            ack = await self.enqueue(topic, key, value, None)
        except KafkaError as exc:
            self.records.append(_Record(page, topic, key, value, None, exc))
        else:
            self.records.append(_Record(page, topic, key, value, ack))

    def __len__(self) -> int:
        return len(self.records)

    async def settle(self, *, first_only: bool = False) -> list[tuple[int, BaseException]]:
        """Wait for every ack. Transient failures are sent again, in order, until they pass.
        Returns the permanent failures as (page index, error), in order. With `first_only`,
        the records after the first failure are still awaited, but neither retried nor
        reported (their pages will be redone)."""
        failures: list[tuple[int, BaseException]] = []
        for record in self.records:
            try:
                if record.ack is None:
                    raise record.refused or AssertionError("no ack and no refusal")
                await record.ack
            except Exception as exc:  # noqa: BLE001 - any failure of a record is its page's
                if first_only and failures:
                    continue
                if retriable(exc):
                    log.warning("publish_resending", topic=record.topic, error=repr(exc))
                    try:
                        await self.send(record.topic, record.key, record.value, None)
                    except Exception as final:  # noqa: BLE001 - as above, after the retries
                        failures.append((record.page, final))
                else:
                    failures.append((record.page, exc))
        self.records.clear()
        return failures


async def publish_changelogs(sinks: Iterable[TableSink]) -> None:
    """Send every pending changelog record of `sinks` at once and wait for the acks;
    transient failures are sent again until they pass, a permanent one raises. Then record
    each partition's last offset in the table's store (the RocksDB store resumes recovery
    from it; the memory store ignores it)."""
    sent: list[tuple[TableSink, tuple[int, str, Any], Awaitable[Any]]] = []
    for sink in sinks:
        pending, sink.pending = sink.pending, []
        sent.extend([(sink, record, await sink.send(*record)) for record in pending])
    last: dict[tuple[int, Any], tuple[TableSink, int]] = {}  # (sink, partition) -> last offset
    for sink, record, ack in sent:
        metadata = await _acked(sink, record, ack)
        where = (id(sink), metadata.topic_partition)
        last[where] = (sink, max(metadata.offset, last.get(where, (sink, -1))[1]))
    for (_, tp), (sink, offset) in last.items():
        sink.table.data.set_persisted_offset(tp, offset)


async def _acked(sink: TableSink, record: tuple[int, str, Any], ack: Awaitable[Any]) -> Any:
    """The RecordMetadata of one changelog record, sending it again while that fails
    transiently."""
    for attempt in itertools.count():
        try:
            return await ack
        except Exception as exc:
            if not retriable(exc):
                raise
            delay = backoff(attempt)
            log.warning("changelog_resending", table=str(sink.table.name), attempt=attempt + 1, error=repr(exc))
            await asyncio.sleep(delay)
            ack = await sink.send(*record)
    raise AssertionError("unreachable")  # pragma: no cover

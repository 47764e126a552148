"""The dashboard's own Kafka consumer: events.ticker, events.sightings, events.articles.

It never joins the workers' group: no `group_id`, partitions assigned by hand, nothing
committed. It starts at the window's start: `offsets_for_times` gives each partition's
first offset at or after it, and when the answer is not usable (the embedded Tansu broker
answers offset 0 whatever the time, docs/embedded-broker.md; an offset outside the
partition; an error) it reads the partition from the beginning instead. Either way the
view model refuses records older than the window by their timestamp, so the result is the
same, only slower to load.

`fetch_max_wait_ms` is short (100 ms): a fetch with nothing to return is held that long by
the broker (the embedded one holds it exactly that long), and that is the delay a new
record can wait before it is read.

An unreachable broker is a state, not an exit: `on_status("unreachable", why)` tells the
browsers and the reader keeps retrying (a consumer that cannot start is started again, a
started one reconnects by itself); a probe every `probe_interval` seconds tells when the
broker answers again. Positions are kept across reconnects, so nothing is read twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Literal

import orjson
import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError

from workers.adapters.aio import within
from workers.adapters.kafka_clients import probe_kafka, start_client
from workers.dashboard.model import Kind
from workers.errors import TransientError

__all__ = ["BrokerState", "EventReader", "Record"]

log = structlog.get_logger("raqib.dashboard")

_STOP_TIMEOUT_S = 3.0  # what a stop waits for the probe and the consumer

BrokerState = Literal["connecting", "live", "unreachable", "no_topics"]
Record = tuple[Kind, object, int]  # kind, decoded value, record timestamp (ms)


class EventReader:
    """Reads `names` (Kafka topic -> item kind) from `since_ms` (None: the beginning) for
    ever, handing each batch of decoded records to `on_records`."""

    def __init__(
        self,
        bootstrap: str,
        names: dict[str, Kind],
        *,
        since_ms: int | None,
        on_records: Callable[[list[Record]], object],
        on_status: Callable[[BrokerState, str], object],
        probe_interval: float = 2.0,
        retry_max: float = 5.0,
    ) -> None:
        self.bootstrap = bootstrap
        self.names = names
        self.since_ms = since_ms
        self.on_records = on_records
        self.on_status = on_status
        self.probe_interval = probe_interval
        self.retry_max = retry_max
        self.positions: dict[TopicPartition, int] = {}
        self.skipped = 0  # records whose value is not JSON

    async def run(self) -> None:
        """Read until cancelled; an unreachable broker is reported and retried."""
        delay = min(0.5, self.retry_max)
        while True:
            try:
                await self._session()
            except (TransientError, KafkaError, OSError) as exc:
                missing = isinstance(exc, TransientError) and str(exc).startswith("no such topic")
                self.on_status("no_topics" if missing else "unreachable", str(exc) or type(exc).__name__)
                log.warning("dashboard_reader_retrying", error=str(exc) or type(exc).__name__, retry_in_s=delay)
                await asyncio.sleep(delay)
                delay = min(self.retry_max, delay * 2)

    async def _session(self) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=100,
            client_id="raqib-dashboard",
            request_timeout_ms=10_000,
        )
        await start_client(consumer.start, consumer.stop, self.bootstrap, timeout=10)
        probe: asyncio.Task[None] | None = None
        stopping = asyncio.Event()
        try:
            partitions = await self._partitions(consumer)
            consumer.assign(partitions)
            await self._seek(consumer, partitions)
            self.on_status("live", "")
            log.info("dashboard_reader_started", partitions=len(partitions), since_ms=self.since_ms)
            probe = asyncio.create_task(self._probe(stopping))
            while True:
                batch = await consumer.getmany(timeout_ms=500, max_records=2000)
                records: list[Record] = []
                for tp, chunk in batch.items():
                    records.extend(self._decoded(chunk))
                    self.positions[tp] = chunk[-1].offset + 1
                if records:
                    self.on_records(records)
        finally:
            # Bounded: on Python 3.11 a cancellation that lands as the probe's `wait_for`
            # completes can be swallowed, and a stop must not hang on it (the loop also
            # checks `stopping`).
            stopping.set()
            if probe is not None:
                probe.cancel()
                await asyncio.wait([probe], timeout=_STOP_TIMEOUT_S)
            await within(consumer.stop(), _STOP_TIMEOUT_S)

    def _decoded(self, chunk: list[ConsumerRecord[bytes, bytes]]) -> list[Record]:
        out: list[Record] = []
        for record in chunk:
            try:
                value: Any = orjson.loads(record.value or b"")
            except orjson.JSONDecodeError:
                self.skipped += 1
                log.warning("dashboard_record_skipped", topic=record.topic, offset=record.offset, reason="not JSON")
                continue
            out.append((self.names[record.topic], value, record.timestamp))
        return out

    async def _partitions(self, consumer: AIOKafkaConsumer) -> list[TopicPartition]:
        await consumer._client.force_metadata_update()
        found = [TopicPartition(t, p) for t in self.names for p in sorted(consumer.partitions_for_topic(t) or ())]
        missing = sorted(set(self.names) - {tp.topic for tp in found})
        if missing:
            raise TransientError(f"no such topic: {', '.join(missing)}")
        return found

    async def _seek(self, consumer: AIOKafkaConsumer, partitions: list[TopicPartition]) -> None:
        """Positions kept from before a reconnect; else the window's start, else the beginning."""
        fresh = [tp for tp in partitions if tp not in self.positions]
        for tp in partitions:
            if tp in self.positions:
                consumer.seek(tp, self.positions[tp])
        if not fresh:
            return
        if self.since_ms is None:
            await consumer.seek_to_beginning(*fresh)
            return
        starts = await self._offsets_for_time(consumer, fresh, self.since_ms)
        for tp in fresh:
            if tp in starts:
                consumer.seek(tp, starts[tp])
            else:
                await consumer.seek_to_beginning(tp)

    @staticmethod
    async def _offsets_for_time(
        consumer: AIOKafkaConsumer, partitions: list[TopicPartition], since_ms: int
    ) -> dict[TopicPartition, int]:
        """The usable answers of `offsets_for_times`: an offset inside the partition, or its
        end when no record is that recent. Partitions left out are read from the beginning."""
        try:
            found = await consumer.offsets_for_times(dict.fromkeys(partitions, since_ms))
            firsts = await consumer.beginning_offsets(partitions)
            ends = await consumer.end_offsets(partitions)
        except KafkaError as exc:
            log.info("dashboard_offsets_for_times_unusable", error=str(exc) or type(exc).__name__)
            return {}
        usable: dict[TopicPartition, int] = {}
        for tp in partitions:
            answer = found.get(tp)
            if answer is None:
                usable[tp] = ends[tp]
            elif firsts[tp] <= answer.offset <= ends[tp]:  # Tansu's 0 is the beginning: same outcome
                usable[tp] = answer.offset
        return usable

    async def _probe(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            await asyncio.sleep(self.probe_interval)
            try:
                await probe_kafka(self.bootstrap, timeout=max(1.0, self.probe_interval))
            except (KafkaError, OSError) as exc:
                self.on_status("unreachable", str(exc) or type(exc).__name__)
            else:
                self.on_status("live", "")

"""Send page messages to Kafka (the `raqib ingest` edge)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, KafkaError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from workers.errors import TransientError
from workers.ingest import PageMessage, Rejected, check_paths, read_messages
from workers.schemas import validator_for
from workers.topics import TopicSet

__all__ = ["IngestSummary", "kafka_producer", "send_pages"]

_MAX_REQUEST_BYTES = 32 * 1024 * 1024  # pages.raw accepts 32 MiB (topics.yaml)


@dataclass(slots=True)
class IngestSummary:
    sent: int = 0
    rejected: list[Rejected] = field(default_factory=list)


@contextlib.asynccontextmanager
async def kafka_producer(bootstrap: str, **options: object) -> AsyncIterator[AIOKafkaProducer]:
    """A started producer with acks=all; an unreachable broker is a TransientError."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        max_request_size=_MAX_REQUEST_BYTES,
        request_timeout_ms=15000,
        **options,
    )
    try:
        await asyncio.wait_for(producer.start(), 20)
    except (KafkaConnectionError, OSError, TimeoutError) as exc:
        with contextlib.suppress(Exception):
            await producer.stop()
        raise TransientError(f"cannot connect to Kafka at {bootstrap}: {exc or type(exc).__name__}") from None
    try:
        yield producer
    finally:
        await producer.stop()


async def send_pages(
    paths: list[Path],
    topics: TopicSet,
    bootstrap: str,
    topic: str,
    *,
    fetched_at: datetime | None = None,
    site: str | None = None,
    progress: bool = True,
) -> IngestSummary:
    """Read `paths` into page messages and send them to `topic`, waiting for every ack."""
    check_paths(paths)
    validator = validator_for(topics["pages.raw"].schema)
    summary = IngestSummary()
    messages = read_messages(paths, validator, fetched_at=fetched_at, site=site)
    async with kafka_producer(bootstrap) as producer:
        with Progress(
            TextColumn("ingest"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files"),
            TimeElapsedColumn(),
            disable=not progress,
            transient=True,
        ) as bar:
            task = bar.add_task("ingest", total=len(paths))
            last_file = None
            for item in messages:
                file_name = item.source.rsplit(":", 1)[0] if item.source.endswith(tuple("0123456789")) else item.source
                if last_file is not None and file_name != last_file:
                    bar.advance(task)
                last_file = file_name
                if isinstance(item, Rejected):
                    summary.rejected.append(item)
                    continue
                await _send(producer, topic, item)
                summary.sent += 1
            bar.update(task, completed=len(paths))
    return summary


async def _send(producer: AIOKafkaProducer, topic: str, message: PageMessage) -> None:
    try:
        await producer.send_and_wait(topic, message.value, key=message.key)
    except KafkaError as exc:
        raise TransientError(f"could not send {message.source} to {topic}: {exc}") from None

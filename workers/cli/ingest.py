"""`raqib ingest`: send pages from files to pages.raw, as a scraper would."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from workers.adapters.kafka_clients import kafka_producer
from workers.adapters.page_files import PageMessage, Rejected, check_paths, read_messages
from workers.cli._common import (
    DEFAULT_BOOTSTRAP,
    Bootstrap,
    Prefix,
    TopicsFile,
    app,
    load_topics_or_fail,
    run,
    time_option,
)
from workers.contract.schemas import validator_for
from workers.contract.topics import TopicSet
from workers.errors import TransientError

__all__ = ["IngestSummary", "ingest", "send_pages"]

_MAX_REQUEST_BYTES = 32 * 1024 * 1024  # pages.raw accepts 32 MiB (topics.yaml)


@dataclass(slots=True)
class IngestSummary:
    sent: int = 0
    rejected: list[Rejected] = field(default_factory=list)


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


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help=".txt, .html/.htm or .jsonl files.", show_default=False)],
    bootstrap: Bootstrap = DEFAULT_BOOTSTRAP,
    topic: Annotated[str | None, typer.Option(help="Topic to send to (default: pages.raw of topics.yaml).")] = None,
    fetched_at: Annotated[
        str | None, typer.Option("--fetched-at", help="Event time for .txt/.html files (default: file mtime).")
    ] = None,
    site: Annotated[str | None, typer.Option(help="Site (dedup scope) of the pages.")] = None,
    topics_file: TopicsFile = None,
    prefix: Prefix = "",
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Send pages from files to pages.raw, with a progress bar and a summary."""

    topics = load_topics_or_fail(topics_file, prefix)
    target = topic or topics.name("pages.raw")
    stamp = time_option(fetched_at)

    async def body() -> Any:
        return await send_pages(paths, topics, bootstrap, target, fetched_at=stamp, site=site, progress=progress)

    summary = run(body)
    typer.echo(f"sent {summary.sent} page(s) to {target}; rejected {len(summary.rejected)}")
    for rejected in summary.rejected:
        typer.echo(f"  rejected {rejected.source}: {rejected.reason}")
    if summary.rejected:
        raise typer.Exit(1)

"""`raqib dlq redrive`: send dead letters' original bytes back to pages.raw once their cause
is fixed. (Re-driving is not a replay: a replay re-runs a range of pages.raw into fresh
state, see `raqib replay`.)"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Annotated, Any

import orjson
import typer

from workers.adapters.kafka_clients import kafka_producer
from workers.adapters.kafka_reader import consume
from workers.cli._common import DEFAULT_BOOTSTRAP, Bootstrap, Prefix, TopicsFile, dlq_app, load_topics_or_fail, run
from workers.contract.topics import TopicSet

__all__ = ["RedriveSummary", "dlq_redrive", "redrive_dead_letters"]


@dataclass(slots=True)
class RedriveSummary:
    """What a re-drive sent, and which dead letters it could not send (and why)."""

    redriven: int = 0
    skipped: list[str] = field(default_factory=list)  # "partition:offset: reason"


async def redrive_dead_letters(
    topics: TopicSet,
    bootstrap: str,
    *,
    target: str | None = None,
    stage: str | None = None,
    error_type: str | None = None,
    limit: int | None = None,
    idle: float = 5.0,
    dry_run: bool = False,
) -> RedriveSummary:
    """Send the original bytes of matching dead letters back to `target` (pages.raw)."""
    target = target or topics.name("pages.raw")
    summary = RedriveSummary()
    async with kafka_producer(bootstrap) as producer:
        async for record in consume(
            [topics.name("pages.dlq")], bootstrap, from_beginning=True, until_end=True, idle=idle
        ):
            where = f"{record.partition}:{record.offset}"
            try:
                letter = orjson.loads(record.value or b"")
            except orjson.JSONDecodeError:
                summary.skipped.append(f"{where}: not a dead-letter record")
                continue
            if not isinstance(letter, dict):
                summary.skipped.append(f"{where}: not a dead-letter record")
                continue
            if (stage and letter.get("stage") != stage) or (error_type and letter.get("error_type") != error_type):
                continue
            if letter.get("truncated"):
                summary.skipped.append(f"{where}: original value was truncated, cannot re-drive")
                continue
            if letter.get("original_value") is None:
                summary.skipped.append(f"{where}: no original value")
                continue
            value = base64.b64decode(letter["original_value"])
            key = base64.b64decode(letter["original_key"]) if letter.get("original_key") else None
            headers = [("raqib.redriven_from", f"{topics.name('pages.dlq')}:{where}".encode())]
            if not dry_run:
                await producer.send_and_wait(target, value, key=key, headers=headers)
            summary.redriven += 1
            if limit is not None and summary.redriven >= limit:
                break
    return summary


@dlq_app.command("redrive")
@dlq_app.command("replay", hidden=True)  # the name before 0.2, kept for scripts
def dlq_redrive(
    bootstrap: Bootstrap = DEFAULT_BOOTSTRAP,
    stage: Annotated[str | None, typer.Option(help="Only dead letters of this stage (decode, parse, ...).")] = None,
    error_type: Annotated[str | None, typer.Option(help="Only dead letters of this error type.")] = None,
    n: Annotated[int | None, typer.Option("-n", help="Re-drive at most N messages.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Target topic (default: pages.raw).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what would be re-driven; send nothing.")] = False,
    idle: Annotated[
        float, typer.Option(help="Give up after this many seconds without a record (the read ends at the topic's end).")
    ] = 5.0,
    topics_file: TopicsFile = None,
    prefix: Prefix = "",
) -> None:
    """Re-drive dead letters (their original bytes and key) into pages.raw."""
    topics = load_topics_or_fail(topics_file, prefix)

    async def body() -> Any:
        return await redrive_dead_letters(
            topics, bootstrap, target=to, stage=stage, error_type=error_type, limit=n, idle=idle, dry_run=dry_run
        )

    summary = run(body)
    verb = "would re-drive" if dry_run else "re-drove"
    typer.echo(
        f"{verb} {summary.redriven} dead letter(s) to {to or topics.name('pages.raw')}; skipped {len(summary.skipped)}"
    )
    for reason in summary.skipped:
        typer.echo(f"  skipped {reason}")

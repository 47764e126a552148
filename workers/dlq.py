"""`raqib dlq replay`: re-drive dead letters into pages.raw once their cause is fixed."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

import orjson

from workers.consumer import consume
from workers.producer import kafka_producer
from workers.topics import TopicSet

__all__ = ["ReplaySummary", "replay_dead_letters"]


@dataclass(slots=True)
class ReplaySummary:
    redriven: int = 0
    skipped: list[str] = field(default_factory=list)  # "partition:offset: reason"


async def replay_dead_letters(
    topics: TopicSet,
    bootstrap: str,
    *,
    target: str | None = None,
    stage: str | None = None,
    error_type: str | None = None,
    limit: int | None = None,
    idle: float = 5.0,
    dry_run: bool = False,
) -> ReplaySummary:
    """Send the original bytes of matching dead letters back to `target` (pages.raw)."""
    target = target or topics.name("pages.raw")
    summary = ReplaySummary()
    async with kafka_producer(bootstrap) as producer:
        async for record in consume([topics.name("pages.dlq")], bootstrap, from_beginning=True, idle=idle):
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

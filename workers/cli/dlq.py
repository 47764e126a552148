"""`raqib dlq redrive`: send dead letters' original bytes back to pages.raw once their cause
is fixed. (Re-driving is not a replay: a replay re-runs a range of pages.raw into fresh
state, see `raqib replay`.)"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Annotated, Any

import orjson
import typer

from workers.adapters.dead_letter import REDRIVE_COUNT, REDRIVEN_FROM, redrive_headers
from workers.adapters.kafka_clients import kafka_producer
from workers.adapters.kafka_reader import consume
from workers.cli._common import DEFAULT_BOOTSTRAP, Bootstrap, Prefix, TopicsFile, dlq_app, load_topics_or_fail, run
from workers.contract.topics import TopicSet

__all__ = [
    "DEFAULT_MAX_REDRIVES",
    "Redrive",
    "RedriveSummary",
    "dlq_redrive",
    "plan_redrive",
    "read_letter",
    "redrive_dead_letters",
]


DEFAULT_MAX_REDRIVES = 3


@dataclass(slots=True)
class RedriveSummary:
    """What a re-drive sent, and which dead letters it could not send (and why)."""

    redriven: int = 0
    skipped: list[str] = field(default_factory=list)  # "partition:offset: reason"
    targets: dict[str, int] = field(default_factory=dict)  # topic -> records sent there


@dataclass(frozen=True, slots=True)
class Redrive:
    """One dead letter's original record, ready to send back."""

    topic: str
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]]


def plan_redrive(
    letter: dict[str, Any],
    headers: object,
    *,
    where: str,
    default_target: str,
    target: str | None = None,
    max_redrives: int = DEFAULT_MAX_REDRIVES,
) -> Redrive | str:
    """What to send back for one pages.dlq record (`letter`, as `read_letter` gives it), or
    why not (a one-line reason).

    The letter goes back to the topic it came from (`original_topic`: pages.raw, or the
    worker's internal topic for a dedup-stage letter, whose bytes pages.raw's schema would
    refuse), else to `default_target`; `target` overrides both. A message already
    re-driven `max_redrives` times (its `raqib.redrive_count` header, carried into its new
    letter) is refused: its cause is not fixed.
    """
    if not letter:
        return "not a dead-letter record (not a JSON object)"
    original = _original_record(letter)
    if isinstance(original, str):
        return original
    decoded_key, decoded_value = original
    carried = dict(redrive_headers(headers))
    try:
        count = int(carried.get(REDRIVE_COUNT, b"0"))
    except ValueError:
        count = 0
    if count >= max_redrives:
        return f"re-driven {count} time(s) already and failed again (limit {max_redrives}); fix its cause first"
    origin = letter.get("original_topic")
    destination = target or (origin if isinstance(origin, str) and origin else default_target)
    return Redrive(
        destination,
        decoded_key,
        decoded_value,
        [(REDRIVEN_FROM, where.encode()), (REDRIVE_COUNT, str(count + 1).encode())],
    )


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
    max_redrives: int = DEFAULT_MAX_REDRIVES,
) -> RedriveSummary:
    """Send the original bytes of matching dead letters back where they came from.

    Reads pages.dlq up to the end offsets it had when the command started: letters written
    meanwhile (a re-driven message failing again while the worker runs) wait for the next
    run instead of being re-driven in a loop.
    """
    dlq = topics.name("pages.dlq")
    summary = RedriveSummary()
    async with kafka_producer(bootstrap) as producer:
        async for record in consume([dlq], bootstrap, from_beginning=True, until_end=True, idle=idle):
            where = f"{record.partition}:{record.offset}"
            letter = read_letter(record.value)
            if (stage and letter.get("stage") != stage) or (error_type and letter.get("error_type") != error_type):
                continue
            plan = plan_redrive(
                letter,
                list(record.headers or ()),
                where=f"{dlq}:{where}",
                default_target=topics.name("pages.raw"),
                target=target,
                max_redrives=max_redrives,
            )
            if isinstance(plan, str):
                summary.skipped.append(f"{where}: {plan}")
                continue
            if not dry_run:
                await producer.send_and_wait(plan.topic, plan.value, key=plan.key, headers=plan.headers)
            summary.redriven += 1
            summary.targets[plan.topic] = summary.targets.get(plan.topic, 0) + 1
            if limit is not None and summary.redriven >= limit:
                break
    return summary


def _original_record(letter: dict[str, Any]) -> tuple[bytes | None, bytes] | str:
    """(key, value) of the letter's original record, or why it cannot be had."""
    if letter.get("truncated"):
        return "original value was truncated, cannot re-drive"
    original_value, original_key = letter.get("original_value"), letter.get("original_key")
    if original_value is None:
        return "no original value"
    if not isinstance(original_value, str) or not (original_key is None or isinstance(original_key, str)):
        return "malformed dead letter: original_value and original_key must be base64 strings"
    try:
        key = base64.b64decode(original_key, validate=True) if original_key else None
        return key, base64.b64decode(original_value, validate=True)
    except (binascii.Error, ValueError) as exc:
        return f"malformed dead letter: bad base64 ({exc})"


def read_letter(value: bytes | None) -> dict[str, Any]:
    """A pages.dlq record's value as a dict ({} when it is not a JSON object)."""
    try:
        letter = orjson.loads(value or b"")
    except orjson.JSONDecodeError:
        return {}
    return letter if isinstance(letter, dict) else {}


@dlq_app.command("redrive")
@dlq_app.command("replay", hidden=True)  # the name before 0.2, kept for scripts
def dlq_redrive(
    bootstrap: Bootstrap = DEFAULT_BOOTSTRAP,
    stage: Annotated[str | None, typer.Option(help="Only dead letters of this stage (decode, parse, ...).")] = None,
    error_type: Annotated[str | None, typer.Option(help="Only dead letters of this error type.")] = None,
    n: Annotated[int | None, typer.Option("-n", help="Re-drive at most N messages.")] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="Target topic (default: the topic each letter came from).")
    ] = None,
    max_redrives: Annotated[
        int, typer.Option(help="Refuse a message already re-driven this many times.", min=1)
    ] = DEFAULT_MAX_REDRIVES,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what would be re-driven; send nothing.")] = False,
    idle: Annotated[
        float, typer.Option(help="Give up after this many seconds without a record (the read ends at the topic's end).")
    ] = 5.0,
    topics_file: TopicsFile = None,
    prefix: Prefix = "",
) -> None:
    """Re-drive dead letters (their original bytes and key) to the topic they came from."""
    topics = load_topics_or_fail(topics_file, prefix)

    async def body() -> Any:
        return await redrive_dead_letters(
            topics,
            bootstrap,
            target=to,
            stage=stage,
            error_type=error_type,
            limit=n,
            idle=idle,
            dry_run=dry_run,
            max_redrives=max_redrives,
        )

    summary = run(body)
    verb = "would re-drive" if dry_run else "re-drove"
    where = ", ".join(f"{count} to {topic}" for topic, count in sorted(summary.targets.items())) or "none sent"
    typer.echo(f"{verb} {summary.redriven} dead letter(s) ({where}); skipped {len(summary.skipped)}")
    for reason in summary.skipped:
        typer.echo(f"  skipped {reason}")

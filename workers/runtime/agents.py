"""Agent bodies: move bytes between Kafka and the pure core, dead-letter what fails.

Two stages, bound to their topics in topology.py:

    pages.raw --parse_pages--> <app>-pages-by-scope (key: dedup scope) --dedupe_pages--> events.*

`parse_pages` decodes and parses; `dedupe_pages` sees every page of a scope on one
partition, with that partition's dedup state in Faust tables. Each agent waits for the
broker's ack of everything a message produced before taking the next one, and Faust
flushes table (changelog) writes before it commits an offset: at least once, never lost.
One bad message never stops the stream; the failure guard stops it when everything fails.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import structlog
from aiokafka.errors import KafkaError

from workers.adapters.codec import decode_page, decode_parsed, encode_parsed, encode_value
from workers.adapters.dead_letter import DeadLetter, redrive_headers
from workers.adapters.metrics import WorkerMetrics
from workers.contract.schemas import RecordValidator
from workers.core.models import ParseFailure
from workers.core.parse.page import parse_page
from workers.core.pipeline import OutputRecord, PipelineConfig, PipelineState, dedupe_page, page_scope
from workers.errors import InvalidMessage
from workers.runtime.guard import FailureGuard, GuardTripped
from workers.runtime.input_range import InputRange

__all__ = ["Deps", "dedupe_pages", "parse_pages"]

log = structlog.get_logger("raqib.agents")

Send = Callable[[str, bytes | None, bytes, list[tuple[str, bytes]] | None], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Deps:
    """What the agents need, passed in (bound with functools.partial in topology.py)."""

    send: Send  # (logical topic, key, value, headers) -> awaitable broker ack
    page_validator: RecordValidator
    max_page_bytes: int
    guard: FailureGuard
    on_fatal: Callable[[BaseException], Awaitable[None]]  # stop the worker
    metrics: WorkerMetrics
    pipeline: PipelineConfig
    state: PipelineState  # backed by Faust tables in the worker
    input_range: InputRange = field(default_factory=InputRange.everything)  # replays: part of pages.raw


async def parse_pages(deps: Deps, stream: Any) -> AsyncIterator[None]:
    """pages.raw bytes -> parsed page, sent to the scope-keyed topic for dedup."""
    async for event in stream.events():
        message = event.message
        with structlog.contextvars.bound_contextvars(
            topic=message.topic, partition=message.partition, offset=message.offset
        ):
            deps.metrics.record_read()
            if not deps.input_range.covers_offset(message.partition, message.offset):
                deps.metrics.page_skipped()
                continue
            failed = False
            try:
                try:
                    page = decode_page(event.value, deps.page_validator, max_bytes=deps.max_page_bytes)
                except InvalidMessage:
                    # No fetched_at to go by: a replay's time range goes by the record's time.
                    if not deps.input_range.covers_time(_record_time(message)):
                        deps.metrics.page_skipped()
                        continue
                    raise
                if not deps.input_range.covers_time(page.fetched_at):
                    deps.metrics.page_skipped()
                    continue
                parsed = parse_page(page, tz=deps.pipeline.timezone)
                if isinstance(parsed, ParseFailure):
                    raise InvalidMessage(
                        "parse",
                        f"ParseFailure.{parsed.reason}",
                        parsed.detail or parsed.reason,
                        input_fault=parsed.input_fault,
                    )
                scope = page_scope(page, deps.pipeline)
                await deps.send("pages.by_scope", scope.encode("utf-8"), encode_parsed(page, parsed), None)
            except InvalidMessage as exc:
                # The input's fault (bad bytes, wrong shape, an empty page) is dead-lettered
                # but does not count towards the guard; raqib's own failures do.
                failed = not exc.input_fault
                await _dead_letter(deps, message, exc.stage, exc.error_type, exc.message)
            except Exception as exc:  # a bug must not stop the stream: dead-letter it
                failed = True
                log.exception("page_failed_unexpectedly", stage="parse")
                await _dead_letter(deps, message, "parse", type(exc).__name__, str(exc))
            if not await _guard(deps, failed=failed):
                return
        yield None


async def dedupe_pages(deps: Deps, stream: Any) -> AsyncIterator[None]:
    """Parsed pages of one scope partition -> new events, sightings and articles."""
    async for event in stream.events():
        message = event.message
        with structlog.contextvars.bound_contextvars(
            topic=message.topic, partition=message.partition, offset=message.offset
        ):
            failed = False
            started = time.perf_counter()  # latency metric only; decisions use event time
            try:
                page, parsed = decode_parsed(event.value)
                outcome = dedupe_page(page, parsed, deps.state, deps.pipeline)
                for record in outcome.records:
                    await _publish(deps, record)
                # Only now, with every event acked, does the state change (table writes to
                # the changelogs, flushed before the offset commit): a crash before this line
                # replays the page against the old state and repeats the same events.
                deps.state.commit()
            except InvalidMessage as exc:
                deps.state.rollback()
                failed = True
                await _dead_letter(deps, message, exc.stage, exc.error_type, exc.message)
            except Exception as exc:  # a bug must not stop the stream: dead-letter it
                deps.state.rollback()
                failed = True
                log.exception("page_failed_unexpectedly", stage="dedup")
                await _dead_letter(deps, message, "dedup", type(exc).__name__, str(exc))
            else:
                deps.metrics.page_processed(outcome.counts, time.perf_counter() - started)
                log.info("page_processed", url=page.url, site=page.site, **outcome.counts)
            if not await _guard(deps, failed=failed):
                return
        yield None


def _record_time(message: Any) -> datetime:
    """The Kafka timestamp of a record (seconds, as Faust gives it) as an aware datetime."""
    return datetime.fromtimestamp(message.timestamp or 0.0, tz=UTC)


async def _guard(deps: Deps, *, failed: bool) -> bool:
    """Count the outcome; False (after stopping the worker) when the guard trips."""
    try:
        deps.guard.record(failed=failed)
    except GuardTripped as exc:
        log.critical("worker_stopping_failure_guard_tripped", reason=str(exc))
        await deps.on_fatal(exc)
        return False
    return True


async def _publish(deps: Deps, record: OutputRecord) -> None:
    key = record.key.encode("utf-8") if record.key is not None else None
    # Wait for the broker's ack before the next step: the page's offset is only committed
    # after everything it produced is written (at least once, never lost).
    await deps.send(record.topic, key, encode_value(record.value), None)


async def _dead_letter(deps: Deps, message: Any, stage: str, error_type: str, reason: str) -> None:
    letter = DeadLetter(
        original_topic=message.topic,
        original_partition=message.partition,
        original_offset=message.offset,
        original_timestamp_ms=int(message.timestamp * 1000) if message.timestamp else None,
        original_key=message.key,
        original_value=message.value,
        stage=stage,
        error_type=error_type,
        error_message=reason,
        carried_headers=tuple(redrive_headers(getattr(message, "headers", None))),
    )
    try:
        await deps.send("pages.dlq", message.key, encode_value(letter.to_dict()), letter.headers())
    except KafkaError as exc:
        # The letter itself was refused (e.g. too large for the broker): send it without the
        # original bytes rather than lose it; its size, source offset and error remain.
        log.error("dead_letter_refused", error=repr(exc))
        value = letter.to_dict() | {"original_value": None, "truncated": True}
        value["error_message"] = f"{reason[:1500]} [original value dropped from the dead letter: {exc!r}]"
        await deps.send("pages.dlq", message.key, encode_value(value), letter.headers())
    deps.metrics.page_dead_lettered(stage, error_type)
    log.warning("message_dead_lettered", stage=stage, error_type=error_type, reason=reason[:300])

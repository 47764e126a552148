"""Agent bodies: move bytes between Kafka and the pure core, dead-letter what fails.

Two stages, bound to their topics in topology.py:

    pages.raw --parse_pages--> <app>-pages-by-scope (key: dedup scope) --dedupe_pages--> events.*

`parse_pages` decodes and parses; `dedupe_pages` sees every page of a scope on one
partition, with that partition's dedup state in Faust tables.

Both take the stream in batches (`faust_consumer.take_batches`, Faust's `take_events`
acking only finished batches: up to `Batching.max_pages` records, or what came within
`Batching.within_s`). Every record a batch produces is
enqueued at once, so many pages' records are in flight together, and the acks are
awaited once per batch (publish.InFlight). Only then does the dedup stage write the
batch's state (table writes, whose changelog sends Faust flushes before it commits an
offset), and only after the batch's body returns does Faust ack its events: at least
once, never lost, per-partition order kept by the producer. A crash before the state
write replays the batch against the old state and repeats the same events, byte for byte.

One bad message never stops the stream: it is dead-lettered and the batch goes on. The
failure guard stops the worker when everything fails.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import structlog
from aiokafka.errors import KafkaError

from workers.adapters.codec import decode_page, decode_parsed, encode_parsed, encode_value
from workers.adapters.dead_letter import DeadLetter, redrive_headers
from workers.adapters.faust_consumer import take_batches
from workers.adapters.metrics import WorkerMetrics
from workers.contract.schemas import RecordValidator
from workers.core.models import ParseFailure
from workers.core.parse.page import parse_page
from workers.core.pipeline import PageOutcome, PipelineConfig, PipelineState, dedupe_page, page_scope
from workers.errors import InvalidMessage
from workers.runtime.guard import FailureGuard, GuardTripped
from workers.runtime.input_range import InputRange
from workers.runtime.publish import Enqueue, InFlight, Send

__all__ = ["Batching", "Deps", "dedupe_pages", "parse_pages"]

log = structlog.get_logger("raqib.agents")


@dataclass(frozen=True, slots=True)
class Batching:
    """How many records an agent takes at once: a batch closes when `max_pages` records
    are in, or `within_s` after it opened (the latency it may add at a low rate)."""

    max_pages: int = 500
    within_s: float = 0.01


async def _nothing() -> None:
    return None


@dataclass(frozen=True, slots=True)
class Deps:
    """What the agents need, passed in (bound with functools.partial in topology.py)."""

    send: Send  # one record, ack awaited, transient failures retried (dead letters, resends)
    enqueue: Enqueue  # one record into the producer's buffer; returns the ack's future
    page_validator: RecordValidator
    max_page_bytes: int
    guard: FailureGuard
    on_fatal: Callable[[BaseException], Awaitable[None]]  # stop the worker
    metrics: WorkerMetrics
    pipeline: PipelineConfig
    state: PipelineState  # backed by Faust tables in the worker
    input_range: InputRange = field(default_factory=InputRange.everything)  # replays: part of pages.raw
    batching: Batching = Batching()
    # (stream, max pages, within seconds) -> the stream's batches; Faust's streams in the worker
    take: Callable[[Any, int, float], AsyncIterator[Sequence[Any]]] = take_batches
    # after a batch's state is written to the tables: send their changelog records, wait for the acks
    persist: Callable[[], Awaitable[None]] = _nothing


def _batches(deps: Deps, stream: Any) -> AsyncIterator[Sequence[Any]]:
    return deps.take(stream, deps.batching.max_pages, deps.batching.within_s)


def _bound(message: Any) -> Any:
    return structlog.contextvars.bound_contextvars(
        topic=message.topic, partition=message.partition, offset=message.offset
    )


async def parse_pages(deps: Deps, stream: Any) -> AsyncIterator[None]:
    """pages.raw bytes -> parsed page, sent to the scope-keyed topic for dedup."""
    async for events in _batches(deps, stream):
        inflight = InFlight(deps.send, deps.enqueue)
        for index, event in enumerate(events):
            with _bound(event.message):
                failed = await _parse_one(deps, event, index, inflight)
                if failed is not None and not await _guard(deps, failed=failed):
                    return
        for index, exc in await inflight.settle():
            message = events[index].message
            with _bound(message):
                log.error("page_record_refused", stage="parse", error=repr(exc))
                await _dead_letter(deps, message, "parse", type(exc).__name__, str(exc))
                if not await _guard(deps, failed=True):
                    return
        yield None


async def _parse_one(deps: Deps, event: Any, index: int, inflight: InFlight) -> bool | None:
    """Parse one record and enqueue its result: whether it failed, None when skipped."""
    message = event.message
    deps.metrics.record_read()
    if not deps.input_range.covers_offset(message.partition, message.offset):
        deps.metrics.page_skipped()
        return None
    try:
        try:
            page = decode_page(event.value, deps.page_validator, max_bytes=deps.max_page_bytes)
        except InvalidMessage:
            # No fetched_at to go by: a replay's time range goes by the record's time.
            if not deps.input_range.covers_time(_record_time(message)):
                deps.metrics.page_skipped()
                return None
            raise
        if not deps.input_range.covers_time(page.fetched_at):
            deps.metrics.page_skipped()
            return None
        parsed = parse_page(page, tz=deps.pipeline.zone_of(page))
        if isinstance(parsed, ParseFailure):
            raise InvalidMessage(
                "parse", f"ParseFailure.{parsed.reason}", parsed.detail or parsed.reason, input_fault=parsed.input_fault
            )
        scope = page_scope(page, deps.pipeline)
        await inflight.add(index, "pages.by_scope", scope.encode("utf-8"), encode_parsed(page, parsed))
    except InvalidMessage as exc:
        # The input's fault (bad bytes, wrong shape, an empty page) is dead-lettered but
        # does not count towards the guard; raqib's own failures do.
        await _dead_letter(deps, message, exc.stage, exc.error_type, exc.message)
        return not exc.input_fault
    except Exception as exc:  # a bug must not stop the stream: dead-letter it
        log.exception("page_failed_unexpectedly", stage="parse")
        await _dead_letter(deps, message, "parse", type(exc).__name__, str(exc))
        return True
    return False


async def dedupe_pages(deps: Deps, stream: Any) -> AsyncIterator[None]:
    """Parsed pages of one scope partition -> new events, sightings and articles."""
    async for events in _batches(deps, stream):
        if not await _dedupe_batch(deps, events):
            return
        yield None


async def _dedupe_batch(deps: Deps, events: Sequence[Any]) -> bool:
    """Decide and publish a batch; False when the guard stopped the worker.

    Each page sees the state the pages before it left (`checkpoint`); the batch's state is
    written once all of its records are acked. When the broker refuses a record of page i
    for good, the pages before i stand, page i is dead-lettered and its state dropped, and
    the pages after it are decided again without it (their first records may then repeat,
    or differ where they depended on page i: at least once)."""
    started = time.perf_counter()  # latency metric only; decisions use event time
    inflight = InFlight(deps.send, deps.enqueue)
    savepoints: list[int] = []
    decided: dict[int, tuple[str | None, str | None, PageOutcome]] = {}
    for index, event in enumerate(events):
        savepoints.append(deps.state.savepoint)
        with _bound(event.message):
            decision = await _decide_one(deps, event, index, inflight)
            if decision is None and not await _guard(deps, failed=True):
                return False
            if decision is not None:
                decided[index] = decision
    refusals = await inflight.settle(first_only=True)
    last = refusals[0][0] if refusals else len(events)
    if refusals:
        deps.state.rollback_to(savepoints[last])
    if not await _write_state(deps):
        return False
    seconds = time.perf_counter() - started
    for index in sorted(i for i in decided if i < last):
        url, site, outcome = decided[index]
        deps.metrics.page_processed(outcome.counts, seconds)
        with _bound(events[index].message):
            log.info("page_processed", url=url, site=site, **outcome.counts)
            if not await _guard(deps, failed=False):
                return False
    if not refusals:
        return True
    index, refused = refusals[0]
    with _bound(events[index].message):
        log.error("page_record_refused", stage="dedup", error=repr(refused))
        await _dead_letter(deps, events[index].message, "dedup", type(refused).__name__, str(refused))
    if not await _guard(deps, failed=True):
        return False
    return await _dedupe_batch(deps, events[index + 1 :])


async def _decide_one(
    deps: Deps, event: Any, index: int, inflight: InFlight
) -> tuple[str | None, str | None, PageOutcome] | None:
    """Dedup one page and enqueue its records: (url, site, outcome), or None when it failed
    (dead-lettered, its staged state dropped)."""
    message = event.message
    try:
        page, parsed = decode_parsed(event.value)
        outcome = dedupe_page(page, parsed, deps.state, deps.pipeline)
        for record in outcome.records:
            key = record.key.encode("utf-8") if record.key is not None else None
            await inflight.add(index, record.topic, key, encode_value(record.value))
        deps.state.checkpoint(event)
    except Exception as exc:  # a bug must not stop the stream: dead-letter it
        deps.state.rollback()
        if isinstance(exc, InvalidMessage):
            await _dead_letter(deps, message, exc.stage, exc.error_type, exc.message)
        else:
            log.exception("page_failed_unexpectedly", stage="dedup")
            await _dead_letter(deps, message, "dedup", type(exc).__name__, str(exc))
        return None
    return page.url, page.site, outcome


async def _write_state(deps: Deps) -> bool:
    """Write the batch's state, once every record of its pages is acked: the tables, and
    their changelog records, acked before the batch's events are (so before any of its
    offsets can be committed). False (the worker stopping) when a changelog is refused."""
    deps.state.commit()
    try:
        await deps.persist()
    except Exception as exc:  # noqa: BLE001 - the tables are ahead of their changelogs: restart from these
        log.critical("worker_stopping_changelog_refused", error=repr(exc))
        await deps.on_fatal(exc)
        return False
    return True


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

"""Agent bodies: decode -> core -> publish, or dead-letter. Bound to topics in topology.py.

The core does the work; an agent only moves bytes between Kafka and it, and makes sure
one bad message never stops the stream.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import structlog

from workers.adapters.codec import decode_page, encode_value
from workers.adapters.dead_letter import DeadLetter
from workers.adapters.metrics import WorkerMetrics
from workers.core.guard import FailureGuard, GuardTripped
from workers.core.models import ParseFailure
from workers.core.pipeline import OutputRecord, PipelineConfig, PipelineState, process_page
from workers.errors import InvalidMessage
from workers.schemas import RecordValidator

__all__ = ["Deps", "process_pages"]

log = structlog.get_logger("raqib.agents")

Send = Callable[[str, bytes | None, bytes, list[tuple[str, bytes]] | None], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Deps:
    """What an agent needs, passed in (bound with functools.partial in topology.py)."""

    send: Send  # (logical topic, key, value, headers) -> awaitable delivery
    page_validator: RecordValidator
    max_page_bytes: int
    source_topic: str
    guard: FailureGuard  # counts failures of our own code (not poison input)
    pipeline: PipelineConfig
    state: PipelineState  # in-process dedup state of this worker
    on_fatal: Callable[[BaseException], Awaitable[None]]  # stop the worker
    metrics: WorkerMetrics


async def process_pages(deps: Deps, stream: Any) -> AsyncIterator[None]:
    """Consume raw page bytes; publish the records the core returns; dead-letter failures."""
    async for event in stream.events():
        message = event.message
        with structlog.contextvars.bound_contextvars(
            topic=message.topic, partition=message.partition, offset=message.offset
        ):
            failed = False
            started = time.perf_counter()  # latency metric only; decisions use event time
            try:
                page = decode_page(event.value, deps.page_validator, max_bytes=deps.max_page_bytes)
                outcome = process_page(page, deps.state, deps.pipeline)
                if isinstance(outcome, ParseFailure):
                    raise InvalidMessage("parse", f"ParseFailure.{outcome.reason}", outcome.detail or outcome.reason)
                for record in outcome.records:
                    await _publish(deps, record)
            except InvalidMessage as exc:
                # Poison input (bad bytes, wrong shape) is the producer's problem: it is
                # dead-lettered and does not count towards the guard. A page our parser
                # cannot handle does count: if every page fails, our code is broken.
                failed = exc.stage not in {"decode", "validate"}
                await _dead_letter(deps, message, exc.stage, exc.error_type, exc.message)
                deps.metrics.page_dead_lettered(exc.stage, exc.error_type)
            except Exception as exc:  # a bug must not stop the stream: dead-letter it
                failed = True
                log.exception("page_failed_unexpectedly")
                await _dead_letter(deps, message, "process", type(exc).__name__, str(exc))
                deps.metrics.page_dead_lettered("process", type(exc).__name__)
            else:
                deps.metrics.page_processed(outcome.counts, time.perf_counter() - started)
                log.info("page_processed", url=page.url, site=page.site, **outcome.counts)
            try:
                deps.guard.record(failed=failed)
            except GuardTripped as exc:
                log.critical("worker_stopping_failure_guard_tripped", reason=str(exc))
                await deps.on_fatal(exc)
                return
        yield None


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
    )
    await deps.send("pages.dlq", message.key, encode_value(letter.to_dict()), letter.headers())
    log.warning("message_dead_lettered", stage=stage, error_type=error_type, reason=reason[:300])

"""Wire the agents to the topics of topics.yaml and to their tables (the only place that
knows all three).

    pages.raw ──parse_pages──► <app_id>-pages-by-scope ──dedupe_pages──► events.ticker
       (key: site)                (key: dedup scope)        │ tables      events.sightings
                                                            │             events.articles
    any stage ──────────────────────────────────────────────┴──────────► pages.dlq

Internal topics (Faust creates them, with as many partitions as pages.raw):
`<app_id>-pages-by-scope` and the compacted changelogs of the three tables,
`<app_id>-ticker-changelog`, `<app_id>-articles-changelog`, `<app_id>-bodies-changelog`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

import faust
import structlog
from aiokafka.errors import KafkaError

from workers.adapters.faust_tables import TableSink
from workers.adapters.kafka_clients import probe_kafka
from workers.adapters.metrics import WorkerMetrics
from workers.contract.schemas import validator_for
from workers.contract.topics import STATE_TABLES, TopicSet
from workers.core.pipeline import PipelineConfig, PipelineState
from workers.errors import TransientError
from workers.runtime.agents import Batching, Deps, dedupe_pages, parse_pages
from workers.runtime.guard import FailureGuard
from workers.runtime.liveness import BrokerWatch
from workers.runtime.publish import publish_changelogs, publisher
from workers.runtime.settings import Settings
from workers.runtime.web import add_routes

__all__ = ["wire"]

log = structlog.get_logger("raqib.topology")

_PROBE_TIMEOUT_S = 5.0  # one probe of the broker (a metadata request) gives up after this


def wire(app: faust.App, settings: Settings, topics: TopicSet, *, on_stop: Callable[[], None] = lambda: None) -> None:
    """Declare the topics and tables, bind the agents with their dependencies (publishing
    through `publish.publisher`), add the web routes."""
    handles: dict[str, Any] = {
        spec.name: app.topic(
            topics.name(spec.name),
            partitions=spec.partitions,
            key_serializer="raw",
            value_serializer="raw",
            internal=False,
        )
        for spec in topics
    }
    partitions = topics["pages.raw"].partitions
    handles["pages.by_scope"] = app.topic(
        topics.scope_topic(settings.app_id),
        partitions=partitions,
        key_serializer="raw",
        value_serializer="raw",
        internal=True,  # Faust creates it
        retention=7 * 24 * 3600,
    )

    # Dedup state: one key per remembered event / article / body, changelogged. A table's
    # changelog partition is the partition of the event being processed, so a scope's
    # state lives on (and moves with) that scope's partition of pages-by-scope.
    # Keys are str and values JSON lists/strings (Faust's json codec on the changelog).
    def table(name: str) -> Any:
        return app.Table(name, partitions=partitions, help=f"raqib dedup state: {name}")

    ticker, articles, bodies = (table(name) for name in STATE_TABLES)
    sinks = (TableSink(ticker), TableSink(articles), TableSink(bodies))
    state = PipelineState(*sinks)

    async def fatal(reason: BaseException) -> None:
        """Stop the worker for good (guard tripped, broker gone): non-zero exit, and the
        process ends within the shutdown timeout even if a clean stop cannot finish."""
        on_stop()
        await app.crash(reason)

    metrics = WorkerMetrics()
    send, enqueue = publisher(handles)
    deps = Deps(
        send=send,
        enqueue=enqueue,
        page_validator=validator_for(topics["pages.raw"].schema),
        max_page_bytes=settings.max_page_bytes,
        guard=stage_guard(settings),
        on_fatal=fatal,
        metrics=metrics,
        pipeline=PipelineConfig(timezone=settings.timezone, site_timezones=settings.site_timezone_map),
        state=state,
        input_range=settings.range,
        batching=Batching(max_pages=settings.batch_max_pages, within_s=settings.batch_within_s),
        persist=partial(publish_changelogs, sinks),
    )
    # Each stage has its own failure guard: a success of one stage must not reset the
    # other's count (a dedup bug failing every page would otherwise never trip it).
    _bind(app, parse_pages, deps, handles["pages.raw"])
    _bind(app, dedupe_pages, replace(deps, guard=stage_guard(settings)), handles["pages.by_scope"])

    async def forget_derived(sender: Any, *args: Any, signal: Any = None, **kwargs: Any) -> None:
        # The derived index may hold scopes of partitions that moved away, and recovery
        # may change the tables under it: it is rebuilt lazily from the tables.
        state.forget_derived()

    app.on_partitions_revoked.connect(forget_derived)  # type: ignore[arg-type]
    app.on_partitions_assigned.connect(forget_derived)  # type: ignore[arg-type]

    watch = BrokerWatch(settings.broker_deadline_s)
    add_routes(app, metrics, watch, sources=(topics.name("pages.raw"), handles["pages.by_scope"].get_topic_name()))

    @app.timer(interval=settings.broker_check_interval_s)  # type: ignore[untyped-decorator]
    async def watch_broker() -> None:
        """Probe the broker; past the deadline without an answer, stop the worker."""
        was_healthy = watch.healthy
        try:
            await probe_kafka(settings.bootstrap, timeout=_PROBE_TIMEOUT_S)
        except (KafkaError, OSError, TimeoutError) as exc:
            state = watch.observe(reachable=False, now=time.monotonic())
            if was_healthy:
                log.warning("broker_unreachable", bootstrap=settings.bootstrap, error=repr(exc))
            if state == "expired":
                seconds = round(watch.unreachable_for(time.monotonic()))
                log.critical(
                    "worker_stopping_broker_unreachable",
                    bootstrap=settings.bootstrap,
                    unreachable_for_s=seconds,
                    deadline_s=settings.broker_deadline_s,
                )
                await fatal(TransientError(f"no Kafka broker answered at {settings.bootstrap} for {seconds}s"))
        else:
            watch.observe(reachable=True, now=time.monotonic())
            if not was_healthy:
                log.info("broker_reachable_again", bootstrap=settings.bootstrap)


def stage_guard(settings: Settings) -> FailureGuard:
    """A fresh failure guard with the configured limits (one per stage)."""
    return FailureGuard(
        max_consecutive=settings.guard_max_consecutive,
        max_ratio=settings.guard_max_ratio,
        window=settings.guard_window,
    )


def _bind(app: faust.App, body: Any, deps: Deps, topic: Any) -> None:
    """Register `body(deps, stream)` as an agent on `topic` (Faust's bound-agent pattern)."""
    fun: Any = partial(body, deps)
    fun.__name__ = fun.__qualname__ = body.__name__
    fun.__module__ = __name__
    app.agent(topic, name=body.__name__)(fun)

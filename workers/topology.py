"""Wire the agents to the topics of topics.yaml and to their tables (the only place that
knows all three).

    pages.raw ──parse_pages──► <app_id>-pages-by-scope ──dedupe_pages──► events.ticker
       (key: URL)                 (key: dedup scope)        │ tables      events.sightings
                                                            │             events.articles
    any stage ──────────────────────────────────────────────┴──────────► pages.dlq

Internal topics (Faust creates them, with as many partitions as pages.raw):
`<app_id>-pages-by-scope` and the compacted changelogs of the three tables,
`<app_id>-ticker-changelog`, `<app_id>-articles-changelog`, `<app_id>-bodies-changelog`.
"""

from __future__ import annotations

import asyncio
import itertools
from functools import partial
from typing import Any

import faust
import structlog
from aiohttp import web
from aiokafka.errors import KafkaError, KafkaTimeoutError

from workers import __version__
from workers.adapters.metrics import WorkerMetrics
from workers.agents import Deps, dedupe_pages, parse_pages
from workers.core.guard import FailureGuard
from workers.core.pipeline import PipelineConfig, PipelineState
from workers.schemas import validator_for
from workers.settings import Settings
from workers.topics import STATE_TABLES, TopicSet

__all__ = ["wire"]

log = structlog.get_logger("raqib.topology")


def wire(app: faust.App, settings: Settings, topics: TopicSet) -> None:
    """Declare the topics and tables, bind the agents with their dependencies, add routes."""
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
    state = PipelineState(ticker_records=ticker, articles=articles, bodies=bodies)

    async def send(logical: str, key: bytes | None, value: bytes, headers: list[tuple[str, bytes]] | None) -> Any:
        """Publish and wait for the broker's ack; retry transient failures in place.

        A broker that is down or slow must not turn a good page into a dead letter, and an
        exception escaping an agent makes Faust ack the event: so retriable errors and
        timeouts are retried, with capped backoff, for as long as they last. Ordering is
        kept because nothing else is consumed meanwhile. Permanent errors propagate.
        """
        for attempt in itertools.count():
            try:
                fut = await handles[logical].send(key=key, value=value, headers=headers)
                return await fut  # RecordMetadata, once the broker acked the record
            except KafkaError as exc:
                if not (exc.retriable or isinstance(exc, KafkaTimeoutError)):
                    raise
                delay = min(5.0, 0.2 * 2**attempt)
                log.warning("publish_retrying", topic=logical, attempt=attempt + 1, delay_s=delay, error=repr(exc))
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    metrics = WorkerMetrics()
    deps = Deps(
        send=send,
        page_validator=validator_for(topics["pages.raw"].schema),
        max_page_bytes=settings.max_page_bytes,
        guard=FailureGuard(
            max_consecutive=settings.guard_max_consecutive,
            max_ratio=settings.guard_max_ratio,
            window=settings.guard_window,
        ),
        on_fatal=app.crash,
        metrics=metrics,
        pipeline=PipelineConfig(timezone=settings.timezone),
        state=state,
        input_range=settings.range,
    )
    _bind(app, parse_pages, deps, handles["pages.raw"])
    _bind(app, dedupe_pages, deps, handles["pages.by_scope"])

    async def forget_derived(sender: Any, *args: Any, signal: Any = None, **kwargs: Any) -> None:
        # The derived index may hold scopes of partitions that moved away, and recovery
        # may change the tables under it: it is rebuilt lazily from the tables.
        state.forget_derived()

    app.on_partitions_revoked.connect(forget_derived)  # type: ignore[arg-type]
    app.on_partitions_assigned.connect(forget_derived)  # type: ignore[arg-type]

    @app.page("/health")
    async def health(web_view: Any, request: Any) -> Any:
        return web.json_response({"status": "ok", "version": __version__, "app_id": app.conf.id})

    @app.page("/metrics")
    async def prometheus(web_view: Any, request: Any) -> Any:
        sources = {topics.name("pages.raw"), handles["pages.by_scope"].get_topic_name()}
        metrics.set_lag(await _consumer_lag(app, sources))
        return web.Response(body=metrics.render(), content_type="text/plain", charset="utf-8")


def _bind(app: faust.App, body: Any, deps: Deps, topic: Any) -> None:
    """Register `body(deps, stream)` as an agent on `topic` (Faust's bound-agent pattern)."""
    fun: Any = partial(body, deps)
    fun.__name__ = fun.__qualname__ = body.__name__
    fun.__module__ = __name__
    app.agent(topic, name=body.__name__)(fun)


async def _consumer_lag(app: faust.App, topics: set[str]) -> dict[tuple[str, int], int]:
    """highwater - position for every partition of `topics` this worker is assigned."""
    lags: dict[tuple[str, int], int] = {}
    consumer = app.consumer
    for tp in sorted(tp for tp in consumer.assignment() if tp.topic in topics):
        position = await consumer.position(tp)
        highwater = consumer.highwater(tp)
        if position is not None and highwater is not None:
            lags[(tp.topic, tp.partition)] = max(0, highwater - position)
    return lags

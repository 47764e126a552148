"""Wire the agents to the topics of topics.yaml (the only place that knows both)."""

from __future__ import annotations

from functools import partial
from typing import Any

import faust
from aiohttp import web

from workers import __version__
from workers.adapters.metrics import WorkerMetrics
from workers.agents import Deps, process_pages
from workers.core.guard import FailureGuard
from workers.core.pipeline import PipelineConfig, PipelineState
from workers.schemas import validator_for
from workers.settings import Settings
from workers.topics import TopicSet

__all__ = ["wire"]


def wire(app: faust.App, settings: Settings, topics: TopicSet) -> None:
    """Declare the topics, bind the agents with their dependencies, add health routes."""
    handles = {
        spec.name: app.topic(
            topics.name(spec.name),
            partitions=spec.partitions,
            key_serializer="raw",
            value_serializer="raw",
            internal=False,
        )
        for spec in topics
    }

    async def send(
        logical: str, key: bytes | None, value: bytes, headers: list[tuple[str, bytes]] | None
    ) -> Any:
        fut = await handles[logical].send(key=key, value=value, headers=headers)
        return await fut  # RecordMetadata, once the broker acked the record

    metrics = WorkerMetrics()
    deps = Deps(
        send=send,
        page_validator=validator_for(topics["pages.raw"].schema),
        max_page_bytes=settings.max_page_bytes,
        source_topic=topics.name("pages.raw"),
        guard=FailureGuard(
            max_consecutive=settings.guard_max_consecutive,
            max_ratio=settings.guard_max_ratio,
            window=settings.guard_window,
        ),
        on_fatal=app.crash,
        pipeline=PipelineConfig(timezone=settings.timezone),
        state=PipelineState(),
        metrics=metrics,
    )
    agent_fun: Any = partial(process_pages, deps)
    agent_fun.__name__ = "process_pages"
    agent_fun.__qualname__ = "process_pages"
    agent_fun.__module__ = __name__
    app.agent(handles["pages.raw"], name="process_pages")(agent_fun)

    @app.page("/health")
    async def health(web_view: Any, request: Any) -> Any:
        return web.json_response({"status": "ok", "version": __version__, "app_id": app.conf.id})

    @app.page("/metrics")
    async def prometheus(web_view: Any, request: Any) -> Any:
        metrics.set_lag(await _consumer_lag(app))
        return web.Response(body=metrics.render(), content_type="text/plain", charset="utf-8")


async def _consumer_lag(app: faust.App) -> dict[tuple[str, int], int]:
    """highwater - position for every partition this worker is assigned."""
    lags: dict[tuple[str, int], int] = {}
    consumer = app.consumer
    for tp in sorted(consumer.assignment()):
        position = await consumer.position(tp)
        highwater = consumer.highwater(tp)
        if position is not None and highwater is not None:
            lags[(tp.topic, tp.partition)] = max(0, highwater - position)
    return lags

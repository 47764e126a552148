"""The worker's HTTP routes on its Faust web port: GET /health and GET /metrics."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import faust
from aiohttp import web

from workers import __version__
from workers.adapters.metrics import WorkerMetrics

__all__ = ["add_routes"]


def add_routes(app: faust.App, metrics: WorkerMetrics, *, sources: Iterable[str]) -> None:
    """/health (liveness, version, app id) and /metrics (Prometheus, with the consumer lag
    of the worker's input topics `sources`)."""
    inputs = set(sources)

    @app.page("/health")
    async def health(web_view: Any, request: Any) -> Any:
        return web.json_response({"status": "ok", "version": __version__, "app_id": app.conf.id})

    @app.page("/metrics")
    async def prometheus(web_view: Any, request: Any) -> Any:
        metrics.set_lag(await _consumer_lag(app, inputs))
        return web.Response(body=metrics.render(), content_type="text/plain", charset="utf-8")


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

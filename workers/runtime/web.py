"""The worker's HTTP routes on its Faust web port: GET /health and GET /metrics."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import faust
from aiohttp import web

from workers import __version__
from workers.adapters.metrics import WorkerMetrics
from workers.runtime.liveness import BrokerWatch

__all__ = ["add_routes"]


def add_routes(app: faust.App, metrics: WorkerMetrics, watch: BrokerWatch, *, sources: Iterable[str]) -> None:
    """/health (200 "ok", or 503 "broker_unreachable" while the broker does not answer;
    version, app id) and /metrics (Prometheus, with the consumer lag of the worker's input
    topics `sources`)."""
    inputs = set(sources)

    @app.page("/health")
    async def health(web_view: Any, request: Any) -> Any:
        body: dict[str, Any] = {"status": "ok", "version": __version__, "app_id": app.conf.id}
        if not watch.healthy:
            unreachable_for = round(watch.unreachable_for(time.monotonic()), 1)
            body |= {"status": "broker_unreachable", "unreachable_for_s": unreachable_for}
            return web.json_response(body, status=503)
        return web.json_response(body)

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

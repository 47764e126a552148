"""The dashboard's HTTP server (aiohttp): the page, its static files, and the event stream.

Routes, all GET (read-only: nothing here writes to Kafka):

- `/`: the page (`static/index.html`); `/static/NAME`: its CSS and JavaScript, from the
  package's files (an allow-list read once at start, so no path ever reaches the disk);
- `/events`: Server-Sent Events (protocol in docs/dashboard.md);
- `/healthz`: JSON: the broker's state, browsers connected, items in the window.

Every response carries a strict Content-Security-Policy (no inline script or style, no
other origin), `X-Content-Type-Options: nosniff`, no framing and no referrer.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib.resources import files
from typing import Final

import orjson
import structlog
from aiohttp import web

from workers.adapters.aio import within
from workers.contract.topics import TopicSet
from workers.dashboard.model import KINDS, DashboardModel, Kind
from workers.dashboard.reader import EventReader
from workers.dashboard.service import Dashboard
from workers.dashboard.sse import comment, items_frame, json_frame, retry
from workers.errors import UsageError

__all__ = ["CSP", "DashboardServer", "build_app", "serve_dashboard"]

log = structlog.get_logger("raqib.dashboard")

CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'none'"
)
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
_TYPES: Final = {
    ".html": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".json": "application/json",
    ".svg": "image/svg+xml",
}
SNAPSHOT_CHUNK = 500  # items per message while a browser catches up
RECONNECT_MS = 1000  # EventSource's wait before it reconnects
WRITE_TIMEOUT_S = 10.0  # a browser that takes longer to accept a frame is dropped

DASHBOARD = web.AppKey("dashboard", Dashboard)
HEARTBEAT = web.AppKey("heartbeat_s", float)


def _static_files() -> dict[str, tuple[bytes, str]]:
    """name -> (bytes, content type) of every file in static/."""
    found: dict[str, tuple[bytes, str]] = {}
    for entry in (files("workers.dashboard") / "static").iterdir():
        suffix = "." + entry.name.rpartition(".")[2]
        if entry.is_file() and suffix in _TYPES:
            found[entry.name] = (entry.read_bytes(), _TYPES[suffix])
    return found


async def _add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.update(SECURITY_HEADERS)


def build_app(dashboard: Dashboard, *, heartbeat_s: float = 15.0) -> web.Application:
    """The aiohttp application over `dashboard`."""
    app = web.Application()
    app[DASHBOARD] = dashboard
    app[HEARTBEAT] = heartbeat_s
    static = _static_files()

    def respond(name: str) -> web.Response:
        found = static.get(name)
        if found is None:
            raise web.HTTPNotFound
        body, content_type = found
        return web.Response(
            body=body, content_type=content_type, charset="utf-8", headers={"Cache-Control": "no-cache"}
        )

    async def index(request: web.Request) -> web.Response:
        return respond("index.html")

    async def static_file(request: web.Request) -> web.Response:
        return respond(request.match_info["name"])

    app.on_response_prepare.append(_add_security_headers)
    app.router.add_get("/", index)
    app.router.add_get("/static/{name}", static_file)
    app.router.add_get("/events", events)
    app.router.add_get("/healthz", healthz)
    return app


async def healthz(request: web.Request) -> web.Response:
    dashboard = request.app[DASHBOARD]
    body = {
        "status": dashboard.status["broker"],
        "clients": len(dashboard.hub.clients),
        "dropped_clients": dashboard.hub.dropped,
        "epoch": dashboard.model.epoch,
        "last_seq": dashboard.model.last_seq,
        "items": dashboard.model.counts(),
    }
    return web.json_response(body, dumps=lambda v: orjson.dumps(v).decode())


async def events(request: web.Request) -> web.StreamResponse:
    """One browser's event stream: hello, status, the items it lacks, then live frames."""
    dashboard = request.app[DASHBOARD]
    heartbeat = request.app[HEARTBEAT]
    last_id = request.headers.get("Last-Event-ID") or request.query.get("last_event_id")
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
    await response.prepare(request)
    # Subscribing and taking the snapshot with no await in between: every item is either
    # in the snapshot or queued for this browser, never both, never neither.
    client = dashboard.hub.subscribe()
    resume = dashboard.model.resume(last_id)
    model = dashboard.model
    log.info("dashboard_client_connected", clients=len(dashboard.hub.clients), resumed=not resume.reset)
    try:
        head = retry(RECONNECT_MS) + json_frame("hello", dashboard.hello()) + json_frame("status", dashboard.status)
        if resume.reset:
            head += json_frame("reset", {"first_seq": model.first_seq})
        await _write(response, head)
        for start in range(0, len(resume.items), SNAPSHOT_CHUNK):
            chunk = resume.items[start : start + SNAPSHOT_CHUNK]
            await _write(response, items_frame(chunk, model.message_id(chunk[-1].seq)))
        await _write(response, json_frame("ready", {"last_seq": model.last_seq}))
        while True:
            try:
                data = await asyncio.wait_for(client.queue.get(), heartbeat)
            except TimeoutError:
                data = comment("ping")
            if data is None:  # too slow, or the server is stopping
                break
            await _write(response, data)
    except (ConnectionError, TimeoutError):
        pass
    finally:
        dashboard.hub.unsubscribe(client)
        log.info("dashboard_client_disconnected", clients=len(dashboard.hub.clients), dropped=client.dropped)
    return response


async def _write(response: web.StreamResponse, data: bytes) -> None:
    await asyncio.wait_for(response.write(data), WRITE_TIMEOUT_S)


@dataclass
class DashboardServer:
    """A running dashboard: its state, its reader and the URL it serves."""

    dashboard: Dashboard
    reader: EventReader
    url: str


@contextlib.asynccontextmanager
async def serve_dashboard(
    bootstrap: str,
    topics: TopicSet,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    window_ms: int | None = 24 * 3600 * 1000,
    timezone: str = "Asia/Damascus",
    heartbeat_s: float = 15.0,
) -> AsyncIterator[DashboardServer]:
    """Serve the dashboard on host:port while the block runs (port 0: a free one)."""
    now_ms = int(time.time() * 1000)
    model = DashboardModel(secrets.token_hex(4), window_ms=window_ms, now_ms=now_ms)
    dashboard = Dashboard(model, timezone=timezone)
    names: dict[str, Kind] = {topics.name(logical): kind for logical, kind in KINDS.items()}
    reader = EventReader(
        bootstrap,
        names,
        since_ms=model.cutoff_ms,
        on_records=dashboard.ingest,
        on_status=dashboard.set_status,
    )
    runner = web.AppRunner(build_app(dashboard, heartbeat_s=heartbeat_s), access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port, shutdown_timeout=2.0)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise UsageError(f"cannot serve the dashboard on {host}:{port}: {exc.strerror or exc}") from None
    url = f"http://{host}:{runner.addresses[0][1]}/"
    tasks = [asyncio.create_task(reader.run()), asyncio.create_task(_trim_every(dashboard, 10.0))]
    log.info("dashboard_started", url=url, bootstrap=bootstrap, window_ms=window_ms, timezone=timezone)
    try:
        yield DashboardServer(dashboard, reader, url)
    finally:
        dashboard.hub.close_all()
        for task in tasks:
            task.cancel()
        # Bounded, so that a stop (the demo's Ctrl-C) never hangs on a task that does not
        # end when cancelled.
        await asyncio.wait(tasks, timeout=5.0)
        await within(runner.cleanup(), 5.0)
        log.info("dashboard_stopped", url=url)


async def _trim_every(dashboard: Dashboard, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        dashboard.trim()

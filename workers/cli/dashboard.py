"""`raqib dashboard`: serve the live page of events for the monitoring desk."""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from workers.cli._common import DEFAULT_BOOTSTRAP, Bootstrap, Prefix, TopicsFile, app, fail, load_topics_or_fail, run
from workers.contract.topics import TopicSet, parse_retention

__all__ = ["dashboard", "window_of"]


def window_of(since: str | None, from_beginning: bool) -> int | None:
    """The window in ms (None: everything) from --since / --from-beginning; bad values fail."""
    if since is not None and from_beginning:
        fail("--since and --from-beginning exclude each other", 2)
    if from_beginning:
        return None
    try:
        window = parse_retention(since or "24h")
    except ValueError as exc:
        fail(f"--since: {str(exc).replace('retention', 'the window')}", 2)
    return None if window < 0 else window


async def _serve(bootstrap: str, topics: TopicSet, host: str, port: int, window_ms: int | None, tz: str) -> None:
    from workers.dashboard.server import serve_dashboard  # noqa: PLC0415 - keep `raqib --help` fast

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with serve_dashboard(bootstrap, topics, host=host, port=port, window_ms=window_ms, timezone=tz) as server:
        typer.echo(f"raqib dashboard: serving {server.url} (bootstrap {bootstrap}); Ctrl-C to stop")
        sys.stdout.flush()
        await stop.wait()
    typer.echo("raqib dashboard: stopped")


@app.command()
def dashboard(
    bootstrap: Bootstrap = DEFAULT_BOOTSTRAP,
    port: Annotated[int, typer.Option(help="Port to serve on (0: a free one).")] = 8080,
    host: Annotated[str, typer.Option(help="Address to serve on; the default keeps it to this machine.")] = "127.0.0.1",
    since: Annotated[
        str | None, typer.Option(help="Window: show events that arrived this long ago or later (e.g. 24h, 30m, 7d).")
    ] = None,
    from_beginning: Annotated[
        bool, typer.Option("--from-beginning", help="Show every event still on the topics (no window).")
    ] = False,
    timezone: Annotated[str, typer.Option(help="Time zone the page shows times in (the sites').")] = "Asia/Damascus",
    log_format: Annotated[str, typer.Option(help="Log format: json, console or auto.")] = "auto",
    topics_file: TopicsFile = None,
    prefix: Prefix = "",
) -> None:
    """Serve a live page of the events (tickers, sightings, articles) as they arrive; read-only."""
    from workers.runtime.logs import configure_logging  # noqa: PLC0415 - keep `raqib --help` fast

    window_ms = window_of(since, from_beginning)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"--timezone: unknown time zone {timezone!r}", 2)
    if not 0 <= port <= 65535:
        fail(f"--port: {port} is not a port number", 2)
    topics = load_topics_or_fail(topics_file, prefix)
    configure_logging(log_format)

    async def body() -> None:
        await _serve(bootstrap, topics, host, port, window_ms, timezone)

    run(body)

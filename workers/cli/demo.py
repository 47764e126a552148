"""`raqib demo`: broker + topics + worker + sample pages, with the events printed as they arrive."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Coroutine
from importlib.resources import as_file, files
from pathlib import Path
from typing import Annotated, Any, TextIO, TypeVar

import typer

from workers.adapters.aio import within
from workers.adapters.embedded_broker import EmbeddedBroker
from workers.adapters.kafka_offsets import consumer_lag
from workers.adapters.kafka_reader import consume, record_to_dict
from workers.adapters.kafka_topics import create_topics
from workers.cli._common import app, fail
from workers.cli.ingest import send_pages
from workers.contract.topics import TopicSet, TopicsFileError, load_topics
from workers.errors import IngestError, TransientError, UsageError
from workers.runtime.child import WorkerProcess

__all__ = ["demo", "run_demo"]

_T = TypeVar("_T")
_STOP_TIMEOUT_S = 5.0  # what a stop waits for the demo's own tasks

OUTPUT_TOPICS = ("events.ticker", "events.sightings", "events.articles", "pages.dlq")
DEMO_GROUP = "raqib-demo"


def describe(record: dict[str, Any], logical: str) -> str:
    """One readable line per event."""
    value = record["value"]
    if not isinstance(value, dict):
        return f"[{logical}] {value!r}"
    if logical == "events.ticker":
        who = f" ({value['attribution']})" if value.get("attribution") else ""
        return f"[ticker]    {value['event_id']}  {value.get('time') or '--:--'}  {value['text']}{who}"
    if logical == "events.sightings":
        return (
            f"[sighting]  {value['event_id']}  {value['kind']} {value['similarity']:.2f}  "
            f"seen again: {value['text'][:80]}"
        )
    if logical == "events.articles":
        title = value.get("title") or "(no title)"
        body = value.get("body") or []
        return (
            f"[article]   {value['article_id']} rev {value['revision']}  site={value.get('site')}  "
            f"{title}  | {len(body)} paragraph(s), {sum(len(p) for p in body)} chars"
        )
    if logical == "pages.dlq":
        return f"[dead letter] stage={value.get('stage')} {value.get('error_type')}: {value.get('error_message')}"
    return f"[{logical}] {value}"


async def _demo(
    topics: TopicSet, bootstrap: str, worker: WorkerProcess, out: TextIO, *, keep_running: bool
) -> tuple[dict[str, int], bool]:
    """The demo's event loop: returns the record counts, and whether a signal stopped it."""
    counts = dict.fromkeys(OUTPUT_TOPICS, 0)
    by_name = {topics.name(t): t for t in OUTPUT_TOPICS}
    last_event = time.monotonic()

    async def printer() -> None:
        nonlocal last_event
        async for record in consume(list(by_name), bootstrap, from_beginning=True, idle=None):
            logical = by_name[record.topic]
            counts[logical] += 1
            last_event = time.monotonic()
            out.write(describe(record_to_dict(record), logical) + "\n")
            out.flush()

    # Ctrl-C and SIGTERM set an event (from the start, so no signal falls between two
    # handlers) instead of cancelling the demo's task: a cancellation travelling through the
    # reader's aiokafka calls can be lost on Python 3.11, and the demo then never stopped.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    task = asyncio.create_task(printer())
    interrupted = False
    try:
        with as_file(files("workers") / "samples" / "pages.jsonl") as samples:
            summary = await send_pages([samples], topics, bootstrap, topics.name("pages.raw"), progress=False)
        out.write(f"-- ingested {summary.sent} sample page(s) into {topics.name('pages.raw')}\n")
        deadline = time.monotonic() + 180
        while True:
            await asyncio.sleep(0.5)
            if stop.is_set():
                return counts, True
            if task.done():
                task.result()
            if not worker.is_running():
                raise TransientError(f"the worker stopped; see its log: {worker.log_path}")
            lag = await consumer_lag(bootstrap, DEMO_GROUP, *topics.stage_inputs(DEMO_GROUP))
            if lag == 0 and time.monotonic() - last_event > 2.0:
                break
            if time.monotonic() > deadline:
                raise TransientError(f"the worker did not drain the input in time; see {worker.log_path}")
        out.write("-- input drained: " + ", ".join(f"{counts[t]} {t}" for t in OUTPUT_TOPICS) + "\n")
        if keep_running:
            async with _dashboard(topics, bootstrap, worker.log_path.parent / "dashboard.log") as url:
                out.write(
                    f"-- dashboard: {url}\n"
                    f"-- still running; bootstrap: {bootstrap}\n"
                    f"   try: raqib ingest --bootstrap {bootstrap} PAGE.txt   |   "
                    f"raqib tail --bootstrap {bootstrap} events.ticker --from-beginning\n"
                    "   Ctrl-C to stop\n"
                )
                out.flush()
                interrupted = await _until_signal(stop, task)
    finally:
        # Bounded: a task cancelled inside aiokafka can swallow the cancellation on
        # Python 3.11 (its wait_for) and run on; the demo must still stop.
        task.cancel()
        await asyncio.wait([task], timeout=_STOP_TIMEOUT_S)
    return counts, interrupted


async def _until_signal(stop: asyncio.Event, task: asyncio.Task[None]) -> bool:
    """Wait for Ctrl-C or SIGTERM (`stop` set: True), or for `task` to end (its error raised)."""
    waiter = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait([task, waiter], return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
    if not stop.is_set():
        task.result()  # the printer failed: its error
    return stop.is_set()


def _run(main: Coroutine[Any, Any, _T]) -> _T:
    """`asyncio.run`, whose clean-up of the tasks and async generators left over is bounded
    (asyncio.run waits for them without end, and one that swallowed its cancellation would
    keep the demo from stopping its worker and broker)."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(main)
    finally:
        try:
            left = asyncio.all_tasks(loop)
            for task in left:
                task.cancel()
            if left:
                loop.run_until_complete(asyncio.wait(left, timeout=_STOP_TIMEOUT_S))
            loop.run_until_complete(within(loop.shutdown_asyncgens(), _STOP_TIMEOUT_S))
        finally:
            loop.close()


@contextlib.asynccontextmanager
async def _dashboard(topics: TopicSet, bootstrap: str, log_path: Path) -> AsyncIterator[str]:
    """`raqib dashboard` in this process, on port 8080 or else a free one; its log goes to
    `log_path`, not to the demo's output. Yields its URL."""
    from workers.dashboard.server import serve_dashboard  # noqa: PLC0415 - only with --keep-running
    from workers.runtime.logs import configure_logging  # noqa: PLC0415

    configure_logging("json", stream=log_path.open("a", encoding="utf-8"))
    async with contextlib.AsyncExitStack() as stack:
        try:
            server = await stack.enter_async_context(serve_dashboard(bootstrap, topics, port=8080, window_ms=None))
        except UsageError:  # 8080 is taken
            server = await stack.enter_async_context(serve_dashboard(bootstrap, topics, port=0, window_ms=None))
        yield server.url


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def run_demo(*, keep_running: bool = False, port: int | None = None, out: TextIO = sys.stdout) -> dict[str, int]:
    """The whole demo; returns how many records each output topic received.

    SIGTERM is treated like Ctrl-C: the worker and the broker are stopped either way.
    """
    signal.signal(signal.SIGTERM, _interrupt)
    topics = load_topics()
    started = time.monotonic()
    log_dir = Path(tempfile.mkdtemp(prefix="raqib-demo-"))
    out.write("raqib demo\n-- starting the embedded Kafka-protocol broker (Tansu)\n")
    out.flush()
    with EmbeddedBroker(port, log_path=log_dir / "broker.log", die_with_parent=True) as broker:
        out.write(f"-- broker ready at {broker.bootstrap}\n")
        created = asyncio.run(create_topics(topics, broker.bootstrap))
        out.write(f"-- topics: {', '.join(f'{n} ({s})' for n, s in created.items())}\n")
        worker = WorkerProcess(
            broker.bootstrap, app_id=DEMO_GROUP, log_path=log_dir / "worker.log", die_with_parent=True
        ).start()
        out.write(f"-- worker started (pid {worker.process.pid if worker.process else '?'}; log: {worker.log_path})\n")
        out.flush()
        try:
            counts, interrupted = _run(_demo(topics, broker.bootstrap, worker, out, keep_running=keep_running))
        finally:
            status = worker.stop()
            out.write(f"-- worker stopped (exit status {status})\n")
    out.write(f"-- broker stopped; demo took {time.monotonic() - started:.1f}s\n")
    out.flush()
    if interrupted:  # stopped by Ctrl-C or SIGTERM while it kept running: report it as such
        raise KeyboardInterrupt("signal")
    return counts


@app.command()
def demo(
    keep_running: Annotated[
        bool, typer.Option("--keep-running", help="Stay up after the samples are processed.")
    ] = False,
    port: Annotated[int | None, typer.Option(help="Broker port (default: a free one).")] = None,
) -> None:
    """Start a broker, create the topics, start a worker, ingest the sample pages, show the events."""
    try:
        run_demo(keep_running=keep_running, port=port, out=sys.stdout)
    except (IngestError, TopicsFileError) as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted", 130)

"""The `raqib` command line. Each command is a thin shell over a module that does the work.

Expected failures (missing file, unreachable broker, bad topics.yaml) print one line,
`raqib: error: ...`, and exit non-zero; they never show a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer

from workers import __version__
from workers.errors import IngestError, TransientError, UsageError
from workers.settings import DEFAULT_BOOTSTRAP, Settings, SettingsError
from workers.topics import TopicsFileError, load_topics

__all__ = ["app", "main"]

app = typer.Typer(
    name="raqib",
    help="raqib (رقيب): deduplicate Arabic breaking-news tickers and articles on Kafka.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
topics_app = typer.Typer(help="Create or check the topics declared in topics.yaml.", no_args_is_help=True)
app.add_typer(topics_app, name="topics")
dlq_app = typer.Typer(help="Work with the dead-letter topic (pages.dlq).", no_args_is_help=True)
app.add_typer(dlq_app, name="dlq")

T = TypeVar("T")

Bootstrap = Annotated[
    str,
    typer.Option(
        "--bootstrap",
        "-b",
        envvar="RAQIB_BOOTSTRAP",
        help="Kafka bootstrap servers, host:port[,host:port].",
        show_default=True,
    ),
]
TopicsFile = Annotated[
    Path | None,
    typer.Option("--topics", envvar="RAQIB_TOPICS_FILE", help="topics.yaml to use (default: the bundled one)."),
]
Prefix = Annotated[
    str,
    typer.Option("--prefix", envvar="RAQIB_TOPIC_PREFIX", help="Prefix prepended to every topic name."),
]


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"raqib: error: {message}", err=True)
    raise typer.Exit(code)


def run(coro_fn: Callable[[], Any]) -> Any:
    """Run an async command body, turning expected failures into one-line errors."""
    try:
        return asyncio.run(coro_fn())
    except (IngestError, TopicsFileError, SettingsError) as exc:
        fail(str(exc), 2 if isinstance(exc, UsageError) else 1)
    except KeyboardInterrupt:
        fail("interrupted", 130)


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"raqib {__version__}")
        raise typer.Exit


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """raqib: a streaming ingestion worker for Arabic news feeds."""
    # Client commands report failures themselves in one line; keep aiokafka's own
    # connection-retry log lines off the terminal (`raqib worker` reconfigures logging).
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)


# --------------------------------------------------------------------------- broker


@app.command()
def broker(
    port: Annotated[int | None, typer.Option(help="Port on 127.0.0.1 (default: a free one).")] = None,
) -> None:
    """Run the embedded Kafka-protocol broker (Tansu) until Ctrl-C or SIGTERM."""
    from workers.broker import EmbeddedBroker  # noqa: PLC0415 - keep `raqib --help` fast

    embedded = EmbeddedBroker(port)
    try:
        embedded.start()
    except IngestError as exc:
        fail(str(exc))
    typer.echo(f"tansu broker listening; bootstrap: {embedded.bootstrap}")
    typer.echo(f"  export RAQIB_BOOTSTRAP={embedded.bootstrap}   (Ctrl-C to stop)")
    typer.echo("  workers on this broker need RAQIB_PRODUCER_MAX_BATCH_BYTES=1 (see README, 'The embedded broker')")

    class Stop(Exception):
        pass

    def on_signal(signum: int, _frame: object) -> None:
        # Leave the blocking wait below; stopping here would re-enter Popen.wait.
        raise Stop(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        status = embedded.wait()
    except Stop as stop:
        embedded.stop()
        typer.echo(f"broker stopped ({stop})")
        return
    fail(f"broker exited unexpectedly with status {status}: {embedded.log_tail()}")


# --------------------------------------------------------------------------- topics


@topics_app.command("create")
def topics_create(
    bootstrap: Bootstrap = DEFAULT_BOOTSTRAP,
    topics_file: TopicsFile = None,
    prefix: Prefix = "",
    replication_factor: Annotated[
        int | None, typer.Option(help="Override every topic's replication factor (e.g. 3 in production).")
    ] = None,
) -> None:
    """Create the topics of topics.yaml that do not exist yet (safe to run twice)."""
    from workers.admin import create_topics  # noqa: PLC0415

    topics = _load(topics_file, prefix)

    async def body() -> dict[str, str]:
        return await create_topics(topics, bootstrap, replication_factor=replication_factor)

    results = run(body)
    for name, status in results.items():
        typer.echo(f"{status:8} {name}")


@topics_app.command("check")
def topics_check(bootstrap: Bootstrap = DEFAULT_BOOTSTRAP, topics_file: TopicsFile = None, prefix: Prefix = "") -> None:
    """Check that the cluster has the topics of topics.yaml, as declared."""
    from workers.admin import check_topics  # noqa: PLC0415

    topics = _load(topics_file, prefix)

    async def body() -> Any:
        return await check_topics(topics, bootstrap)

    checks = run(body)
    for check in checks:
        problems = "".join(f"\n         - {problem}" for problem in check.problems)
        typer.echo(f"{'ok' if check.ok else 'MISMATCH':8} {check.name}{problems}")
    if not all(check.ok for check in checks):
        fail("the cluster does not match topics.yaml (run `raqib topics create` for missing topics)")


def _load(topics_file: Path | None, prefix: str) -> Any:
    try:
        return load_topics(topics_file, prefix=prefix)
    except TopicsFileError as exc:
        fail(str(exc))


# --------------------------------------------------------------------------- ingest / tail


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help=".txt, .html/.htm or .jsonl files.", show_default=False)],
    bootstrap: Bootstrap = DEFAULT_BOOTSTRAP,
    topic: Annotated[str | None, typer.Option(help="Topic to send to (default: pages.raw of topics.yaml).")] = None,
    fetched_at: Annotated[
        str | None, typer.Option("--fetched-at", help="Event time for .txt/.html files (default: file mtime).")
    ] = None,
    site: Annotated[str | None, typer.Option(help="Site (dedup scope) of the pages.")] = None,
    topics_file: TopicsFile = None,
    prefix: Prefix = "",
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Send pages from files to pages.raw, with a progress bar and a summary."""
    from workers.producer import send_pages  # noqa: PLC0415

    topics = _load(topics_file, prefix)
    target = topic or topics.name("pages.raw")
    stamp = _time_option(fetched_at)

    async def body() -> Any:
        return await send_pages(paths, topics, bootstrap, target, fetched_at=stamp, site=site, progress=progress)

    summary = run(body)
    typer.echo(f"sent {summary.sent} page(s) to {target}; rejected {len(summary.rejected)}")
    for rejected in summary.rejected:
        typer.echo(f"  rejected {rejected.source}: {rejected.reason}")
    if summary.rejected:
        raise typer.Exit(1)


@app.command()
def tail(
    topic: Annotated[str, typer.Argument(help="Topic to read (a logical name of topics.yaml, or any topic).")],
    bootstrap: Bootstrap = DEFAULT_BOOTSTRAP,
    from_beginning: Annotated[bool, typer.Option("--from-beginning", help="Start at the oldest record.")] = False,
    n: Annotated[int | None, typer.Option("-n", help="Exit after N messages.")] = None,
    idle: Annotated[float, typer.Option(help="Exit after this many seconds without a message.")] = 5.0,
    topics_file: TopicsFile = None,
    prefix: Prefix = "",
) -> None:
    """Print a topic's messages as JSON lines {topic, partition, offset, key, value}."""
    from workers.consumer import tail_topic  # noqa: PLC0415

    topics = _load(topics_file, prefix)
    name = topics.name(topic) if topic in topics.specs else topic

    async def body() -> int:
        return await tail_topic(name, bootstrap, from_beginning=from_beginning, limit=n, idle=idle, out=sys.stdout)

    run(body)


@dlq_app.command("replay")
def dlq_replay(
    bootstrap: Bootstrap = DEFAULT_BOOTSTRAP,
    stage: Annotated[str | None, typer.Option(help="Only dead letters of this stage (decode, parse, ...).")] = None,
    error_type: Annotated[str | None, typer.Option(help="Only dead letters of this error type.")] = None,
    n: Annotated[int | None, typer.Option("-n", help="Re-drive at most N messages.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Target topic (default: pages.raw).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what would be re-driven; send nothing.")] = False,
    idle: Annotated[float, typer.Option(help="Stop after this many seconds without a dead letter.")] = 5.0,
    topics_file: TopicsFile = None,
    prefix: Prefix = "",
) -> None:
    """Re-drive dead letters (their original bytes and key) into pages.raw."""
    from workers.dlq import replay_dead_letters  # noqa: PLC0415

    topics = _load(topics_file, prefix)

    async def body() -> Any:
        return await replay_dead_letters(
            topics, bootstrap, target=to, stage=stage, error_type=error_type, limit=n, idle=idle, dry_run=dry_run
        )

    summary = run(body)
    verb = "would re-drive" if dry_run else "re-drove"
    typer.echo(f"{verb} {summary.redriven} dead letter(s) to {to or topics.name('pages.raw')}; "
               f"skipped {len(summary.skipped)}")
    for reason in summary.skipped:
        typer.echo(f"  skipped {reason}")


# --------------------------------------------------------------------------- worker


@app.command()
def worker(
    bootstrap: Bootstrap = DEFAULT_BOOTSTRAP,
    topics_file: TopicsFile = None,
    prefix: Prefix = "",
    store: Annotated[
        str | None, typer.Option(help="Table store: memory:// or rocksdb:// (env RAQIB_STORE).")
    ] = None,
    app_id: Annotated[str | None, typer.Option(help="Consumer group id (env RAQIB_APP_ID).")] = None,
    log_format: Annotated[str | None, typer.Option(help="json | console | auto (env RAQIB_LOG_FORMAT).")] = None,
    log_level: Annotated[str | None, typer.Option(help="Log level (env RAQIB_LOG_LEVEL).")] = None,
    web_port: Annotated[int | None, typer.Option(help="Health/metrics port (env RAQIB_WEB_PORT).")] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Where the table store keeps files (env RAQIB_DATA_DIR).")
    ] = None,
) -> None:
    """Run the Faust worker: pages.raw in, deduplicated events out (SIGTERM stops it cleanly)."""
    from workers.runner import run_worker  # noqa: PLC0415

    try:
        settings = Settings.from_env(
            os.environ,
            bootstrap=bootstrap,
            topics_file=topics_file,
            topic_prefix=prefix or None,
            store=store,
            app_id=app_id,
            log_format=log_format,
            log_level=log_level,
            web_port=web_port,
            data_dir=data_dir,
        )
        run_worker(settings)
    except (IngestError, TopicsFileError, SettingsError) as exc:
        fail(str(exc))


# --------------------------------------------------------------------------- replay


@app.command()
def replay(
    from_: Annotated[
        str,
        typer.Option(
            "--from",
            help="Where to start: 'beginning', an offset (of every partition) or a time (fetched_at at or after it).",
            show_default=False,
        ),
    ],
    to: Annotated[
        str,
        typer.Option(help="Where to stop (exclusive): 'end' (as the replay starts), an offset or a time."),
    ] = "end",
    output_prefix: Annotated[
        str | None,
        typer.Option(help="Prefix for the topics the replay writes (default: '<replay id>.')."),
    ] = None,
    into_live_topics: Annotated[
        bool, typer.Option("--into-live-topics", help="Write to the live output topics instead.")
    ] = False,
    replay_id: Annotated[
        str | None,
        typer.Option("--id", help="Consumer group and state of the replay (default: a new one; an old one resumes)."),
    ] = None,
    bootstrap: Bootstrap = DEFAULT_BOOTSTRAP,
    topics_file: TopicsFile = None,
    prefix: Prefix = "",
    log: Annotated[Path | None, typer.Option(help="The replay worker's log file (default: ./<replay id>.log).")] = None,
    keep_state: Annotated[
        bool, typer.Option("--keep-state", help="Keep the replay's changelog and repartition topics afterwards.")
    ] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Run the worker's topology over a range of pages.raw, with fresh state, for backfills.

    From the beginning with fresh state it gives the live run's events byte for byte.
    """
    from workers.replay import parse_bound, run_replay  # noqa: PLC0415

    if into_live_topics and output_prefix is not None:
        fail("--output-prefix and --into-live-topics exclude each other", 2)
    try:
        start = parse_bound(from_, edge_words=("beginning", "earliest"))
        stop = parse_bound(to, edge_words=("end", "latest"))
    except UsageError as exc:
        fail(str(exc), 2)
    topics = _load(topics_file, prefix)

    async def body() -> Any:
        return await run_replay(
            topics,
            bootstrap,
            start=start,
            stop=stop,
            output_prefix="" if into_live_topics else output_prefix,
            replay_id=replay_id,
            log_path=log,
            progress=progress,
            keep_state=keep_state,
            out=sys.stdout,
        )

    summary = run(body)
    for line in summary.lines():
        typer.echo(line)


# --------------------------------------------------------------------------- process / demo


@app.command()
def process(
    paths: Annotated[list[Path], typer.Argument(help=".txt, .html/.htm or .jsonl files.", show_default=False)],
    fetched_at: Annotated[str | None, typer.Option("--fetched-at", help="Event time for .txt/.html files.")] = None,
    site: Annotated[str | None, typer.Option(help="Site (dedup scope) of the pages.")] = None,
    topics_file: TopicsFile = None,
) -> None:
    """Run the worker's core over files, without Kafka; print the events as JSON lines."""
    from workers.offline import process_files  # noqa: PLC0415

    topics = _load(topics_file, "")
    try:
        process_files(paths, topics, fetched_at=_time_option(fetched_at), site=site, out=sys.stdout.buffer)
    except IngestError as exc:
        fail(str(exc), 2 if isinstance(exc, UsageError) else 1)


@app.command()
def demo(
    keep_running: Annotated[
        bool, typer.Option("--keep-running", help="Stay up after the samples are processed.")
    ] = False,
    port: Annotated[int | None, typer.Option(help="Broker port (default: a free one).")] = None,
) -> None:
    """Start a broker, create the topics, start a worker, ingest the sample pages, show the events."""
    from workers.demo import run_demo  # noqa: PLC0415

    try:
        run_demo(keep_running=keep_running, port=port, out=sys.stdout)
    except (IngestError, TopicsFileError) as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted", 130)


def _time_option(value: str | None) -> datetime | None:
    if value is None:
        return None
    from workers.ingest import parse_time  # noqa: PLC0415

    try:
        return parse_time(value)
    except UsageError as exc:
        fail(str(exc), 2)


def main() -> None:
    try:
        app()
    except TransientError as exc:  # pragma: no cover - run() handles these; belt and braces
        fail(str(exc))


if __name__ == "__main__":
    main()

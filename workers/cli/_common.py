"""What every `raqib` command shares: the Typer apps, the common options, one-line errors.

Expected failures (missing file, unreachable broker, bad topics.yaml) print one line,
`raqib: error: ...`, and exit non-zero; they never show a traceback.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from workers import __version__
from workers.contract.times import parse_time
from workers.contract.topics import TopicSet, TopicsFileError, load_topics
from workers.errors import IngestError, UsageError
from workers.runtime.settings import DEFAULT_BOOTSTRAP, SettingsError, bootstrap_problems

__all__ = [
    "DEFAULT_BOOTSTRAP",
    "Bootstrap",
    "Prefix",
    "TopicsFile",
    "app",
    "dlq_app",
    "fail",
    "load_topics_or_fail",
    "run",
    "time_option",
    "topics_app",
]

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


def _checked_bootstrap(value: str) -> str:
    """A bad --bootstrap (or RAQIB_BOOTSTRAP) is one error line before anything connects."""
    problems = bootstrap_problems(value)
    if problems:
        fail(f"--bootstrap / RAQIB_BOOTSTRAP: {problems[0]}", 2)
    return value


Bootstrap = Annotated[
    str,
    typer.Option(
        "--bootstrap",
        "-b",
        envvar="RAQIB_BOOTSTRAP",
        help="Kafka bootstrap servers, host:port[,host:port].",
        show_default=True,
        callback=_checked_bootstrap,
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


def load_topics_or_fail(topics_file: Path | None, prefix: str) -> TopicSet:
    try:
        return load_topics(topics_file, prefix=prefix)
    except TopicsFileError as exc:
        fail(str(exc))


def time_option(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_time(value)
    except UsageError as exc:
        fail(str(exc), 2)

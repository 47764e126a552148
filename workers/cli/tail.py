"""`raqib tail`: print a topic's records as JSON lines."""

from __future__ import annotations

import sys
from typing import Annotated, TextIO

import orjson
import typer

from workers.adapters.kafka_reader import consume, record_to_dict
from workers.cli._common import DEFAULT_BOOTSTRAP, Bootstrap, Prefix, TopicsFile, app, load_topics_or_fail, run

__all__ = ["tail", "tail_topic"]


async def tail_topic(
    topic: str, bootstrap: str, *, from_beginning: bool, limit: int | None, idle: float, out: TextIO
) -> int:
    """Print records of `topic` as JSON lines; stop after `limit` records or `idle` seconds."""
    count = 0
    if limit is not None and limit <= 0:
        return 0
    async for record in consume([topic], bootstrap, from_beginning=from_beginning, idle=idle):
        out.write(orjson.dumps(record_to_dict(record)).decode() + "\n")
        out.flush()
        count += 1
        if limit is not None and count >= limit:
            break
    return count


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
    topics = load_topics_or_fail(topics_file, prefix)
    name = topics.name(topic) if topic in topics.specs else topic

    async def body() -> int:
        return await tail_topic(name, bootstrap, from_beginning=from_beginning, limit=n, idle=idle, out=sys.stdout)

    run(body)

"""`raqib replay` against the embedded broker: a replay from the beginning with fresh state
gives the live run's events byte for byte; a time range processes exactly the pages
fetched in it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import orjson
import pytest

from tests.integration.generated import Stream, generate
from tests.integration.helpers import SAMPLES, fresh_topics, start_worker, wait_drained
from workers.adapters.kafka_clients import kafka_producer
from workers.adapters.kafka_reader import consume
from workers.cli.ingest import send_pages
from workers.contract.keys import page_key
from workers.contract.topics import TopicSet

pytestmark = [pytest.mark.integration, pytest.mark.slow]

EVENT_TOPICS = ("events.ticker", "events.sightings", "events.articles", "pages.dlq")
N_PAGES = 240


def raqib_replay(bootstrap: str, topics: TopicSet, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "RAQIB_SESSION_TIMEOUT_S": "6",
        "RAQIB_HEARTBEAT_INTERVAL_S": "1",
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "workers",
            "replay",
            "-b",
            bootstrap,
            "--prefix",
            topics.prefix,
            "--no-progress",
            "--log",
            str(tmp_path / "replay.log"),
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )


async def read_all(bootstrap: str, topics: TopicSet) -> dict[str, dict[str, list[bytes]]]:
    """logical topic -> key -> values in the order of their partition."""
    seen: dict[str, dict[str, list[bytes]]] = {name: defaultdict(list) for name in EVENT_TOPICS}
    names = {topics.name(t): t for t in EVENT_TOPICS}
    async for record in consume(list(names), bootstrap, from_beginning=True, until_end=True, idle=30):
        key = record.key.decode() if record.key is not None else ""
        seen[names[record.topic]][key].append(record.value or b"")
    return seen


async def produce_stream(bootstrap: str, topic: str) -> Stream:
    """A poison message, then generated pages of five sites, keyed by site."""
    stream = generate(N_PAGES, seed=11)
    async with kafka_producer(bootstrap) as producer:
        await producer.send_and_wait(topic, b"\xff not a page", key=b"poison")
        for value in stream.pages:
            page = orjson.loads(value)
            await producer.send_and_wait(topic, value, key=page_key(page["site"], page["url"]))
    return stream


async def test_replay_from_the_beginning_is_byte_identical_to_the_live_run(
    kafka_bootstrap: str, topics: TopicSet, topic_prefix: str, tmp_path: Path
) -> None:
    live = await fresh_topics(topics, kafka_bootstrap, topic_prefix)
    worker = start_worker(kafka_bootstrap, live, tmp_path)
    try:
        await send_pages([SAMPLES], live, kafka_bootstrap, live.name("pages.raw"), progress=False)
        await produce_stream(kafka_bootstrap, live.name("pages.raw"))
        await wait_drained(kafka_bootstrap, live, worker, timeout=150)
    finally:
        assert worker.stop() == 0
    live_events = await read_all(kafka_bootstrap, live)

    result = raqib_replay(kafka_bootstrap, live, tmp_path, "--from", "beginning", "--output-prefix", "bf.")
    assert result.returncode == 0, result.stderr + (tmp_path / "replay.log").read_text()[-3000:]
    replayed = await read_all(kafka_bootstrap, live.with_output_prefix("bf."))

    # The seeds' 19 events and Mansoura sighting are in there; the poison was dead-lettered.
    assert len(live_events["events.ticker"]) > 19 + 100
    assert len(live_events["pages.dlq"]) == 1
    assert any(values for values in live_events["events.sightings"].values())
    for topic in EVENT_TOPICS:
        assert replayed[topic] == live_events[topic], f"{topic} differs between the live run and the replay"
    counts = {topic: sum(len(v) for v in live_events[topic].values()) for topic in EVENT_TOPICS}
    print(f"\nreplay = live, byte for byte: {counts}; `raqib replay` took {result.stdout.split('took ')[-1].strip()}")
    n_pages = 5 + 1 + N_PAGES
    assert f"{n_pages} record(s) of pages.raw in range" in result.stdout
    assert f"{n_pages - 1} processed, 1 dead-lettered, 0 skipped (outside the range)" in result.stdout
    assert f"{sum(len(v) for v in live_events['events.ticker'].values())} new event(s)" in result.stdout


async def test_replay_of_a_time_range_processes_the_pages_fetched_in_it(
    kafka_bootstrap: str, topics: TopicSet, topic_prefix: str, tmp_path: Path
) -> None:
    """No live worker at all: a backfill of [since, until) yields, with fresh state, one
    event per distinct item and one article per page fetched in the range, nothing else."""
    live = await fresh_topics(topics, kafka_bootstrap, topic_prefix)
    stream = await produce_stream(kafka_bootstrap, live.name("pages.raw"))
    times = [datetime.fromisoformat(orjson.loads(value)["fetched_at"]) for value in stream.pages]
    since, until = times[60], times[60] + timedelta(minutes=3 * 50)  # pages 60..109
    in_range = [i for i, at in enumerate(times) if since <= at < until]
    assert len(in_range) == 50

    result = raqib_replay(
        kafka_bootstrap,
        live,
        tmp_path,
        "--from",
        since.isoformat(),
        "--to",
        until.isoformat(),
        "--output-prefix",
        "range.",
    )
    assert result.returncode == 0, result.stderr + (tmp_path / "replay.log").read_text()[-3000:]
    replayed = await read_all(kafka_bootstrap, live.with_output_prefix("range."))

    assert set(replayed["events.articles"]) == {stream.page_article_ids[i] for i in in_range}
    assert set(replayed["events.ticker"]) == set().union(*(stream.page_ticker_ids[i] for i in in_range))
    # The poison message's record time is "now", outside a range in 2024: not dead-lettered.
    assert not replayed["pages.dlq"]
    assert f"50 processed, 0 dead-lettered, {len(stream.pages) + 1 - 50} skipped (outside the range)" in result.stdout


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=240, check=False)

"""`raqib replay` against the embedded broker: a replay from the beginning with fresh state
gives the live run's events byte for byte; a time range processes exactly the pages
fetched in it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import orjson
import pytest

from tests.integration.generated import generate
from tests.integration.helpers import SAMPLES, fresh_topics, start_worker, wait_drained
from workers.consumer import consume
from workers.core.articles import article_id
from workers.core.dedup import ticker_event_id
from workers.core.models import Article
from workers.core.normalize import normalize_for_matching
from workers.ingest import page_key
from workers.producer import kafka_producer, send_pages
from workers.topics import TopicSet
from workers.worker_process import end_offsets

pytestmark = [pytest.mark.integration, pytest.mark.slow]

EVENT_TOPICS = ("events.ticker", "events.sightings", "events.articles", "pages.dlq")
N_PAGES = 240


def raqib_replay(bootstrap: str, topics: TopicSet, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RAQIB_PRODUCER_MAX_BATCH_BYTES": "1", "RAQIB_SESSION_TIMEOUT_S": "6",
           "RAQIB_HEARTBEAT_INTERVAL_S": "1"}
    return subprocess.run(
        [sys.executable, "-m", "workers", "replay", "-b", bootstrap, "--prefix", topics.prefix, "--no-progress",
         "--log", str(tmp_path / "replay.log"), *args],
        capture_output=True, text=True, env=env, timeout=240, check=False,
    )


async def read_all(bootstrap: str, topics: TopicSet) -> dict[str, dict[str, list[bytes]]]:
    """logical topic -> key -> values in the order of their partition."""
    seen: dict[str, dict[str, list[bytes]]] = {name: defaultdict(list) for name in EVENT_TOPICS}
    names = {topics.name(t): t for t in EVENT_TOPICS}
    async for record in consume(list(names), bootstrap, from_beginning=True, idle=3):
        key = record.key.decode() if record.key is not None else ""
        seen[names[record.topic]][key].append(record.value or b"")
    return seen


async def produce_stream(bootstrap: str, topic: str) -> list[dict[str, object]]:
    """The seeds, a poison message, then generated pages of five sites, keyed by site."""
    pages = [orjson.loads(line) for line in generate(N_PAGES, seed=11).pages]
    async with kafka_producer(bootstrap) as producer:
        await producer.send_and_wait(topic, b"\xff not a page", key=b"poison")
        for page in pages:
            await producer.send_and_wait(topic, orjson.dumps(page), key=page_key(page["site"], page["url"]))
    return pages


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
    pages = await produce_stream(kafka_bootstrap, live.name("pages.raw"))
    times = [datetime.fromisoformat(str(page["fetched_at"])) for page in pages]
    since, until = times[60], times[60] + timedelta(minutes=3 * 50)  # pages 60..109
    in_range = [page for page, at in zip(pages, times, strict=True) if since <= at < until]
    assert len(in_range) == 50

    result = raqib_replay(kafka_bootstrap, live, tmp_path, "--from", since.isoformat(), "--to", until.isoformat(),
                          "--output-prefix", "range.")
    assert result.returncode == 0, result.stderr + (tmp_path / "replay.log").read_text()[-3000:]
    replayed = await read_all(kafka_bootstrap, live.with_output_prefix("range."))

    expected_tickers = {
        ticker_event_id(str(page["site"]), normalize_for_matching(line.rsplit(" - ", 1)[0].split(" (")[0]))
        for page in in_range for line in _items(str(page["body"]))
    }
    stub = Article(None, None, None, "missing", None, None, None, ())
    assert set(replayed["events.articles"]) == {article_id(url=str(page["url"]), article=stub) for page in in_range}
    assert set(replayed["events.ticker"]) == expected_tickers
    # The poison message's record time is "now", outside a range in 2024: not dead-lettered.
    assert not replayed["pages.dlq"]
    assert f"50 processed, 0 dead-lettered, {len(pages) + 1 - 50} skipped (outside the range)" in result.stdout


def _items(body: str) -> list[str]:
    """The generated strip's items, `TEXT (SOURCE) - HH:MM`, split the way generate() joins them."""
    strip = body.split("\n")[1]
    parts, current = [], []
    for token in strip.split(" "):
        current.append(token)
        if len(token) == 5 and token[2] == ":" and current[-2] == "-":
            parts.append(" ".join(current))
            current = []
    return parts


async def test_an_interrupted_replay_resumes_under_its_id(
    kafka_bootstrap: str, topics: TopicSet, topic_prefix: str, tmp_path: Path
) -> None:
    """Ctrl-C stops a replay's worker cleanly and keeps its group and state; the same --id
    then finishes the range. Together they give what one uninterrupted replay gives (a page
    may be repeated, with identical bytes)."""
    live = await fresh_topics(topics, kafka_bootstrap, topic_prefix)
    await produce_stream(kafka_bootstrap, live.name("pages.raw"))
    whole = raqib_replay(kafka_bootstrap, live, tmp_path, "--from", "beginning", "--output-prefix", "whole.")
    assert whole.returncode == 0, whole.stderr

    env = {**os.environ, "RAQIB_PRODUCER_MAX_BATCH_BYTES": "1"}
    args = [sys.executable, "-m", "workers", "replay", "-b", kafka_bootstrap, "--prefix", live.prefix,
            "--no-progress", "--from", "beginning", "--id", f"resume-{live.prefix.strip('.')}",
            "--output-prefix", "part.", "--log", str(tmp_path / "part.log")]
    first = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    articles = live.with_output_prefix("part.").name("events.articles")
    deadline = time.monotonic() + 120
    while sum((await end_offsets(kafka_bootstrap, articles)).values()) < 20:  # part of the way
        assert first.poll() is None, "the replay ended before it was interrupted"
        assert time.monotonic() < deadline
        await asyncio.sleep(0.2)
    first.send_signal(signal.SIGINT)
    _, stderr = first.communicate(timeout=60)
    assert first.returncode == 130, stderr
    assert "raqib: error: interrupted" in stderr
    interrupted_at = sum((await end_offsets(kafka_bootstrap, articles)).values())
    assert interrupted_at < N_PAGES, "interrupted too late to test anything"

    second = _run(args, env)
    assert second.returncode == 0, second.stderr
    assert "(resumed)" in second.stdout

    expected = await read_all(kafka_bootstrap, live.with_output_prefix("whole."))
    got = await read_all(kafka_bootstrap, live.with_output_prefix("part."))
    for topic in ("events.ticker", "events.articles"):
        assert set(got[topic]) == set(expected[topic]), topic
        for key, values in got[topic].items():
            assert set(values) == set(expected[topic][key]), f"{topic} {key}: different bytes after resuming"


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=240, check=False)

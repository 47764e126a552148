"""Pages travel through pages.raw, the Faust worker and the output topics of a real broker."""

from __future__ import annotations

import base64
from datetime import datetime
from pathlib import Path

import aiohttp
import orjson
import pytest

from tests.contract import assert_matches_schema
from tests.integration.helpers import SAMPLES, collect, fresh_topics, samples_through, start_worker, wait_drained
from workers.adapters.kafka_clients import kafka_producer
from workers.cli.ingest import send_pages
from workers.contract.keys import page_key
from workers.contract.topics import TopicSet

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def test_pages_flow_through_worker_and_poison_is_dead_lettered(
    kafka_bootstrap: str, topics: TopicSet, topic_prefix: str, tmp_path: Path
) -> None:
    """The five seed pages yield 19 ticker events, 1 sighting and 5 articles; poison messages
    land in pages.dlq with their original bytes and context, and the worker keeps going."""
    prefixed = await fresh_topics(topics, kafka_bootstrap, topic_prefix)
    worker = start_worker(kafka_bootstrap, prefixed, tmp_path)
    try:
        summary = await send_pages([SAMPLES], prefixed, kafka_bootstrap, prefixed.name("pages.raw"), progress=False)
        assert summary.sent == 5
        # Partitions are consumed concurrently: let the seeds go first so the repost below
        # is deterministically the later copy.
        await wait_drained(kafka_bootstrap, prefixed, worker)
        poison = [b"\xff\xfe not utf-8", b"{not json", orjson.dumps({"url": 1, "body": []})]
        async with kafka_producer(kafka_bootstrap) as producer:
            for value in poison:
                await producer.send_and_wait(prefixed.name("pages.raw"), value, key=b"poison")
        # One more good page after the poison: the worker must still be processing.
        late = dict(orjson.loads(SAMPLES.read_bytes().splitlines()[0]))
        late["url"] = "https://smartnews-agency.com/ar/after-poison"
        async with kafka_producer(kafka_bootstrap) as producer:
            await producer.send_and_wait(
                prefixed.name("pages.raw"), orjson.dumps(late), key=page_key(late["site"], late["url"])
            )

        await wait_drained(kafka_bootstrap, prefixed, worker)
        web = f"http://127.0.0.1:{worker.web_port}"
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{web}/health") as response:
                assert response.status == 200
                assert (await response.json())["status"] == "ok"
            async with session.get(f"{web}/metrics") as response:
                assert response.status == 200
                metrics = parse_metrics(await response.text())
            for faust_route in ("/table/ticker/", "/router/", "/graph/", "/stats/"):
                async with session.get(f"{web}{faust_route}") as response:
                    assert response.status == 404, f"{faust_route} is served (dedup state exposed)"
        seen = await collect(
            kafka_bootstrap,
            prefixed,
            lambda s: (
                len(s["events.articles"]) >= 6
                and len(s["pages.dlq"]) >= 3
                and len(s["events.ticker"]) >= 19
                and len(s["events.sightings"]) >= 11
            ),
        )
    finally:
        assert worker.stop() == 0, "the worker stops cleanly on SIGTERM"

    for topic in ("events.ticker", "events.sightings", "events.articles"):
        for record in seen[topic]:
            assert_matches_schema(prefixed, topic, record["value"])
            assert record["key"] == record["value"].get("event_id", record["value"].get("article_id"))

    tickers = seen["events.ticker"]
    assert len(tickers) == 19
    assert len({t["value"]["event_id"] for t in tickers}) == 19
    sightings = seen["events.sightings"]
    # Seed 001 rewords one of seed 000's items (the Mansoura arrests); the page after the
    # poison repeats seed 000's ten items. Both agency pages are keyed by their site, so
    # they share a partition and seed 000 (ingested first) is always first: its wording is
    # the event's, seed 001's is the one near sighting, and the repeat's are all exact.
    mansoura = next(t["value"] for t in tickers if "المنصور" in t["value"]["text"])
    assert "عشرات" not in mansoura["text"]
    seed_000 = orjson.loads(SAMPLES.read_bytes().splitlines()[0])
    assert datetime.fromisoformat(mansoura["first_seen_at"]) == datetime.fromisoformat(seed_000["fetched_at"])
    expected_near = 1
    assert sorted(s["value"]["kind"] for s in sightings) == ["exact"] * (11 - expected_near) + ["near"] * expected_near
    assert {s["value"]["event_id"] for s in sightings} <= {t["value"]["event_id"] for t in tickers}

    articles = seen["events.articles"]
    assert len(articles) == 6
    assert {a["value"]["site"] for a in articles} == {
        "smartnews-agency.com",
        "shaam.org",
        "wordpress.example",
        "blogspot.example",
    }
    [repost] = [a["value"] for a in articles if a["value"]["url"] == late["url"]]
    [original] = [a["value"] for a in articles if a["value"]["url"] is None and a["value"]["title"] == repost["title"]]
    assert repost["duplicate_of"] == original["article_id"]
    assert repost["ticker_event_ids"] == original["ticker_event_ids"]

    letters = seen["pages.dlq"]
    assert len(letters) == 3
    by_value = {base64.b64decode(r["value"]["original_value"]): r for r in letters}
    assert set(by_value) == set(poison)
    for record in letters:
        value = record["value"]
        assert_matches_schema(prefixed, "pages.dlq", value)
        assert value["original_topic"] == prefixed.name("pages.raw")
        assert record["key"] == "poison"
        assert record["headers"]["__connect.errors.topic"] == prefixed.name("pages.raw").encode()
        assert int(record["headers"]["__connect.errors.offset"]) == value["original_offset"]
    assert by_value[poison[0]]["value"]["error_type"] == "InvalidUTF8"
    assert by_value[poison[1]]["value"]["error_type"] == "InvalidJSON"
    assert by_value[poison[2]]["value"]["error_type"] == "SchemaViolation"
    assert by_value[poison[2]]["value"]["stage"] == "validate"

    # the worker's Prometheus metrics agree with what arrived
    assert metrics['raqib_pages_total{outcome="ok"}'] == 6
    assert metrics['raqib_pages_total{outcome="dead_lettered"}'] == 3
    assert metrics["raqib_ticker_items_total"] == 30
    assert metrics["raqib_ticker_events_new_total"] == 19
    assert metrics['raqib_ticker_duplicates_total{kind="exact"}'] == 11 - expected_near
    assert metrics['raqib_ticker_duplicates_total{kind="near"}'] == expected_near
    assert metrics["raqib_page_processing_seconds_count"] == 6
    lags = {k: v for k, v in metrics.items() if k.startswith("raqib_consumer_lag{")}
    assert len(lags) == 2 * prefixed["pages.raw"].partitions  # pages.raw and pages-by-scope
    assert set(lags.values()) == {0}


def parse_metrics(text: str) -> dict[str, float]:
    """Prometheus text format -> {"name{labels}": value} (comments dropped)."""
    values: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            values[name] = float(value)
    return values


async def test_worker_with_the_rocksdb_table_store(
    kafka_bootstrap: str, topics: TopicSet, topic_prefix: str, tmp_path: Path
) -> None:
    """The production store (rocksdb:// via rocksdict) gives the same events as memory://,
    and keeps the tables on disk under RAQIB_DATA_DIR."""
    prefixed = await fresh_topics(topics, kafka_bootstrap, topic_prefix)
    data_dir = tmp_path / "data"
    worker = start_worker(kafka_bootstrap, prefixed, tmp_path, RAQIB_STORE="rocksdb://", RAQIB_DATA_DIR=str(data_dir))
    try:
        seen = await samples_through(kafka_bootstrap, prefixed, worker, lambda s: len(s["events.articles"]) >= 5)
    finally:
        assert worker.stop() == 0
    assert (len(seen["events.ticker"]), len(seen["events.sightings"]), len(seen["events.articles"])) == (19, 1, 5)
    tables = {path.name for path in (data_dir / worker.app_id).rglob("*.db")}
    assert {"ticker", "articles", "bodies"} <= {name.split("-")[0] for name in tables}, tables

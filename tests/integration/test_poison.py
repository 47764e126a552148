"""A stream of valid pages mixed with thousands of malformed messages: every malformed one
lands in pages.dlq with its context, every valid one yields its events, and the worker
never stops."""

from __future__ import annotations

import base64
import random
from collections import Counter
from pathlib import Path

import orjson
import pytest

from tests.integration.generated import generate
from tests.integration.helpers import fresh_topics, start_worker, wait_drained
from workers.adapters.kafka_clients import kafka_producer
from workers.adapters.kafka_reader import consume
from workers.contract.topics import TopicSet

pytestmark = [pytest.mark.integration, pytest.mark.slow]

STAMP = "2021-01-01T00:00:00+00:00"


def poison(rng: random.Random, n: int) -> list[tuple[bytes, str]]:
    """(value, expected error_type) for n small malformed messages of every kind."""
    kinds = [
        (lambda: rng.randbytes(rng.randrange(1, 300)) + b"\xff", "InvalidUTF8"),
        (lambda: b"\xc3\x28 not utf-8", "InvalidUTF8"),
        (lambda: b'{"url": "https://x.org/a", "fetched_at": ', "InvalidJSON"),
        (lambda: b"[" * 5000 + b"]" * 5000, "InvalidJSON"),  # nested deeper than orjson allows
        (lambda: orjson.dumps([1, 2, 3]), "SchemaViolation"),
        (lambda: orjson.dumps({"url": 7, "body": None}), "SchemaViolation"),
        (
            lambda: orjson.dumps({"url": None, "fetched_at": "yesterday", "content_type": "text/plain", "body": "x"}),
            "SchemaViolation",
        ),
    ]
    out = []
    for _ in range(n):
        make, error = rng.choice(kinds)
        out.append((make(), error))
    return out


async def test_poison_stream(kafka_bootstrap: str, topics: TopicSet, topic_prefix: str, tmp_path: Path) -> None:
    """2,000 small poison messages, 2 pages of 20 MB, 3 HTML pages with 100k nested tags,
    interleaved with 150 valid pages."""
    rng = random.Random(5)
    valid = generate(150, seed=9)
    bad = poison(rng, 2000)
    huge = orjson.dumps({"url": None, "fetched_at": STAMP, "content_type": "text/plain", "body": "ب" * 10_000_000})
    deep_html = orjson.dumps(
        {
            "url": None,
            "fetched_at": STAMP,
            "content_type": "text/html",
            "body": "<div>" * 100_000 + "x" + "</div>" * 100_000,
        }
    )
    bad += [(huge, "TooLarge")] * 2 + [(deep_html, "ParseFailure.too_complex")] * 3
    stream: list[tuple[bytes, str | None]] = [(v, None) for v in valid.pages] + bad
    rng.shuffle(stream)

    prefixed = await fresh_topics(topics, kafka_bootstrap, topic_prefix)
    worker = start_worker(kafka_bootstrap, prefixed, tmp_path)
    try:
        async with kafka_producer(kafka_bootstrap) as producer:
            for value, _ in stream:
                await producer.send_and_wait(prefixed.name("pages.raw"), value, key=b"k")
        await wait_drained(kafka_bootstrap, prefixed, worker, timeout=300)
        assert worker.is_running(), "the worker never stops on bad input"
    finally:
        assert worker.stop() == 0

    letters, tickers, articles = [], set(), set()
    names = {prefixed.name(t): t for t in ("pages.dlq", "events.ticker", "events.articles")}
    async for record in consume(list(names), kafka_bootstrap, from_beginning=True, until_end=True, idle=30):
        topic = names[record.topic]
        if topic == "pages.dlq":
            letters.append((orjson.loads(record.value or b""), dict(record.headers)))
        elif topic == "events.ticker":
            tickers.add(record.key.decode() if record.key else "")
        else:
            articles.add(record.key.decode() if record.key else "")

    assert tickers == valid.ticker_ids
    assert articles == valid.article_ids
    assert len(letters) == len(bad)
    assert Counter(letter["error_type"] for letter, _ in letters) == Counter(error for _, error in bad)
    originals = Counter(value for value, _ in bad if value is not huge)
    kept = Counter(base64.b64decode(letter["original_value"]) for letter, _ in letters if not letter["truncated"])
    assert kept == originals  # every small or mid-size message kept whole
    for letter, headers in letters:
        assert letter["original_topic"] == prefixed.name("pages.raw")
        assert headers["__connect.errors.offset"] == str(letter["original_offset"]).encode()
        if letter["error_type"] == "TooLarge":
            assert letter["original_value_size"] == len(huge)
    print(
        f"\npoison: {len(bad)} dead letters ({dict(Counter(e for _, e in bad))}), "
        f"{len(tickers)} ticker events and {len(articles)} articles from {len(valid.pages)} valid pages"
    )

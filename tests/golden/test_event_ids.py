"""The ids of the seeds' events and articles, pinned.

`tk_…` and `ar_…` ids are the keys of the compacted output topics: consumers store them,
and a replay must reproduce them. Changing how an id is derived (normalization, scope,
canonical URL, hashing) is a breaking change for every consumer, so it must show up here
as a failing test and be made on purpose (with a migration note), never by accident.
"""

from __future__ import annotations

import io
from pathlib import Path

import orjson

from workers.cli.process import process_files
from workers.contract.topics import TopicSet
from workers.core.dedup.articles import article_id
from workers.core.dedup.ticker import ticker_event_id
from workers.core.models import Article
from workers.core.normalize import normalize_for_matching

SAMPLES = Path(__file__).resolve().parents[2] / "workers" / "samples" / "pages.jsonl"

# (topic, key) of every record `raqib process` writes for the seeds, in order.
EXPECTED = [
    ("events.ticker", "tk_f0d4565bac6a9dec"),
    ("events.ticker", "tk_9b24c25ea9164ced"),
    ("events.ticker", "tk_62622403b3ab94f7"),
    ("events.ticker", "tk_8e3250721200843f"),
    ("events.ticker", "tk_d53c781daa373295"),
    ("events.ticker", "tk_6e916565d6397194"),
    ("events.ticker", "tk_6e211ab3d987d3db"),
    ("events.ticker", "tk_91b0dbf325292482"),
    ("events.ticker", "tk_42e736db95faf1dd"),
    ("events.ticker", "tk_0b2b5adf6922bf6d"),
    ("events.articles", "ar_af531889b192a898"),
    ("events.ticker", "tk_87bd13ff2b7742e5"),
    ("events.ticker", "tk_26fed6d178f63bc3"),
    ("events.ticker", "tk_81670bcdf34253b0"),
    ("events.ticker", "tk_c5ad357aa458361a"),
    ("events.ticker", "tk_e42499d1ace52136"),
    ("events.ticker", "tk_1182793258b667b5"),
    ("events.ticker", "tk_14b6ca3075b62a21"),
    ("events.ticker", "tk_fa97f90e8b86b23d"),
    ("events.sightings", "tk_f0d4565bac6a9dec"),
    ("events.ticker", "tk_f3137ebcb62a634c"),
    ("events.articles", "ar_5e53c6795609e577"),
    ("events.articles", "ar_df66e8ecb89fc65b"),
    ("events.articles", "ar_25c32000fbf6daec"),
    ("events.articles", "ar_f2918a63c2436e1d"),
]


def test_seed_records_keep_their_ids(topics: TopicSet) -> None:
    """The seeds give the same records, in the same order, under the same ids as when pinned."""
    out = io.BytesIO()
    process_files([SAMPLES], topics, fetched_at=None, site=None, out=out)
    records = [orjson.loads(line) for line in out.getvalue().splitlines()]
    assert [(r["topic"], r["key"]) for r in records] == EXPECTED
    for record in records:  # the key is the id the value carries
        value = record["value"]
        assert record["key"] == value.get("event_id") or record["key"] == value.get("article_id")


def test_ticker_event_id_derivation() -> None:
    """A ticker event id is `tk_` + 16 hex of its scope and normalized text."""
    text = normalize_for_matching('"قسد" تعتقل شبان من بلدة المنصور')
    assert ticker_event_id("smartnews-agency.com", text) == ticker_event_id("smartnews-agency.com", text)
    assert ticker_event_id("smartnews-agency.com", text) != ticker_event_id("shaam.org", text)
    assert ticker_event_id("smartnews-agency.com", text) == "tk_0b283cb7b35fc7cc"


def test_article_id_derivation() -> None:
    """An article id is `ar_` + 16 hex of the canonical URL (tracking parameters dropped)."""
    article = Article(
        title="t",
        author=None,
        published_at=None,
        published_at_source="missing",
        category=None,
        dateline=None,
        outlet=None,
        body=("p",),
    )
    url = "https://www.example.com/news/1?id=3&utm_source=x#top"
    assert article_id(url=url, article=article) == article_id(
        url="https://www.example.com/news/1?id=3", article=article
    )
    assert article_id(url=url, article=article) == "ar_360bee79615af151"

"""The benchmark's page generator (benchmarks/realistic.py): its strips shift as real ones
do, raqib's parser reads its text and HTML pages, and a seed gives the same bytes."""

from __future__ import annotations

from collections import defaultdict

import orjson
import pytest

from benchmarks.realistic import generate
from workers.adapters.codec import decode_page
from workers.contract.schemas import validator_for
from workers.contract.topics import load_topics
from workers.core.models import ParseFailure
from workers.core.parse.page import parse_page
from workers.core.pipeline import PipelineState, process_page

VALIDATOR = validator_for(load_topics()["pages.raw"].schema)


def test_each_page_shifts_its_sites_strip_by_one_or_two_new_items() -> None:
    stream = generate(300, sites=12, html_share=0.2, seed=5)
    previous: dict[bytes, list[str]] = {}
    seen: dict[bytes, set[str]] = defaultdict(set)
    for key, strip in zip(stream.keys, stream.strips, strict=True):
        assert len(strip) == 10
        assert len(set(strip)) == 10
        if key in previous:
            new = [item for item in strip if item not in seen[key]]
            assert 1 <= len(new) <= 2
            assert strip[: len(new)] == new  # the new items on top, newest first
            assert strip[len(new) :] == previous[key][: 10 - len(new)]  # the rest repeated
        seen[key].update(strip)
        previous[key] = strip
    assert stream.new_items == sum(len(items) for items in seen.values())


@pytest.mark.parametrize("html_share", [0.0, 1.0])
def test_the_parser_finds_ten_items_and_the_article_on_every_page(html_share: float) -> None:
    stream = generate(40, sites=10, html_share=html_share, seed=2)
    for raw, strip in zip(stream.pages, stream.strips, strict=True):
        page = decode_page(raw, VALIDATOR)
        assert page.content_type == ("text/html" if html_share else "text/plain")
        parsed = parse_page(page)
        assert not isinstance(parsed, ParseFailure), parsed
        assert [item.text for item in parsed.ticker] == strip
        assert all(item.time is not None and item.attribution for item in parsed.ticker)
        article = parsed.article
        assert article is not None
        assert article.title
        assert article.author
        # 4-8 paragraphs (on text pages a related headline of more than 12 words after
        # `اقرأ أيضاً` is read as one more: the parser skips only short ones)
        assert 4 <= len(article.body) <= 9
        assert not any("جميع الحقوق" in p or "الرئيسية" in p for p in article.body)


def test_every_new_item_is_a_new_event_and_repeats_are_exact_duplicates() -> None:
    stream = generate(200, sites=10, html_share=0.2, seed=3)
    state = PipelineState()
    counts: dict[str, int] = defaultdict(int)
    for raw in stream.pages:
        outcome = process_page(decode_page(raw, VALIDATOR), state)
        state.commit()
        assert not isinstance(outcome, ParseFailure)
        for name, value in outcome.counts.items():
            counts[name] += value
    assert counts["ticker_new"] == stream.new_items
    assert counts["ticker_near_dupes"] == 0
    assert counts["ticker_exact_dupes"] == 200 * 10 - stream.new_items
    assert counts["article_new"] == 200


def test_all_new_strips_remember_ten_items_a_page() -> None:
    stream = generate(30, sites=7, new_per_page=(10, 10), seed=1)
    assert stream.new_items == 300
    assert len({item for strip in stream.strips for item in strip}) == 300


def test_the_same_seed_gives_the_same_bytes() -> None:
    a = generate(50, sites=5, html_share=0.3, seed=9)
    b = generate(50, sites=5, html_share=0.3, seed=9)
    c = generate(50, sites=5, html_share=0.3, seed=10)
    assert a.pages == b.pages
    assert a.keys == b.keys
    assert a.pages != c.pages


def test_values_follow_the_pages_raw_schema_and_are_keyed_by_site() -> None:
    stream = generate(20, sites=4, html_share=0.5, seed=4)
    for raw, key, url in zip(stream.pages, stream.keys, stream.urls, strict=True):
        VALIDATOR.validate(orjson.loads(raw))
        value = orjson.loads(raw)
        assert value["site"].encode() == key
        assert value["url"] == url

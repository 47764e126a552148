"""One page in, the records to publish out: the function both the worker and
`raqib process` run. Pure: no Kafka, no clock, no I/O; the dedup state is passed in.

    state = PipelineState()
    outcome = process_page(page, state, config)     # ParseFailure for unparseable pages
    for record in outcome.records: publish(record)
    for key, value in outcome.state_writes: table[key] = value   # changelog, when needed

The state is updated as the page is processed (an item printed twice on one page is a
sighting of itself the second time), and every change is also returned as a table write,
so a Faust table can persist exactly what changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from workers.core.articles import ArticleRecord, article_id, body_fingerprint, decide_article
from workers.core.dedup import (
    DEFAULT_CONFIG,
    DedupConfig,
    DedupState,
    Duplicate,
    New,
    ScopeMode,
    StateChange,
    TickerSighting,
    decide,
    expire,
    sighting_record,
)
from workers.core.models import Article, Page, ParsedPage, ParseFailure, TickerItem
from workers.core.parse import parse_page

__all__ = ["DEFAULT_PIPELINE", "OutputRecord", "PageOutcome", "PipelineConfig", "PipelineState", "process_page"]

TableWrite = tuple[str, Any]  # (key, value); value None deletes the key


@dataclass(frozen=True, slots=True)
class OutputRecord:
    """A record to publish: logical topic name (from topics.yaml), key and JSON value."""

    topic: str
    key: str | None
    value: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PipelineConfig:
    """How pages are parsed and compared."""

    timezone: str = "Asia/Damascus"  # the site time zone for ticker HH:MM
    scope_mode: ScopeMode = "site"  # dedup scope: per site, or "global"
    dedup: DedupConfig = DEFAULT_CONFIG


@dataclass(slots=True)
class PipelineState:
    """Everything dedup remembers: ticker events, articles, and bodies by fingerprint."""

    ticker: DedupState = field(default_factory=DedupState)
    articles: dict[str, ArticleRecord] = field(default_factory=dict)
    bodies: dict[str, str] = field(default_factory=dict)  # body fingerprint -> first article_id


@dataclass(frozen=True, slots=True)
class PageOutcome:
    """What processing one page produced, with counts for the canonical log line."""

    records: tuple[OutputRecord, ...]
    counts: dict[str, int]
    state_writes: tuple[TableWrite, ...] = ()


DEFAULT_PIPELINE: Final = PipelineConfig()


def process_page(
    page: Page, state: PipelineState, config: PipelineConfig = DEFAULT_PIPELINE
) -> PageOutcome | ParseFailure:
    """Parse `page`, dedup its ticker items and its article against `state`, and return the
    records to publish (or the ParseFailure to dead-letter)."""
    parsed = parse_page(page, tz=config.timezone)
    if isinstance(parsed, ParseFailure):
        return parsed
    records: list[OutputRecord] = []
    writes: list[TableWrite] = []
    counts = {"ticker_total": len(parsed.ticker), "ticker_new": 0, "ticker_exact_dupes": 0, "ticker_near_dupes": 0}

    event_ids = _dedupe_ticker(page, parsed, state, config, records, writes, counts)
    if parsed.article is not None:
        kind = _dedupe_article(page, parsed.article, event_ids, state, records, writes)
        counts[f"article_{kind}"] = 1
    else:
        counts["article_none"] = 1
    return PageOutcome(tuple(records), counts, tuple(writes))


def _dedupe_ticker(  # noqa: PLR0917 - private helper threading the page's accumulators
    page: Page,
    parsed: ParsedPage,
    state: PipelineState,
    config: PipelineConfig,
    records: list[OutputRecord],
    writes: list[TableWrite],
    counts: dict[str, int],
) -> list[str]:
    """Decide each ticker item in page order; return the page's event ids (no repeats)."""
    event_ids: list[str] = []
    scope_expired: set[str] = set()
    for item in parsed.ticker:
        sighting = TickerSighting.of(
            item.text, seen_at=page.fetched_at, site=page.site, url=page.url, mode=config.scope_mode
        )
        if sighting.scope not in scope_expired:
            scope_expired.add(sighting.scope)
            _apply(state, expire(state.ticker, sighting.scope, config.dedup, now=page.fetched_at), writes)
        decision, change = decide(sighting, state.ticker, config.dedup)
        _apply(state, change, writes)
        if isinstance(decision, New):
            counts["ticker_new"] += 1
            value = _ticker_event(decision, sighting, item, page)
            records.append(OutputRecord("events.ticker", decision.event_id, value))
        else:
            counts["ticker_exact_dupes" if decision.kind == "exact" else "ticker_near_dupes"] += 1
            value = _ticker_sighting(decision, sighting, item, page)
            records.append(OutputRecord("events.sightings", decision.event_id, value))
        if decision.event_id not in event_ids:
            event_ids.append(decision.event_id)
    return event_ids


def _apply(state: PipelineState, change: StateChange, writes: list[TableWrite]) -> None:
    if not change.is_empty:
        state.ticker.apply(change)
        writes.extend(("ticker", record) for record in change.records())


def _ticker_event(decision: New, sighting: TickerSighting, item: TickerItem, page: Page) -> dict[str, Any]:
    return {
        "event_id": decision.event_id,
        "scope": sighting.scope,
        "site": page.site,
        "text": item.text,
        "text_normalized": sighting.normalized,
        "attribution": item.attribution,
        "time": item.time,
        "reported_at": item.reported_at.isoformat() if item.reported_at else None,
        "first_seen_url": page.url,
        "first_seen_at": page.fetched_at.isoformat(),
    }


def _ticker_sighting(decision: Duplicate, sighting: TickerSighting, item: TickerItem, page: Page) -> dict[str, Any]:
    value = sighting_record(decision, sighting)
    value["site"] = page.site
    value["attribution"] = item.attribution
    value["time"] = item.time
    return value


def _dedupe_article(  # noqa: PLR0917 - private helper threading the page's accumulators
    page: Page,
    article: Article,
    event_ids: list[str],
    state: PipelineState,
    records: list[OutputRecord],
    writes: list[TableWrite],
) -> str:
    """Decide new / revision / duplicate for the page's article; return the kind."""
    fingerprint = body_fingerprint(article)
    aid = article_id(url=page.url, article=article)
    decision, record = decide_article(
        url=page.url,
        article=article,
        seen_at=page.fetched_at,
        record=state.articles.get(aid),
        syndicated_from=state.bodies.get(fingerprint),
    )
    if state.articles.get(aid) != record:
        state.articles[aid] = record
        writes.append(("articles", (aid, record.to_json())))
    if fingerprint not in state.bodies:
        state.bodies[fingerprint] = aid
        writes.append(("bodies", (fingerprint, aid)))
    if decision.emits_event:
        value = {
            "article_id": decision.article_id,
            "revision": decision.revision,
            "url": page.url,
            "canonical_url": decision.canonical_url,
            "site": page.site,
            "outlet": article.outlet or page.site,
            "title": article.title,
            "author": article.author,
            "published_at": article.published_at,
            "published_at_source": article.published_at_source,
            "category": article.category,
            "dateline": article.dateline.to_dict() if article.dateline else None,
            "body": list(article.body),
            "ticker_event_ids": event_ids,
            "fetched_at": page.fetched_at.isoformat(),
            "content_hash": fingerprint,
            "duplicate_of": decision.duplicate_of,
        }
        records.append(OutputRecord("events.articles", decision.article_id, value))
    else:
        sighting = {
            "event_id": decision.article_id,
            "site": page.site,
            "url": page.url,
            "seen_at": page.fetched_at.isoformat(),
            "text": article.title or "",
            "similarity": 1.0,
            "kind": "article",
        }
        records.append(OutputRecord("events.sightings", decision.article_id, sighting))
    return decision.kind

"""One page in, the records to publish out: the function both the worker and
`raqib process` run. Pure: no Kafka, no clock, no I/O; the dedup state is passed in.

    state = PipelineState()
    outcome = process_page(page, state, config)     # ParseFailure for unparseable pages
    for record in outcome.records: publish(record)

The state is updated as the page is processed (an item printed twice on one page is a
sighting of itself the second time). It lives in plain mappings, so the worker passes
Faust tables (whose writes go to changelog topics) where `raqib process` passes dicts.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
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
    TickerEntry,
    TickerSighting,
    decide,
    dedup_scope,
    expire,
    sighting_record,
)
from workers.core.models import Article, Page, ParsedPage, ParseFailure, TickerItem
from workers.core.normalize import normalize_for_matching
from workers.core.parse import parse_page

__all__ = [
    "DEFAULT_PIPELINE",
    "OutputRecord",
    "PageOutcome",
    "PipelineConfig",
    "PipelineState",
    "dedupe_page",
    "page_scope",
    "process_page",
]


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


class PipelineState:
    """Everything dedup remembers, behind plain mappings so a Faust table can stand in.

    * `ticker_records`: one record per remembered ticker event, `"<scope>|<event_id>"` ->
      `[text, first_seen, last_seen, [[rewording, similarity], ...]]` (dedup.TickerEntry);
    * `articles`: article_id -> ArticleRecord.to_json();
    * `bodies`: body fingerprint -> the article_id it was first seen under.

    The ticker lookup index (`DedupState`) is derived from `ticker_records`, one scope at a
    time, the first time a scope is met; `forget_derived()` drops it (call it when the
    records may have changed underneath, e.g. after a rebalance or a recovery).
    """

    __slots__ = ("_index", "_loaded", "articles", "bodies", "ticker_records")

    def __init__(
        self,
        ticker_records: MutableMapping[str, Any] | None = None,
        articles: MutableMapping[str, Any] | None = None,
        bodies: MutableMapping[str, Any] | None = None,
    ) -> None:
        self.ticker_records: MutableMapping[str, Any] = {} if ticker_records is None else ticker_records
        self.articles: MutableMapping[str, Any] = {} if articles is None else articles
        self.bodies: MutableMapping[str, Any] = {} if bodies is None else bodies
        self._index = DedupState()
        self._loaded: set[str] = set()

    def ticker_index(self, scope: str) -> DedupState:
        """The derived index, with `scope` loaded from the records."""
        if scope not in self._loaded:
            prefix = scope + "|"
            entries = tuple(
                TickerEntry.from_json(key, value)
                for key, value in list(self.ticker_records.items())
                if key.startswith(prefix)
            )
            self._index.apply(StateChange(put=entries))
            self._loaded.add(scope)
        return self._index

    def apply_ticker(self, change: StateChange) -> None:
        """Apply a dedup change to the records and to the derived index."""
        for key, value in change.records():
            if value is None:
                self.ticker_records.pop(key, None)
            else:
                self.ticker_records[key] = value
        self._index.apply(change)

    def forget_derived(self) -> None:
        self._index = DedupState()
        self._loaded.clear()


@dataclass(frozen=True, slots=True)
class PageOutcome:
    """What processing one page produced, with counts for the canonical log line."""

    records: tuple[OutputRecord, ...]
    counts: dict[str, int]


DEFAULT_PIPELINE: Final = PipelineConfig()


def process_page(
    page: Page, state: PipelineState, config: PipelineConfig = DEFAULT_PIPELINE
) -> PageOutcome | ParseFailure:
    """Parse `page`, dedup its ticker items and its article against `state`, and return the
    records to publish (or the ParseFailure to dead-letter)."""
    parsed = parse_page(page, tz=config.timezone)
    if isinstance(parsed, ParseFailure):
        return parsed
    return dedupe_page(page, parsed, state, config)


def page_scope(page: Page, config: PipelineConfig = DEFAULT_PIPELINE) -> str:
    """The dedup scope of a page: where its ticker items and article are compared."""
    return dedup_scope(page.site, page.url, config.scope_mode)


def dedupe_page(
    page: Page, parsed: ParsedPage, state: PipelineState, config: PipelineConfig = DEFAULT_PIPELINE
) -> PageOutcome:
    """Dedup a parsed page's ticker items and article against `state` (updating it)."""
    records: list[OutputRecord] = []
    counts = {"ticker_total": len(parsed.ticker), "ticker_new": 0, "ticker_exact_dupes": 0, "ticker_near_dupes": 0}
    event_ids = _dedupe_ticker(page, parsed, state, config, records, counts)
    if parsed.article is not None:
        kind = _dedupe_article(page, parsed.article, event_ids, state, records)
        counts[f"article_{kind}"] = 1
    else:
        counts["article_none"] = 1
    return PageOutcome(tuple(records), counts)


def _dedupe_ticker(  # noqa: PLR0917 - private helper threading the page accumulators
    page: Page,
    parsed: ParsedPage,
    state: PipelineState,
    config: PipelineConfig,
    records: list[OutputRecord],
    counts: dict[str, int],
) -> list[str]:
    """Decide each ticker item in page order; return the page's event ids (no repeats)."""
    event_ids: list[str] = []
    scope = page_scope(page, config)
    if parsed.ticker:
        index = state.ticker_index(scope)
        state.apply_ticker(expire(index, scope, config.dedup, now=page.fetched_at))
    for item in parsed.ticker:
        sighting = TickerSighting(scope, item.text, normalize_for_matching(item.text), page.fetched_at, page.url)
        decision, change = decide(sighting, state.ticker_index(scope), config.dedup)
        state.apply_ticker(change)
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


def _dedupe_article(
    page: Page,
    article: Article,
    event_ids: list[str],
    state: PipelineState,
    records: list[OutputRecord],
) -> str:
    """Decide new / revision / duplicate for the page's article; return the kind."""
    fingerprint = body_fingerprint(article)
    aid = article_id(url=page.url, article=article)
    stored = state.articles.get(aid)
    decision, record = decide_article(
        url=page.url,
        article=article,
        seen_at=page.fetched_at,
        record=ArticleRecord.from_json(aid, stored) if stored is not None else None,
        syndicated_from=state.bodies.get(fingerprint),
    )
    if stored != record.to_json():
        state.articles[aid] = record.to_json()
    if fingerprint not in state.bodies:
        state.bodies[fingerprint] = aid
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

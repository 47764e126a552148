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

from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any, Final, Protocol, runtime_checkable

from workers.core.dedup.articles import ArticleRecord, article_id, body_fingerprint, decide_article
from workers.core.dedup.ticker import (
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
from workers.core.parse.page import parse_page
from workers.core.zones import zone_for

__all__ = [
    "DEFAULT_PIPELINE",
    "OutputRecord",
    "PageOutcome",
    "PipelineConfig",
    "PipelineState",
    "TaggedSink",
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

    timezone: str = "Asia/Damascus"  # the default site time zone (RAQIB_TIMEZONE)
    scope_mode: ScopeMode = "site"  # dedup scope: per site, or "global"
    dedup: DedupConfig = DEFAULT_CONFIG
    # site (or parent domain) -> IANA zone (RAQIB_SITE_TIMEZONES); see workers/core/zones.py
    site_timezones: Mapping[str, str] = field(default_factory=dict, hash=False)

    def zone_of(self, page: Page) -> str:
        """The time zone `page`'s printed times are read in: `zone_for` of its site (else
        its URL's host)."""
        return zone_for(page.site or page.url, self)


_DELETED: Final = object()


@runtime_checkable
class TaggedSink(Protocol):
    """A mapping that wants to know which page a write came from: the worker's Faust tables
    send each write to the changelog partition of the page's own input partition."""

    def put(self, key: str, value: Any, tag: object) -> None: ...

    def remove(self, key: str, tag: object) -> None: ...


class _Staged(MutableMapping[str, Any]):
    """A mapping whose writes are held back until `commit()`.

    Two layers over the base: `pending`, the writes of the page being processed, and `held`,
    the writes of the pages of the current batch already decided (`checkpoint()`), each with
    an undo record so that `rollback_to()` can drop the pages after a savepoint. Reads see
    pending, then held, then the base."""

    __slots__ = ("base", "held", "pending", "undo")

    def __init__(self, base: MutableMapping[str, Any]) -> None:
        self.base = base
        self.pending: dict[str, Any] = {}
        self.held: dict[str, tuple[Any, object]] = {}  # key -> (value or _DELETED, tag)
        self.undo: list[dict[str, tuple[Any, object] | None]] = []  # per checkpoint: previous held entries

    def _lookup(self, key: str) -> Any:
        """The staged value of `key`, _DELETED, or KeyError when only the base knows."""
        if key in self.pending:
            return self.pending[key]
        return self.held[key][0]

    def __getitem__(self, key: str) -> Any:
        try:
            value = self._lookup(key)
        except KeyError:
            return self.base[key]
        if value is _DELETED:
            raise KeyError(key)
        return value

    def __setitem__(self, key: str, value: Any) -> None:
        self.pending[key] = value

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self.pending[key] = _DELETED

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str) and (key in self.pending or key in self.held):
            return self._lookup(key) is not _DELETED
        return key in self.base

    def __iter__(self) -> Iterator[str]:
        return iter([key for key, _ in self.items()])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def items(self) -> Any:  # one pass over the base, not a lookup per key
        merged = dict(self.base.items())
        for key, (value, _) in self.held.items():
            merged[key] = value
        merged.update(self.pending)
        return [(key, value) for key, value in merged.items() if value is not _DELETED]

    def checkpoint(self, tag: object) -> None:
        """The page's writes join the batch's, remembered with `tag`."""
        undo = {key: self.held.get(key) for key in self.pending}
        for key, value in self.pending.items():
            self.held[key] = (value, tag)
        self.undo.append(undo)
        self.pending.clear()

    def rollback_to(self, savepoint: int) -> None:
        """Drop the page's writes and those of the checkpoints from `savepoint` on."""
        self.pending.clear()
        while len(self.undo) > savepoint:
            for key, previous in self.undo.pop().items():
                if previous is None:
                    del self.held[key]
                else:
                    self.held[key] = previous

    def commit(self) -> None:
        """Write the held and pending writes to the base (in the order they were made)."""
        self.checkpoint(None)
        sink = self.base if isinstance(self.base, TaggedSink) else None
        for key, (value, tag) in self.held.items():
            if value is _DELETED:
                if sink is not None:
                    sink.remove(key, tag)
                else:
                    self.base.pop(key, None)
            elif sink is not None:
                sink.put(key, value, tag)
            else:
                self.base[key] = value
        self.held.clear()
        self.undo.clear()


class PipelineState:
    """Everything dedup remembers, behind plain mappings so a Faust table can stand in.

    * `ticker_records`: one record per remembered ticker event, `"<scope>|<event_id>"` ->
      `[text, first_seen, last_seen, [[rewording, similarity], ...]]` (dedup.TickerEntry);
    * `articles`: article_id -> ArticleRecord.to_json();
    * `bodies`: body fingerprint -> the article_id it was first seen under.

    The ticker lookup index (`DedupState`) is derived from `ticker_records`, one scope at a
    time, the first time a scope is met; `forget_derived()` drops it (call it when the
    records may have changed underneath, e.g. after a rebalance or a recovery).

    Writes are staged: processing a page changes nothing underneath until `commit()`. The
    worker commits only after the page's events are acknowledged by the broker, so a crash
    in between replays the page against the old state and re-emits the same events (same
    ids, same bytes) instead of losing them; `rollback()` undoes a page that failed.

    A worker publishing a batch of pages at once keeps each decided page's writes with
    `checkpoint(tag)` (the next page sees them), and commits the batch once every record of
    it is acknowledged; `rollback_to(savepoint)` drops the pages from a savepoint on.
    `tag` goes with the writes to a base that is a `TaggedSink` (the worker's tables).
    """

    __slots__ = ("_index", "_loaded", "_scope_keys", "_staged", "articles", "bodies", "ticker_records")

    def __init__(
        self,
        ticker_records: MutableMapping[str, Any] | None = None,
        articles: MutableMapping[str, Any] | None = None,
        bodies: MutableMapping[str, Any] | None = None,
    ) -> None:
        self._staged = tuple(_Staged({} if base is None else base) for base in (ticker_records, articles, bodies))
        self.ticker_records, self.articles, self.bodies = self._staged
        self._index = DedupState()
        self._loaded: set[str] = set()
        self._scope_keys: dict[str, list[str]] | None = None

    @property
    def savepoint(self) -> int:
        """The number of checkpoints held: `rollback_to(savepoint)` comes back here."""
        return len(self._staged[0].undo)

    def checkpoint(self, tag: object = None) -> None:
        """Keep the page's writes with the batch's (not yet written underneath)."""
        for staged in self._staged:
            staged.checkpoint(tag)

    def commit(self) -> None:
        """Write the staged changes (the batch's and the page's) to the underlying mappings."""
        for staged in self._staged:
            staged.commit()

    def rollback(self) -> None:
        """Drop the page's staged changes (and the derived index, which already saw them)."""
        self.rollback_to(self.savepoint)

    def rollback_to(self, savepoint: int) -> None:
        """Drop the page's staged changes and the checkpoints from `savepoint` on."""
        for staged in self._staged:
            staged.rollback_to(savepoint)
        self.forget_derived()

    def ticker_index(self, scope: str) -> DedupState:
        """The derived index, with `scope` loaded from the records.

        The first scope met after `forget_derived()` lists the keys of every scope in one
        pass over the records; each scope then loads only its own entries, so loading all
        the scopes of a partition costs one pass, not one per scope."""
        if scope not in self._loaded:
            if self._scope_keys is None:
                self._scope_keys = {}
                for key in self.ticker_records:
                    self._scope_keys.setdefault(key.rpartition("|")[0], []).append(key)
            records = self.ticker_records
            entries = tuple(
                TickerEntry.from_json(key, records[key]) for key in self._scope_keys.pop(scope, ()) if key in records
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
        self._scope_keys = None


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
    parsed = parse_page(page, tz=config.zone_of(page))
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

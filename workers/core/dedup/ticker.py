"""Ticker dedup: is this breaking-news item new, or a sighting of one we already know?

The decision is a pure function of the sighting and the state of its scope:

    decision, change = decide(sighting, state, config)
    state.apply(change)            # the caller applies it (and writes change.records())

`decide` never mutates `state`; time comes in as the sighting's event time (`seen_at`, the
page's fetched_at), never from a clock. `expire(state, scope, config)` returns the change
that forgets entries older than the horizon.

Rules, in order:

1. **Scope.** Items are compared only with items of the same scope: the site by default,
   or "global" (`dedup_scope`).
2. **Horizon.** An entry is visible to a sighting at time t when it was last seen no earlier
   than max(W, t) - horizon and first seen no later than t + horizon, where W is the latest
   event time the scope's state knows (the largest `last_seen`). Because `decide` already
   ignores what `expire` would delete, when expiry runs never changes a decision, and a page
   that arrives late but within the horizon is matched in both directions of time.
3. **Exact.** The exact key (`line_match.exact_key`: normalized text without punctuation
   or spaces; attribution and time are not part of the item text) is looked up in a dict:
   O(1). Reworded copies met before are kept as aliases of their event, so a rewording
   that repeats on every page also takes this path (kind "near", its stored similarity).
4. **Near.** Candidates come from an inverted index of content tokens, probing the query's
   rarest tokens within a budget of postings visited (`max_postings`: long lists are looked
   up for the events the rare ones hold, not walked; see `ScopeIndex.candidates`), so the
   cost of a line does not grow with the state; each is verified with `line_match.Probe` (the verdict of
   `line_match.compare`, which can veto the merge: numbers, negation, place,
   substitution; see that module). The best candidate whose
   similarity reaches `config.threshold` and that no rule vetoes wins; ties go to the
   earliest first sighting, then the smaller event id, so the choice never depends on
   dict order.
5. **Ids.** A new event's id is `tk_` + 16 hex of blake2b(scope, normalized text of the
   first sighting): replaying the same input in the same order gives the same ids.

State, and why it is shaped this way (it is meant for a Faust table):

* One table record per remembered event, key `"<scope>|<event_id>"`, value
  `[text, first_seen, last_seen, [[alias, similarity], ...]]` (orjson-ready; times are
  epoch seconds of event time). A new event writes one record, which grows by one alias
  per remembered rewording (benchmarks/bench_dedup.py measures the bytes); a sighting writes
  nothing unless it adds an alias or moves `last_seen` forward by more than
  `config.touch_interval` (1 h), so a strip repeated on every page costs one write per item
  per hour, not one per page. One record per scope would rewrite the whole scope (tens of
  KB) on every change.
* The stream is repartitioned by scope, and Faust writes a table key to the changelog
  partition of the event being processed, so a scope's records live on its partition and
  move with it.
* `ScopeIndex` (exact map, token postings, what verification reads of the `line_features`
  of every remembered text, watermark) is *derived*: the worker rebuilds it from the records one scope at a time,
  the first time it meets the scope after a start or a rebalance
  (`PipelineState.ticker_index` applies the scope's records as a `StateChange`), and
  `apply` keeps it in step. `DedupState.from_records` rebuilds a whole state at once
  (tests and benchmarks use it to check that a rebuilt state decides the same).
  Nothing else is remembered, so the changelog alone restores every decision. Keeping the
  features means verifying a candidate builds nothing; an added alias re-uses the features
  of the entry's other texts and touches only the postings that change. They are kept
  compactly, since the index is what grows with the remembered items (docs/dedup.md,
  "State"): one flat tuple per entry (`line_match.StoredText`, no set per text) and exact
  keys that hold the entry's text instead of a bytes copy (`line_match.text_key`).
* Expiry by event time is a scan of one scope's entries, skipped while the oldest
  `last_seen` is inside the horizon.

Speed: `ScopeIndex.candidates`, the candidate loop of `decide` and the postings updates run
on the compiled kernel when it is built (`line_match.compiled()`), with the same results
as the Python here (the reference, and the fallback); see `line_match` and
benchmarks/bench_dedup.py.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import chain
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple
from urllib.parse import urlsplit

from workers.core.dedup import line_match
from workers.core.dedup.line_match import (
    LineFeatures,
    Probe,
    StoredText,
    exact_key,
    line_features,
    stored,
    stored_texts,
    stored_tokens,
    text_key,
)

if TYPE_CHECKING or line_match._BUILT:
    from workers.core.dedup import _nearpath
from workers.core.normalize import normalize_for_matching

__all__ = [
    "DEFAULT_CONFIG",
    "GLOBAL_SCOPE",
    "Decision",
    "DedupConfig",
    "DedupState",
    "Duplicate",
    "New",
    "ScopeIndex",
    "StateChange",
    "TickerEntry",
    "TickerSighting",
    "decide",
    "dedup_scope",
    "epoch_seconds",
    "expire",
    "postings_visited",
    "sighting_record",
    "ticker_event_id",
]

GLOBAL_SCOPE: Final = "global"
ScopeMode = Literal["site", "global"]
_KEY_SEP: Final = "|"


@dataclass(frozen=True, slots=True)
class DedupConfig:
    """Knobs of ticker dedup. `threshold` was chosen with benchmarks/eval_dedup.py."""

    horizon: timedelta = timedelta(hours=72)
    threshold: float = 0.4
    touch_interval: timedelta = timedelta(hours=1)
    max_aliases: int = 8
    max_candidates: int = 8
    # Share of a line's content tokens, rarest first, probed in the inverted index. Any
    # line that shares at least (1 - probe_share) of them shares a probed one.
    probe_share: float = 0.7
    # Postings a candidate lookup may visit (holders walked + found events looked up in
    # the holders of tokens too common to walk): bounds its cost whatever the size of the
    # state (`ScopeIndex.candidates`; docs/dedup.md, "How candidates are bounded").
    max_postings: int = 256
    # horizon and touch_interval in whole seconds, computed once (decide reads them per item)
    horizon_s: int = field(init=False, repr=False, compare=False)
    touch_interval_s: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "horizon_s", int(self.horizon.total_seconds()))
        object.__setattr__(self, "touch_interval_s", self.touch_interval.total_seconds())
        if self.horizon <= timedelta(0):
            msg = f"horizon must be positive, got {self.horizon}"
            raise ValueError(msg)
        if not 0.0 < self.threshold <= 1.0:
            msg = f"threshold must be in (0, 1], got {self.threshold}"
            raise ValueError(msg)
        if self.touch_interval < timedelta(0) or self.touch_interval >= self.horizon:
            msg = "touch_interval must be >= 0 and shorter than the horizon"
            raise ValueError(msg)
        if self.max_aliases < 0 or self.max_candidates < 1 or self.max_postings < 1:
            msg = "max_aliases must be >= 0, max_candidates and max_postings >= 1"
            raise ValueError(msg)
        if not 0.0 < self.probe_share <= 1.0:
            msg = f"probe_share must be in (0, 1], got {self.probe_share}"
            raise ValueError(msg)


DEFAULT_CONFIG: Final = DedupConfig()


def dedup_scope(site: str | None, url: str | None, mode: ScopeMode = "site") -> str:
    """Return the dedup scope of a page: its site (else its URL's host), or "global"."""
    if mode == "global":
        return GLOBAL_SCOPE
    if site:
        return site.strip().lower()
    host = urlsplit(url).hostname if url else None
    return host or GLOBAL_SCOPE


def ticker_event_id(scope: str, normalized: str) -> str:
    """Return the stable id of a ticker event: `tk_` + blake2b of scope and text."""
    digest = hashlib.blake2b(f"{scope}\x1f{normalized}".encode(), digest_size=8)
    return "tk_" + digest.hexdigest()


def epoch_seconds(moment: datetime) -> int:
    """Whole epoch seconds of an aware event time (a naive one is a ValueError)."""
    if moment.utcoffset() is None:  # also when tzinfo is None
        msg = f"event time must be timezone-aware, got {moment!r}"
        raise ValueError(msg)
    return math.floor(moment.timestamp())


@dataclass(frozen=True, slots=True)
class TickerSighting:
    """One ticker item as seen on one page: what `decide` takes."""

    scope: str
    text: str  # as printed (without attribution and time)
    normalized: str  # normalize_for_matching(text)
    seen_at: datetime  # event time: the page's fetched_at (timezone-aware)
    url: str | None = None

    @classmethod
    def of(
        cls,
        text: str,
        *,
        seen_at: datetime,
        site: str | None = None,
        url: str | None = None,
        mode: ScopeMode = "site",
    ) -> TickerSighting:
        """Build a sighting from an item's text and its page (normalizes the text)."""
        return cls(
            scope=dedup_scope(site, url, mode),
            text=text,
            normalized=normalize_for_matching(text),
            seen_at=seen_at,
            url=url,
        )


# The records `decide` builds for every sighting (decisions, entries, changes) are named
# tuples: as immutable as frozen dataclasses and several times cheaper to build, which
# matters at the near path's budget.


class New(NamedTuple):
    """The item is a new event; emit it to events.ticker under `event_id`."""

    event_id: str


class Duplicate(NamedTuple):
    """The item is a sighting of `event_id`; emit a record to events.sightings."""

    event_id: str
    similarity: float
    kind: Literal["exact", "near"]


Decision = New | Duplicate


class TickerEntry(NamedTuple):
    """One remembered event: the state record of a Faust table, one per event."""

    scope: str
    event_id: str
    text: str  # normalized text of the first sighting
    first_seen: int  # epoch seconds, event time
    last_seen: int
    aliases: tuple[tuple[str, float], ...] = ()  # (normalized rewording, similarity)

    @property
    def key(self) -> str:
        """The table key: `"<scope>|<event_id>"`."""
        return f"{self.scope}{_KEY_SEP}{self.event_id}"

    def to_json(self) -> list[Any]:
        """The table value (orjson-serializable)."""
        return [self.text, self.first_seen, self.last_seen, [list(a) for a in self.aliases]]

    @classmethod
    def from_json(cls, key: str, value: list[Any]) -> TickerEntry:
        """Rebuild an entry from its table key and value."""
        scope, _, event_id = key.rpartition(_KEY_SEP)
        text, first_seen, last_seen, aliases = value
        return cls(
            scope=scope,
            event_id=event_id,
            text=str(text),
            first_seen=int(first_seen),
            last_seen=int(last_seen),
            aliases=tuple((str(a), float(s)) for a, s in aliases),
        )


class StateChange(NamedTuple):
    """What a decision or an expiry changes: entries to write and table keys to delete."""

    put: tuple[TickerEntry, ...] = ()
    delete: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to write."""
        return not self.put and not self.delete

    def records(self) -> list[tuple[str, list[Any] | None]]:
        """The table writes, in order: `(key, value)`, value None meaning delete."""
        out: list[tuple[str, list[Any] | None]] = [(k, None) for k in self.delete]
        out.extend((e.key, e.to_json()) for e in self.put)
        return out


NO_CHANGE: Final = StateChange()

# Postings visited by the Python candidate lookups: holders walked, plus one per event
# looked up in a common token's holders (a counter, for tests and benchmarks).
_visited = [0]


def postings_visited() -> int:
    """Postings the candidate lookups have visited since the process started (holders
    walked, plus one per found event looked up in a common token's holders), on either
    implementation: an instrument for tests and benchmarks, never read by `decide`."""
    kernel = _nearpath.postings_visited() if line_match._BUILT else 0
    return _visited[0] + kernel


class ScopeIndex:
    """The entries of one scope with the indexes `decide` reads (derived, not stored)."""

    __slots__ = ("_exact", "_features", "_next_expiry", "_postings", "entries", "watermark")

    def __init__(self) -> None:
        self.entries: dict[str, TickerEntry] = {}
        # exact key -> the event id for the first sighting's own text (most keys: a bare
        # str, no tuple per item), (event id, similarity) for a remembered rewording. The
        # keys are `line_match.text_key`s: equal to the `exact_key` bytes a lookup passes,
        # holding the entry's text instead of the bytes
        self._exact: dict[Hashable, str | tuple[str, float]] = {}
        # token -> the events holding it, as the keys of a dict (an ordered set: removal is
        # O(1) like a set's, and iterating it walks a dense array, which candidate lookup
        # does for every probed token)
        self._postings: dict[str, dict[str, None]] = {}
        # event id -> what verifying a candidate reads of its texts (first sighting, then
        # aliases): `line_match.StoredText`, one flat tuple of the `line_features` fields it
        # needs, without token sets or exact keys (derived from the entry like the rest,
        # kept so that verifying a candidate builds nothing)
        self._features: dict[str, StoredText] = {}
        self.watermark = -(2**62)  # largest last_seen; derived from the entries
        self._next_expiry = 2**62  # smallest last_seen (a lower bound after removals)

    def __len__(self) -> int:
        return len(self.entries)

    def exact(self, key: bytes) -> tuple[TickerEntry, float, bool] | None:
        """The entry whose text or alias has exact key `key`: (entry, similarity, is the
        first sighting's own text)."""
        hit = self._exact.get(key)
        if hit is None:
            return None
        if isinstance(hit, str):
            return self.entries[hit], 1.0, True
        return self.entries[hit[0]], hit[1], False

    def features(self, event_id: str) -> tuple[LineFeatures, ...]:
        """The `line_features` of the entry's texts: first sighting, then aliases
        (computed: the index keeps only their `StoredText`)."""
        return tuple(map(line_features, _texts(self.entries[event_id])))

    @property
    def stored_texts(self) -> Mapping[str, StoredText]:
        """Event id -> the `StoredText` of the entry's texts, first sighting then aliases
        (concatenated), what verification reads (`Probe.first_stored`; do not modify)."""
        return self._features

    def candidates(self, features: LineFeatures, config: DedupConfig) -> list[str]:
        """Event ids sharing probed rare tokens with `features`, most shared first.

        The `probe_share` rarest tokens (fewest holders, then by token) are probed. When
        their holder lists add up to at most `max_postings`, they are all walked, counting
        the events found in them. Otherwise the rarest lists are walked, each whole, and
        the events found are looked up in the other probed tokens' lists, so that each
        found event's count is still that of every probed token it holds; as many lists
        are walked as keep the postings walked plus the look-ups within `max_postings`,
        none when even the rarest is too common (the line then has no candidate). An
        event must hold `floor` of the probed tokens; the ranking is (most held, smaller
        event id). Nothing depends on dict order.
        """
        if line_match._compiled:
            return _nearpath.candidates(
                features.tokens, self._postings, config.probe_share, config.max_candidates, config.max_postings
            )
        tokens = features.tokens
        get = self._postings.get
        # (holders, token, holders) of every indexed token: sorting them ranks the tokens
        # rarest first, ties by token (tokens are distinct: the sets are never compared)
        found = [(len(h), t, h) for t in tokens if (h := get(t)) is not None]
        if not found:
            return []
        n_probe = max(1, math.ceil(config.probe_share * len(tokens)))
        if n_probe < len(found):
            found.sort()
            del found[n_probe:]
        budget = config.max_postings
        checked: list[tuple[int, str, dict[str, None]]] = []
        if sum(n for n, _, _ in found) > budget:
            found.sort()
            walk, look = _split_probes([n for n, _, _ in found], budget)
            if not walk:  # even the rarest probed token is too common to walk
                return []
            found, checked = found[:walk], found[walk : walk + look]
        counts = Counter(chain.from_iterable([h for _, _, h in found]))
        for _, _, holders in checked:  # the common tokens: looked up, not walked
            for event_id in counts.keys() & holders.keys():
                counts[event_id] += 1
        _visited[0] += sum(n for n, _, _ in found) + len(counts) * len(checked)
        # a line sharing a single token with this one cannot reach any useful threshold
        floor = 2 if len(tokens) > 2 else 1
        limit = config.max_candidates
        if len(counts) > limit:  # no event held fewer times than the limit-th one can be kept
            floor = max(floor, sorted(counts.values(), reverse=True)[limit - 1])
        ranked = sorted([(-n, e) for e, n in counts.items() if n >= floor])
        return [event_id for _, event_id in ranked[:limit]]

    def add(self, entry: TickerEntry) -> None:
        """Index `entry` (replacing an entry with the same event id)."""
        event_id = entry.event_id
        old = self.entries.get(event_id)
        if old is not None:
            n_old = len(old.aliases)
            if entry.text == old.text and entry.aliases[:n_old] == old.aliases:
                self._extend(old, entry)  # the usual case: touched, or aliases appended
                return
            old_texts = self._features[event_id]
            old_tokens = stored_tokens(old_texts)
            self._unindex(event_id)
            known = dict(zip(_texts(old), stored_texts(old_texts), strict=True))
            texts = tuple(chain.from_iterable(known.get(t) or stored(line_features(t)) for t in _texts(entry)))
            tokens = stored_tokens(texts)
            self._drop_postings(event_id, old_tokens - tokens)
            self._index(entry, texts, None, tokens - old_tokens)
        elif not entry.aliases:  # a new event: one text
            features = line_features(entry.text)
            self._index(entry, stored(features), features.squashed, features.tokens)
        else:
            texts = tuple(chain.from_iterable(stored(line_features(t)) for t in _texts(entry)))
            self._index(entry, texts, None, stored_tokens(texts))

    def _extend(self, old: TickerEntry, entry: TickerEntry) -> None:
        """Replace `old` by `entry`, the same texts plus aliases appended (or none): only the
        new aliases are indexed; the exact keys and postings of the others stay."""
        event_id = entry.event_id
        self.entries[event_id] = entry
        added = entry.aliases[len(old.aliases) :]  # usually one, or none
        if added:
            texts = self._features[event_id]
            tokens = stored_tokens(texts)
            for rewording, similarity in added:
                features = line_features(rewording)
                texts += stored(features)
                self._exact.setdefault(text_key(rewording, features.squashed), (event_id, similarity))
                new_tokens = features.tokens - tokens
                if new_tokens:
                    tokens |= new_tokens
                    self._add_postings(event_id, new_tokens)
            self._features[event_id] = texts
        self._seen(entry.last_seen)

    def _index(self, entry: TickerEntry, texts: StoredText, key: bytes | None, new_tokens: Iterable[str]) -> None:
        """Index `entry` (not indexed now) with its texts' `StoredText` and the exact key of
        its first text (`key`, computed when None); of the postings, only `new_tokens` are
        missing."""
        event_id = entry.event_id
        self.entries[event_id] = entry
        self._features[event_id] = texts
        exact = self._exact
        text = entry.text
        exact[text_key(text, exact_key(text) if key is None else key)] = event_id
        for alias, similarity in entry.aliases:
            exact.setdefault(text_key(alias, exact_key(alias)), (event_id, similarity))
        self._add_postings(event_id, new_tokens)
        self._seen(entry.last_seen)

    def _seen(self, last_seen: int) -> None:
        """Keep the watermark (largest last_seen) and the expiry bound (smallest)."""
        self.watermark = max(self.watermark, last_seen)
        self._next_expiry = min(self._next_expiry, last_seen)

    def _add_postings(self, event_id: str, tokens: Iterable[str]) -> None:
        if line_match._compiled:  # the loop below, compiled
            _nearpath.add_postings(self._postings, tokens, event_id)
            return
        postings = self._postings
        for token in tokens:
            holders = postings.get(token)
            if holders is None:
                postings[token] = {event_id: None}
            else:
                holders[event_id] = None

    def remove(self, event_id: str) -> None:
        """Forget the entry `event_id` and its index entries."""
        if event_id in self.entries:
            tokens = stored_tokens(self._features[event_id])
            self._unindex(event_id)
            self._drop_postings(event_id, tokens)

    def _unindex(self, event_id: str) -> None:
        """Forget the entry, its texts and its exact keys (not its postings)."""
        entry = self.entries.pop(event_id)
        del self._features[event_id]
        exact = self._exact
        for text in _texts(entry):
            key = exact_key(text)
            hit = exact.get(key)
            if hit is not None and (hit if isinstance(hit, str) else hit[0]) == event_id:
                del exact[key]

    def _drop_postings(self, event_id: str, tokens: Iterable[str]) -> None:
        postings = self._postings
        for token in tokens:
            holders = postings.get(token)
            if holders is not None:
                holders.pop(event_id, None)
                if not holders:
                    del postings[token]

    def expired(self, cutoff: int) -> list[str]:
        """Event ids last seen before `cutoff`, sorted (a scan, skipped when none can be)."""
        if cutoff <= self._next_expiry:
            return []
        old = sorted(e.event_id for e in self.entries.values() if e.last_seen < cutoff)
        if not old:  # only a cache: stays a lower bound whether or not a change is applied
            self._next_expiry = min((e.last_seen for e in self.entries.values()), default=2**62)
        return old


def _split_probes(sizes: list[int], budget: int) -> tuple[int, int]:
    """How a candidate lookup over probed holder lists of these `sizes` (rarest first,
    adding up to more than `budget`) stays within `budget` visits: (k, m), walk the k
    rarest lists and look each event found (at most the w postings walked) up in the next
    m, w * (1 + m) visits.

    k is as many lists as can be walked with the events found looked up in all the others;
    when not even the rarest can, it is walked alone (if at most half the budget) and its
    events looked up in as many of the next rarest as the budget allows.
    """
    n, walked = len(sizes), 0
    for k, size in enumerate(sizes):  # never runs off the end: w = the total there
        if (walked + size) * (n - k) > budget:
            if k:
                return k, n - k
            break
        walked += size
    rarest = sizes[0]
    if 2 * rarest > budget:
        return 0, 0
    return 1, budget // rarest - 1  # < n - 1, or the loop would have walked it


def _texts(entry: TickerEntry) -> Iterator[str]:
    yield entry.text
    for alias, _ in entry.aliases:
        yield alias


_EMPTY_SCOPE: Final = ScopeIndex()


@dataclass(slots=True)
class DedupState:
    """Every scope's `ScopeIndex`: the in-memory side of the dedup table."""

    scopes: dict[str, ScopeIndex] = field(default_factory=dict)

    def view(self, scope: str) -> ScopeIndex:
        """The index of `scope` (an empty one, not stored, when the scope is unknown)."""
        return self.scopes.get(scope, _EMPTY_SCOPE)

    def apply(self, change: StateChange) -> None:
        """Apply a change returned by `decide` or `expire`."""
        for key in change.delete:
            scope, _, event_id = key.rpartition(_KEY_SEP)
            index = self.scopes.get(scope)
            if index is not None:
                index.remove(event_id)
                if not index.entries:
                    del self.scopes[scope]
        for entry in change.put:
            index = self.scopes.get(entry.scope)
            if index is None:
                index = self.scopes[entry.scope] = ScopeIndex()
            index.add(entry)

    def records(self) -> Iterator[tuple[str, list[Any]]]:
        """Every entry as a table record `(key, value)`, sorted by key."""
        entries = (e for index in self.scopes.values() for e in index.entries.values())
        for entry in sorted(entries, key=lambda e: e.key):
            yield entry.key, entry.to_json()

    @classmethod
    def from_records(cls, records: Iterable[tuple[str, list[Any]]]) -> DedupState:
        """Rebuild the state from table records (e.g. a recovered Faust table's items)."""
        entries = sorted(
            (TickerEntry.from_json(k, v) for k, v in records),
            key=lambda e: (e.first_seen, e.key),  # the order they were first written in
        )
        state = cls()
        state.apply(StateChange(put=tuple(entries)))
        return state

    def __len__(self) -> int:
        return sum(len(index) for index in self.scopes.values())


def _is_visible(entry: TickerEntry, now: int, horizon: int, watermark: int) -> bool:
    return entry.last_seen >= max(watermark, now) - horizon and entry.first_seen <= now + horizon


def decide(
    sighting: TickerSighting, state: DedupState, config: DedupConfig = DEFAULT_CONFIG
) -> tuple[Decision, StateChange]:
    """Decide whether `sighting` is new or a duplicate, and say how the state changes."""
    index = state.scopes.get(sighting.scope, _EMPTY_SCOPE)
    now = epoch_seconds(sighting.seen_at)
    horizon = config.horizon_s
    key = exact_key(sighting.normalized)

    hit = index.exact(key)
    if hit is not None and _is_visible(hit[0], now, horizon, index.watermark):
        entry, stored, is_first = hit
        # the first sighting's own key is "exact"; a remembered rewording's is "near"
        kind: Literal["exact", "near"] = "exact" if is_first else "near"
        return Duplicate(entry.event_id, stored, kind), _touch(entry, now, config)

    features = line_features(sighting.normalized)
    best: tuple[float, int, str] | None = None  # (similarity, first_seen, event_id)
    if line_match._compiled:  # `index.candidates` and the loop below, compiled
        oldest, latest = max(index.watermark, now) - horizon, now + horizon
        best = _nearpath.near(
            features,
            index._postings,
            index.entries,
            index.stored_texts,
            config.probe_share,
            config.max_candidates,
            config.max_postings,
            oldest,
            latest,
            config.threshold,
        )
    elif candidates := index.candidates(features, config):
        first_match = Probe(features, config.threshold).first_stored
        entries, texts = index.entries, index.stored_texts
        # `_is_visible`, with its bounds computed once
        oldest, latest = max(index.watermark, now) - horizon, now + horizon
        for event_id in candidates:
            entry = entries[event_id]
            if entry.last_seen < oldest or entry.first_seen > latest:
                continue
            # the first of the entry's texts (first sighting, then aliases in the order
            # they were met) that the line matches with no veto
            found = first_match(texts[event_id])
            if found is not None and (
                best is None or (-found, entry.first_seen, event_id) < (-best[0], best[1], best[2])
            ):
                best = (found, entry.first_seen, event_id)
    if best is not None:
        entry = index.entries[best[2]]
        rounded = round(best[0], 3)
        change = _touch(entry, now, config, alias=(sighting.normalized, rounded), alias_key=key)
        return Duplicate(entry.event_id, rounded, "near"), change

    event_id = ticker_event_id(sighting.scope, sighting.normalized)
    entry = TickerEntry(sighting.scope, event_id, sighting.normalized, now, now)
    return New(event_id), StateChange(put=(entry,))


def _touch(
    entry: TickerEntry,
    now: int,
    config: DedupConfig,
    alias: tuple[str, float] | None = None,
    *,
    alias_key: bytes | None = None,
) -> StateChange:
    """The change for a sighting: move last_seen forward (coarsely) and remember an alias
    unless one of the entry's aliases has its exact key (`alias_key`, when the caller has
    it; the aliases' keys are computed, the index does not keep them per text)."""
    last_seen = now if now > entry.last_seen + config.touch_interval_s else entry.last_seen
    aliases = entry.aliases
    if alias is not None and len(aliases) < config.max_aliases:
        key = exact_key(alias[0]) if alias_key is None else alias_key
        if not any(exact_key(a) == key for a, _ in aliases):
            aliases = (*aliases, alias)
    if last_seen == entry.last_seen and aliases is entry.aliases:
        return NO_CHANGE
    changed = TickerEntry(entry.scope, entry.event_id, entry.text, entry.first_seen, last_seen, aliases)
    return StateChange(put=(changed,))


def expire(
    state: DedupState,
    scope: str,
    config: DedupConfig = DEFAULT_CONFIG,
    now: datetime | None = None,
) -> StateChange:
    """The change that forgets `scope`'s entries last seen before the horizon.

    The reference time is the scope's watermark (its latest known event time), or `now`
    (an event time, e.g. the current page's fetched_at) when that is later.
    """
    index = state.view(scope)
    reference = index.watermark if now is None else max(index.watermark, epoch_seconds(now))
    cutoff = reference - config.horizon_s
    old = index.expired(cutoff)
    return StateChange(delete=tuple(f"{scope}{_KEY_SEP}{event_id}" for event_id in old))


def sighting_record(decision: Duplicate, sighting: TickerSighting) -> dict[str, Any]:
    """The events.sightings value for a duplicate decision."""
    return {
        "event_id": decision.event_id,
        "scope": sighting.scope,
        "url": sighting.url,
        "seen_at": sighting.seen_at.isoformat(),
        "text": sighting.text,
        "similarity": decision.similarity,
        "kind": decision.kind,
    }

"""The dashboard's view model: pure (no Kafka, clock or I/O), unit-tested without a broker.

Records of events.ticker, events.sightings and events.articles come in (`add`, with the
record's timestamp); out comes an ordered log of `Item`s, each with a sequence number and
the JSON a browser receives. The log is what a browser is sent on connect, and what lets a
reconnecting browser resume where it stopped:

- **Sequence ids.** Every item added gets the next `seq`; the log holds a contiguous run
  of them (`first_seq`..`last_seq`), oldest first. A message id on the wire is
  `<epoch>-<seq>`, where `epoch` names this server process: a browser that reconnects
  to a restarted server (another epoch, another sequence) is sent the whole log again
  after a `reset`, never a gap or a repeat (`resume`).
- **Counters.** How widely an event is carried: `times` = 1 (its first sighting, the
  event itself) + the distinct sightings in the log; `sites` = the distinct sites among
  the event's own site and its sightings' (at least 1). Each item carries the counter of
  the event it is about as of that item, so the newest item about an event holds its
  current counter (`carried`). A sighting may arrive before its event (another
  partition): it counts all the same.
- **Duplicates.** Delivery is at least once, so a record may come twice: a ticker event
  is known by its `event_id`, an article revision by `article_id` and `revision`, a
  sighting by its event, URL, time and text. A repeat adds nothing (`add` returns None).
- **Window.** `trim(now)` drops items older than the window (by record timestamp) from
  the front of the log, and the oldest ones past `max_items` in any case. The log is in
  arrival order and timestamps are only roughly ordered across partitions, so an item
  leaves once it and every item before it are out of the window; records older than the
  window are refused on arrival.
"""

from __future__ import annotations

import itertools
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, Final, Literal
from urllib.parse import urlsplit

import orjson

__all__ = ["KINDS", "Carried", "DashboardModel", "Item", "Kind", "Resume", "identify"]

Kind = Literal["ticker", "sighting", "article"]
# logical topic (topics.yaml) -> the kind of item its records become
KINDS: Final[dict[str, Kind]] = {
    "events.ticker": "ticker",
    "events.sightings": "sighting",
    "events.articles": "article",
}


@dataclass(frozen=True, slots=True)
class Carried:
    """How widely an event is carried: `times` seen in all, on `sites` distinct sites."""

    times: int
    sites: int


@dataclass(frozen=True, slots=True)
class Item:
    """One record as the dashboard keeps it: `wire` is the JSON sent to browsers."""

    seq: int
    kind: Kind
    ts: int  # record timestamp, ms since the epoch
    key: str  # what tells a repeat apart (see `identify`)
    about: str  # the event_id / article_id the item is about
    site: str | None
    wire: bytes


@dataclass(frozen=True, slots=True)
class Resume:
    """What a (re)connecting browser is sent: `items` after a `reset` (clear everything
    first) when it cannot resume where it stopped, else only the items it missed."""

    reset: bool
    items: list[Item]


@dataclass(slots=True)
class _Spread:
    """The items of the log about one event: its own records' sites and its sightings'."""

    origins: Counter[str | None] = field(default_factory=Counter)
    sightings: dict[str, str | None] = field(default_factory=dict)


def _text(value: dict[str, Any], name: str) -> str | None:
    found = value.get(name)
    return found if isinstance(found, str) and found else None


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname
    return host.removeprefix("www.") if host else None


def _ticker(value: dict[str, Any]) -> tuple[str, str, str | None] | None:
    event_id = _text(value, "event_id")
    if event_id is None:
        return None
    return f"t|{event_id}", event_id, _text(value, "site") or _text(value, "scope")


def _sighting(value: dict[str, Any]) -> tuple[str, str, str | None] | None:
    event_id = _text(value, "event_id")
    if event_id is None:
        return None
    url = _text(value, "url")
    key = "|".join(("s", event_id, url or "", str(value.get("seen_at")), str(value.get("text"))))
    return key, event_id, _text(value, "site") or _text(value, "scope") or _host(url)


def _article(value: dict[str, Any]) -> tuple[str, str, str | None] | None:
    article_id = _text(value, "article_id")
    revision = value.get("revision")
    if article_id is None or not isinstance(revision, int):
        return None
    return f"a|{article_id}|{revision}", article_id, _text(value, "site") or _host(_text(value, "url"))


_IDENTIFY: Final = {"ticker": _ticker, "sighting": _sighting, "article": _article}


def identify(kind: Kind, value: object) -> tuple[str, str, str | None] | None:
    """(key, id of the event it is about, site) of a record value; None when the value is
    not an object with the id its kind needs (such a record is skipped)."""
    if not isinstance(value, dict):
        return None
    return _IDENTIFY[kind](value)


class DashboardModel:
    """The log of items in the window, their counters, and resuming from a message id.

    `epoch` names this log (a server process); `window_ms` None keeps everything (up to
    `max_items`); `now_ms` is when the window ends at start (records older than
    `now_ms - window_ms` are refused)."""

    def __init__(self, epoch: str, *, window_ms: int | None, now_ms: int, max_items: int = 200_000) -> None:
        if "-" in epoch or not epoch:
            raise ValueError(f"epoch must be a non-empty token without '-', not {epoch!r}")
        self.epoch = epoch
        self.window_ms = window_ms
        self.max_items = max_items
        self.cutoff_ms = now_ms - window_ms if window_ms is not None else None
        self._log: deque[Item] = deque()
        self._keys: set[str] = set()
        self._spread: dict[str, _Spread] = {}
        self._kinds: Counter[Kind] = Counter()
        self._next_seq = 1

    @property
    def first_seq(self) -> int:
        """Seq of the oldest item kept (`last_seq + 1` when the log is empty)."""
        return self._log[0].seq if self._log else self._next_seq

    @property
    def last_seq(self) -> int:
        """Seq of the newest item (0 before the first)."""
        return self._next_seq - 1

    def __len__(self) -> int:
        return len(self._log)

    def counts(self) -> dict[str, int]:
        """Items in the log by kind."""
        return {kind: self._kinds[kind] for kind in KINDS.values()}

    def message_id(self, seq: int) -> str:
        return f"{self.epoch}-{seq}"

    def add(self, kind: Kind, value: object, ts: int) -> Item | None:
        """Add one record's value; None when it is a repeat, unusable, or out of the window."""
        found = identify(kind, value)
        if found is None or (self.cutoff_ms is not None and ts < self.cutoff_ms):
            return None
        key, about, site = found
        if key in self._keys:
            return None
        spread = self._spread.setdefault(about, _Spread())
        if kind == "sighting":
            spread.sightings[key] = site
        else:
            spread.origins[site] += 1
        carried = self._carried(spread)
        seq = self._next_seq
        self._next_seq += 1
        wire = orjson.dumps(
            {"seq": seq, "kind": kind, "ts": ts, "value": value, "carried": [carried.times, carried.sites]}
        )
        item = Item(seq, kind, ts, key, about, site, wire)
        self._log.append(item)
        self._keys.add(key)
        self._kinds[kind] += 1
        self.trim_to_size()
        return item

    def carried(self, event_id: str) -> Carried:
        """The counter of an event (or article): 1 time on 1 site when nothing else is known."""
        spread = self._spread.get(event_id)
        return self._carried(spread) if spread is not None else Carried(1, 1)

    @staticmethod
    def _carried(spread: _Spread) -> Carried:
        sites = {site for site in itertools.chain(spread.origins, spread.sightings.values()) if site}
        return Carried(1 + len(spread.sightings), max(1, len(sites)))

    def trim(self, now_ms: int) -> int:
        """Move the window's start to `now_ms - window_ms` and drop what fell out of it from
        the front of the log; return how many items were dropped."""
        dropped = self.trim_to_size()
        if self.window_ms is None:
            return dropped
        cutoff = now_ms - self.window_ms
        self.cutoff_ms = max(cutoff, self.cutoff_ms if self.cutoff_ms is not None else cutoff)
        while self._log and self._log[0].ts < self.cutoff_ms:
            self._forget(self._log.popleft())
            dropped += 1
        return dropped

    def trim_to_size(self) -> int:
        """Drop the oldest items past `max_items`; return how many."""
        dropped = 0
        while len(self._log) > self.max_items:
            self._forget(self._log.popleft())
            dropped += 1
        return dropped

    def _forget(self, item: Item) -> None:
        self._keys.discard(item.key)
        self._kinds[item.kind] -= 1
        spread = self._spread[item.about]
        if item.kind == "sighting":
            del spread.sightings[item.key]
        else:
            spread.origins[item.site] -= 1
            if spread.origins[item.site] <= 0:
                del spread.origins[item.site]
        if not spread.origins and not spread.sightings:
            del self._spread[item.about]

    def position(self, message_id: str | None) -> int | None:
        """The seq a message id of this epoch names; None for no id, another epoch's, or junk."""
        if not message_id:
            return None
        epoch, _, seq = message_id.strip().rpartition("-")
        if epoch != self.epoch or not seq.isdigit():
            return None
        return int(seq)

    def resume(self, last_event_id: str | None) -> Resume:
        """What to send a browser whose last message had `last_event_id` (None: a new one).

        Resumable when the id is of this epoch and nothing after it has been trimmed; then
        only the items after it. Otherwise a reset and the whole log."""
        seq = self.position(last_event_id)
        if seq is None or not self.first_seq - 1 <= seq <= self.last_seq:
            return Resume(reset=True, items=list(self._log))
        start = seq - self.first_seq + 1
        return Resume(reset=False, items=list(itertools.islice(self._log, start, None)))

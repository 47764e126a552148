"""One page in, the records to publish out: the function both the worker and
`raqib process` run. Pure: no Kafka, no clock, no I/O.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from workers.core.models import Page

__all__ = ["OutputRecord", "PageOutcome", "process_page"]


@dataclass(frozen=True, slots=True)
class OutputRecord:
    """A record to publish: logical topic name (from topics.yaml), key and JSON value."""

    topic: str
    key: str | None
    value: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PageOutcome:
    """What processing one page produced, with counts for the canonical log line."""

    records: tuple[OutputRecord, ...]
    counts: dict[str, int]


def _article_id(page: Page) -> str:
    basis = page.url if page.url else page.body
    return "ar_" + hashlib.blake2b(basis.encode("utf-8"), digest_size=8).hexdigest()


def process_page(page: Page) -> PageOutcome:
    """Pass-through stage of the foundation build: the page becomes one article event with
    its body unchanged (one paragraph), because parsing and dedup are not enabled yet.
    """
    value: dict[str, Any] = {
        "article_id": _article_id(page),
        "revision": 1,
        "url": page.url,
        "site": page.site,
        "outlet": page.site,
        "title": None,
        "author": None,
        "published_at": None,
        "published_at_source": "missing",
        "category": None,
        "dateline": None,
        "body": [page.body],
        "ticker_event_ids": [],
        "fetched_at": page.fetched_at.isoformat(),
        "note": "pass-through: parsing and dedup are not enabled in this build",
    }
    record = OutputRecord("events.articles", value["article_id"], value)
    return PageOutcome((record,), {"articles": 1, "ticker_total": 0})

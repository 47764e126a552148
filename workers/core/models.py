"""Records shared by the pure core: a page in, ticker items and an article out.

Frozen, slotted dataclasses; `to_dict()` gives the JSON-ready shape used on the wire
(see schemas/). Datetimes are timezone-aware.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

__all__ = [
    "Article",
    "Dateline",
    "Page",
    "ParseFailure",
    "ParsedPage",
    "TickerItem",
]

ContentType = Literal["text/plain", "text/html"]
PARSER_ERROR = "parser_error"  # the ParseFailure reason of an exception inside the parser
PublishedAtSource = Literal["explicit", "inferred", "missing"]


@dataclass(frozen=True, slots=True)
class Page:
    """One fetched page, as a scraper publishes it to pages.raw."""

    url: str | None
    fetched_at: datetime
    content_type: ContentType
    body: str
    site: str | None = None
    scraper: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "url": self.url,
            "fetched_at": self.fetched_at.isoformat(),
            "content_type": self.content_type,
            "body": self.body,
        }
        if self.site is not None:
            out["site"] = self.site
        if self.scraper is not None:
            out["scraper"] = self.scraper
        if self.headers:
            out["headers"] = dict(self.headers)
        return out


@dataclass(frozen=True, slots=True)
class TickerItem:
    """One breaking-news item as printed on a page: `TEXT (ATTRIBUTION) - HH:MM`."""

    text: str
    attribution: str | None
    time: str | None  # "HH:MM" as printed
    reported_at: datetime | None  # `time` resolved against fetched_at in the site's zone

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "attribution": self.attribution,
            "time": self.time,
            "reported_at": self.reported_at.isoformat() if self.reported_at else None,
        }


@dataclass(frozen=True, slots=True)
class Dateline:
    """`سمارت – درعا`: the agency and the place an article was filed from."""

    agency: str | None
    place: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"agency": self.agency, "place": self.place}


@dataclass(frozen=True, slots=True)
class Article:
    """The article part of a page, before dedup assigns an id and a revision."""

    title: str | None
    author: str | None
    published_at: str | None  # ISO 8601, local time as printed; offset added when known
    published_at_source: PublishedAtSource
    category: str | None
    dateline: Dateline | None
    outlet: str | None
    body: tuple[str, ...]  # paragraphs

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "author": self.author,
            "published_at": self.published_at,
            "published_at_source": self.published_at_source,
            "category": self.category,
            "dateline": self.dateline.to_dict() if self.dateline else None,
            "outlet": self.outlet,
            "body": list(self.body),
        }


@dataclass(frozen=True, slots=True)
class ParsedPage:
    """What the parser found on one page."""

    ticker: tuple[TickerItem, ...]
    article: Article | None


@dataclass(frozen=True, slots=True)
class ParseFailure:
    """A page the parser could not make sense of: a value, not an exception."""

    reason: str  # short machine-readable code, e.g. "empty_body", "html_unparseable"
    detail: str = ""

    @property
    def input_fault(self) -> bool:
        """Whether the page is to blame (empty, too large, no content, ...), not the parser:
        only `parser_error` (an exception inside raqib) is raqib's own failure."""
        return self.reason != PARSER_ERROR

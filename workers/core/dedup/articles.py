"""Article identity: canonical URL, article id, content fingerprint, revisions, syndication.

    canonical_url("HTTPS://Example.COM:443/a?utm_source=x&id=3#top") == "https://example.com/a?id=3"
    article_id(url=..., article=...)        -> "ar_<16 hex>"
    decision, change = decide_article(page_url, article, seen_at, record, syndicated_from=...)

* The id derives from the canonical URL (scheme and host lowercased, default port, tracking
  parameters and the fragment dropped, remaining parameters sorted). A page without a URL
  gets an id from its content fingerprint instead, so the same text still dedups.
* `body_fingerprint` hashes the normalized words of title and body (no punctuation,
  diacritics or whitespace differences): a re-scrape with the same words is the same
  body. Any change of a word is a material change: a new revision.
* State for a Faust table keyed by article id: `ArticleRecord`, orjson-ready via
  `to_json()`, a few numbers and two short strings. The worker partitions pages by dedup
  scope (the site), not by canonical URL, so an article's record lives with its site's
  partition; the same URL under two scopes is two records. Syndication (the same body on
  another site) needs a second lookup keyed by body fingerprint (the pipeline's `bodies`
  table, passed in as `syndicated_from`); that key is not co-partitioned with the
  article, so the caller owns how it is shared (see `workers.core.pipeline`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from workers.core.dedup.line_match import exact_key
from workers.core.dedup.ticker import epoch_seconds
from workers.core.models import Article
from workers.core.normalize import normalize_for_matching

__all__ = [
    "ArticleDecision",
    "ArticleRecord",
    "article_id",
    "body_fingerprint",
    "canonical_url",
    "decide_article",
]

# Query parameters that identify a campaign or a click, never the document.
_TRACKING_PREFIXES: Final = ("utm_", "mc_", "pk_", "hsa_", "_hs")
_TRACKING_PARAMS: Final = frozenset(
    (
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "ref",
        "ref_src",
        "ref_url",
        "spm",
        "cmpid",
        "_ga",
        "amp",
        "share",
        "from",
    )
)
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """Return `url` with scheme/host lowercased, default port, fragment and tracking
    parameters dropped, and the remaining query parameters sorted."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in _TRACKING_PARAMS and not k.lower().startswith(_TRACKING_PREFIXES)
    )
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def _hex(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def body_fingerprint(article: Article) -> str:
    """Hash of the article's normalized words (title and body; punctuation-blind)."""
    paragraphs = (article.title or "", *article.body)
    squashed = b"\x1f".join(exact_key(normalize_for_matching(p)) for p in paragraphs)
    return hashlib.blake2b(squashed, digest_size=16).hexdigest()


def article_id(*, url: str | None, article: Article) -> str:
    """`ar_` + 16 hex of the canonical URL, or of the body fingerprint without a URL."""
    if url:
        return "ar_" + _hex("url\x1f" + canonical_url(url))
    return "ar_" + _hex("body\x1f" + body_fingerprint(article))


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """What the article table remembers per article id."""

    article_id: str
    revision: int  # 1 for the first version
    fingerprint: str  # body_fingerprint of the latest revision
    first_seen: int  # epoch seconds, event time
    last_seen: int
    duplicate_of: str | None = None  # article id of the first copy on another site

    def to_json(self) -> list[Any]:
        """The table value (orjson-serializable)."""
        return [self.revision, self.fingerprint, self.first_seen, self.last_seen, self.duplicate_of]

    @classmethod
    def from_json(cls, key: str, value: list[Any]) -> ArticleRecord:
        """Rebuild a record from its table key (the article id) and value."""
        revision, fingerprint, first_seen, last_seen, duplicate_of = value
        return cls(key, int(revision), str(fingerprint), int(first_seen), int(last_seen), duplicate_of)


@dataclass(frozen=True, slots=True)
class ArticleDecision:
    """What to do with an article: emit a new event or a revision, or record a sighting."""

    kind: Literal["new", "revision", "duplicate"]
    article_id: str
    revision: int
    canonical_url: str | None
    duplicate_of: str | None  # set when the same body was first seen under another id

    @property
    def emits_event(self) -> bool:
        """True for "new" and "revision": an events.articles record is due."""
        return self.kind != "duplicate"


def decide_article(
    *,
    url: str | None,
    article: Article,
    seen_at: datetime,
    record: ArticleRecord | None,
    syndicated_from: str | None = None,
) -> tuple[ArticleDecision, ArticleRecord]:
    """Decide new / duplicate / revision for one article, and return the record to store.

    `record` is the table's value for this article id (None if unknown); `syndicated_from`
    is the article id the syndication lookup holds for this body fingerprint, if any.
    A sighting at an earlier event time than the stored one never lowers `last_seen`.
    """
    aid = article_id(url=url, article=article)
    fingerprint = body_fingerprint(article)
    now = epoch_seconds(seen_at)
    canonical = canonical_url(url) if url else None
    origin = syndicated_from if syndicated_from not in (None, aid) else None
    if record is None:
        new = ArticleRecord(aid, 1, fingerprint, now, now, origin)
        return ArticleDecision("new", aid, 1, canonical, origin), new
    last_seen = max(record.last_seen, now)
    if record.fingerprint == fingerprint:
        kept = ArticleRecord(aid, record.revision, fingerprint, record.first_seen, last_seen, record.duplicate_of)
        decision = ArticleDecision("duplicate", aid, record.revision, canonical, record.duplicate_of)
        return decision, kept
    revision = record.revision + 1
    changed = ArticleRecord(aid, revision, fingerprint, record.first_seen, last_seen, record.duplicate_of)
    return ArticleDecision("revision", aid, revision, canonical, record.duplicate_of), changed

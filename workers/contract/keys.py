"""The partitioning contract of pages.raw: which site a page belongs to, and its key.

Scrapers key pages.raw by site (`page_key`) so that one site's pages keep their order
through every stage; that order is what makes a replay give the live run's events.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from workers.core.dedup.ticker import dedup_scope

__all__ = ["page_key", "site_from_url"]


def site_from_url(url: str | None) -> str | None:
    """The host of an http(s) URL, lowercased and without "www."; None otherwise."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme not in {"http", "https"} or not host:
        return None
    return host.removeprefix("www.")


def page_key(site: object, url: str | None) -> bytes:
    """The pages.raw key of a page: its dedup scope, i.e. its site, lowercased (else its URL's
    host without "www."). One site's pages then share a partition and reach the dedup stage
    in the order they were published, which is what makes a replay give the live run's
    events byte for byte. (Keyed by URL, a site's pages spread over partitions consumed
    concurrently, and which copy of an item is seen first would vary from run to run.)"""
    named = site if isinstance(site, str) and site.strip() else None
    return dedup_scope(named or site_from_url(url), url).encode("utf-8")

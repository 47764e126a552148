"""Bytes <-> records at the Kafka edge. Decoding failures become `InvalidMessage`.

Faust consumes pages.raw with value_serializer="raw" and hands the bytes here, so that
poison messages reach our own `except` (Faust would otherwise throw decode errors into the
stream and crash the agent).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import orjson

from workers.core.models import Page
from workers.errors import InvalidMessage
from workers.schemas import RecordValidator, SchemaViolation

__all__ = ["DEFAULT_MAX_PAGE_BYTES", "decode_page", "encode_value", "site_from_url"]

DEFAULT_MAX_PAGE_BYTES = 10 * 1024 * 1024


def encode_value(value: dict[str, Any]) -> bytes:
    """Serialize a record value: compact UTF-8 JSON, keys in insertion order (deterministic)."""
    return orjson.dumps(value)


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


def decode_page(
    raw: bytes | None,
    validator: RecordValidator,
    *,
    max_bytes: int = DEFAULT_MAX_PAGE_BYTES,
) -> Page:
    """Decode one pages.raw value into a Page, or raise InvalidMessage saying why not."""
    if raw is None:
        raise InvalidMessage("decode", "EmptyMessage", "the record has no value (tombstone)")
    if len(raw) > max_bytes:
        raise InvalidMessage(
            "decode", "TooLarge", f"value is {len(raw)} bytes, over the limit of {max_bytes}"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidMessage("decode", "InvalidUTF8", f"value is not UTF-8: {exc}") from None
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise InvalidMessage("decode", "InvalidJSON", f"value is not JSON: {exc}") from None
    try:
        validator.validate(value)
    except SchemaViolation as exc:
        raise InvalidMessage("validate", "SchemaViolation", str(exc)) from None
    fetched_at = datetime.fromisoformat(value["fetched_at"].replace("Z", "+00:00"))
    url = value.get("url")
    return Page(
        url=url,
        fetched_at=fetched_at,
        content_type=value["content_type"],
        body=value["body"],
        site=value.get("site") or site_from_url(url),
        scraper=value.get("scraper"),
        headers=value.get("headers") or {},
    )

"""Bytes <-> records at the Kafka edge. Decoding failures become `InvalidMessage`.

Faust consumes pages.raw with value_serializer="raw" and hands the bytes here, so that
poison messages reach our own `except` (Faust would otherwise throw decode errors into the
stream and crash the agent).
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any, Final

import orjson

from workers.adapters.charset import CharsetError, decode_text, header_charset
from workers.contract.keys import site_from_url
from workers.contract.schemas import RecordValidator, SchemaViolation
from workers.core.models import Article, Dateline, Page, ParsedPage, TickerItem
from workers.errors import InvalidMessage

__all__ = [
    "DEFAULT_MAX_PAGE_BYTES",
    "FETCHED_AT_RANGE",
    "decode_page",
    "decode_parsed",
    "encode_parsed",
    "encode_value",
]

DEFAULT_MAX_PAGE_BYTES = 10 * 1024 * 1024
# The event times raqib accepts. A page's fetched_at moves its scope's dedup watermark and
# is shifted by the dedup horizon, so a wild one (year 1 or 9999) is refused as invalid
# input instead of overflowing the date arithmetic inside the pipeline.
FETCHED_AT_RANGE: Final = (datetime(1990, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def encode_value(value: dict[str, Any]) -> bytes:
    """Serialize a record value: compact UTF-8 JSON, keys in insertion order (deterministic)."""
    return orjson.dumps(value)


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
        raise InvalidMessage("decode", "TooLarge", f"value is {len(raw)} bytes, over the limit of {max_bytes}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidMessage(
            "decode",
            "InvalidUTF8",
            f"value is not UTF-8 JSON ({exc}); a page in another encoding goes in body_base64 (schemas/page.v1.json)",
        ) from None
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise InvalidMessage("decode", "InvalidJSON", f"value is not JSON: {exc}") from None
    try:
        validator.validate(value)
    except SchemaViolation as exc:
        raise InvalidMessage("validate", "SchemaViolation", str(exc)) from None
    fetched_at = datetime.fromisoformat(value["fetched_at"].replace("Z", "+00:00"))
    if not FETCHED_AT_RANGE[0] <= fetched_at < FETCHED_AT_RANGE[1]:
        raise InvalidMessage(
            "validate",
            "FetchedAtOutOfRange",
            f"fetched_at {value['fetched_at']} is outside {FETCHED_AT_RANGE[0].year}-{FETCHED_AT_RANGE[1].year - 1}",
        )
    url = value.get("url")
    return Page(
        url=url,
        fetched_at=fetched_at,
        content_type=value["content_type"],
        body=value["body"] if "body" in value else _decoded_body(value),
        site=value.get("site") or site_from_url(url),
        scraper=value.get("scraper"),
        headers=value.get("headers") or {},
    )


def _decoded_body(value: dict[str, Any]) -> str:
    """The text of a page sent as bytes (body_base64), decoded by workers/adapters/charset.py."""
    try:
        raw = base64.b64decode(value["body_base64"], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidMessage("decode", "InvalidBase64", f"body_base64 is not base64: {exc}") from None
    try:
        decoded = decode_text(
            raw, header=header_charset(value.get("headers")), html=value["content_type"] == "text/html"
        )
    except CharsetError as exc:
        raise InvalidMessage("decode", "UndecodableBody", f"body_base64: {exc}") from None
    return decoded.text


# --------------------------------------------------------------------------- parsed pages
# The internal repartition topic carries a parsed page (without its body) from the parse
# stage to the dedup stage, keyed by dedup scope.


def encode_parsed(page: Page, parsed: ParsedPage) -> bytes:
    """A parsed page as the JSON bytes of the internal topic (the page body is left out)."""
    return orjson.dumps(
        {
            "url": page.url,
            "fetched_at": page.fetched_at.isoformat(),
            "content_type": page.content_type,
            "site": page.site,
            "ticker": [item.to_dict() for item in parsed.ticker],
            "article": parsed.article.to_dict() if parsed.article else None,
        }
    )


def decode_parsed(raw: bytes | None) -> tuple[Page, ParsedPage]:
    """Inverse of `encode_parsed`; InvalidMessage when the bytes are not one of ours."""
    try:
        value = orjson.loads(raw or b"")
        page = Page(
            url=value["url"],
            fetched_at=datetime.fromisoformat(value["fetched_at"]),
            content_type=value["content_type"],
            body="",
            site=value["site"],
        )
        ticker = tuple(
            TickerItem(
                text=item["text"],
                attribution=item["attribution"],
                time=item["time"],
                reported_at=datetime.fromisoformat(item["reported_at"]) if item["reported_at"] else None,
            )
            for item in value["ticker"]
        )
        article = _article(value["article"]) if value["article"] is not None else None
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise InvalidMessage("dedup", "InvalidParsedPage", f"not a parsed page: {exc!r}") from None
    return page, ParsedPage(ticker=ticker, article=article)


def _article(value: dict[str, Any]) -> Article:
    dateline = value["dateline"]
    return Article(
        title=value["title"],
        author=value["author"],
        published_at=value["published_at"],
        published_at_source=value["published_at_source"],
        category=value["category"],
        dateline=Dateline(dateline["agency"], dateline["place"]) if dateline else None,
        outlet=value["outlet"],
        body=tuple(value["body"]),
    )

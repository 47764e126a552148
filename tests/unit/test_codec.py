"""adapters/codec.py: pages.raw bytes become a Page, or an InvalidMessage saying why not."""

from __future__ import annotations

import orjson
import pytest

from workers.adapters.codec import decode_page
from workers.contract.keys import site_from_url
from workers.contract.schemas import validator_for
from workers.contract.topics import TopicSet
from workers.errors import InvalidMessage


def page_bytes(**fields: object) -> bytes:
    value: dict[str, object] = {
        "url": "https://www.Example.org/a/1",
        "fetched_at": "2020-06-29T18:05:00+03:00",
        "content_type": "text/plain",
        "body": "نص",
    }
    value.update(fields)
    return orjson.dumps(value)


@pytest.fixture
def validator(topics: TopicSet):  # type: ignore[no-untyped-def]
    return validator_for(topics["pages.raw"].schema)


class TestDecodePage:
    def test_valid_page(self, validator) -> None:  # type: ignore[no-untyped-def]
        """A valid page decodes, with the site derived from the URL host."""
        page = decode_page(page_bytes(), validator)
        assert page.body == "نص"
        assert page.site == "example.org"
        assert page.fetched_at.utcoffset() is not None

    def test_explicit_site_wins(self, validator) -> None:  # type: ignore[no-untyped-def]
        """A site given in the message is kept as-is."""
        assert decode_page(page_bytes(site="smart"), validator).site == "smart"

    @pytest.mark.parametrize(
        ("raw", "error_type"),
        [
            (None, "EmptyMessage"),
            (b"\xff\xfe\x00garbage", "InvalidUTF8"),
            (b"{not json", "InvalidJSON"),
            (b"[1, 2]", "SchemaViolation"),
            (page_bytes(content_type="application/pdf"), "SchemaViolation"),
            (page_bytes(fetched_at="yesterday"), "SchemaViolation"),
            (b"[" * 100_000 + b"]" * 100_000, "InvalidJSON"),
        ],
    )
    def test_poison_is_invalid_message(self, validator, raw: bytes | None, error_type: str) -> None:  # type: ignore[no-untyped-def]
        """Each kind of poison message raises InvalidMessage with its error type."""
        with pytest.raises(InvalidMessage) as info:
            decode_page(raw, validator)
        assert info.value.error_type == error_type

    def test_oversized_value_is_rejected_before_decoding(self, validator) -> None:  # type: ignore[no-untyped-def]
        """A value over the size limit is TooLarge, whatever it contains."""
        with pytest.raises(InvalidMessage) as info:
            decode_page(page_bytes(body="x" * 2000), validator, max_bytes=1000)
        assert info.value.error_type == "TooLarge"
        assert info.value.stage == "decode"


class TestSiteFromUrl:
    @pytest.mark.parametrize(
        ("url", "site"),
        [
            ("https://WWW.Smartnews-Agency.com/ar/x", "smartnews-agency.com"),
            ("http://shaam.org:8080/a", "shaam.org"),
            ("file:///tmp/page.txt", None),
            (None, None),
            ("not a url", None),
        ],
    )
    def test_hosts(self, url: str | None, site: str | None) -> None:
        """The site is the lowercased host without www., for http(s) URLs only."""
        assert site_from_url(url) == site

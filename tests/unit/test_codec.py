"""adapters/codec.py: pages.raw bytes become a Page, or an InvalidMessage saying why not."""

from __future__ import annotations

import base64

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

    def test_body_as_bytes_is_decoded_by_the_header_charset(self, validator) -> None:  # type: ignore[no-untyped-def]
        """body_base64 in windows-1256, with the scraper's Content-Type header, decodes."""
        raw = page_bytes(
            body=None, headers={"Content-Type": "text/html; charset=windows-1256"}, content_type="text/html"
        )
        value = orjson.loads(raw)
        del value["body"]
        value["body_base64"] = base64.b64encode("<p>قوات النظام</p>".encode("cp1256")).decode()
        assert decode_page(orjson.dumps(value), validator).body == "<p>قوات النظام</p>"

    def test_body_as_bytes_in_its_meta_charset(self, validator) -> None:  # type: ignore[no-untyped-def]
        """Without a header, an HTML page's own <meta charset> decides."""
        html = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256"><p>عاجل</p>'
        value = orjson.loads(page_bytes(content_type="text/html"))
        del value["body"]
        value["body_base64"] = base64.b64encode(html.encode("cp1256")).decode()
        assert decode_page(orjson.dumps(value), validator).body == html

    @pytest.mark.parametrize(
        ("body_base64", "error_type", "needle"),
        [
            (base64.b64encode("عاجل".encode("cp1256")).decode(), "UndecodableBody", "not valid utf-8"),
            ("%%% not base64", "InvalidBase64", "not base64"),
        ],
    )
    def test_undecodable_bytes_are_dead_lettered_with_the_encoding_tried(  # type: ignore[no-untyped-def]
        self, validator, body_base64: str, error_type: str, needle: str
    ) -> None:
        """Bytes that do not decode are an InvalidMessage naming the encoding tried."""
        value = orjson.loads(page_bytes())
        del value["body"]
        value["body_base64"] = body_base64
        with pytest.raises(InvalidMessage) as info:
            decode_page(orjson.dumps(value), validator)
        assert info.value.error_type == error_type
        assert needle in info.value.message

    def test_body_and_body_base64_are_exclusive(self, validator) -> None:  # type: ignore[no-untyped-def]
        """A page carries its content once: both fields (or neither) is a schema violation."""
        both = orjson.loads(page_bytes())
        both["body_base64"] = "eA=="
        neither = orjson.loads(page_bytes())
        del neither["body"]
        for value in (both, neither):
            with pytest.raises(InvalidMessage) as info:
                decode_page(orjson.dumps(value), validator)
            assert info.value.error_type == "SchemaViolation"

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

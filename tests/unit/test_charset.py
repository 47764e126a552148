"""adapters/charset.py: which encoding page bytes are decoded with, and why."""

from __future__ import annotations

import codecs

import pytest

from workers.adapters.charset import CharsetError, decode_text, header_charset

ARABIC = "قوات النظام تقصف بلدة كنصفرة"


class TestDecodeText:
    def test_bom_wins(self) -> None:
        """A byte order mark decides, whatever the header says."""
        decoded = decode_text(codecs.BOM_UTF8 + ARABIC.encode(), header="windows-1256")
        assert (decoded.text, decoded.source) == (ARABIC, "bom")
        assert decode_text(codecs.BOM_UTF16_LE + ARABIC.encode("utf-16-le")).text == ARABIC

    def test_header_before_meta(self) -> None:
        """The HTTP header's charset beats the page's meta tag."""
        html = f'<meta charset="utf-8"><p>{ARABIC}</p>'
        decoded = decode_text(html.encode("cp1256"), header="windows-1256", html=True)
        assert decoded.text == html
        assert decoded.source.startswith("header")

    @pytest.mark.parametrize(
        "meta",
        [
            '<meta charset="windows-1256">',
            "<META CHARSET=windows-1256>",
            '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">',
            "<meta content='text/html;charset=iso-8859-6' http-equiv='content-type'>",
        ],
    )
    def test_meta_charset_of_html(self, meta: str) -> None:
        """An HTML page's own meta charset (both spellings) decides when no header does."""
        html = f"<html><head>{meta}</head><body>{ARABIC}</body></html>"
        encoding = "iso8859_6" if "8859" in meta else "cp1256"
        assert decode_text(html.encode(encoding), html=True).text == html

    def test_meta_is_not_read_in_plain_text(self) -> None:
        """Plain text saying `<meta charset=...>` is not HTML: UTF-8 by default."""
        text = '<meta charset="windows-1256"> عاجل'
        assert decode_text(text.encode(), html=False).text == text

    def test_unknown_label_falls_through_to_the_next_rule(self) -> None:
        """A charset label Python does not know is skipped, not fatal."""
        assert decode_text(ARABIC.encode(), header="x-klingon").source == "default"

    def test_undecodable_bytes_name_the_encoding_and_its_source(self) -> None:
        """Bytes invalid in the chosen encoding are an error saying which and from where."""
        with pytest.raises(CharsetError, match=r"not valid utf-8 text .* encoding from default"):
            decode_text(ARABIC.encode("cp1256"))

    def test_meta_prescan_is_bounded(self) -> None:
        """Only the first bytes are searched for a meta tag: a huge page costs no more."""
        late = b"x" * 100_000 + b'<meta charset="windows-1256">'
        assert decode_text(late, html=True).source == "default"


class TestHeaderCharset:
    @pytest.mark.parametrize(
        ("headers", "charset"),
        [
            ({"Content-Type": "text/html; charset=windows-1256"}, "windows-1256"),
            ({"content-type": 'text/html; charset="UTF-8"'}, "UTF-8"),
            ({"Content-Type": "text/html"}, None),
            ({}, None),
            (None, None),
        ],
    )
    def test_charset_parameter(self, headers: dict[str, str] | None, charset: str | None) -> None:
        """The charset parameter of Content-Type, whatever the header name's case."""
        assert header_charset(headers) == charset

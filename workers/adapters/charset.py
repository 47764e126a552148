"""Page bytes to text: which character encoding, and decoding that fails with a reason.

The rule, in order (what browsers do, without guessing from the bytes' statistics):

1. a byte order mark (UTF-8, UTF-16 LE/BE) decides;
2. else the charset of the HTTP `Content-Type` header the scraper kept;
3. else, for HTML, the page's own `<meta charset=...>` or
   `<meta http-equiv="Content-Type" content="...; charset=...">` in its first bytes;
4. else UTF-8.

Older Arabic sites still serve windows-1256 (or ISO-8859-6) with a meta tag saying so.
A label Python does not know is skipped (the next rule decides). Bytes that are not valid
in the chosen encoding are an error naming the encoding and where it was taken from, never
a silent replacement.

Written by hand: the meta prescan is a few lines of the HTML standard's algorithm, and the
libraries that guess encodings (chardet, charset-normalizer) are what this rule avoids.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

__all__ = ["CharsetError", "DecodedText", "decode_text", "header_charset"]

# How far into an HTML document the meta prescan looks (the standard says 1024 bytes;
# real pages put a long <head> of scripts first, so allow more).
META_PRESCAN_BYTES: Final = 8192

_BOMS: Final = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CHARSET_PARAM = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.IGNORECASE)
_META = re.compile(rb"<meta\b[^<>]{0,1024}>", re.IGNORECASE)
# What the web calls these labels: Latin-1 and ASCII pages are windows-1252 in practice.
_WEB_ALIASES: Final = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso-8859-6": "iso8859_6",
    "arabic": "iso8859_6",
}


class CharsetError(ValueError):
    """The bytes are not text in the encoding they were said to be in."""

    def __init__(self, encoding: str, source: str, error: UnicodeDecodeError) -> None:
        super().__init__(f"not valid {encoding} text ({error.reason} at byte {error.start}); encoding from {source}")
        self.encoding = encoding
        self.source = source


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: str  # the Python codec used
    source: str  # "bom", "header", "meta" or "default"


def header_charset(headers: Mapping[str, str] | None) -> str | None:
    """The charset parameter of a Content-Type header (any letter case of its name)."""
    for name, value in (headers or {}).items():
        if name.lower() == "content-type" and isinstance(value, str):
            match = _CHARSET_PARAM.search(value.encode("latin-1", "replace"))
            return match.group(1).decode("ascii") if match else None
    return None


def _codec(label: str | None) -> str | None:
    """The Python codec for an encoding label, None for a label it does not know."""
    if not label:
        return None
    label = label.strip().lower()
    label = _WEB_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _meta_charset(head: bytes) -> str | None:
    for tag in _META.finditer(head[:META_PRESCAN_BYTES]):
        match = _CHARSET_PARAM.search(tag.group(0))
        if match:
            return match.group(1).decode("ascii")
    return None


def decode_text(raw: bytes, *, header: str | None = None, html: bool = False) -> DecodedText:
    """Decode page bytes by the rule of this module; CharsetError when they do not decode."""
    for bom, bom_encoding in _BOMS:
        if raw.startswith(bom):
            return _decode(raw, bom_encoding, "bom")
    choices = ((header, "header"), (_meta_charset(raw) if html else None, "meta"))
    for label, source in choices:
        encoding = _codec(label)
        # a UTF-16 label without a BOM cannot be true of markup we could read it from
        if encoding is not None and not encoding.startswith("utf-16"):
            return _decode(raw, encoding, f"{source} ({label})")
    return _decode(raw, "utf-8", "default")


def _decode(raw: bytes, encoding: str, source: str) -> DecodedText:
    try:
        return DecodedText(raw.decode(encoding), encoding, source)
    except UnicodeDecodeError as exc:
        raise CharsetError(encoding, source, exc) from None

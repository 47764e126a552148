"""Turn files into pages.raw messages: .txt, .html/.htm and .jsonl (one page per line).

Shared by `raqib ingest` (which sends them) and `raqib process` (which runs the core on
them), so both see exactly the bytes a scraper would have published.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

from workers.adapters.charset import CharsetError, decode_text
from workers.adapters.codec import encode_value
from workers.contract.keys import page_key, site_from_url
from workers.contract.schemas import RecordValidator, SchemaViolation
from workers.errors import UsageError

__all__ = ["PageMessage", "Rejected", "check_paths", "read_messages"]

_CONTENT_TYPES = {".txt": "text/plain", ".text": "text/plain", ".html": "text/html", ".htm": "text/html"}
SUFFIXES = (*_CONTENT_TYPES, ".jsonl")


@dataclass(frozen=True, slots=True)
class PageMessage:
    """One pages.raw record ready to send: key (the page's site) and the JSON value bytes."""

    key: bytes | None
    value: bytes
    source: str  # file path, or path:line for .jsonl


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input that could not become a page message, and why."""

    source: str
    reason: str
    raw: bytes | None = None


def check_paths(paths: list[Path]) -> None:
    """Fail fast, with one clear line, on a path that is missing, unreadable or of unknown type."""
    if not paths:
        raise UsageError("no input files given")
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file")
        if path.is_dir():
            raise UsageError(f"{path}: is a directory (pass the files, e.g. {path}/*.txt)")
        if path.suffix.lower() not in SUFFIXES:
            raise UsageError(f"{path}: unknown file type {path.suffix!r} (expected one of {', '.join(SUFFIXES)})")
        try:
            with path.open("rb") as handle:
                handle.read(1)
        except OSError as exc:
            raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None


def read_messages(
    paths: list[Path],
    validator: RecordValidator,
    *,
    fetched_at: datetime | None = None,
    site: str | None = None,
) -> Iterator[PageMessage | Rejected]:
    """Yield one PageMessage (or Rejected) per page in `paths`, in order."""
    for path in paths:
        if path.suffix.lower() == ".jsonl":
            yield from _read_jsonl(path, validator, site)
        else:
            yield _read_document(path, validator, fetched_at, site)


def _read_document(
    path: Path, validator: RecordValidator, fetched_at: datetime | None, site: str | None
) -> PageMessage | Rejected:
    source = str(path)
    try:
        raw = path.read_bytes()
        stamp = fetched_at or datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    except OSError as exc:
        return Rejected(source, f"cannot read: {exc.strerror or exc}")
    content_type = _CONTENT_TYPES[path.suffix.lower()]
    try:
        # a BOM, else (HTML) the page's own <meta charset>, else UTF-8 (workers/adapters/charset.py)
        body = decode_text(raw, html=content_type == "text/html").text
    except CharsetError as exc:
        return Rejected(source, str(exc), raw)
    if not body.strip():
        return Rejected(source, "empty file (no text to send)", raw)
    url = path.resolve().as_uri()
    value = {
        "url": url,
        "fetched_at": stamp.isoformat(),
        "content_type": content_type,
        "body": body,
    }
    if site:
        value["site"] = site
    value["scraper"] = "raqib-ingest"
    return _message(source, url, value, validator)


def _read_jsonl(path: Path, validator: RecordValidator, site: str | None) -> Iterator[PageMessage | Rejected]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield Rejected(str(path), f"cannot read: {exc.strerror or exc}")
        return
    with handle:
        for number, raw_line in enumerate(handle, start=1):
            source = f"{path}:{number}"
            line = raw_line.removeprefix(codecs.BOM_UTF8)  # editors put one at the top of the file
            if not line.strip():
                continue
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield Rejected(source, f"not JSON: {exc}", raw_line)
                continue
            if isinstance(value, dict) and site and not value.get("site"):
                value["site"] = site
            url = value.get("url") if isinstance(value, dict) else None
            yield _message(source, url if isinstance(url, str) else None, value, validator)


def _message(source: str, url: str | None, value: object, validator: RecordValidator) -> PageMessage | Rejected:
    try:
        validator.validate(value)
    except SchemaViolation as exc:
        return Rejected(source, str(exc), orjson.dumps(value))
    if not isinstance(value, dict):  # pragma: no cover - the schema requires an object
        return Rejected(source, "not a JSON object")
    if not value.get("site") and site_from_url(url) is None and url and url.startswith("http"):
        return Rejected(source, f"cannot derive a site from url {url!r}; pass --site")
    return PageMessage(page_key(value.get("site"), url), encode_value(value), source)

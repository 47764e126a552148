"""ingest.py: files become the exact pages.raw messages a scraper would publish."""

from __future__ import annotations

import codecs
import os
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from tests.contract import assert_matches_schema
from workers.adapters.page_files import PageMessage, Rejected, check_paths, read_messages
from workers.contract.keys import page_key
from workers.contract.schemas import validator_for
from workers.contract.times import parse_time
from workers.contract.topics import TopicSet
from workers.errors import UsageError


def read_all(topics: TopicSet, paths: list[Path], **kwargs: object) -> list[PageMessage | Rejected]:
    return list(read_messages(paths, validator_for(topics["pages.raw"].schema), **kwargs))  # type: ignore[arg-type]


class TestDocuments:
    def test_txt_becomes_text_plain_with_file_uri_and_mtime(self, tmp_path: Path, topics: TopicSet) -> None:
        """A .txt file: text/plain, url = file URI, fetched_at = mtime, schema-valid."""
        path = tmp_path / "p.txt"
        path.write_text("الأخبار العاجلة", encoding="utf-8")
        os.utime(path, (1_600_000_000, 1_600_000_000))
        [message] = read_all(topics, [path])
        assert isinstance(message, PageMessage)
        value = orjson.loads(message.value)
        assert value["content_type"] == "text/plain"
        assert value["url"] == path.resolve().as_uri()
        assert datetime.fromisoformat(value["fetched_at"]) == datetime.fromtimestamp(1_600_000_000, tz=UTC)
        assert message.key == b"global"  # a file: URL has no site; its scope is global
        assert_matches_schema(topics, "pages.raw", value)

    def test_html_and_flags(self, tmp_path: Path, topics: TopicSet) -> None:
        """.html is text/html; --fetched-at and --site are applied."""
        path = tmp_path / "p.html"
        path.write_text("<html><body>x</body></html>", encoding="utf-8")
        when = parse_time("2021-08-07T12:00:00+03:00")
        [message] = read_all(topics, [path], fetched_at=when, site="example.org")
        assert isinstance(message, PageMessage)
        value = orjson.loads(message.value)
        assert (value["content_type"], value["site"], value["fetched_at"]) == (
            "text/html",
            "example.org",
            "2021-08-07T12:00:00+03:00",
        )

    def test_non_utf8_file_is_rejected_with_reason(self, tmp_path: Path, topics: TopicSet) -> None:
        """A text file that is not UTF-8 (and says nothing else) is rejected, naming the
        encoding tried, not sent garbled."""
        path = tmp_path / "p.txt"
        path.write_bytes("عاجل".encode("cp1256"))
        [rejected] = read_all(topics, [path])
        assert isinstance(rejected, Rejected)
        assert "not valid utf-8 text" in rejected.reason

    def test_html_in_its_own_meta_charset_is_decoded(self, tmp_path: Path, topics: TopicSet) -> None:
        """An HTML page in windows-1256 with its <meta charset> is read in that encoding
        (before: refused as not UTF-8)."""
        page = (
            '<html><head><meta charset="windows-1256"><title>عاجل</title></head><body><p>قوات النظام</p></body></html>'
        )
        path = tmp_path / "p.html"
        path.write_bytes(page.encode("cp1256"))
        [message] = read_all(topics, [path])
        assert isinstance(message, PageMessage)
        assert orjson.loads(message.value)["body"] == page

    def test_bom_is_stripped(self, tmp_path: Path, topics: TopicSet) -> None:
        """A UTF-8 byte order mark is not part of the page."""
        path = tmp_path / "p.txt"
        path.write_bytes(codecs.BOM_UTF8 + "عاجل".encode())
        [message] = read_all(topics, [path])
        assert isinstance(message, PageMessage)
        assert orjson.loads(message.value)["body"] == "عاجل"

    @pytest.mark.parametrize("content", [b"", b"  \n\t\n", "\ufeff".encode()])
    def test_empty_file_is_rejected_with_reason(self, tmp_path: Path, topics: TopicSet, content: bytes) -> None:
        """An empty (or blank) file is not sent as a page: it is rejected, saying so."""
        path = tmp_path / "empty.html"
        path.write_bytes(content)
        [rejected] = read_all(topics, [path])
        assert isinstance(rejected, Rejected)
        assert "empty file" in rejected.reason


class TestJsonl:
    def test_one_message_per_line_and_rejects_with_line_numbers(self, tmp_path: Path, topics: TopicSet) -> None:
        """Valid lines become messages; bad ones are rejected citing path:line."""
        good = {
            "url": "https://shaam.org/a",
            "fetched_at": "2021-11-01T12:00:00+02:00",
            "content_type": "text/plain",
            "body": "x",
        }
        path = tmp_path / "pages.jsonl"
        path.write_bytes(b"\n".join([orjson.dumps(good), b"{oops", orjson.dumps({"url": 1}), b""]))
        items = read_all(topics, [path])
        assert [type(i).__name__ for i in items] == ["PageMessage", "Rejected", "Rejected"]
        assert items[1].source.endswith("pages.jsonl:2")
        assert "not JSON" in items[1].reason  # type: ignore[union-attr]
        assert items[2].source.endswith("pages.jsonl:3")
        assert items[0].key == b"shaam.org"  # keyed by site (from the URL's host)

    def test_bom_on_the_first_line_is_not_an_error(self, tmp_path: Path, topics: TopicSet) -> None:
        """A .jsonl file saved with a BOM gives its first page (before: rejected as not JSON)."""
        line = orjson.dumps(
            {
                "url": "https://shaam.org/a",
                "fetched_at": "2021-11-01T12:00:00+02:00",
                "content_type": "text/plain",
                "body": "x",
            }
        )
        path = tmp_path / "pages.jsonl"
        path.write_bytes(codecs.BOM_UTF8 + line + b"\n" + line)
        assert [type(i).__name__ for i in read_all(topics, [path])] == ["PageMessage", "PageMessage"]

    def test_pages_are_keyed_by_their_dedup_scope(self) -> None:
        """The key is the site, lowercased, else the URL's host without www.: one site's pages
        share a partition and keep their order (what makes replay = live)."""
        assert page_key("Shaam.org ", "https://x.example/a") == b"shaam.org"
        assert page_key(None, "https://www.Smartnews-Agency.com/ar/1") == b"smartnews-agency.com"
        assert page_key("", "https://www.shaam.org/a") == b"shaam.org"
        assert page_key(None, None) == b"global"

    def test_bundled_samples_are_the_seed_pages(self, fixtures_dir: Path, topics: TopicSet) -> None:
        """The demo's samples carry exactly the five seed pages, in order."""
        samples = Path(__file__).resolve().parents[2] / "workers" / "samples" / "pages.jsonl"
        messages = read_all(topics, [samples])
        seeds = sorted((fixtures_dir / "seeds").glob("*.txt"))
        assert [orjson.loads(m.value)["body"] for m in messages] == [  # type: ignore[union-attr]
            s.read_text(encoding="utf-8") for s in seeds
        ]


class TestCheckPaths:
    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing file is a UsageError naming it."""
        with pytest.raises(UsageError, match=r"nope\.txt: no such file"):
            check_paths([tmp_path / "nope.txt"])

    def test_unreadable_file(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A file that cannot be opened is a UsageError naming it (permissions are faked:
        the tests may run as root, who can read anything)."""
        path = tmp_path / "secret.txt"
        path.write_text("x")
        real_open = Path.open

        def deny(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
            if self == path:
                raise PermissionError(13, "Permission denied")
            return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(Path, "open", deny)
        with pytest.raises(UsageError, match=r"secret\.txt: cannot read: Permission denied"):
            check_paths([path])

    def test_unknown_suffix(self, tmp_path: Path) -> None:
        """An unknown file type is refused up front."""
        path = tmp_path / "page.pdf"
        path.write_bytes(b"%PDF")
        with pytest.raises(UsageError, match="unknown file type"):
            check_paths([path])


class TestParseTime:
    def test_naive_time_gets_default_zone(self) -> None:
        """A time without offset is taken in the given zone."""
        assert parse_time("2020-06-29T14:49", "Asia/Damascus").utcoffset().total_seconds() == 3 * 3600  # type: ignore[union-attr]

    def test_garbage_is_usage_error(self) -> None:
        """Not a time: a UsageError with an example."""
        with pytest.raises(UsageError, match="ISO 8601"):
            parse_time("last tuesday")

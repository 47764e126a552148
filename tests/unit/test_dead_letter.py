"""adapters/dead_letter.py: the original bytes and context, as a value and as headers."""

from __future__ import annotations

import base64

from tests.contract import assert_matches_schema
from workers.adapters.dead_letter import MAX_DLQ_VALUE_BYTES, DeadLetter
from workers.contract.topics import TopicSet


def letter(value: bytes | None = b"\xff\x00raw") -> DeadLetter:
    return DeadLetter("pages.raw", 2, 41, 1_593_443_100_000, b"k", value, "decode", "InvalidUTF8", "bad")


class TestDeadLetter:
    def test_keeps_original_bytes(self, topics: TopicSet) -> None:
        """The original value round-trips through base64 and the record matches its schema."""
        value = letter().to_dict()
        assert base64.b64decode(value["original_value"]) == b"\xff\x00raw"
        assert value["original_offset"] == 41
        assert_matches_schema(topics, "pages.dlq", value)

    def test_oversized_value_is_truncated_and_says_so(self, topics: TopicSet) -> None:
        """A value over the DLQ limit keeps its first bytes, its size and truncated=true."""
        big = b"x" * (MAX_DLQ_VALUE_BYTES + 10)
        value = letter(big).to_dict()
        assert value["truncated"] is True
        assert value["original_value_size"] == len(big)
        assert len(base64.b64decode(value["original_value"])) == MAX_DLQ_VALUE_BYTES
        assert_matches_schema(topics, "pages.dlq", value)

    def test_connect_style_headers(self) -> None:
        """Headers carry topic/partition/offset/stage/exception like Kafka Connect's DLQ."""
        headers = dict(letter().headers())
        assert headers["__connect.errors.topic"] == b"pages.raw"
        assert headers["__connect.errors.partition"] == b"2"
        assert headers["__connect.errors.offset"] == b"41"
        assert headers["__connect.errors.exception.class.name"] == b"InvalidUTF8"
        assert "raqib.worker_version" in headers

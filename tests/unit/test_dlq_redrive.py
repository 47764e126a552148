"""`raqib dlq redrive`'s plan for one dead letter: where it goes, with which headers, or why not."""

from __future__ import annotations

import orjson
import pytest

from workers.adapters.codec import encode_value
from workers.adapters.dead_letter import REDRIVE_COUNT, REDRIVEN_FROM, DeadLetter
from workers.cli.dlq import Redrive, plan_redrive, read_letter


def letter(topic: str | None = "t.pages.raw", value: bytes | None = b'{"url": 1}', key: bytes | None = b"k") -> bytes:
    return encode_value(DeadLetter(topic, 0, 5, None, key, value, "parse", "X", "why").to_dict())


def plan(value: bytes | None, headers: object = (), **kwargs: object) -> Redrive | str:
    options: dict[str, object] = {"where": "t.pages.dlq:0:9", "default_target": "t.pages.raw"} | kwargs
    return plan_redrive(read_letter(value), headers, **options)  # type: ignore[arg-type]


class TestPlanRedrive:
    def test_goes_back_to_its_original_topic_with_its_bytes(self) -> None:
        """The original key and value go back where they came from, counted once."""
        result = plan(letter())
        assert result == Redrive(
            "t.pages.raw", b"k", b'{"url": 1}', [(REDRIVEN_FROM, b"t.pages.dlq:0:9"), (REDRIVE_COUNT, b"1")]
        )

    def test_dedup_stage_letter_goes_back_to_the_internal_topic(self) -> None:
        """A dedup-stage letter holds an internal record: it goes back to that topic, not to
        pages.raw (whose schema would refuse it)."""
        result = plan(letter(topic="t.raqib-pages-by-scope"))
        assert isinstance(result, Redrive)
        assert result.topic == "t.raqib-pages-by-scope"

    def test_to_overrides_and_offline_letters_go_to_the_default(self) -> None:
        """--to wins; a letter with no source topic (raqib process) goes to pages.raw."""
        assert isinstance(forced := plan(letter(), target="elsewhere"), Redrive)
        assert forced.topic == "elsewhere"
        assert isinstance(offline := plan(letter(topic=None)), Redrive)
        assert offline.topic == "t.pages.raw"

    def test_counts_re_drives_and_refuses_past_the_limit(self) -> None:
        """The count carried from the last re-drive goes up by one; at the limit, refused."""
        again = plan(letter(), [(REDRIVE_COUNT, b"2"), (REDRIVEN_FROM, b"x")], max_redrives=3)
        assert isinstance(again, Redrive)
        assert (REDRIVE_COUNT, b"3") in again.headers
        refused = plan(letter(), [(REDRIVE_COUNT, b"3")], max_redrives=3)
        assert isinstance(refused, str)
        assert "re-driven 3 time(s) already" in refused

    @pytest.mark.parametrize(
        ("value", "reason"),
        [
            (b"\xff not json", "not a dead-letter record"),
            (b"[1, 2]", "not a dead-letter record"),
            (orjson.dumps({"original_value": "%%% not base64", "original_key": None}), "bad base64"),
            (orjson.dumps({"original_value": "e30=", "original_key": 42}), "must be base64 strings"),
            (orjson.dumps({"original_value": 7}), "must be base64 strings"),
            (orjson.dumps({"original_value": None}), "no original value"),
            (orjson.dumps({"original_value": "e30=", "truncated": True}), "truncated"),
        ],
    )
    def test_malformed_letters_are_skipped_with_a_reason(self, value: bytes, reason: str) -> None:
        """A letter that cannot be re-driven is a reason, never an exception."""
        result = plan(value)
        assert isinstance(result, str)
        assert reason in result


class TestLettersCarryTheRedriveHeaders:
    def test_a_redriven_message_that_fails_again_keeps_its_count(self) -> None:
        """The new letter of a re-driven message carries its raqib.redrive_* headers."""
        carried = ((REDRIVEN_FROM, b"t.pages.dlq:0:9"), (REDRIVE_COUNT, b"1"))
        headers = dict(DeadLetter("t", 0, 1, None, None, b"x", "parse", "X", "why", carried_headers=carried).headers())
        assert headers[REDRIVEN_FROM] == b"t.pages.dlq:0:9"
        assert headers[REDRIVE_COUNT] == b"1"

"""`raqib process` over the seed pages: the whole core, as the worker runs it, without Kafka."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.contract import assert_matches_schema
from workers.cli.process import process_files
from workers.contract.topics import TopicSet

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "workers" / "samples" / "pages.jsonl"  # the seeds with site and fetched_at


def run(paths: list[Path], topics: TopicSet, **kwargs: Any) -> list[dict[str, Any]]:
    out = io.BytesIO()
    process_files(paths, topics, fetched_at=None, site=None, out=out, **kwargs)
    return [orjson.loads(line) for line in out.getvalue().splitlines()]


@pytest.fixture(scope="module")
def expected(fixtures_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads((fixtures_dir / "seeds.expected.json").read_bytes())
    return data


class TestSeedsThroughTheCore:
    def test_counts(self, topics: TopicSet, expected: dict[str, Any]) -> None:
        """19 ticker events, one sighting (the Mansoura rewording), five articles, no dead letters."""
        records = run([SAMPLES], topics)
        by_topic = [r["topic"] for r in records]
        assert by_topic.count("events.ticker") == expected["expected_unique_ticker_events"] == 19
        assert by_topic.count("events.sightings") == 1
        assert by_topic.count("events.articles") == 5
        assert by_topic.count("pages.dlq") == 0

    def test_the_sighting_is_the_duplicate_group(self, topics: TopicSet, expected: dict[str, Any]) -> None:
        """The one sighting is seed 001's Mansoura item, merged into seed 000's event."""
        records = run([SAMPLES], topics)
        [(first_file, first_index), (dup_file, dup_index)] = expected["duplicate_groups"][0]
        first_text = expected["pages"][first_file]["required"]["ticker"][first_index]["text"]
        dup_text = expected["pages"][dup_file]["required"]["ticker"][dup_index]["text"]
        [sighting] = [r["value"] for r in records if r["topic"] == "events.sightings"]
        [event] = [r["value"] for r in records if r["topic"] == "events.ticker" and r["value"]["text"] == first_text]
        assert sighting["text"] == dup_text
        assert sighting["event_id"] == event["event_id"]
        assert sighting["kind"] == "near"

    def test_ticker_events_carry_the_seed_items(self, topics: TopicSet, expected: dict[str, Any]) -> None:
        """Every expected ticker item is an event (or the sighting), with attribution and time."""
        records = run([SAMPLES], topics)
        seen = {
            (r["value"]["text"], r["value"]["attribution"], r["value"]["time"])
            for r in records
            if r["topic"] in {"events.ticker", "events.sightings"}
        }
        for page in expected["pages"].values():
            for item in page["required"]["ticker"]:
                assert (item["text"], item["attribution"], item["time"]) in seen

    def test_articles_match_the_expected_fields(self, topics: TopicSet, expected: dict[str, Any]) -> None:
        """Each article event has the seed's title, author and body boundaries."""
        records = run([SAMPLES], topics)
        articles = [r["value"] for r in records if r["topic"] == "events.articles"]
        for value, (name, page) in zip(articles, expected["pages"].items(), strict=True):
            required = page["required"]
            title = required.get("title") or required["title_startswith"]
            assert value["title"].startswith(title), name
            assert value["author"] == required["author"], name
            body = " ".join(" ".join(value["body"]).split())
            assert body.startswith(required["body_first_words"]), name
            assert body.endswith(required["body_last_words"]), name
            if required["ticker"]:
                assert len(value["ticker_event_ids"]) == len(required["ticker"])

    def test_every_record_matches_its_schema(self, topics: TopicSet) -> None:
        """Contract: each value produced matches the JSON Schema of its topic."""
        for record in run([SAMPLES], topics):
            assert_matches_schema(topics, record["topic"], record["value"])

    def test_replay_is_byte_identical(self, topics: TopicSet) -> None:
        """Processing the same input twice from fresh state gives identical bytes."""
        first, second = io.BytesIO(), io.BytesIO()
        process_files([SAMPLES], topics, fetched_at=None, site=None, out=first)
        process_files([SAMPLES], topics, fetched_at=None, site=None, out=second)
        assert first.getvalue() == second.getvalue()

    def test_second_pass_adds_no_events(self, topics: TopicSet) -> None:
        """The same pages again (same run, same state) give only sightings."""
        records = run([SAMPLES, SAMPLES], topics)
        second = records[len(run([SAMPLES], topics)) :]
        assert {r["topic"] for r in second} == {"events.sightings"}
        assert len(second) == 20 + 5  # every ticker item and every article is seen again


class TestProcessCommand:
    def test_cli_prints_json_lines_and_dead_letters_bad_input(self, tmp_path: Path) -> None:
        """`raqib process` prints {topic, key, value} lines; a file without content, an empty one
        and an undecodable one each become a dlq record."""
        hollow = tmp_path / "hollow.txt"
        hollow.write_text("- - -\n", encoding="utf-8")
        empty = tmp_path / "empty.txt"
        empty.write_text("   \n", encoding="utf-8")
        garbled = tmp_path / "garbled.txt"
        garbled.write_bytes(b"\xff\xfe\xfa")
        result = subprocess.run(
            [sys.executable, "-m", "workers", "process", str(SAMPLES), str(hollow), str(empty), str(garbled)],
            capture_output=True,
            check=False,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        lines = [orjson.loads(line) for line in result.stdout.splitlines()]
        assert all(set(line) == {"topic", "key", "value"} for line in lines)
        letters = [line["value"] for line in lines if line["topic"] == "pages.dlq"]
        assert [(d["source"], d["stage"]) for d in letters] == [
            (str(hollow), "parse"),
            (str(empty), "ingest"),
            (str(garbled), "ingest"),
        ]
        assert letters[0]["error_type"] == "ParseFailure.no_content"
        assert "empty file" in letters[1]["error_message"]
        assert sum(line["topic"] == "events.ticker" for line in lines) == 19

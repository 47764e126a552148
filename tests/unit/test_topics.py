"""topics.yaml: the loader accepts the project's file and names the line of every mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from workers.contract.topics import REQUIRED_TOPICS, TopicsFileError, load_topics, parse_retention

ROOT = Path(__file__).resolve().parents[2]

GOOD_TOPIC = """\
    partitions: 3
    replication_factor: 1
    retention: 7d
    cleanup_policy: delete
    key: url
    schema: schemas/page.v1.json
"""


def write_topics(tmp_path: Path, extra: str = "", replace: dict[str, str] | None = None) -> Path:
    """A topics file in tmp_path (with the real schemas) declaring every required topic."""
    (tmp_path / "schemas").mkdir(exist_ok=True)
    for schema in (ROOT / "schemas").glob("*.json"):
        (tmp_path / "schemas" / schema.name).write_text(schema.read_text(encoding="utf-8"), encoding="utf-8")
    blocks = []
    for name in REQUIRED_TOPICS:
        body = (replace or {}).get(name, GOOD_TOPIC)
        blocks.append(f"  {name}:\n{body}")
    path = tmp_path / "topics.yaml"
    path.write_text("version: 1\ntopics:\n" + "".join(blocks) + extra, encoding="utf-8")
    return path


class TestProjectTopicsFile:
    def test_declares_every_required_topic(self) -> None:
        """The project's topics.yaml declares each topic the code uses."""
        topics = load_topics(ROOT / "topics.yaml")
        assert set(REQUIRED_TOPICS) <= set(topics.specs)

    def test_keyed_event_topics_are_compacted(self) -> None:
        """events.ticker and events.articles are compacted, so a keyed reader keeps one per id."""
        topics = load_topics(ROOT / "topics.yaml")
        assert topics["events.ticker"].cleanup_policy == "compact"
        assert topics["events.articles"].cleanup_policy == "compact"
        assert topics["events.sightings"].cleanup_policy == "delete"

    def test_each_topic_names_an_existing_schema(self) -> None:
        """Every topic's schema path resolves to a file in schemas/."""
        for spec in load_topics(ROOT / "topics.yaml"):
            assert spec.schema.is_file()
            assert spec.schema.parent == ROOT / "schemas"

    def test_prefix_applies_to_kafka_names_only(self) -> None:
        """A prefix changes the Kafka topic name, not the logical one."""
        topics = load_topics(ROOT / "topics.yaml", prefix="replay.")
        assert topics.name("pages.raw") == "replay.pages.raw"
        assert topics["pages.raw"].name == "pages.raw"

    def test_broker_configs_carry_policy_and_retention(self) -> None:
        """CreateTopics configs include cleanup.policy, retention.ms and the extra configs."""
        spec = load_topics(ROOT / "topics.yaml")["pages.raw"]
        configs = spec.broker_configs()
        assert configs["cleanup.policy"] == "delete"
        assert configs["retention.ms"] == str(7 * 86_400_000)
        assert configs["max.message.bytes"] == "33554432"


class TestLoaderErrors:
    def test_unknown_topic_key_names_its_line(self, tmp_path: Path) -> None:
        """An unknown key is an error that cites the file and its line."""
        path = write_topics(tmp_path, replace={"events.ticker": GOOD_TOPIC + "    partitons: 4\n"})
        line = path.read_text().splitlines().index("    partitons: 4") + 1
        with pytest.raises(TopicsFileError, match=rf"topics\.yaml:{line}: .*unknown key 'partitons'"):
            load_topics(path)

    def test_bad_partitions_value_names_its_line(self, tmp_path: Path) -> None:
        """A non-positive partition count is rejected at its line."""
        path = write_topics(tmp_path, replace={"pages.dlq": GOOD_TOPIC.replace("partitions: 3", "partitions: 0")})
        lines = path.read_text().splitlines()
        line = lines.index("    partitions: 0") + 1
        with pytest.raises(TopicsFileError, match=rf":{line}: .*partitions must be an integer >= 1"):
            load_topics(path)

    def test_bad_cleanup_policy_is_rejected(self, tmp_path: Path) -> None:
        """cleanup_policy must be delete or compact."""
        path = write_topics(tmp_path, replace={"pages.raw": GOOD_TOPIC.replace("delete", "shred")})
        with pytest.raises(TopicsFileError, match=r"cleanup_policy 'shred'"):
            load_topics(path)

    def test_bad_retention_is_rejected(self, tmp_path: Path) -> None:
        """A retention that is not a duration is rejected."""
        path = write_topics(tmp_path, replace={"pages.raw": GOOD_TOPIC.replace("7d", "a week")})
        with pytest.raises(TopicsFileError, match="retention must be a duration"):
            load_topics(path)

    def test_missing_required_topic_is_rejected(self, tmp_path: Path) -> None:
        """Dropping a topic the code uses is an error naming it."""
        path = write_topics(tmp_path)
        text = path.read_text().replace("  pages.dlq:\n" + GOOD_TOPIC, "")
        path.write_text(text)
        with pytest.raises(TopicsFileError, match=r"missing topics: pages\.dlq"):
            load_topics(path)

    @pytest.mark.parametrize(
        ("content", "problem"),
        [("not json {", "is not JSON"), ('{"type": 5}', "is not a valid JSON Schema"), ("[1, 2]", "not a valid JSON")],
    )
    def test_schema_that_is_not_a_schema_names_its_line(self, tmp_path: Path, content: str, problem: str) -> None:
        """A `schema:` file that is not JSON, or not a JSON Schema, is an error naming the line
        (not a traceback when the worker first validates a page)."""
        path = write_topics(tmp_path)
        (tmp_path / "schemas" / "page.v1.json").write_text(content, encoding="utf-8")
        with pytest.raises(TopicsFileError, match=rf"topics\.yaml:\d+: topic 'pages\.raw': schema file .* {problem}"):
            load_topics(path)

    def test_missing_schema_file_is_rejected(self, tmp_path: Path) -> None:
        """A schema path that does not exist is an error."""
        path = write_topics(tmp_path, replace={"pages.raw": GOOD_TOPIC.replace("page.v1", "nope.v1")})
        with pytest.raises(TopicsFileError, match=r"schema file .schemas/nope\.v1\.json. not found"):
            load_topics(path)

    def test_duplicate_topic_is_rejected(self, tmp_path: Path) -> None:
        """A topic declared twice is an error, not a silent override."""
        path = write_topics(tmp_path, extra="  pages.raw:\n" + GOOD_TOPIC)
        with pytest.raises(TopicsFileError, match=r"'pages\.raw' is declared twice"):
            load_topics(path)

    def test_unknown_top_level_key_is_rejected(self, tmp_path: Path) -> None:
        """Only version and topics may appear at the top."""
        path = write_topics(tmp_path)
        path.write_text("colour: blue\n" + path.read_text())
        with pytest.raises(TopicsFileError, match=r"topics\.yaml:1: unknown key 'colour'"):
            load_topics(path)

    def test_invalid_yaml_names_its_line(self, tmp_path: Path) -> None:
        """A YAML syntax error cites its line."""
        path = tmp_path / "topics.yaml"
        path.write_text("version: 1\ntopics:\n  a: [unclosed\n")
        with pytest.raises(TopicsFileError, match=r"topics\.yaml:\d+: not valid YAML"):
            load_topics(path)

    def test_missing_file_is_a_clear_error(self, tmp_path: Path) -> None:
        """A missing topics file is a TopicsFileError, not an OSError traceback."""
        with pytest.raises(TopicsFileError, match="cannot read topics file"):
            load_topics(tmp_path / "nope.yaml")


class TestParseRetention:
    @pytest.mark.parametrize(
        ("text", "ms"),
        [("7d", 604_800_000), ("72h", 259_200_000), ("30m", 1_800_000), ("forever", -1), (5000, 5000)],
    )
    def test_durations(self, text: object, ms: int) -> None:
        """Durations in d/h/m and 'forever' convert to milliseconds."""
        assert parse_retention(text) == ms

    @pytest.mark.parametrize("text", ["7 days", "", True, -5, "1y"])
    def test_rejects_non_durations(self, text: object) -> None:
        """Anything else is a ValueError."""
        with pytest.raises(ValueError, match="retention"):
            parse_retention(text)

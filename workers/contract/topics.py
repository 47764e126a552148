"""The topic contract: load and validate topics.yaml into frozen `TopicSpec`s.

Everything in raqib reads topic names and settings through `load_topics`; nothing else
parses topics.yaml. Errors name the file and line (`topics.yaml:14: ...`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

__all__ = [
    "INPUT_TOPIC",
    "REQUIRED_TOPICS",
    "STATE_TABLES",
    "TopicSet",
    "TopicSpec",
    "TopicsFileError",
    "default_topics_path",
    "load_topics",
    "parse_retention",
    "schema_problem",
]

# The logical topics the code refers to. topics.yaml must declare each exactly once.
REQUIRED_TOPICS = ("pages.raw", "events.ticker", "events.sightings", "events.articles", "pages.dlq")
# The worker's input; every other topic is one it writes (an "output" for replays).
INPUT_TOPIC = "pages.raw"
# The worker's Faust tables (dedup state); each has a changelog topic Faust creates.
STATE_TABLES = ("ticker", "articles", "bodies")

_CLEANUP_POLICIES = {"delete", "compact", "compact,delete", "delete,compact"}
_TOPIC_KEYS = {
    "description",
    "partitions",
    "replication_factor",
    "retention",
    "cleanup_policy",
    "key",
    "schema",
    "configs",
}
_REQUIRED_TOPIC_KEYS = _TOPIC_KEYS - {"description", "configs"}
_RETENTION = re.compile(r"^\s*(\d+)\s*(ms|s|m|h|d|w)\s*$")
_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}
_TOPIC_NAME = re.compile(r"^[A-Za-z0-9._-]{1,249}$")


class TopicsFileError(ValueError):
    """topics.yaml is missing, malformed or inconsistent; the message names the line."""


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """One topic as declared in topics.yaml."""

    name: str
    partitions: int
    replication_factor: int
    retention_ms: int  # -1 means forever
    cleanup_policy: str
    key: str
    schema: Path
    description: str = ""
    configs: Mapping[str, str] = field(default_factory=dict)

    def broker_configs(self) -> dict[str, str]:
        """The topic-level configs to send with CreateTopics."""
        return {
            "cleanup.policy": self.cleanup_policy,
            "retention.ms": str(self.retention_ms),
            **self.configs,
        }


@dataclass(frozen=True, slots=True)
class TopicSet:
    """All topics of topics.yaml, with an optional name prefix (tests, several deployments
    on one cluster) and an optional extra prefix on the topics the worker writes (replays:
    `raqib replay` reads the live pages.raw and writes `<output_prefix>events.ticker` ...)."""

    specs: Mapping[str, TopicSpec]
    source: Path
    prefix: str = ""
    output_prefix: str = ""

    def __getitem__(self, logical: str) -> TopicSpec:
        return self.specs[logical]

    def __iter__(self) -> Iterator[TopicSpec]:
        return iter(self.specs.values())

    def __len__(self) -> int:
        return len(self.specs)

    def name(self, logical: str) -> str:
        """The Kafka topic name of a logical topic (e.g. "pages.raw"), prefixes applied."""
        spec = self.specs[logical]
        return self.prefix + ("" if logical == INPUT_TOPIC else self.output_prefix) + spec.name

    def output_names(self) -> dict[str, str]:
        """Logical name -> Kafka topic name of the topics the worker writes (all but pages.raw)."""
        return {logical: self.name(logical) for logical in self.specs if logical != INPUT_TOPIC}

    def scope_topic(self, app_id: str) -> str:
        """The worker's internal topic of parsed pages keyed by dedup scope (Faust creates it)."""
        return f"{self.prefix}{app_id}-pages-by-scope"

    def internal_topics(self, app_id: str) -> list[str]:
        """Every topic a worker with `app_id` creates for itself: its repartition topic and
        its tables' changelogs (Faust names those `<app_id>-<table>-changelog`, unprefixed)."""
        return [self.scope_topic(app_id), *(f"{app_id}-{table}-changelog" for table in STATE_TABLES)]

    def stage_inputs(self, app_id: str) -> tuple[str, str]:
        """The topics a worker's two stages consume: drained when both are committed."""
        return self.name(INPUT_TOPIC), self.scope_topic(app_id)

    def with_prefix(self, prefix: str) -> TopicSet:
        return TopicSet(self.specs, self.source, prefix, self.output_prefix)

    def with_output_prefix(self, output_prefix: str) -> TopicSet:
        return TopicSet(self.specs, self.source, self.prefix, output_prefix)


def parse_retention(value: object) -> int:
    """Turn "7d", "72h", "30m", "forever" or a number of ms into milliseconds (-1: forever)."""
    if isinstance(value, bool):
        raise ValueError(f"retention must be a duration like 7d, not {value!r}")
    if isinstance(value, int):
        if value < -1:
            raise ValueError(f"retention must be >= -1 ms, not {value}")
        return value
    if isinstance(value, str):
        if value.strip().lower() in {"forever", "infinite", "-1"}:
            return -1
        match = _RETENTION.match(value)
        if match:
            return int(match.group(1)) * _UNIT_MS[match.group(2)]
    raise ValueError(f"retention must be a duration like 7d, 72h, 30m or 'forever', not {value!r}")


def schema_problem(path: Path) -> str | None:
    """Why the file at `path` is not a JSON Schema the worker can validate with (None: it is)."""
    try:
        schema = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        return f"is not JSON ({exc})"
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return f"is not a valid JSON Schema ({exc.message})"
    return None


def default_topics_path() -> Path:
    """topics.yaml at the top of the checkout, else the copy a wheel carries (bundled/)."""
    here = Path(__file__).resolve().parent  # workers/contract
    for candidate in (here.parents[1] / "topics.yaml", here / "bundled" / "topics.yaml"):
        if candidate.is_file():
            return candidate
    raise TopicsFileError("topics.yaml not found; pass --topics PATH or set RAQIB_TOPICS_FILE")


def load_topics(path: Path | str | None = None, *, prefix: str = "") -> TopicSet:
    """Load and validate topics.yaml. Raises TopicsFileError naming the offending line."""
    path = Path(path) if path is not None else default_topics_path()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TopicsFileError(f"{path}: cannot read topics file: {exc.strerror or exc}") from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise TopicsFileError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    return _TopicsReader(path).read(root, prefix)


class _TopicsReader:
    """Walks the YAML node tree so every error can cite a line number."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, node: yaml.Node | None, message: str) -> TopicsFileError:
        line = f":{node.start_mark.line + 1}" if node is not None else ""
        return TopicsFileError(f"{self.path}{line}: {message}")

    def mapping(self, node: yaml.Node | None, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in out:
                raise self.fail(key_node, f"{what}: {key!r} is declared twice")
            out[key] = (key_node, value_node)
        return out

    def scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, "expected a single value")
        return yaml.SafeLoader(" ").construct_object(node)

    def read(self, root: yaml.Node | None, prefix: str) -> TopicSet:
        top = self.mapping(root, "topics file")
        for key, (key_node, _) in top.items():
            if key not in {"version", "topics"}:
                raise self.fail(key_node, f"unknown key {key!r} (expected: version, topics)")
        if "version" in top and self.scalar(top["version"][1]) != 1:
            raise self.fail(top["version"][1], "unsupported version (expected 1)")
        if "topics" not in top:
            raise self.fail(root, "missing key 'topics'")
        topics_node = top["topics"][1]
        specs: dict[str, TopicSpec] = {}
        for name, (name_node, spec_node) in self.mapping(topics_node, "topics").items():
            if not _TOPIC_NAME.match(str(name)):
                raise self.fail(name_node, f"invalid topic name {name!r}")
            specs[name] = self.topic(name, spec_node)
        missing = [name for name in REQUIRED_TOPICS if name not in specs]
        if missing:
            raise self.fail(topics_node, f"missing topics: {', '.join(missing)}")
        return TopicSet(specs, self.path, prefix)

    def topic(self, name: str, node: yaml.Node) -> TopicSpec:
        fields = self.mapping(node, f"topic {name!r}")
        for key, (key_node, _) in fields.items():
            if key not in _TOPIC_KEYS:
                allowed = ", ".join(sorted(_TOPIC_KEYS))
                raise self.fail(key_node, f"topic {name!r}: unknown key {key!r} (allowed: {allowed})")
        for key in sorted(_REQUIRED_TOPIC_KEYS - fields.keys()):
            raise self.fail(node, f"topic {name!r}: missing key {key!r}")

        def value(key: str) -> tuple[yaml.Node, Any]:
            value_node = fields[key][1]
            return value_node, self.scalar(value_node)

        def positive_int(key: str) -> int:
            value_node, raw = value(key)
            if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
                raise self.fail(value_node, f"topic {name!r}: {key} must be an integer >= 1, not {raw!r}")
            return raw

        def text(key: str) -> str:
            value_node, raw = value(key)
            if not isinstance(raw, str) or not raw.strip():
                raise self.fail(value_node, f"topic {name!r}: {key} must be a non-empty string")
            return raw.strip()

        retention_node, retention_raw = value("retention")
        try:
            retention_ms = parse_retention(retention_raw)
        except ValueError as exc:
            raise self.fail(retention_node, f"topic {name!r}: {exc}") from None

        policy_node, policy = value("cleanup_policy")
        if policy not in _CLEANUP_POLICIES:
            allowed = ", ".join(sorted(_CLEANUP_POLICIES))
            raise self.fail(policy_node, f"topic {name!r}: cleanup_policy {policy!r} not one of {allowed}")

        schema_node, schema_raw = value("schema")
        schema = (self.path.parent / str(schema_raw)).resolve()
        if not schema.is_file():
            raise self.fail(schema_node, f"topic {name!r}: schema file {schema_raw!r} not found")
        if (problem := schema_problem(schema)) is not None:
            raise self.fail(schema_node, f"topic {name!r}: schema file {schema_raw!r} {problem}")

        configs: dict[str, str] = {}
        if "configs" in fields:
            for key, (key_node, config_node) in self.mapping(fields["configs"][1], "configs").items():
                raw = self.scalar(config_node)
                if key in {"cleanup.policy", "retention.ms"}:
                    raise self.fail(key_node, f"topic {name!r}: set {key} with the topic's own key")
                if isinstance(raw, bool) or raw is None:
                    raise self.fail(config_node, f"topic {name!r}: config {key} must be a string")
                configs[key] = str(raw)

        return TopicSpec(
            name=name,
            partitions=positive_int("partitions"),
            replication_factor=positive_int("replication_factor"),
            retention_ms=retention_ms,
            cleanup_policy=policy,
            key=text("key"),
            schema=schema,
            description=text("description") if "description" in fields else "",
            configs=configs,
        )

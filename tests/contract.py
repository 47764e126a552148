"""Contract helper: every record a test sees is checked against its topic's JSON Schema."""

from __future__ import annotations

from typing import Any

from workers.contract.schemas import validator_for
from workers.contract.topics import TopicSet


def assert_matches_schema(topics: TopicSet, logical_topic: str, value: Any) -> None:
    """Fail with the schema's own message when `value` does not match the topic's schema."""
    validator_for(topics[logical_topic].schema).validate(value)

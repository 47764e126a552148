"""Shared fixtures: paths, the Hypothesis profile, and the Kafka-protocol broker."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from workers.adapters.embedded_broker import EmbeddedBroker
from workers.contract.topics import TopicSet, load_topics

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

settings.register_profile("raqib", deadline=2000, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "raqib"))


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def topics() -> TopicSet:
    """The project's topics.yaml."""
    return load_topics(ROOT / "topics.yaml")


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Kafka-protocol broker for the session: $KAFKA_BOOTSTRAP, else embedded Tansu on a
    free loopback port (never skipped: a missing broker binary fails the tests)."""
    external = os.environ.get("KAFKA_BOOTSTRAP")
    if external:
        yield external
        return
    log = tmp_path_factory.mktemp("broker") / "tansu.log"
    with EmbeddedBroker(log_path=log) as broker:
        yield broker.bootstrap


@pytest.fixture
def topic_prefix() -> str:
    """A unique topic-name prefix, so every test gets its own topic set on the shared broker."""
    return f"t{uuid.uuid4().hex[:10]}."

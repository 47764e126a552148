"""Create topics from topics.yaml, and check a cluster against it (aiokafka admin client)."""

from __future__ import annotations

from dataclasses import dataclass

from aiokafka.admin import NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaError

from workers.adapters.kafka_clients import admin_client
from workers.contract.topics import TopicSet, TopicSpec
from workers.errors import TransientError

__all__ = ["TopicCheck", "check_topics", "create_topics"]

_TOPIC_ALREADY_EXISTS = 36


async def create_topics(topics: TopicSet, bootstrap: str, *, replication_factor: int | None = None) -> dict[str, str]:
    """Create every topic of `topics` that does not exist. Returns name -> created|exists."""
    results: dict[str, str] = {}
    async with admin_client(bootstrap) as admin:
        new = [
            NewTopic(
                name=topics.name(spec.name),
                num_partitions=spec.partitions,
                replication_factor=replication_factor or spec.replication_factor,
                topic_configs=spec.broker_configs(),
            )
            for spec in topics
        ]
        response = await admin.create_topics(new)
        for name, code, message in response.topic_errors:
            if code == 0:
                results[name] = "created"
            elif code == _TOPIC_ALREADY_EXISTS:
                results[name] = "exists"
            else:
                raise TransientError(f"could not create topic {name}: error {code}: {message}")
    return results


@dataclass(frozen=True, slots=True)
class TopicCheck:
    """How one declared topic compares with the cluster."""

    name: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


async def check_topics(topics: TopicSet, bootstrap: str) -> list[TopicCheck]:
    """Compare the cluster with topics.yaml: existence, partitions, cleanup policy, retention."""
    checks: list[TopicCheck] = []
    async with admin_client(bootstrap) as admin:
        existing = set(await admin.list_topics())
        names = [topics.name(spec.name) for spec in topics]
        present = [name for name in names if name in existing]
        described = {d["topic"]: d for d in await admin.describe_topics(present)} if present else {}
        configs: dict[str, dict[str, str]] = {}
        if present:
            try:
                responses = await admin.describe_configs(
                    [ConfigResource(ConfigResourceType.TOPIC, name) for name in present]
                )
                for response in responses:
                    for resource in response.resources:
                        entries = resource[4]
                        configs[resource[3]] = {entry[0]: entry[1] for entry in entries}
            except KafkaError:
                configs = {}  # brokers that refuse DescribeConfigs: check what we can
        for spec in topics:
            name = topics.name(spec.name)
            checks.append(TopicCheck(name, tuple(_problems(spec, name, described, configs))))
    return checks


def _problems(
    spec: TopicSpec,
    name: str,
    described: dict[str, dict[str, object]],
    configs: dict[str, dict[str, str]],
) -> list[str]:
    if name not in described:
        return ["missing"]
    problems: list[str] = []
    partitions = described[name].get("partitions")
    if not isinstance(partitions, list):
        partitions = []
    if len(partitions) != spec.partitions:
        problems.append(f"partitions: cluster has {len(partitions)}, topics.yaml says {spec.partitions}")
    actual = configs.get(name, {})
    for key, wanted in spec.broker_configs().items():
        if key in actual and actual[key] != wanted:
            problems.append(f"{key}: cluster has {actual[key]}, topics.yaml says {wanted}")
    return problems

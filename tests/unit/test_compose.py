"""docker-compose.yml: no Docker engine here, so check its wiring by reading it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return data


def flag(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


class TestCompose:
    def test_kafka_is_the_official_image_in_kraft_mode(self, compose: dict[str, Any]) -> None:
        """The broker is apache/kafka with process roles broker+controller (KRaft, no ZooKeeper)."""
        kafka = compose["services"]["kafka"]
        assert kafka["image"].startswith("apache/kafka:")
        assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
        assert "zookeeper" not in compose["services"]
        assert "healthcheck" in kafka

    def test_topic_init_creates_topics_from_topics_yaml(self, compose: dict[str, Any]) -> None:
        """The one-shot service runs `raqib topics create` with the topics file, after Kafka is healthy."""
        init = compose["services"]["topics-init"]
        assert init["command"][:2] == ["topics", "create"]
        assert Path(flag(init["command"], "--topics")).name == "topics.yaml"
        assert init["depends_on"]["kafka"]["condition"] == "service_healthy"
        assert init["restart"] == "no"

    def test_two_worker_replicas_run_raqib_worker(self, compose: dict[str, Any]) -> None:
        """Two worker replicas run `raqib worker` after the topics exist, with a health check."""
        worker = compose["services"]["worker"]
        assert worker["command"][0] == "worker"
        assert worker["deploy"]["replicas"] == 2
        assert worker["depends_on"]["topics-init"]["condition"] == "service_completed_successfully"
        assert "/health" in " ".join(worker["healthcheck"]["test"])
        dockerfile = (ROOT / "Dockerfile").read_text()
        assert 'ENTRYPOINT ["raqib"]' in dockerfile

    def test_bootstrap_addresses_are_consistent(self, compose: dict[str, Any]) -> None:
        """Every raqib service points at the broker's advertised internal listener."""
        kafka_env = compose["services"]["kafka"]["environment"]
        advertised = dict(item.split("://", 1) for item in kafka_env["KAFKA_ADVERTISED_LISTENERS"].split(","))
        internal = advertised[kafka_env["KAFKA_INTER_BROKER_LISTENER_NAME"]]
        for name in ("topics-init", "worker"):
            service = compose["services"][name]
            assert flag(service["command"], "--bootstrap") == internal
            assert service["environment"]["RAQIB_BOOTSTRAP"] == internal
            assert flag(service["command"], "--topics") == service["environment"]["RAQIB_TOPICS_FILE"]
        host, port = internal.split(":")
        assert host == "kafka"
        assert f"0.0.0.0:{port}" in kafka_env["KAFKA_LISTENERS"]

    def test_worker_uses_rocksdb_in_production(self, compose: dict[str, Any]) -> None:
        """Workers keep table state in RocksDB (the image installs raqib[rocksdb])."""
        assert compose["services"]["worker"]["environment"]["RAQIB_STORE"] == "rocksdb://"
        assert '".[rocksdb]"' in (ROOT / "Dockerfile").read_text()


@pytest.fixture(scope="module")
def stages() -> list[str]:
    """The Dockerfile's stages, each from its FROM line."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    return ["FROM " + part for part in text.split("\nFROM ")[1:]]


class TestDockerfile:
    """No Docker engine here either: the image recipe is checked by reading it. (Its build
    stage was run by hand once, outside Docker: with a compiler the installed raqib runs the
    kernel; with CC=/bin/false and RAQIB_REQUIRE_KERNEL=1 the install fails.)"""

    def test_build_stage_compiles_the_kernel_or_fails(self, stages: list[str]) -> None:
        """The build stage has a C compiler, requires the kernel from the build hook, and
        checks that the installed raqib runs it."""
        build = stages[0]
        assert build.splitlines()[0].endswith("AS build")
        assert "gcc" in build
        assert "RAQIB_REQUIRE_KERNEL=1" in build
        assert "compiled()" in build

    def test_runtime_stage_takes_only_the_built_environment(self, stages: list[str]) -> None:
        """The image that runs has no compiler and copies the environment the build stage made."""
        runtime = stages[-1]
        assert "COPY --from=build" in runtime
        assert "gcc" not in runtime
        assert 'CMD ["worker"]' in runtime

    def test_the_topics_file_compose_names_is_in_the_image(self, compose: dict[str, Any], stages: list[str]) -> None:
        """docker-compose points the workers at /app/topics.yaml: the runtime stage puts it (and
        the schemas it names) there."""
        paths = {compose["x-raqib-env"]["RAQIB_TOPICS_FILE"]} if "x-raqib-env" in compose else set()
        for service in compose["services"].values():
            command = service.get("command") or []
            if "--topics" in command:
                paths.add(flag(command, "--topics"))
        assert paths == {"/app/topics.yaml"}
        runtime = stages[-1]
        assert "WORKDIR /app" in runtime
        assert "COPY topics.yaml ./" in runtime
        assert "COPY schemas ./schemas" in runtime

    def test_workers_listen_beyond_loopback_in_compose(self, compose: dict[str, Any]) -> None:
        """raqib's web server binds 127.0.0.1 by default; in a container it must not."""
        assert compose["services"]["worker"]["environment"]["RAQIB_WEB_BIND"] == "0.0.0.0"  # noqa: S104

    def test_dockerignore_keeps_local_builds_out(self) -> None:
        """A kernel compiled on the developer's machine (or a venv) never enters the context."""
        patterns = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
        assert {"**/*.so", ".venv", "build", ".git"} <= set(patterns)

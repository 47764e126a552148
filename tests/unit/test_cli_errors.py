"""CLI: bad input gives one clear line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workers.adapters.embedded_broker import free_port


def raqib(*args: str, timeout: float = 60, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("RAQIB_")} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "workers", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=environ,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], needle: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("raqib: error: ")
    assert needle in lines[0]


class TestCliErrors:
    def test_missing_file(self, tmp_path: Path) -> None:
        """`raqib ingest` of a missing file names it."""
        result = raqib("ingest", str(tmp_path / "missing.txt"), "--bootstrap", "127.0.0.1:1")
        assert_one_line_error(result, "missing.txt: no such file")

    def test_directory_instead_of_file(self, tmp_path: Path) -> None:
        """A directory is refused with a hint."""
        assert_one_line_error(raqib("process", str(tmp_path)), "is a directory")

    def test_broker_unreachable_for_ingest(self, tmp_path: Path) -> None:
        """`raqib ingest` to a port nobody listens on says it cannot connect."""
        page = tmp_path / "p.txt"
        page.write_text("x")
        result = raqib("ingest", str(page), "--bootstrap", f"127.0.0.1:{free_port()}")
        assert_one_line_error(result, "cannot connect to Kafka")

    @pytest.mark.parametrize(
        "command",
        [
            ["topics", "create"],
            ["topics", "check"],
            ["tail", "events.ticker", "-n", "1"],
            ["replay", "--from", "beginning", "--no-progress"],
        ],
    )
    def test_broker_unreachable(self, command: list[str]) -> None:
        """Every command that talks to Kafka fails cleanly when the broker is not there."""
        result = raqib(*command, "--bootstrap", f"127.0.0.1:{free_port()}")
        assert_one_line_error(result, "cannot connect to Kafka")

    def test_worker_broker_unreachable(self) -> None:
        """`raqib worker` gives up after its preflight check with one line."""
        result = raqib("worker", "--bootstrap", f"127.0.0.1:{free_port()}", "--log-format", "json", timeout=90)
        assert result.returncode != 0
        assert "Traceback" not in result.stderr
        assert "raqib: error: no Kafka broker answered" in result.stderr

    def test_bad_topics_file(self, tmp_path: Path) -> None:
        """A broken topics file is reported with its line."""
        bad = tmp_path / "topics.yaml"
        bad.write_text("version: 1\ntopics:\n  pages.raw: {partitions: many}\n")
        result = raqib("topics", "check", "--topics", str(bad), "--bootstrap", "127.0.0.1:1")
        assert_one_line_error(result, "topics.yaml:3:")

    def test_bad_fetched_at(self, tmp_path: Path) -> None:
        """An unparseable --fetched-at is a usage error."""
        page = tmp_path / "p.txt"
        page.write_text("x")
        result = raqib("process", str(page), "--fetched-at", "last tuesday")
        assert_one_line_error(result, "not an ISO 8601 time")
        assert result.returncode == 2

    @pytest.mark.parametrize(
        ("args", "needle"),
        [
            (["--from", "yesterday"], "not an offset, a time or one of beginning"),
            (["--from", "0", "--to", "soon"], "not an offset, a time or one of end"),
            (["--from", "0", "--output-prefix", "x.", "--into-live-topics"], "exclude each other"),
        ],
    )
    def test_bad_replay_bounds(self, args: list[str], needle: str) -> None:
        """`raqib replay` refuses bounds it cannot read before touching the broker."""
        result = raqib("replay", *args, "--bootstrap", "127.0.0.1:1")
        assert_one_line_error(result, needle)
        assert result.returncode == 2


class TestCommands:
    def test_every_command_is_registered(self) -> None:
        """`raqib --help` lists every command of workers/cli/ (a module left unregistered
        would silently drop its command)."""
        result = raqib("--help")
        assert result.returncode == 0, result.stderr
        for command in ("broker", "topics", "ingest", "tail", "dlq", "worker", "replay", "process", "demo"):
            assert f"│ {command} " in result.stdout, command
        dlq = raqib("dlq", "--help")
        assert "│ redrive " in dlq.stdout
        assert "│ replay " not in dlq.stdout  # the old name still works, but is not advertised
        assert raqib("dlq", "replay", "--help").returncode == 0


COMMANDS_WITH_BOOTSTRAP = [
    ["topics", "create"],
    ["topics", "check"],
    ["ingest", "README.md"],
    ["tail", "pages.raw"],
    ["dlq", "redrive"],
    ["worker"],
    ["replay", "--from", "beginning"],
]


class TestConfigurationErrors:
    """Every bad flag or setting is one line naming it, before anything connects."""

    @pytest.mark.parametrize("bootstrap", ["localhost:abc", ":::", "127.0.0.1:99999"])
    @pytest.mark.parametrize("command", COMMANDS_WITH_BOOTSTRAP, ids=" ".join)
    def test_bad_bootstrap(self, command: list[str], bootstrap: str) -> None:
        """A malformed --bootstrap is refused by every command that takes it."""
        assert_one_line_error(raqib(*command, "--bootstrap", bootstrap, timeout=20), "--bootstrap")

    @pytest.mark.parametrize(
        ("variable", "value"),
        [
            ("RAQIB_LOG_LEVEL", "LOUD"),
            ("RAQIB_TIMEZONE", "Mars/Olympus"),
            ("RAQIB_WEB_PORT", "99999"),
            ("RAQIB_GUARD_MAX_RATIO", "5"),
            ("RAQIB_GUARD_WINDOW", "0"),
            ("RAQIB_SESSION_TIMEOUT_S", "nan"),
            ("RAQIB_HEARTBEAT_INTERVAL_S", "30"),
            ("RAQIB_BOOTSTRAP", "localhost:abc"),
        ],
    )
    def test_bad_worker_setting(self, variable: str, value: str) -> None:
        """The worker refuses a setting it cannot use at once (the broker address below is
        never tried: the check comes first), naming the variable."""
        started = time.monotonic()
        result = raqib("worker", env={variable: value, "RAQIB_BOOTSTRAP": "127.0.0.1:1"} | {variable: value})
        assert_one_line_error(result, variable)
        assert time.monotonic() - started < 15  # not after the 15 s wait for a broker

"""The CLI against a real broker: topics, ingest, tail, broker and demo."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from aiokafka.admin import NewTopic

from tests.integration.helpers import SAMPLES, OutputReader, wait_for
from workers.adapters.codec import encode_value
from workers.adapters.dead_letter import DeadLetter
from workers.adapters.embedded_broker import free_port
from workers.adapters.kafka_clients import admin_client, kafka_producer, probe_kafka
from workers.adapters.kafka_offsets import end_offsets
from workers.adapters.kafka_reader import consume
from workers.cli.dlq import redrive_dead_letters
from workers.contract.topics import load_topics

pytestmark = [pytest.mark.integration]


def raqib(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workers", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class TestTopicsCommands:
    def test_create_is_idempotent_and_check_passes(self, kafka_bootstrap: str, topic_prefix: str) -> None:
        """`topics create` twice: created, then exists; `topics check` then reports ok for all."""
        first = raqib("topics", "create", "-b", kafka_bootstrap, "--prefix", topic_prefix)
        assert first.returncode == 0, first.stderr
        assert first.stdout.count("created") == 5
        second = raqib("topics", "create", "-b", kafka_bootstrap, "--prefix", topic_prefix)
        assert second.returncode == 0, second.stderr
        assert second.stdout.count("exists") == 5
        check = raqib("topics", "check", "-b", kafka_bootstrap, "--prefix", topic_prefix)
        assert check.returncode == 0, check.stdout + check.stderr
        assert check.stdout.count("ok ") == 5

    async def test_check_reports_mismatch(self, kafka_bootstrap: str, topic_prefix: str) -> None:
        """A topic with other partitions or policy, and a missing one, fail `topics check`."""
        async with admin_client(kafka_bootstrap) as admin:
            await admin.create_topics(
                [NewTopic(f"{topic_prefix}events.ticker", 2, 1, topic_configs={"cleanup.policy": "delete"})]
            )
        check = raqib("topics", "check", "-b", kafka_bootstrap, "--prefix", topic_prefix)
        assert check.returncode == 1
        assert f"MISMATCH {topic_prefix}events.ticker" in check.stdout
        assert "partitions: cluster has 2, topics.yaml says 6" in check.stdout
        assert "cleanup.policy: cluster has delete, topics.yaml says compact" in check.stdout
        assert f"MISMATCH {topic_prefix}pages.raw\n         - missing" in check.stdout
        assert "raqib: error: the cluster does not match topics.yaml" in check.stderr


class TestIngestAndTail:
    def test_ingest_then_tail(self, kafka_bootstrap: str, topic_prefix: str, tmp_path: Path) -> None:
        """Ingested files arrive on pages.raw; tail prints them as JSON lines and stops at -n."""
        assert raqib("topics", "create", "-b", kafka_bootstrap, "--prefix", topic_prefix).returncode == 0
        page = tmp_path / "page.html"
        page.write_text("<html><head><title>عاجل</title></head><body>نص</body></html>", encoding="utf-8")
        bad = tmp_path / "bad.jsonl"
        bad.write_text('{"url": "https://x.org/a"}\n', encoding="utf-8")
        sent = raqib(
            "ingest",
            str(page),
            str(SAMPLES),
            str(bad),
            "-b",
            kafka_bootstrap,
            "--prefix",
            topic_prefix,
            "--site",
            "example.org",
            "--no-progress",
        )
        assert sent.returncode == 1, "a rejected input makes the exit status non-zero"
        assert f"sent 6 page(s) to {topic_prefix}pages.raw; rejected 1" in sent.stdout
        assert "bad.jsonl:1" in sent.stdout
        assert "required property" in sent.stdout

        tail = raqib(
            "tail",
            "pages.raw",
            "-b",
            kafka_bootstrap,
            "--prefix",
            topic_prefix,
            "--from-beginning",
            "-n",
            "4",
            "--idle",
            "10",
        )
        assert tail.returncode == 0, tail.stderr
        lines = [orjson.loads(line) for line in tail.stdout.splitlines()]
        assert len(lines) == 4
        assert {tuple(sorted(line)) for line in lines} == {("key", "offset", "partition", "topic", "value")}
        assert all(line["topic"] == f"{topic_prefix}pages.raw" for line in lines)
        everything = raqib(
            "tail", "pages.raw", "-b", kafka_bootstrap, "--prefix", topic_prefix, "--from-beginning", "--idle", "3"
        )
        all_lines = [orjson.loads(line) for line in everything.stdout.splitlines()]
        assert len(all_lines) == 6
        html = [line for line in all_lines if line["value"]["content_type"] == "text/html"]
        assert html[0]["value"]["site"] == "example.org"
        assert html[0]["key"] == "example.org"  # keyed by site

    def test_tail_idle_timeout_on_empty_topic(self, kafka_bootstrap: str, topic_prefix: str) -> None:
        """tail on an empty topic exits by itself after --idle seconds, printing nothing."""
        assert raqib("topics", "create", "-b", kafka_bootstrap, "--prefix", topic_prefix).returncode == 0
        started = time.monotonic()
        tail = raqib("tail", "pages.dlq", "-b", kafka_bootstrap, "--prefix", topic_prefix, "--idle", "1")
        assert tail.returncode == 0
        assert tail.stdout == ""
        assert time.monotonic() - started < 30


class TestBrokerCommand:
    async def test_broker_serves_kafka_and_stops_on_sigterm(self) -> None:
        """`raqib broker --port N` prints the bootstrap address, answers Kafka, exits 0 on SIGTERM."""
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "workers", "broker", "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        output = OutputReader(process)
        try:
            output.wait_for_line(lambda line: "bootstrap:" in line, timeout=60)
            assert f"bootstrap: 127.0.0.1:{port}" in output.lines[-1]
            assert await probe_kafka(f"127.0.0.1:{port}") is not None
        finally:
            process.send_signal(signal.SIGTERM)
            out = output.rest(timeout=30)
        assert process.returncode == 0, out
        assert "broker stopped (SIGTERM)" in out
        with pytest.raises(ConnectionRefusedError):  # the port is closed again
            socket.create_connection(("127.0.0.1", port), timeout=1)


class TestDemo:
    def test_demo_shows_pages_reaching_an_output_topic(self) -> None:
        """`raqib demo` starts everything, prints one event per sample page, and exits 0."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAQIB_")}
        result = subprocess.run(
            [sys.executable, "-m", "workers", "demo"],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            env=env,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "-- ingested 5 sample page(s)" in result.stdout
        assert result.stdout.count("[article]") == 5
        assert result.stdout.count("[ticker]") == 19
        assert result.stdout.count("[sighting]") == 1
        assert "-- input drained: 19 events.ticker, 1 events.sightings, 5 events.articles, 0 pages.dlq" in result.stdout
        assert "-- input drained:" in result.stdout
        assert "-- worker stopped (exit status 0)" in result.stdout


def start_demo_keep_running() -> tuple[subprocess.Popen[str], OutputReader]:
    """`raqib demo --keep-running` with no RAQIB_* settings, its output read on a thread."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAQIB_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "workers", "demo", "--keep-running"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    return process, OutputReader(process)


class TestDemoKeepRunning:
    @pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
    def test_stops_worker_and_broker_on_signal(self, signum: int) -> None:
        """`demo --keep-running` stays up, then Ctrl-C or SIGTERM stops its worker and broker."""
        process, output = start_demo_keep_running()
        line = output.wait_for_line(lambda line: line.startswith("-- still running; bootstrap:"), timeout=180)
        bootstrap = line.split("bootstrap:")[1].strip()
        process.send_signal(signum)
        rest = output.rest(timeout=60)
        assert process.returncode != 0  # interrupted, as a Ctrl-C should report
        assert "-- worker stopped" in rest
        host, port = bootstrap.rsplit(":", 1)
        with pytest.raises(ConnectionRefusedError):  # the broker is gone too
            socket.create_connection((host, int(port)), timeout=1)

    async def test_sigkill_of_the_demo_takes_its_broker_and_worker_down(self) -> None:
        """`kill -9` of `raqib demo` runs none of its cleanup; its broker and worker still stop
        (they get SIGTERM when their parent dies). Before, both ran on."""
        process, output = start_demo_keep_running()
        started = output.wait_for_line(lambda line: line.startswith("-- worker started (pid "), timeout=120)
        worker_pid = int(started.split("(pid ")[1].split(";")[0])
        line = output.wait_for_line(lambda line: line.startswith("-- still running; bootstrap:"), timeout=180)
        host, port = line.split("bootstrap:")[1].strip().rsplit(":", 1)
        process.kill()
        output.rest(timeout=30)

        async def gone() -> bool:
            try:
                os.kill(worker_pid, 0)
            except ProcessLookupError:
                worker_alive = False
            else:
                worker_alive = True
            with socket.socket() as sock:
                sock.settimeout(0.5)
                broker_alive = sock.connect_ex((host, int(port))) == 0
            return not worker_alive and not broker_alive

        await wait_for(gone, timeout=60, what="the demo's worker and broker to stop after the demo was killed")


class TestDlqReplay:
    async def test_redrives_original_bytes_and_skips_truncated(self, kafka_bootstrap: str, topic_prefix: str) -> None:
        """`raqib dlq redrive` sends each letter's original bytes and key back to pages.raw with a
        raqib.redriven_from header; truncated letters are skipped and listed; --dry-run sends nothing."""
        assert raqib("topics", "create", "-b", kafka_bootstrap, "--prefix", topic_prefix).returncode == 0
        original = SAMPLES.read_bytes().splitlines()[0]
        source = f"{topic_prefix}pages.raw"
        good = DeadLetter(source, 0, 7, None, b"page-key", original, "parse", "ParseFailure.x", "bug fixed since")
        cut = DeadLetter(source, 0, 8, None, None, b"x", "decode", "TooLarge", "too big").to_dict()
        cut["truncated"] = True
        async with kafka_producer(kafka_bootstrap) as producer:
            await producer.send_and_wait(f"{topic_prefix}pages.dlq", encode_value(good.to_dict()), key=b"page-key")
            await producer.send_and_wait(f"{topic_prefix}pages.dlq", encode_value(cut))

        dry = raqib("dlq", "redrive", "-b", kafka_bootstrap, "--prefix", topic_prefix, "--dry-run", "--idle", "2")
        assert dry.returncode == 0, dry.stderr
        assert "would re-drive 1 dead letter(s)" in dry.stdout
        real = raqib("dlq", "redrive", "-b", kafka_bootstrap, "--prefix", topic_prefix, "--idle", "2")
        assert real.returncode == 0, real.stderr
        assert f"re-drove 1 dead letter(s) (1 to {topic_prefix}pages.raw); skipped 1" in real.stdout
        assert "original value was truncated" in real.stdout

        records = [r async for r in consume([f"{topic_prefix}pages.raw"], kafka_bootstrap, until_end=True, idle=30)]
        assert [(r.key, r.value) for r in records] == [(b"page-key", original)]
        assert dict(records[0].headers)["raqib.redriven_from"] == f"{topic_prefix}pages.dlq:0:0".encode()
        assert dict(records[0].headers)["raqib.redrive_count"] == b"1"

    async def test_stops_at_the_end_it_started_from(self, kafka_bootstrap: str, topic_prefix: str) -> None:
        """Letters written while a re-drive runs (a re-driven message failing again under a
        running worker) are left for the next run: no feedback loop. Before, one letter
        became thousands of copies."""
        assert raqib("topics", "create", "-b", kafka_bootstrap, "--prefix", topic_prefix).returncode == 0
        dlq = f"{topic_prefix}pages.dlq"
        letter = DeadLetter(f"{topic_prefix}pages.raw", 0, 1, None, b"k", b"{}", "parse", "X", "x")
        stop = asyncio.Event()

        async def keep_failing() -> int:
            """A worker that dead-letters every re-driven message again, at once."""
            sent = 0
            async with kafka_producer(kafka_bootstrap) as producer:
                for _ in range(5):
                    await producer.send_and_wait(dlq, encode_value(letter.to_dict()))
                    sent += 1
                while not stop.is_set():
                    await producer.send_and_wait(dlq, encode_value(letter.to_dict()))
                    sent += 1
                    await asyncio.sleep(0.01)
            return sent

        writer = asyncio.create_task(keep_failing())
        await wait_for(lambda: _has_records(kafka_bootstrap, dlq, 5), timeout=30, what="the first letters")
        try:
            topics = load_topics().with_prefix(topic_prefix)
            summary = await asyncio.wait_for(redrive_dead_letters(topics, kafka_bootstrap, idle=30), 90)
        finally:
            stop.set()
            total = await writer
        # It stopped (the writer never does: without the end it started from, the re-drive
        # would still be reading at the 90 s bound), and re-drove only letters that existed.
        # Under load the writer may add nothing while it runs, so `<=`, not `<`.
        assert 5 <= summary.redriven <= total


async def _has_records(bootstrap: str, topic: str, n: int) -> bool:
    return sum((await end_offsets(bootstrap, topic)).values()) >= n

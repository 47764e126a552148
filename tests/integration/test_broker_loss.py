"""The broker is SIGKILLed under a running worker (gone, not paused): the worker says so on
/health, does not flood its log, and stops on its own past its deadline, or at once on
SIGTERM, within its shutdown timeout. (A paused broker is ridden out: test_broker_pause.py.)"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.integration.helpers import SAMPLES, fresh_topics, start_worker, wait_drained, wait_for
from workers.adapters.embedded_broker import EmbeddedBroker
from workers.cli.ingest import send_pages
from workers.contract.topics import TopicSet
from workers.runtime.child import WorkerProcess

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.fault]

DEADLINE_S = 10
SHUTDOWN_TIMEOUT_S = 10
# How long the broker has been gone when SIGTERM comes: long enough for the consumer to be
# stuck reconnecting (then a clean stop took about a minute), shorter than the deadline.
OUTAGE_BEFORE_SIGTERM_S = 8


@pytest.fixture
async def running(tmp_path: Path, topics: TopicSet) -> AsyncIterator[tuple[EmbeddedBroker, WorkerProcess]]:
    """A broker of its own (this test kills it) and a worker that has processed the samples."""
    broker = await asyncio.to_thread(EmbeddedBroker(log_path=tmp_path / "broker.log").start)
    prefixed = await fresh_topics(topics, broker.bootstrap, "loss.")
    worker = start_worker(
        broker.bootstrap,
        prefixed,
        tmp_path,
        RAQIB_BROKER_DEADLINE_S=str(DEADLINE_S),
        RAQIB_BROKER_CHECK_INTERVAL_S="1",
        RAQIB_SHUTDOWN_TIMEOUT_S=str(SHUTDOWN_TIMEOUT_S),
    )
    try:
        await send_pages([SAMPLES], prefixed, broker.bootstrap, prefixed.name("pages.raw"), progress=False)
        await wait_drained(broker.bootstrap, prefixed, worker)
        assert await health(worker) == 200
        yield broker, worker
    finally:
        worker.kill()
        broker.stop()


async def health(worker: WorkerProcess) -> int | None:
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session,
            session.get(f"http://127.0.0.1:{worker.web_port}/health") as response,
        ):
            return response.status
    except (aiohttp.ClientError, TimeoutError):
        return None


def kill(broker: EmbeddedBroker) -> None:
    assert broker.process is not None
    broker.process.kill()
    broker.process.wait()


async def test_worker_reports_and_stops_when_the_broker_is_gone(
    running: tuple[EmbeddedBroker, WorkerProcess],
) -> None:
    """/health turns 503; past the deadline the worker exits non-zero with one clear line;
    the log does not fill with reconnect errors. Before: "ok" and ~110 error lines a second,
    for ever."""
    broker, worker = running
    logged_before = len(worker.log_path.read_bytes().splitlines())
    kill(broker)
    killed = time.monotonic()

    async def unhealthy() -> bool:
        return await health(worker) == 503

    await wait_for(unhealthy, timeout=30, what="/health to report the broker unreachable")
    assert worker.process is not None
    try:
        status = await asyncio.to_thread(worker.process.wait, DEADLINE_S + SHUTDOWN_TIMEOUT_S + 60)
    except subprocess.TimeoutExpired:
        pytest.fail("the worker did not stop after its broker deadline")
    took = time.monotonic() - killed
    log = worker.log_path.read_text()
    assert status != 0
    assert log.count('"worker_stopping_broker_unreachable"') == 1
    lines_after = len(log.splitlines()) - logged_before
    assert lines_after < 300, f"{lines_after} log lines in {took:.0f}s of outage"
    print(
        f"\nbroker loss: 503 on /health, stopped with status {status} {took:.0f}s after the kill, "
        f"{lines_after} log lines"
    )


async def test_sigterm_stops_the_worker_in_time_with_the_broker_gone(
    running: tuple[EmbeddedBroker, WorkerProcess],
) -> None:
    """SIGTERM ends the worker within its shutdown timeout even though its last commit and
    flush cannot reach the broker. Before: a minute or more (still alive at 90 s in one probe)."""
    broker, worker = running
    kill(broker)

    async def unhealthy() -> bool:
        return await health(worker) == 503

    await wait_for(unhealthy, timeout=30, what="the worker to notice the broker is gone")
    await asyncio.sleep(OUTAGE_BEFORE_SIGTERM_S)  # the fault lasting, not a synchronization
    assert worker.process is not None
    worker.process.send_signal(signal.SIGTERM)
    sent = time.monotonic()
    try:
        await asyncio.to_thread(worker.process.wait, SHUTDOWN_TIMEOUT_S + 10)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running {SHUTDOWN_TIMEOUT_S + 10}s after SIGTERM")
    print(f"\nSIGTERM without a broker: stopped in {time.monotonic() - sent:.1f}s")

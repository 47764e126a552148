"""The broker stops answering for 20 s mid-stream (SIGSTOP), then resumes (SIGCONT): the
worker recovers on its own, nothing is lost, and repeats are identical.

The 20 s is the fault's length, not a synchronization: the outage starts once the worker
is seen processing pages, and the test ends when the group has drained its input."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from tests.integration.delivery import check_delivery, produce, read_events, wait_processed, worker_factory
from tests.integration.generated import generate
from tests.integration.helpers import fresh_topics, supervise_until_drained
from workers.adapters.embedded_broker import EmbeddedBroker
from workers.contract.topics import TopicSet

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.fault]

OUTAGE_S = 20.0


async def test_broker_paused_for_20s_mid_stream(tmp_path: Path, topics: TopicSet) -> None:
    """SIGSTOP the broker for 20 s while the worker is busy, then SIGCONT: it recovers alone."""
    stream = generate(600, seed=3)
    # our own broker, since we pause it (started off the event loop: start() blocks)
    broker = await asyncio.to_thread(EmbeddedBroker(log_path=tmp_path / "broker.log").start)
    try:
        prefixed = await fresh_topics(topics, broker.bootstrap, "pause.")
        start_worker = worker_factory(broker.bootstrap, prefixed, tmp_path)
        worker = start_worker()
        try:
            await produce(broker.bootstrap, prefixed.name("pages.raw"), stream, stop=300)
            busy_at = await wait_processed(worker, 20)  # mid-stream: the worker is busy
            broker.pause()
            assert busy_at < 300, "the outage started after the worker had finished the first half"
            await asyncio.sleep(OUTAGE_S)  # the outage itself
            broker.resume()
            resumed = time.monotonic()
            await produce(broker.bootstrap, prefixed.name("pages.raw"), stream, start=300)
            worker, restarts = await supervise_until_drained(broker.bootstrap, prefixed, worker, start_worker, 240)
            drained_after = time.monotonic() - resumed
        finally:
            assert worker.stop() == 0
        seen = await read_events(broker.bootstrap, prefixed)
    finally:
        broker.stop()
    repeats = check_delivery(stream, seen)
    assert restarts == 0, "the worker recovered on its own, without a restart"
    print(
        f"\nbroker pause: {OUTAGE_S:.0f} s SIGSTOP after {busy_at} pages, drained {drained_after:.0f}s after "
        f"SIGCONT, {repeats} repeats, {restarts} self-stops restarted"
    )

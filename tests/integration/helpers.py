"""Helpers for integration tests: a topic set per test, a worker process, collecting output."""

from __future__ import annotations

import asyncio
import queue
import subprocess
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO, Any

from workers.adapters.kafka_offsets import consumer_lag
from workers.adapters.kafka_reader import consume, record_to_dict
from workers.adapters.kafka_topics import create_topics
from workers.cli.ingest import send_pages
from workers.contract.topics import TopicSet
from workers.runtime.child import WorkerProcess

SAMPLES = Path(__file__).resolve().parents[2] / "workers" / "samples" / "pages.jsonl"
OUTPUTS = ("events.ticker", "events.sightings", "events.articles", "pages.dlq")


async def fresh_topics(topics: TopicSet, bootstrap: str, prefix: str) -> TopicSet:
    """Create the whole topic set under `prefix` and return it."""
    prefixed = topics.with_prefix(prefix)
    await create_topics(prefixed, bootstrap)
    return prefixed


def start_worker(bootstrap: str, topics: TopicSet, log_dir: Path, **env: str) -> WorkerProcess:
    """`raqib worker` in a child process, on `topics`' prefix, with its own consumer group."""
    app_id = f"raqib-test-{uuid.uuid4().hex[:8]}"
    return WorkerProcess(
        bootstrap,
        app_id=app_id,
        log_path=log_dir / f"{app_id}.log",
        extra_env={"RAQIB_TOPIC_PREFIX": topics.prefix, "RAQIB_LOG_LEVEL": "INFO", **env},
    ).start()


async def wait_for(condition: Callable[[], Awaitable[bool]], *, timeout: float, what: str, poll: float = 0.2) -> None:
    """Poll `condition` until it holds; fail the test, saying `what` was awaited, after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        await asyncio.sleep(poll)


async def wait_drained(bootstrap: str, topics: TopicSet, worker: WorkerProcess, timeout: float = 90.0) -> None:
    """Wait until the worker's group has committed every record of both stages' inputs:
    pages.raw and the internal pages-by-scope topic."""
    stages = topics.stage_inputs(worker.app_id)

    async def drained() -> bool:
        assert worker.is_running(), f"worker died; log: {worker.log_path.read_text()[-3000:]}"
        return await consumer_lag(bootstrap, worker.app_id, *stages) == 0

    try:
        await wait_for(drained, timeout=timeout, what="the worker to drain its input")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; log tail: {worker.log_path.read_text()[-3000:]}") from None


async def supervise_until_drained(
    bootstrap: str, topics: TopicSet, worker: WorkerProcess, restart: Callable[[], WorkerProcess], timeout: float
) -> tuple[WorkerProcess, int]:
    """What a process supervisor (compose's restart policy, systemd, Kubernetes) does: restart
    the worker whenever it stops itself, until both stages are drained. Returns the last
    worker and how many restarts it took."""
    stages = topics.stage_inputs(worker.app_id)
    restarts = 0

    async def drained() -> bool:
        nonlocal worker, restarts
        if not worker.is_running():
            worker.stop()
            worker = restart()
            restarts += 1
            return False
        return await consumer_lag(bootstrap, worker.app_id, *stages) == 0

    await wait_for(drained, timeout=timeout, what="both stages to drain", poll=0.5)
    return worker, restarts


async def read_outputs(bootstrap: str, topics: TopicSet) -> dict[str, list[dict[str, Any]]]:
    """Every record of every output topic, read up to the topics' current end offsets."""
    seen: dict[str, list[dict[str, Any]]] = {name: [] for name in OUTPUTS}
    by_name = {topics.name(t): t for t in OUTPUTS}
    async for record in consume(list(by_name), bootstrap, from_beginning=True, until_end=True, idle=30):
        item = record_to_dict(record)
        item["headers"] = dict(record.headers or ())
        seen[by_name[record.topic]].append(item)
    return seen


async def collect(
    bootstrap: str,
    topics: TopicSet,
    until: Callable[[dict[str, list[dict[str, Any]]]], bool],
    timeout: float = 60.0,
) -> dict[str, list[dict[str, Any]]]:
    """Every record of every output topic (extra, unexpected records included), read again
    until `until(seen)` holds or `timeout` passes; the caller asserts on what was seen."""
    deadline = time.monotonic() + timeout
    while True:
        seen = await read_outputs(bootstrap, topics)
        if until(seen) or time.monotonic() > deadline:
            return seen
        await asyncio.sleep(0.2)


async def samples_through(
    bootstrap: str,
    topics: TopicSet,
    worker: WorkerProcess,
    until: Callable[[dict[str, list[dict[str, Any]]]], bool],
) -> dict[str, list[dict[str, Any]]]:
    """Send the bundled sample pages to `pages.raw`, wait until `worker` has drained them,
    then `collect` every output topic until `until(seen)`."""
    await send_pages([SAMPLES], topics, bootstrap, topics.name("pages.raw"), progress=False)
    await wait_drained(bootstrap, topics, worker)
    return await collect(bootstrap, topics, until)


class OutputReader:
    """Reads a child process's stdout on a thread, so a test can wait for a line with a
    timeout (a bare `readline()` blocks forever on a child that hangs)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        self.process = process
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, args=(process.stdout,), daemon=True)
        self._thread.start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line)
        self._queue.put(None)

    def wait_for_line(self, predicate: Callable[[str], bool], timeout: float) -> str:
        """The first line (from now on) for which `predicate` holds; kill the child and fail
        after `timeout` seconds or when its output ends first."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.process.kill()
                self.rest(timeout=30)
                raise AssertionError(f"no such line within {timeout:.0f}s; output: {''.join(self.lines)}") from None
            if line is None:
                self.rest(timeout=30)
                raise AssertionError(f"output ended without such a line: {''.join(self.lines)}")
            self.lines.append(line)
            if predicate(line):
                return line

    def rest(self, timeout: float) -> str:
        """Wait for the child to exit (kill it after `timeout`); the output not read yet."""
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            # Reap it and close its pipe, so the failure stays this test's (an unreaped
            # child would warn, and fail, in whichever test runs next).
            self.process.kill()
            self.process.wait(10)
            self._thread.join(10)
            assert self.process.stdout is not None
            self.process.stdout.close()
            raise AssertionError(
                f"the child did not exit within {timeout:.0f}s; output: {''.join(self.lines)}"
            ) from None
        self._thread.join(timeout)
        assert self.process.stdout is not None
        self.process.stdout.close()
        rest: list[str] = []
        while (line := self._queue.get_nowait() if not self._queue.empty() else None) is not None:
            rest.append(line)
        self.lines.extend(rest)
        return "".join(rest)

"""End to end on the embedded broker: realistic generated pages (benchmarks/realistic.py)
through `raqib worker` child processes, what a deployment runs, with baselines measured in
the same run.

    make bench-pipeline        # = .venv/bin/python -m benchmarks.bench_pipeline
    .venv/bin/python -m benchmarks.bench_pipeline --quick                  # a smoke run (~2 min)
    .venv/bin/python -m benchmarks.bench_pipeline --only throughput,latency --pages 2000

Sections (each on topics of its own, created fresh and deleted afterwards):

* throughput: `--pages` pages (`--sites` sites, `--html-share` of them HTML) produced to
  pages.raw, then, on the same pages: (1) a plain aiokafka loop (consume, one record per page
  to an output topic, the sends of a getmany batch gathered, a commit per batch: the
  transport's ceiling); (2) the core in this process (decode, `process_page`, commit: what
  `raqib process` runs); (3) one worker, from its first processed page to the drain of both
  stages (its start-up left out); its RSS once drained;
* two workers in one consumer group on the same pages, against the one worker above;
* latency: one worker, started and idle, fed at a fixed rate (`--rates`, `--rate-seconds`
  each, in sequence); from each page's produce time to the CreateTime of its events.articles
  record (set by the worker's producer, so this reader's own delay does not count);
* memory and restart: `--memory-pages` pages of `--memory-sites` sites whose strips are all
  new items (10 a page), so the worker remembers 10 items a page; RSS after one page per site
  and at the end, bytes per remembered item; then the worker is stopped, a new one started in
  the same group, one new page produced, and the time from its start to that page processed
  (its tables recovered from the changelogs in between) is measured;
* replay: `raqib replay --from beginning` over `--replay-pages` pages, as a subprocess,
  start-up included.

The embedded broker (Tansu, memory storage) holds every fetch for the consumer's whole
fetch wait even when data is there, and fetches from one partition take seconds once it
holds more than 53-71 MB; every section keeps its partitions well under 50 MB (fresh topics,
pages of realistic size) and prints its largest partition. Both cores of the machine are
shared by the broker, the workers and this process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import NewTopic
from aiokafka.errors import KafkaError
from aiokafka.partitioner import DefaultPartitioner

from benchmarks.realistic import Generated, generate
from tests.integration.helpers import fresh_topics, wait_drained
from workers.adapters.codec import decode_page, encode_value
from workers.adapters.embedded_broker import EmbeddedBroker
from workers.adapters.kafka_clients import admin_client, kafka_producer
from workers.adapters.kafka_reader import consume
from workers.contract.schemas import validator_for
from workers.contract.topics import TopicSet, load_topics
from workers.core.models import ParseFailure
from workers.core.pipeline import DEFAULT_PIPELINE, PipelineState, process_page
from workers.runtime.child import WorkerProcess
from workers.runtime.settings import Settings

SECTIONS = ("throughput", "two", "latency", "memory", "replay")
FALLS_BEHIND_P99_S = 5.0  # a rate whose p99 exceeds this falls behind
PARTITION_WARN_BYTES = 40 * 1024 * 1024  # the embedded broker's cliff starts at ~53 MB
TICK_S = 0.01  # the latency feeder sends the pages due every TICK_S


@dataclass
class Row:
    what: str
    figure: str


@dataclass
class Bench:
    """What every section needs: the broker, the arguments, the rows of the final table."""

    bootstrap: str
    args: argparse.Namespace
    log_dir: Path
    env: dict[str, str]  # RAQIB_* variables for every worker (--worker-env)
    settings: Settings  # the workers' settings, for the plain loop's matching ones
    rows: list[Row] = field(default_factory=list)
    figures: dict[str, float] = field(default_factory=dict)

    def row(self, what: str, figure: str) -> None:
        self.rows.append(Row(what, figure))
        print(f"  {what}: {figure}", flush=True)


# -- helpers -----------------------------------------------------------------------------


def launch(bench: Bench, topics: TopicSet, app_id: str, name: str) -> WorkerProcess:
    """`raqib worker` (as tests.integration.helpers.start_worker starts it), in group
    `app_id`; it dies with this process if this one is killed."""
    return WorkerProcess(
        bench.bootstrap,
        app_id=app_id,
        log_path=bench.log_dir / f"{name}.log",
        extra_env={"RAQIB_TOPIC_PREFIX": topics.prefix, "RAQIB_LOG_LEVEL": "INFO", **bench.env},
        die_with_parent=True,
    ).start()


def new_app_id(section: str) -> str:
    return f"raqib-bench-{section}-{uuid.uuid4().hex[:6]}"


def count_processed(worker: WorkerProcess) -> int:
    """Pages the worker has finished so far (its `page_processed` log lines)."""
    try:
        return worker.log_path.read_bytes().count(b'"page_processed"')
    except FileNotFoundError:
        return 0


def log_entries(worker: WorkerProcess) -> list[dict[str, Any]]:
    """The worker's `page_processed` log lines, parsed. Like tests.integration.delivery's
    `processed`, but a line with bytes before its JSON (the worker's first one may open with
    a terminal escape, `\\x08\\x1b[?25h`) still counts."""
    entries = []
    for line in worker.log_path.read_bytes().splitlines():
        if b'"page_processed"' in line:
            with contextlib.suppress(orjson.JSONDecodeError, ValueError):
                entries.append(orjson.loads(line[line.index(b"{") :]))
    return entries


def page_times(worker: WorkerProcess) -> list[float]:
    """When (time.time()) the worker finished each page, in log order."""
    return [datetime.fromisoformat(e["timestamp"]).timestamp() for e in log_entries(worker)]


def remembered_items(worker: WorkerProcess) -> int:
    """New ticker events the worker decided (the `ticker_new` counts of its log lines)."""
    return sum(int(e.get("ticker_new", 0)) for e in log_entries(worker))


async def wait_count(workers: Sequence[WorkerProcess], at_least: int, timeout: float) -> None:
    """Until the workers have finished `at_least` pages between them (cheap: no broker
    requests while the workers are busy, unlike polling the group's lag)."""
    deadline = time.monotonic() + timeout
    while sum(count_processed(w) for w in workers) < at_least:
        for w in workers:
            if not w.is_running():
                raise RuntimeError(f"worker {w.app_id} stopped; see {w.log_path}")
        if time.monotonic() > deadline:
            done = sum(count_processed(w) for w in workers)
            raise TimeoutError(f"{done} of {at_least} pages processed after {timeout:.0f}s")
        await asyncio.sleep(0.25)


async def drain(bench: Bench, topics: TopicSet, worker: WorkerProcess, at_least: int, timeout: float) -> float:
    """Wait for `at_least` processed pages, then for the group's commits of both stages;
    return the time (time.time()) the drain was seen."""
    began = time.monotonic()
    await wait_count([worker], at_least, timeout)
    await wait_drained(bench.bootstrap, topics, worker, timeout=max(10.0, timeout - (time.monotonic() - began)))
    return time.time()


async def produce(bootstrap: str, topic: str, stream: Generated, start: int = 0, stop: int | None = None) -> float:
    """Send pages [start, stop) of `stream`, keyed by site; seconds taken (acks included)."""
    began = time.perf_counter()
    stop = len(stream) if stop is None else stop
    async with kafka_producer(bootstrap, linger_ms=5, max_batch_size=1024 * 1024) as producer:
        for chunk in range(start, stop, 2000):
            acks = [
                await producer.send(topic, stream.pages[i], key=stream.keys[i])
                for i in range(chunk, min(stop, chunk + 2000))
            ]
            await asyncio.gather(*acks)
    return time.perf_counter() - began


def largest_partition(stream: Generated, partitions: int) -> int:
    """Bytes of the fullest pages.raw partition once `stream` is produced (the client's
    default partitioner on the site keys)."""
    choose = DefaultPartitioner()
    sizes = [0] * partitions
    all_partitions = list(range(partitions))
    for key, value in zip(stream.keys, stream.pages, strict=True):
        sizes[choose(key, all_partitions, all_partitions)] += len(value) + len(key) + 70
    return max(sizes)


def describe(stream: Generated, partitions: int) -> str:
    largest = largest_partition(stream, partitions)
    warning = " (over the safe size for the embedded broker!)" if largest > PARTITION_WARN_BYTES else ""
    html = sum(1 for p in stream.pages if b'"content_type":"text/html"' in p)
    return (
        f"{len(stream):,} pages, {stream.total_bytes / 1e6:.1f} MB ({stream.total_bytes / len(stream) / 1000:.1f} KB "
        f"a page, {html / len(stream):.0%} HTML), {stream.new_items:,} distinct ticker items; largest pages.raw "
        f"partition {largest / 1e6:.1f} MB{warning}"
    )


def rss_bytes(worker: WorkerProcess) -> int:
    """The worker process's resident set (VmRSS of /proc/<pid>/status)."""
    if worker.process is None:
        raise RuntimeError(f"worker {worker.app_id} is not running")
    for line in Path(f"/proc/{worker.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS line")


async def drop_topics(bootstrap: str, topics: TopicSet, app_ids: Sequence[str], extra: Sequence[str] = ()) -> None:
    """Delete a section's topics (best effort), so the broker's memory does not pile up."""
    names = [topics.name(logical) for logical in topics.specs]
    for app_id in app_ids:
        names += topics.internal_topics(app_id)
    with contextlib.suppress(KafkaError, OSError):
        async with admin_client(bootstrap) as admin:
            existing = set(await admin.list_topics())
            doomed = [n for n in [*names, *extra] if n in existing]
            if doomed:
                await admin.delete_topics(doomed)


def fmt_rate(value: float) -> str:
    return f"{value:,.0f} pages/s"


def mb(value: float) -> str:
    return f"{value / 1e6:,.0f} MB"


# -- 1-4: throughput -----------------------------------------------------------------------


async def plain_loop(bench: Bench, source: str, target: str, expected: int) -> float:
    """Pages/s of the plain aiokafka loop, from its first batch to its last commit, with the
    worker's client settings (fetch wait, records a batch, producer batch size, linger)."""
    s = bench.settings
    consumer = AIOKafkaConsumer(
        source,
        bootstrap_servers=bench.bootstrap,
        group_id=f"raqib-bench-plain-{uuid.uuid4().hex[:6]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=s.fetch_wait_ms,
    )
    await consumer.start()
    try:
        async with kafka_producer(
            bench.bootstrap, max_batch_size=s.producer_max_batch_bytes, linger_ms=s.producer_linger_ms
        ) as producer:
            done, first, deadline = 0, 0.0, time.monotonic() + 600
            while done < expected and time.monotonic() < deadline:
                batch = await consumer.getmany(timeout_ms=1000, max_records=s.batch_max_pages)
                if not batch:
                    continue
                first = first or time.perf_counter()
                acks = []
                for records in batch.values():
                    for record in records:
                        page = orjson.loads(record.value)
                        value = orjson.dumps(
                            {"url": page["url"], "site": page["site"], "fetched_at": page["fetched_at"]}
                        )
                        acks.append(await producer.send(target, value, key=record.key))
                await asyncio.gather(*acks)
                await consumer.commit()
                done += len(acks)
            if done < expected:
                raise TimeoutError(f"the plain loop read {done} of {expected} pages")
            return expected / (time.perf_counter() - first)
    finally:
        await consumer.stop()


def core_rate(stream: Generated) -> tuple[float, int]:
    """Pages/s of the core in this process on `stream` (decode and validate, parse, dedup,
    commit the state, encode the records: what `raqib process` does per page) and the
    new ticker events it found."""
    validator = validator_for(load_topics()["pages.raw"].schema)
    state = PipelineState()
    new = 0
    began = time.perf_counter()
    for raw in stream.pages:
        outcome = process_page(decode_page(raw, validator), state, DEFAULT_PIPELINE)
        state.commit()
        if isinstance(outcome, ParseFailure):
            raise RuntimeError(f"the core refused a generated page: {outcome}")
        for record in outcome.records:
            encode_value(record.value)
        new += outcome.counts["ticker_new"]
    return len(stream) / (time.perf_counter() - began), new


async def throughput(bench: Bench, stream: Generated) -> None:
    print(f"\n== throughput: {describe(stream, 6)}", flush=True)
    topics = await fresh_topics(load_topics(), bench.bootstrap, f"bench-tp-{uuid.uuid4().hex[:4]}.")
    app_id = new_app_id("tp")
    plain_out = f"{topics.prefix}plain.out"
    try:
        async with admin_client(bench.bootstrap) as admin:
            await admin.create_topics([NewTopic(plain_out, num_partitions=6, replication_factor=1)])
        seconds = await produce(bench.bootstrap, topics.name("pages.raw"), stream)
        print(f"  (produced in {seconds:.2f}s)", flush=True)

        core, new = core_rate(stream)
        bench.figures["core"] = core
        bench.row("core in-process (decode, parse, dedup, encode; what `raqib process` runs)", fmt_rate(core))
        if new != stream.new_items:
            print(f"  note: the core found {new} new ticker items, the generator made {stream.new_items}")

        plain = await plain_loop(bench, topics.name("pages.raw"), plain_out, len(stream))
        bench.figures["plain"] = plain
        bench.row("plain aiokafka loop (one record a page, batched sends, a commit a batch)", fmt_rate(plain))

        started = time.time()
        worker = launch(bench, topics, app_id, "throughput")
        try:
            drained = await drain(bench, topics, worker, len(stream), timeout=1200)
            rss = rss_bytes(worker)
        finally:
            worker.stop()
        times = page_times(worker)
        first = times[0]
        rate = len(times) / (drained - first)
        bench.figures["worker"] = rate
        bench.figures["worker_window"] = (len(times) - 1) / (times[-1] - first)
        half = len(times) // 2
        second_half = (len(times) - 1 - half) / (times[-1] - times[half])
        bench.figures["cold_start"] = first - started
        bench.row(
            "one worker, first processed page to drained (start-up excluded)",
            f"{fmt_rate(rate)} ({len(times):,} pages in {drained - first:.1f}s; "
            f"{bench.figures['worker_window']:,.0f}/s to its last processed page, {second_half:,.0f}/s over "
            "the second half of the pages)",
        )
        bench.row("  its start, pages waiting, to its first processed page (empty state)", f"{first - started:.1f}s")
        bench.row(
            "ratios: worker / core, worker / plain loop",
            f"{rate / core:.2f}, {rate / plain:.2f}",
        )
        bench.figures["rss_5000"] = rss
        bench.row(f"worker RSS after {len(stream):,} pages ({stream.new_items:,} remembered items)", mb(rss))
    finally:
        await drop_topics(bench.bootstrap, topics, [app_id], [plain_out])


# -- 9: two workers --------------------------------------------------------------------------


async def two_workers(bench: Bench, stream: Generated) -> None:
    print(f"\n== two workers in one group: {describe(stream, 6)}", flush=True)
    topics = await fresh_topics(load_topics(), bench.bootstrap, f"bench-two-{uuid.uuid4().hex[:4]}.")
    app_id = new_app_id("two")
    try:
        await produce(bench.bootstrap, topics.name("pages.raw"), stream)
        workers = [launch(bench, topics, app_id, f"two-{n}") for n in (1, 2)]
        try:
            await wait_count(workers, len(stream), timeout=1200)
            await wait_drained(bench.bootstrap, topics, workers[0], timeout=120)
            drained = time.time()
        finally:
            for w in workers:
                w.stop()
        per = [page_times(w) for w in workers]
        done = sum(len(t) for t in per)
        first = min(t[0] for t in per if t)
        rate = done / (drained - first)
        split = " + ".join(f"{len(t):,}" for t in per)
        if all(per):
            # both processing: from the later first page (any rebalance is over) to the
            # earlier last one
            start, end = max(t[0] for t in per), min(t[-1] for t in per)
            both = sum(1 for t in per for x in t if start <= x <= end) / max(end - start, 1e-9)
            window = f"; {both:,.0f}/s while both were processing ({end - start:.1f}s)"
        else:
            both, window = 0.0, "; one worker got no partition"
        one = bench.figures.get("worker")
        versus = f" = {rate / one:.2f}x one worker" if one else ""
        bench.figures["two"] = rate
        bench.row(
            "two workers, one group, first processed page to drained",
            f"{fmt_rate(rate)}{versus} ({split} pages{window}; the broker shares the 2 cores)",
        )
        if one and both:
            bench.row(
                "  while both processing / one worker to its last page",
                f"{both / bench.figures['worker_window']:.2f}x",
            )
    finally:
        await drop_topics(bench.bootstrap, topics, [app_id])


# -- 5: latency -------------------------------------------------------------------------------


@dataclass
class RateRun:
    rate: int
    urls: list[str]
    sent: dict[str, float]
    backlog: list[int]  # pages produced but not processed yet, sampled every 0.5 s
    drained: bool
    late_s: float  # from the last page produced to the drain (or the grace period's end)
    feeder_cpu: float  # share of a core this process spent producing


async def feed(
    bench: Bench, topics: TopicSet, worker: WorkerProcess, stream: Generated, *, lo: int, hi: int, rate: int
) -> RateRun:
    """Produce pages [lo, hi) at `rate` pages/s, each stamped with time.time() just before
    its send; then wait for the drain, up to a grace period."""
    sent: dict[str, float] = {}
    backlog: list[int] = []
    base = count_processed(worker)
    topic = topics.name("pages.raw")
    cpu = time.process_time()
    async with kafka_producer(bench.bootstrap) as producer:
        acks = []
        t0 = time.time() + 0.1
        next_sample, k = t0, lo
        while k < hi:
            # every TICK_S, send the pages that are due (a page waits at most a tick; its
            # time is taken just before its own send)
            now = time.time()
            if now >= next_sample:
                backlog.append((k - lo) - (count_processed(worker) - base))
                next_sample += 0.5
            while k < hi and t0 + (k - lo) / rate <= now:
                sent[stream.urls[k]] = time.time()
                acks.append(await producer.send(topic, stream.pages[k], key=stream.keys[k]))
                k += 1
            await asyncio.sleep(TICK_S)
        await asyncio.gather(*acks)
        feeder_cpu = (time.process_time() - cpu) / max(1e-9, time.time() - t0)
    last = time.time()
    grace = max(10.0, bench.args.rate_seconds)
    try:
        await drain(bench, topics, worker, base + hi - lo, timeout=grace)
        drained = True
    except (TimeoutError, AssertionError):
        drained = False
    return RateRun(rate, stream.urls[lo:hi], sent, backlog, drained, time.time() - last, feeder_cpu)


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, round(q * (len(sorted_values) - 1)))]


def verdict(run: RateRun, created: dict[str, float]) -> tuple[str, bool]:
    latencies = sorted(created[u] - run.sent[u] for u in run.urls if u in created)
    missing = len(run.urls) - len(latencies)
    if not latencies:
        return "falls behind (no article event arrived)", True
    p50, p95, p99 = (percentile(latencies, q) for q in (0.50, 0.95, 0.99))
    figures = f"p50 {p50 * 1000:,.0f} ms, p95 {p95 * 1000:,.0f} ms, p99 {p99 * 1000:,.0f} ms"
    quarter = max(1, len(run.backlog) // 4)
    early = statistics.median(run.backlog[quarter : 2 * quarter] or [0])
    late = statistics.median(run.backlog[-quarter:] or [0])
    growing = late > max(run.rate * 1.0, 2 * early)
    reasons = []
    if not run.drained:
        reasons.append(f"not drained {run.late_s:.0f}s after the last page")
    if growing:
        reasons.append(f"backlog growing ({early:.0f} -> {late:.0f} pages)")
    if p99 > FALLS_BEHIND_P99_S:
        reasons.append(f"p99 over {FALLS_BEHIND_P99_S:.0f}s")
    if missing:
        reasons.append(f"{missing} of {len(run.urls)} not delivered")
    if reasons:
        return f"falls behind: {'; '.join(reasons)} (delivered: {figures}; feeder {run.feeder_cpu:.0%} of a core)", True
    return (
        f"{figures} ({len(latencies):,} pages, backlog at most {max(run.backlog, default=0)}; "
        f"the feeder used {run.feeder_cpu:.0%} of a core)",
        False,
    )


async def latency(bench: Bench) -> None:
    args = bench.args
    rates = [int(r) for r in args.rates.split(",")]
    warm = args.sites
    stream = generate(
        warm + sum(r * args.rate_seconds for r in rates),
        sites=args.sites,
        html_share=args.html_share,
        seed=args.seed + 1,
        site_prefix="lat",
    )
    print(f"\n== latency at {', '.join(map(str, rates))} pages/s, {args.rate_seconds}s each: {describe(stream, 6)}")
    topics = await fresh_topics(load_topics(), bench.bootstrap, f"bench-lat-{uuid.uuid4().hex[:4]}.")
    app_id = new_app_id("lat")
    runs: list[RateRun] = []
    try:
        worker = launch(bench, topics, app_id, "latency")
        try:
            await produce(bench.bootstrap, topics.name("pages.raw"), stream, 0, warm)
            await drain(bench, topics, worker, warm, timeout=180)  # started, then idle
            lo = warm
            for rate in rates:
                hi = lo + rate * args.rate_seconds
                runs.append(await feed(bench, topics, worker, stream, lo=lo, hi=hi, rate=rate))
                lo = hi
                if not runs[-1].drained:
                    break  # a higher rate would only fall further behind
        finally:
            worker.stop()
        created: dict[str, float] = {}
        async for record in consume([topics.name("events.articles")], bench.bootstrap, until_end=True, idle=30):
            url = orjson.loads(record.value)["url"]
            created[url] = min(created.get(url, float("inf")), record.timestamp / 1000)
        for rate in rates:
            run = next((r for r in runs if r.rate == rate), None)
            if run is None:
                bench.row(f"latency at {rate} pages/s, produce to article event", "falls behind (a lower rate did)")
                continue
            text, behind = verdict(run, created)
            bench.figures[f"behind_{rate}"] = float(behind)
            bench.row(f"latency at {rate} pages/s, produce to article event", text)
    finally:
        await drop_topics(bench.bootstrap, topics, [app_id])


# -- 6-7: memory and restart ------------------------------------------------------------------


async def memory_and_restart(bench: Bench) -> None:
    args = bench.args
    sites = args.memory_sites
    stream = generate(
        args.memory_pages + 1,
        sites=sites,
        new_per_page=(10, 10),
        html_share=args.html_share,
        seed=args.seed + 2,
        site_prefix="mem",
    )
    n = args.memory_pages
    print(f"\n== memory: {describe(stream, 6)} (every item new: 10 a page)", flush=True)
    topics = await fresh_topics(load_topics(), bench.bootstrap, f"bench-mem-{uuid.uuid4().hex[:4]}.")
    app_id = new_app_id("mem")
    try:
        worker = launch(bench, topics, app_id, "memory-1")
        try:
            await produce(bench.bootstrap, topics.name("pages.raw"), stream, 0, sites)
            await drain(bench, topics, worker, sites, timeout=300)
            base_rss, base_items = rss_bytes(worker), remembered_items(worker)
            await produce(bench.bootstrap, topics.name("pages.raw"), stream, sites, n)
            await drain(bench, topics, worker, n, timeout=1200)
            end_rss, end_items = rss_bytes(worker), remembered_items(worker)
            stop_began = time.monotonic()
        finally:
            worker.stop()
        stopped = time.monotonic() - stop_began
        per_item = (end_rss - base_rss) / max(1, end_items - base_items)
        bench.figures["bytes_per_item"] = per_item
        bench.row(
            f"worker RSS with {end_items:,} remembered items ({n:,} pages, {sites} sites)",
            f"{mb(end_rss)} ({mb(base_rss)} with {base_items:,} items, after one page a site)",
        )
        bench.row(
            "  per remembered item (RSS delta / items); extrapolated to 1M items",
            f"{per_item:,.0f} B; {(base_rss + per_item * (1_000_000 - base_items)) / 1e9:.1f} GB",
        )

        started = time.time()
        second = launch(bench, topics, app_id, "memory-2")
        try:
            await produce(bench.bootstrap, topics.name("pages.raw"), stream, n, n + 1)
            deadline = time.monotonic() + 600
            while not (times := page_times(second)):
                if not second.is_running() or time.monotonic() > deadline:
                    raise RuntimeError(f"the restarted worker processed no page; see {second.log_path}")
                await asyncio.sleep(0.1)
            first = times[0]
            recovered_rss = rss_bytes(second)
        finally:
            second.stop()
        cold = bench.figures.get("cold_start")
        baseline = f"; an empty worker took {cold:.1f}s" if cold is not None else ""
        bench.figures["restart"] = first - started
        bench.row(
            f"restart with {end_items:,} remembered items: new worker's start to its first page processed",
            f"{first - started:.1f}s (the old one stopped in {stopped:.1f}s; RSS after recovery "
            f"{mb(recovered_rss)}{baseline})",
        )
    finally:
        await drop_topics(bench.bootstrap, topics, [app_id])


# -- 8: replay ----------------------------------------------------------------------------------


async def replay(bench: Bench) -> None:
    args = bench.args
    stream = generate(
        args.replay_pages, sites=args.replay_sites, html_share=args.html_share, seed=args.seed + 3, site_prefix="rp"
    )
    print(f"\n== replay: {describe(stream, 6)}", flush=True)
    topics = await fresh_topics(load_topics(), bench.bootstrap, f"bench-rp-{uuid.uuid4().hex[:4]}.")
    replay_id = new_app_id("replay")
    try:
        seconds = await produce(bench.bootstrap, topics.name("pages.raw"), stream)
        print(f"  (produced in {seconds:.2f}s)", flush=True)
        command = [
            sys.executable,
            "-m",
            "workers",
            "replay",
            "-b",
            bench.bootstrap,
            "--from",
            "beginning",
            "--prefix",
            topics.prefix,
            "--id",
            replay_id,
            "--no-progress",
            "--log",
            str(bench.log_dir / "replay.log"),
        ]
        began = time.perf_counter()
        child = await asyncio.create_subprocess_exec(
            *command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **bench.env}
        )
        try:
            out, err = await asyncio.wait_for(child.communicate(), timeout=1800)
        except TimeoutError:
            child.kill()  # its worker dies with it (die_with_parent)
            await child.wait()
            raise
        took = time.perf_counter() - began
        if child.returncode != 0:
            raise RuntimeError(f"raqib replay failed ({child.returncode}): {err.decode()[-2000:]}")
        summary = [line for line in out.decode().splitlines() if line.strip().startswith(("pages:", "took"))]
        bench.figures["replay"] = len(stream) / took
        bench.row(
            f"`raqib replay --from beginning` of {len(stream):,} pages, start-up included",
            f"{took:.1f}s = {fmt_rate(len(stream) / took)} ({'; '.join(s.strip() for s in summary)})",
        )
    finally:
        outputs = [f"{topics.prefix}{replay_id}.{spec.name}" for spec in topics if spec.name != "pages.raw"]
        await drop_topics(bench.bootstrap, topics, [replay_id], outputs)


# -- main ---------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_pipeline", description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=5000, help="throughput and two-worker pages (default 5000)")
    parser.add_argument("--sites", type=int, default=20, help="sites of the throughput and latency pages (20)")
    parser.add_argument("--html-share", type=float, default=0.2, help="share of HTML pages (0.2)")
    parser.add_argument("--rates", default="50,200,500", help="latency rates, pages/s (50,200,500)")
    parser.add_argument("--rate-seconds", type=int, default=15, help="seconds of pages at each rate (15)")
    parser.add_argument("--memory-pages", type=int, default=10_000, help="pages of 10 new items each (10000)")
    parser.add_argument("--memory-sites", type=int, default=200, help="sites of the memory pages (200)")
    parser.add_argument("--replay-pages", type=int, default=20_000, help="pages replayed (20000)")
    parser.add_argument("--replay-sites", type=int, default=40, help="sites of the replayed pages (40)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"sections to run, of {','.join(SECTIONS)}")
    parser.add_argument(
        "--worker-env", action="append", default=[], metavar="RAQIB_X=V", help="a setting for every worker"
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run (small sections)")
    args = parser.parse_args(argv)
    if args.quick:
        args.pages, args.rate_seconds, args.memory_pages, args.replay_pages = 500, 4, 1000, 2000
        args.memory_sites = min(args.memory_sites, 100)
    unknown = set(args.only.split(",")) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    return args


def print_table(rows: list[Row], took: float, args: argparse.Namespace) -> None:
    width = max(len(r.what) for r in rows)
    print(f"\n== summary ({took / 60:.1f} min; {' '.join(sys.argv[1:]) or 'defaults'}; {os.cpu_count()} cores)")
    for r in rows:
        print(f"{r.what.ljust(width)}  {r.figure}")
    if args.worker_env:
        print(f"worker settings: {' '.join(args.worker_env)}")


async def run(bench: Bench) -> None:
    args = bench.args
    only = set(args.only.split(","))
    stream = generate(args.pages, sites=args.sites, html_share=args.html_share, seed=args.seed)
    sections: list[tuple[str, Callable[[], Any]]] = [
        ("throughput", lambda: throughput(bench, stream)),
        ("two", lambda: two_workers(bench, stream)),
        ("latency", lambda: latency(bench)),
        ("memory", lambda: memory_and_restart(bench)),
        ("replay", lambda: replay(bench)),
    ]
    for name, section in sections:
        if name not in only:
            continue
        try:
            await section()
        except (RuntimeError, TimeoutError, AssertionError, KafkaError, OSError, subprocess.SubprocessError) as exc:
            bench.row(f"{name} section", f"FAILED: {type(exc).__name__}: {str(exc)[:300]}")


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    env = dict(item.split("=", 1) for item in args.worker_env)
    settings = Settings.from_env(env)
    log_dir = Path(tempfile.mkdtemp(prefix="raqib-bench-pipeline-"))
    print(f"logs: {log_dir}", flush=True)
    began = time.monotonic()
    with EmbeddedBroker(log_path=log_dir / "broker.log") as broker:
        bench = Bench(broker.bootstrap, args, log_dir, env, settings)
        asyncio.run(run(bench))
    print_table(bench.rows, time.monotonic() - began, args)


if __name__ == "__main__":
    main()

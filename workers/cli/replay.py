"""`raqib replay`: run the worker's topology over a range of pages.raw, for backfills.

    raqib replay --from beginning                      # everything, into <id>.events.* topics
    raqib replay --from 2026-11-01T00:00Z --to 2026-11-02T00:00Z --output-prefix backfill.
    raqib replay --from 1200 --into-live-topics        # offset 1200 of every partition on

A replay is an ordinary `raqib worker` process with its own app id (hence its own consumer
group, its own internal topics and fresh dedup state), an input range (which records of
pages.raw it processes: workers/runtime/input_range.py) and an output prefix (the live topics
are untouched unless asked). This module plans the range against the broker, points the
new group at the first offset of the range, starts the worker, shows progress from the
worker's own metrics, and stops it once the group has committed the whole range and the
worker's internal topic is drained.

Live and replay agree byte for byte when they see each scope's pages in the same order:
pages.raw is keyed by site (see workers/contract/keys.py page_key), so a partition's order is
the order in which a site's pages were published, in both runs.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, TextIO

import aiohttp
import typer
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError
from prometheus_client.parser import text_string_to_metric_families
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from workers.adapters.kafka_clients import admin_client, start_client
from workers.adapters.kafka_offsets import committed_offsets, end_offsets, true_end_offsets
from workers.adapters.kafka_topics import create_topics
from workers.cli._common import DEFAULT_BOOTSTRAP, Bootstrap, Prefix, TopicsFile, app, fail, load_topics_or_fail, run
from workers.contract.times import parse_time
from workers.contract.topics import INPUT_TOPIC, TopicSet
from workers.errors import TransientError, UsageError
from workers.runtime.child import WorkerProcess
from workers.runtime.input_range import InputRange

__all__ = ["Bound", "ReplaySummary", "parse_bound", "plan_range", "replay", "run_replay"]

# Kafka's time index holds the records' timestamps (when they were produced), which come
# after the pages' fetched_at. Starting the time lookup this much earlier keeps pages that
# a scraper published late; the exact cut is made on fetched_at by the worker.
TIME_LOOKUP_SLACK = timedelta(hours=1)
_POLL_S = 0.5


@dataclass(frozen=True, slots=True)
class Bound:
    """One end of a replay range: the topic's edge, an offset (every partition) or a time."""

    offset: int | None = None
    time: datetime | None = None

    def describe(self, edge: str) -> str:
        if self.time is not None:
            return self.time.isoformat()
        return edge if self.offset is None else f"offset {self.offset}"


def parse_bound(text: str, *, edge_words: tuple[str, ...]) -> Bound:
    """`beginning`/`end` (the words in `edge_words`), an offset (applied to every
    partition), or an ISO 8601 time (compared with the pages' fetched_at)."""
    value = text.strip().lower()
    if value in edge_words:
        return Bound()
    if value.isdigit():
        return Bound(offset=int(value))
    try:
        return Bound(time=parse_time(text))
    except UsageError:
        raise UsageError(
            f"not an offset, a time or one of {', '.join(edge_words)}: {text!r} "
            "(e.g. 1200, or 2026-11-01T00:00:00+02:00)"
        ) from None


def plan_range(
    beginning: Mapping[int, int],
    end: Mapping[int, int],
    start: Bound,
    stop: Bound,
    time_starts: Mapping[int, int | None] | None = None,
) -> InputRange:
    """The offsets [first, last) of each partition a replay processes, and its time range.

    `beginning`/`end` are the partitions' current first and end offsets (the end, taken
    when the replay starts, bounds it: a backfill has a fixed size). `time_starts` is the
    broker's answer to "first offset at or after start.time - slack" (None: no such record).
    """
    if start.time is not None and stop.time is not None and stop.time <= start.time:
        raise UsageError(f"--to ({stop.time.isoformat()}) must be after --from ({start.time.isoformat()})")
    if start.offset is not None and stop.offset is not None and stop.offset <= start.offset:
        raise UsageError(f"--to offset {stop.offset} must be greater than --from offset {start.offset}")
    offsets: dict[int, tuple[int, int | None]] = {}
    for partition in sorted(end):
        first, last = beginning.get(partition, 0), end[partition]
        if start.offset is not None:
            first = max(first, start.offset)
        elif start.time is not None and time_starts is not None:
            found = time_starts.get(partition)
            first = last if found is None else max(first, found)
        if stop.offset is not None:
            last = min(last, stop.offset)
        offsets[partition] = (min(first, last), last)
    return InputRange(offsets, since=start.time, until=stop.time)


@dataclass(slots=True)
class ReplaySummary:
    """What a replay did, from the replay worker's metrics."""

    replay_id: str
    outputs: dict[str, str]  # logical -> Kafka topic name
    planned: int  # records in the offset range
    counts: dict[str, float] = field(default_factory=dict)  # metric sample -> value
    seconds: float = 0.0
    resumed: bool = False

    def count(self, name: str, **labels: str) -> int:
        return int(self.counts.get(_sample_key(name, labels), 0))

    def lines(self) -> list[str]:
        c = self.count
        rate = self.count("raqib_input_records_total") / self.seconds if self.seconds > 0 else 0.0
        return [
            f"replay {self.replay_id}: {self.planned} record(s) of pages.raw in range"
            + (" (resumed)" if self.resumed else ""),
            f"  pages: {c('raqib_pages_total', outcome='ok')} processed, "
            f"{c('raqib_pages_total', outcome='dead_lettered')} dead-lettered, "
            f"{c('raqib_pages_total', outcome='skipped')} skipped (outside the range)",
            f"  ticker: {c('raqib_ticker_events_new_total')} new event(s), "
            f"{c('raqib_ticker_duplicates_total', kind='exact')} exact and "
            f"{c('raqib_ticker_duplicates_total', kind='near')} near duplicate(s)",
            f"  articles: {c('raqib_articles_total', kind='new')} new, {c('raqib_articles_total', kind='revision')}"
            f" revision(s), {c('raqib_articles_total', kind='duplicate')} duplicate(s)",
            "  written to: " + ", ".join(self.outputs[logical] for logical in sorted(self.outputs)),
            f"  took {self.seconds:.1f}s ({rate:.1f} records/s, worker start-up included)",
        ]


async def run_replay(
    topics: TopicSet,
    bootstrap: str,
    *,
    start: Bound,
    stop: Bound,
    output_prefix: str | None,
    replay_id: str | None = None,
    log_path: Path | None = None,
    progress: bool = True,
    keep_state: bool = False,
    out: TextIO | None = None,
) -> ReplaySummary:
    """Replay a range of pages.raw through a worker of its own; return its summary.

    `output_prefix` None writes the live output topics (--into-live-topics).
    """
    began = time.perf_counter()
    replay_id = replay_id or f"raqib-replay-{uuid.uuid4().hex[:8]}"
    prefix = f"{replay_id}." if output_prefix is None else output_prefix
    topics = topics.with_output_prefix(prefix)
    source = topics.name(INPUT_TOPIC)
    input_range = await _resolve(bootstrap, source, start, stop)
    await create_topics(topics, bootstrap)
    resumed = await _point_group(bootstrap, replay_id, source, input_range)
    log_path = log_path or Path(f"{replay_id}.log")
    if out is not None:
        print(
            f"-- replay {replay_id}: {source} from {start.describe('the beginning')} to {stop.describe('the end')}: "
            f"{input_range.total()} record(s); worker log: {log_path}",
            file=out,
            flush=True,
        )
    worker = WorkerProcess(
        bootstrap,
        app_id=replay_id,
        log_path=log_path,
        embedded_broker=False,  # the caller's environment decides (RAQIB_* variables)
        die_with_parent=True,  # a killed `raqib replay` does not leave its worker behind
        extra_env={
            "RAQIB_TOPIC_PREFIX": topics.prefix,
            "RAQIB_TOPICS_FILE": str(topics.source),
            "RAQIB_OUTPUT_PREFIX": prefix,
            "RAQIB_INPUT_RANGE": input_range.to_json(),
            "RAQIB_WEB_ENABLED": "true",
        },
    ).start()
    summary = ReplaySummary(replay_id, topics.output_names(), input_range.total() or 0, resumed=resumed)
    try:
        summary.counts = await _follow(worker, bootstrap, topics, input_range, progress)
    finally:
        worker.stop()
    if not keep_state:
        await _delete_internal_topics(bootstrap, topics, replay_id)
    summary.seconds = time.perf_counter() - began
    return summary


async def _resolve(bootstrap: str, topic: str, start: Bound, stop: Bound) -> InputRange:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await start_client(consumer.start, consumer.stop, bootstrap)
    try:
        partitions = sorted(consumer.partitions_for_topic(topic) or ())
        if not partitions:
            raise UsageError(f"topic {topic} does not exist (create it with `raqib topics create`)")
        tps = [TopicPartition(topic, p) for p in partitions]
        beginning = {tp.partition: o for tp, o in (await consumer.beginning_offsets(tps)).items()}
        end = {tp.partition: o for tp, o in (await true_end_offsets(bootstrap, tps)).items()}
        time_starts: dict[int, int | None] | None = None
        if start.time is not None:
            target = int((start.time - TIME_LOOKUP_SLACK).timestamp() * 1000)
            found = await consumer.offsets_for_times(dict.fromkeys(tps, target))
            time_starts = {tp.partition: (hit.offset if hit is not None else None) for tp, hit in found.items()}
    except KafkaError as exc:
        raise TransientError(f"cannot read the offsets of {topic} from {bootstrap}: {exc}") from None
    finally:
        await consumer.stop()
    return plan_range(beginning, end, start, stop, time_starts)


async def _point_group(bootstrap: str, group: str, topic: str, input_range: InputRange) -> bool:
    """Commit the range's first offsets for the replay's consumer group, so its worker starts
    there. A group that already has offsets (the same --id again) resumes: True."""
    tps = {TopicPartition(topic, p): first for p, (first, _) in input_range.offsets.items()}
    if await committed_offsets(bootstrap, group, list(tps)):
        return True
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    try:
        await consumer.start()
        consumer.assign(list(tps))
        await consumer.commit(tps)
    except KafkaError as exc:
        raise TransientError(f"cannot set the start offsets of consumer group {group}: {exc}") from None
    finally:
        await consumer.stop()
    return False


async def _follow(
    worker: WorkerProcess, bootstrap: str, topics: TopicSet, input_range: InputRange, progress: bool
) -> dict[str, float]:
    """Show progress until the range is committed and the internal topic drained; return
    the worker's final metrics."""
    source, scope_topic = topics.stage_inputs(worker.app_id)
    ends = {TopicPartition(source, p): last for p, (_, last) in input_range.offsets.items() if last is not None}
    total = input_range.total()
    counts: dict[str, float] = {}
    with Progress(
        TextColumn("replay"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("records"),
        TimeElapsedColumn(),
        disable=not progress,
        transient=True,
    ) as bar:
        task = bar.add_task("replay", total=total)
        while True:
            if not worker.is_running():
                raise TransientError(f"the replay worker stopped before the end of the range; see {worker.log_path}")
            counts = await _scrape(worker.web_port) or counts
            read = int(counts.get("raqib_input_records_total", 0))
            bar.update(task, completed=min(read, total) if total is not None else read)
            if await _done(bootstrap, worker.app_id, ends, scope_topic):
                # the counters of the last pages, after the group committed them
                return await _scrape(worker.web_port) or counts
            await asyncio.sleep(_POLL_S)


async def _scrape(port: int) -> dict[str, float] | None:
    """The worker's /metrics as {"name|label=value": value}; None while it is starting."""
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session,
            session.get(f"http://127.0.0.1:{port}/metrics") as response,
        ):
            text = await response.text()
    except (aiohttp.ClientError, TimeoutError):
        return None
    samples: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[_sample_key(sample.name, sample.labels)] = sample.value
    return samples


def _sample_key(name: str, labels: Mapping[str, str]) -> str:
    """How a metric sample is keyed in `ReplaySummary.counts`: "name|label=value|..."."""
    return name + "".join(f"|{k}={v}" for k, v in sorted(labels.items()))


async def _done(bootstrap: str, group: str, ends: Mapping[TopicPartition, int], scope_topic: str) -> bool:
    """The group has committed every partition up to its planned end, and its internal
    topic (pages on their way to the dedup stage) up to its current end."""
    targets = {**ends, **await end_offsets(bootstrap, scope_topic)}
    committed = await committed_offsets(bootstrap, group, list(targets))
    return all(committed.get(tp, 0) >= target for tp, target in targets.items())


async def _delete_internal_topics(bootstrap: str, topics: TopicSet, replay_id: str) -> None:
    """Drop the replay's own state and repartition topics (its outputs stay)."""
    try:
        async with admin_client(bootstrap) as admin:
            await admin.delete_topics(topics.internal_topics(replay_id))
    except KafkaError:
        pass  # best effort: the broker may refuse; the topics are then left behind


@app.command()
def replay(
    from_: Annotated[
        str,
        typer.Option(
            "--from",
            help="Where to start: 'beginning', an offset (of every partition) or a time (fetched_at at or after it).",
            show_default=False,
        ),
    ],
    to: Annotated[
        str,
        typer.Option(help="Where to stop (exclusive): 'end' (as the replay starts), an offset or a time."),
    ] = "end",
    output_prefix: Annotated[
        str | None,
        typer.Option(help="Prefix for the topics the replay writes (default: '<replay id>.')."),
    ] = None,
    into_live_topics: Annotated[
        bool, typer.Option("--into-live-topics", help="Write to the live output topics instead.")
    ] = False,
    replay_id: Annotated[
        str | None,
        typer.Option("--id", help="Consumer group and state of the replay (default: a new one; an old one resumes)."),
    ] = None,
    bootstrap: Bootstrap = DEFAULT_BOOTSTRAP,
    topics_file: TopicsFile = None,
    prefix: Prefix = "",
    log: Annotated[Path | None, typer.Option(help="The replay worker's log file (default: ./<replay id>.log).")] = None,
    keep_state: Annotated[
        bool, typer.Option("--keep-state", help="Keep the replay's changelog and repartition topics afterwards.")
    ] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Run the worker's topology over a range of pages.raw, with fresh state, for backfills.

    From the beginning with fresh state it gives the live run's events byte for byte.
    """

    if into_live_topics and output_prefix is not None:
        fail("--output-prefix and --into-live-topics exclude each other", 2)
    try:
        start = parse_bound(from_, edge_words=("beginning", "earliest"))
        stop = parse_bound(to, edge_words=("end", "latest"))
    except UsageError as exc:
        fail(str(exc), 2)
    topics = load_topics_or_fail(topics_file, prefix)

    async def body() -> Any:
        return await run_replay(
            topics,
            bootstrap,
            start=start,
            stop=stop,
            output_prefix="" if into_live_topics else output_prefix,
            replay_id=replay_id,
            log_path=log,
            progress=progress,
            keep_state=keep_state,
            out=sys.stdout,
        )

    summary = run(body)
    for line in summary.lines():
        typer.echo(line)

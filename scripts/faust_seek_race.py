"""Diagnostic: Faust delivers records while it seeks to the committed offsets, then drops them.

    .venv/bin/python scripts/faust_seek_race.py                            # embedded Tansu
    .venv/bin/python scripts/faust_seek_race.py --bootstrap localhost:9092 # any Kafka

A minimal Faust app (no raqib code in it: one agent, one table, one input partition)
processes records 0..99 and stops cleanly (committed offset 100, a changelog to recover).
1,000 more records arrive; a new process of the same app starts and must process
100..1099. It is run twice: Faust as released, and with raqib's workaround
(workers.adapters.faust_seek.hold_flow_during_seek). Exit status 0 when the released Faust
loses records and the workaround does not.

The race: `Recovery.on_recovery_completed` resumes the stream partitions, then awaits
`Consumer.perform_seek()` (one OffsetFetch per assigned partition) with the consumer's flow
running, so the fetcher hands records to the agent's queue during the seek; when the seek
lands, `app.flow_control.resume()` clears that queue, and the fetcher, already past those
offsets, discards the re-fetched copies as read (`offset < _read_offset`). The dropped
records are never processed or acked, so the committed offset stays below them for good.
How wide the window is depends on timing; the second process here delays
`AIOKafkaConsumer.committed()` by --delay seconds (a slow broker) so that every run hits
it, and its agent sleeps 10 ms per record (real work) so that the queue holds records when
it is cleared. Neither changes what Faust does with the records. Typical output:

    Faust as released         : restarted at 100, ..., never processed: 380..1099 (720 offsets),
                                committed 140/1100 -> RACE
    with hold_flow_during_seek: restarted at 100, ..., never processed: none, committed 1100/1100 -> OK
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOTAL, HALF = 1100, 100


def child(bootstrap: str, group: str, topic: str, out: Path, delay: float, guard: bool) -> None:  # noqa: PLR0917
    """The Faust worker (runs in its own process)."""
    import aiokafka  # noqa: PLC0415
    import faust  # noqa: PLC0415

    original = aiokafka.AIOKafkaConsumer.committed

    async def slow_committed(self: aiokafka.AIOKafkaConsumer, tp: aiokafka.TopicPartition) -> object:
        await asyncio.sleep(delay)  # a slow OffsetFetch: widens the window, changes nothing else
        return await original(self, tp)

    aiokafka.AIOKafkaConsumer.committed = slow_committed  # type: ignore[method-assign]

    class App(faust.App):  # type: ignore[misc]
        def _new_consumer(self) -> object:
            consumer = super()._new_consumer()
            if guard:
                from workers.adapters.faust_seek import hold_flow_during_seek  # noqa: PLC0415

                hold_flow_during_seek(consumer)
            return consumer

    app = App(
        group,
        broker=f"kafka://{bootstrap}",
        store="memory://",
        topic_partitions=1,
        consumer_auto_offset_reset="earliest",
        producer_max_batch_size=1,
        web_enabled=False,
        broker_session_timeout=6,
        broker_heartbeat_interval=1,
        datadir=tempfile.mkdtemp(),
        key_serializer="raw",
        value_serializer="raw",
    )
    counts = app.Table("counts", partitions=1, default=int)
    source = app.topic(topic, partitions=1)

    @app.agent(source)
    async def record(stream: faust.StreamT) -> None:
        with out.open("a") as sink:
            async for event in stream.events():
                counts["n"] += 1
                await asyncio.sleep(0.01)  # stands for real work: an agent slower than the fetcher
                sink.write(f"{event.message.offset}\n")
                sink.flush()

    faust.Worker(app, loglevel="WARNING", quiet=True).execute_from_commandline()


async def committed_offset(bootstrap: str, group: str, topic: str) -> int:
    from aiokafka import TopicPartition  # noqa: PLC0415
    from aiokafka.admin import AIOKafkaAdminClient  # noqa: PLC0415

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group, partitions=[TopicPartition(topic, 0)])
    finally:
        await admin.close()
    meta = offsets.get(TopicPartition(topic, 0))
    return meta.offset if meta is not None else -1


async def produce(bootstrap: str, topic: str, start: int, stop: int) -> None:
    from aiokafka import AIOKafkaProducer  # noqa: PLC0415

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for i in range(start, stop):
            await producer.send_and_wait(topic, f"record {i}".encode())  # one record per batch
    finally:
        await producer.stop()


async def run_child(  # noqa: PLR0917
    bootstrap: str, group: str, topic: str, out: Path, delay: float, guard: bool, until: int
) -> int:
    """Run the Faust app until its group has committed `until` (or 60 s pass); SIGTERM it
    (a clean stop) and return the committed offset."""
    args = [sys.executable, __file__, "--child", bootstrap, group, topic, str(out), str(delay), str(int(guard))]
    with out.with_suffix(f".{until}.log").open("wb") as sink:
        # a diagnostic: blocking the loop for a process start is fine
        proc = subprocess.Popen(args, stdout=sink, stderr=subprocess.STDOUT, cwd=ROOT)  # noqa: ASYNC220
    deadline = time.monotonic() + 60
    commit = -1
    try:
        while time.monotonic() < deadline:
            commit = await committed_offset(bootstrap, group, topic)
            if commit == until:
                break
            await asyncio.sleep(1)
    finally:
        proc.terminate()
        proc.wait(30)
    return await committed_offset(bootstrap, group, topic)


async def scenario(bootstrap: str, delay: float, guard: bool) -> bool:
    """First run: records 0..99, clean stop (commits 100, fills the table's changelog).
    Second run, same group, slow committed-offset lookups: records 100..199."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic  # noqa: PLC0415

    run = uuid.uuid4().hex[:8]
    topic, group = f"race-{run}", f"race-app-{run}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(topic, 1, 1)])
    await admin.close()
    out = Path(tempfile.mkdtemp()) / "offsets"
    out.touch()
    await produce(bootstrap, topic, 0, HALF)
    first = await run_child(bootstrap, group, topic, out, 0.0, guard, HALF)
    if first != HALF:
        raise RuntimeError(f"first run committed {first}, not {HALF}")
    await produce(bootstrap, topic, HALF, TOTAL)
    commit = await run_child(bootstrap, group, topic, out, delay, guard, TOTAL)
    seen = [int(line) for line in out.read_text().split()]
    second = seen[seen.index(HALF - 1) + 1 :] if HALF - 1 in seen else seen
    missing = sorted(set(range(HALF, TOTAL)) - set(second))
    jumps = [(a, b) for a, b in itertools.pairwise(second) if b != a + 1]
    ok = not missing and commit == TOTAL
    label = "with hold_flow_during_seek" if guard else "Faust as released"
    holes = f"{missing[0]}..{missing[-1]} ({len(missing)} offsets)" if missing else "none"
    print(
        f"{label:26}: restarted at {second[0] if second else None}, jumps {jumps[:4]}, "
        f"never processed: {holes}, committed {commit}/{TOTAL} -> {'OK' if ok else 'RACE'}"
    )
    return ok


def main(bootstrap: str | None, delay: float) -> int:
    if bootstrap is None:
        from workers.adapters.embedded_broker import EmbeddedBroker  # noqa: PLC0415

        with EmbeddedBroker() as broker:
            return asyncio.run(run_both(broker.bootstrap, delay))
    return asyncio.run(run_both(bootstrap, delay))


async def run_both(bootstrap: str, delay: float) -> int:
    released = await scenario(bootstrap, delay, guard=False)
    guarded = await scenario(bootstrap, delay, guard=True)
    return 0 if guarded and not released else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _, _, bs, grp, tpc, path, dly, grd = sys.argv
        child(bs, grp, tpc, Path(path), float(dly), grd == "1")
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", help="a Kafka-protocol broker (default: start the embedded Tansu)")
    parser.add_argument("--delay", type=float, default=1.5, help="seconds added to each committed-offset lookup")
    options = parser.parse_args()
    sys.exit(main(options.bootstrap, options.delay))

"""Keep Faust's consumer from delivering records while it seeks to the committed offsets.

The race (faust-streaming 0.15 as installed; broker-independent): when a rebalance ends,
Faust's recovery (`Recovery.on_recovery_completed`, `_resume_streams` without tables)
resumes the stream partitions and only then awaits `Consumer.perform_seek()`, which looks
up the committed offset of every assigned partition (one OffsetFetch each) and then resets
the fetch position, `_read_offset` and `_committed_offset`. The consumer's flow is running
during that lookup: on a worker's first assignment nothing ever stopped it (a revoke with an
empty assignment skips `stop_flow()`), and later recovery resumed it to read changelogs. So
the fetcher hands records of the just-resumed partitions to the agents' queues while the
seek is in flight. When it lands:

- `app.flow_control.resume()`, called right after it, clears the agents' queues: the
  records delivered meanwhile and not yet processed are dropped, never acked;
- the fetcher has moved `_read_offset` past them, so their copies re-fetched from the
  committed offset are discarded as already read (`offset < _read_offset`); and a late
  record from the pre-seek batch can make Faust record the stretch after the seek target
  as a "gap", which it then treats as acked.

Unacked offsets stop Faust's commits for good (`_new_offset` never passes a hole): the
worker keeps processing later records, but its group does not drain until a restart, which
can lose the race again. On the embedded Tansu broker this showed as "a restarted worker
skipped offsets 4 -> 19" and "the SIGKILL scenario never drains"; instrumented runs saw
every restarted worker deliver records during the seek. scripts/faust_seek_race.py shows it
with a plain Faust app, on Tansu or Apache Kafka.

The workaround: stop the consumer's flow before the seek. Faust's drain loop stops at the
next record (`Consumer.getmany` checks `flow_active`), nothing is delivered until the seek
has landed, and both recovery paths resume the flow right after `perform_seek()` returns
(`consumer.resume_flow()`), so records are fetched again from the committed offsets. The
third caller, `Consumer.getmany`, only seeks when the flow is already stopped and is left
as it is. Harmless on any broker: the flow pauses only for the committed-offsets lookup at
the end of a rebalance, and the stream partitions it guards were paused until then anyway.
"""

from __future__ import annotations

from typing import Any

__all__ = ["hold_flow_during_seek"]


def hold_flow_during_seek(consumer: Any) -> None:
    """Wrap `consumer.perform_seek` (a Faust transport consumer) so that it stops the
    consumer's flow before seeking; Faust's recovery resumes it after the seek."""
    original = consumer.perform_seek

    async def perform_seek() -> None:
        if consumer.flow_active:
            consumer.stop_flow()
        await original()

    consumer.perform_seek = perform_seek

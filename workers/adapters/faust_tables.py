"""A Faust table as the dedup state's base mapping: written a batch at once, with each
write's changelog record sent to its page's partition and acked before the batch's offsets
can be committed.

Faust sends a table write (`table[key] = v`) to the changelog partition of the event being
processed (the stream's `current_event()`), through its producer buffer: `send_soon`, one
record at a time from a background task, and the consumer stops delivering records while
that buffer holds more than 100. A batch of pages writes hundreds of keys at once, so that
buffer throttled the worker ("producer buffer full" in its log, a replay at ~107 pages/s).
So `TableSink` writes the store itself, with the page's event (`PipelineState`'s checkpoint
tag) as the current event (the RocksDB store keys its bookkeeping by it), and keeps the
changelog records; `workers.runtime.publish.publish_changelogs` hands them all to the producer at once and waits for
their acks, like the batch's output records, then records the offsets the RocksDB store
keeps to resume recovery from (what Faust's own send callback does). Each record goes to
the changelog partition of its page's input partition, where recovery after a rebalance
looks for it, as Faust would have sent it.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Awaitable, Iterator, MutableMapping
from typing import Any, cast

from faust.streams import _current_event

__all__ = ["TableSink"]


class TableSink(MutableMapping[str, Any]):
    """A Faust table; `put`/`remove` write its store on behalf of the event in `tag` (see
    workers.core.pipeline.TaggedSink) and keep the changelog record for
    `workers.runtime.publish.publish_changelogs`."""

    __slots__ = ("pending", "table")

    def __init__(self, table: Any) -> None:
        self.table = table
        self.pending: list[tuple[int, str, Any]] = []  # (partition, key, value or None: deleted)

    def put(self, key: str, value: Any, tag: object) -> None:
        with _current(tag):
            self.table.data[key] = value
        self.pending.append((_partition(tag), key, value))

    def remove(self, key: str, tag: object) -> None:
        with _current(tag):
            if key in self.table.data:
                del self.table.data[key]
        self.pending.append((_partition(tag), key, None))

    async def send(self, partition: int, key: str, value: Any) -> Awaitable[Any]:
        """Hand one changelog record to the producer; returns its ack."""
        table = self.table
        return await table.changelog_topic.send(  # type: ignore[no-any-return]
            key=key,
            value=value,
            partition=partition,
            key_serializer=table.key_serializer,
            value_serializer="raw" if value is None else table.value_serializer,
        )

    def __getitem__(self, key: str) -> Any:
        return self.table[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.table[key] = value

    def __delitem__(self, key: str) -> None:
        del self.table[key]

    def __contains__(self, key: object) -> bool:
        return key in self.table

    def __iter__(self) -> Iterator[str]:
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)

    def items(self) -> Any:
        return self.table.items()


@contextlib.contextmanager
def _current(event: object) -> Iterator[None]:
    """Make `event` (a Faust event) the stream's current event for the duration."""
    if getattr(event, "message", None) is None:
        raise TypeError(f"a table write needs the event it came from, got {event!r}")
    token = _current_event.set(weakref.ref(cast(Any, event)))
    try:
        yield
    finally:
        _current_event.reset(token)


def _partition(tag: object) -> int:
    """The input partition of the Faust event a write came from."""
    return int(cast(Any, tag).message.partition)

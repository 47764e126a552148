"""A Faust table as the dedup state's base mapping, written with the partition of the page
each write came from.

Faust sends a table write to the changelog partition of the event being processed (the
stream's `current_event()`), and its RocksDB store records that event's offset with the
write. The dedup agent writes a whole batch's state at once, after its records are acked,
so each write is made with its page's event (`PipelineState`'s checkpoint tag) as the
current event: it goes where Faust's own `table[key] = v` would have sent it while the page
was being processed, the changelog partition of the page's input partition, which is
where recovery after a rebalance looks for it.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator, MutableMapping
from typing import Any, cast

from faust.streams import _current_event

__all__ = ["TableSink"]


class TableSink(MutableMapping[str, Any]):
    """A Faust table; `put`/`remove` write it on behalf of the event in `tag` (see
    workers.core.pipeline.TaggedSink)."""

    __slots__ = ("table",)

    def __init__(self, table: Any) -> None:
        self.table = table

    def put(self, key: str, value: Any, tag: object) -> None:
        with _current(tag):
            self.table[key] = value

    def remove(self, key: str, tag: object) -> None:
        with _current(tag):
            self.table.pop(key, None)

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

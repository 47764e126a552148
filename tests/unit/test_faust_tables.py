"""TableSink and publish_changelogs with a fake Faust table: a batch's writes reach the
store with their page's event current, and their changelog records are sent to the page's
partition, acked (transient failures sent again), and their offsets recorded."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiokafka.errors import KafkaTimeoutError, MessageSizeTooLargeError
from aiokafka.structs import TopicPartition
from faust.streams import current_event

from workers.adapters.faust_tables import TableSink
from workers.core.pipeline import PipelineState
from workers.runtime.publish import publish_changelogs


@dataclass
class Message:
    partition: int


@dataclass
class Event:
    message: Message


@dataclass
class Metadata:
    topic_partition: TopicPartition
    offset: int


class Store(dict[str, Any]):
    """The table's store: notes the event current at each write, and persisted offsets."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[int] = []
        self.persisted: dict[TopicPartition, int] = {}

    def __setitem__(self, key: str, value: Any) -> None:
        event = current_event()
        assert event is not None, "a store write needs the page's event (RocksDB keys its bookkeeping by it)"
        self.events.append(event.message.partition)
        super().__setitem__(key, value)

    def set_persisted_offset(self, tp: TopicPartition, offset: int) -> None:
        self.persisted[tp] = offset


@dataclass
class Changelog:
    """The changelog topic: acks in order, failing the sends listed in `failures` (1-based)."""

    failures: dict[int, Exception] = field(default_factory=dict)
    sent: list[tuple[int, str, Any, str]] = field(default_factory=list)
    calls: int = 0

    async def send(self, *, key: str, value: Any, partition: int, key_serializer: str, value_serializer: str) -> Any:
        self.calls += 1
        ack: asyncio.Future[Metadata] = asyncio.get_running_loop().create_future()
        if (failure := self.failures.get(self.calls)) is not None:
            ack.set_exception(failure)
        else:
            self.sent.append((partition, key, value, value_serializer))
            ack.set_result(Metadata(TopicPartition("ticker-changelog", partition), len(self.sent) - 1))
        return ack


@dataclass
class Table:
    name: str = "ticker"
    data: Store = field(default_factory=Store)
    changelog_topic: Changelog = field(default_factory=Changelog)
    key_serializer: str = "json"
    value_serializer: str = "json"

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __contains__(self, key: object) -> bool:
        return key in self.data

    def __iter__(self) -> Any:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def items(self) -> Any:
        return self.data.items()


async def test_a_batch_is_written_with_each_page_partition_then_acked() -> None:
    table = Table(data=Store())
    table.data.update({"gone": [1]})
    sink = TableSink(table)
    state = PipelineState(sink)
    state.ticker_records["a"] = ["first page"]
    state.checkpoint(Event(Message(partition=2)))
    del state.ticker_records["gone"]
    state.ticker_records["b"] = ["second page"]
    state.checkpoint(Event(Message(partition=5)))
    assert table.changelog_topic.sent == []
    state.commit()
    assert dict(table.data) == {"a": ["first page"], "b": ["second page"]}
    assert table.data.events == [2, 5]
    assert table.changelog_topic.sent == []  # not before publish_changelogs
    await publish_changelogs([sink])
    assert table.changelog_topic.sent == [
        (2, "a", ["first page"], "json"),
        (5, "gone", None, "raw"),  # a delete: a tombstone
        (5, "b", ["second page"], "json"),
    ]
    assert table.data.persisted == {
        TopicPartition("ticker-changelog", 2): 0,
        TopicPartition("ticker-changelog", 5): 2,
    }
    assert sink.pending == []


async def test_transient_failures_are_sent_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(asyncio, "sleep", _no_sleep)
    table = Table(changelog_topic=Changelog(failures={1: KafkaTimeoutError("slow")}))
    sink = TableSink(table)
    sink.put("a", [1], Event(Message(0)))
    await publish_changelogs([sink])
    assert table.changelog_topic.sent == [(0, "a", [1], "json")]


async def test_a_refused_record_raises() -> None:
    table = Table(changelog_topic=Changelog(failures={1: MessageSizeTooLargeError("too large")}))
    sink = TableSink(table)
    sink.put("a", [1], Event(Message(0)))
    with pytest.raises(MessageSizeTooLargeError):
        await publish_changelogs([sink])


def test_a_write_without_its_event_is_refused() -> None:
    sink = TableSink(Table())
    with pytest.raises(TypeError, match="event it came from"):
        sink.put("a", [1], None)


async def _no_sleep(_: float) -> None:
    return None

"""The dashboard's reader without a broker: where it starts reading, what it skips, and
how it reports and retries an unreachable broker (fakes in place of aiokafka)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest
from aiokafka import TopicPartition
from aiokafka.errors import KafkaConnectionError
from aiokafka.structs import OffsetAndTimestamp

from workers.dashboard import reader as reader_module
from workers.dashboard.reader import EventReader
from workers.errors import TransientError

A, B, C = (TopicPartition("events.ticker", p) for p in range(3))


@dataclass
class FakeRecord:
    topic: str
    offset: int
    value: bytes | None
    timestamp: int = 1


class FakeConsumer:
    """Answers offsets_for_times as told; records seeks."""

    def __init__(self, answers: dict[TopicPartition, OffsetAndTimestamp | None], fail: bool = False) -> None:
        self.answers = answers
        self.fail = fail
        self.seeks: dict[TopicPartition, Any] = {}

    async def offsets_for_times(self, wanted: dict[TopicPartition, int]) -> dict[TopicPartition, Any]:
        if self.fail:
            raise KafkaConnectionError("gone")
        return {tp: self.answers.get(tp) for tp in wanted}

    async def beginning_offsets(self, tps: list[TopicPartition]) -> dict[TopicPartition, int]:
        return dict.fromkeys(tps, 5)

    async def end_offsets(self, tps: list[TopicPartition]) -> dict[TopicPartition, int]:
        return dict.fromkeys(tps, 50)

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.seeks[tp] = offset

    async def seek_to_beginning(self, *tps: TopicPartition) -> None:
        for tp in tps:
            self.seeks[tp] = "beginning"


def make_reader(since_ms: int | None = 1000, **kwargs: Any) -> tuple[EventReader, list[tuple[str, str]]]:
    statuses: list[tuple[str, str]] = []
    reader = EventReader(
        "127.0.0.1:1",
        {"events.ticker": "ticker"},
        since_ms=since_ms,
        on_records=lambda records: None,
        on_status=lambda state, detail: statuses.append((state, detail)),
        **kwargs,
    )
    return reader, statuses


class TestStart:
    async def test_usable_answers_are_used_others_read_from_the_beginning(self) -> None:
        """An offset inside the partition is sought; Tansu's answer below the first offset
        means the beginning; no record that recent means the end."""
        consumer = FakeConsumer({A: OffsetAndTimestamp(20, 1), B: OffsetAndTimestamp(0, 1), C: None})
        reader, _ = make_reader()
        await reader._seek(consumer, [A, B, C])  # type: ignore[arg-type]
        assert consumer.seeks == {A: 20, B: "beginning", C: 50}

    async def test_lookup_error_reads_from_the_beginning(self) -> None:
        """offsets_for_times failing is no failure: every partition from the beginning."""
        consumer = FakeConsumer({}, fail=True)
        reader, _ = make_reader()
        await reader._seek(consumer, [A, B])  # type: ignore[arg-type]
        assert consumer.seeks == {A: "beginning", B: "beginning"}

    async def test_no_window_reads_from_the_beginning(self) -> None:
        """--from-beginning: no lookup at all."""
        consumer = FakeConsumer({A: OffsetAndTimestamp(20, 1)})
        reader, _ = make_reader(since_ms=None)
        await reader._seek(consumer, [A])  # type: ignore[arg-type]
        assert consumer.seeks == {A: "beginning"}

    async def test_positions_survive_a_reconnect(self) -> None:
        """Partitions read before resume where they were; only new ones are looked up."""
        consumer = FakeConsumer({B: OffsetAndTimestamp(30, 1)})
        reader, _ = make_reader()
        reader.positions[A] = 42
        await reader._seek(consumer, [A, B])  # type: ignore[arg-type]
        assert consumer.seeks == {A: 42, B: 30}
        reader.positions[B] = 31
        await reader._seek(consumer, [A, B])  # type: ignore[arg-type]
        assert consumer.seeks == {A: 42, B: 31}


class TestRecords:
    def test_values_that_are_not_json_are_skipped(self) -> None:
        """A record that is not JSON is counted and skipped; the others are decoded."""
        reader, _ = make_reader()
        records = [FakeRecord("events.ticker", 1, b"{not json"), FakeRecord("events.ticker", 2, b'{"a": 1}', 7)]
        assert reader._decoded(records) == [("ticker", {"a": 1}, 7)]  # type: ignore[arg-type]
        assert reader.skipped == 1


class TestUnreachable:
    async def test_failed_sessions_are_reported_and_retried(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A broker that cannot be reached, or topics that do not exist, is a state; the
        reader tries again."""
        reader, statuses = make_reader(retry_max=0.01)
        failures = [TransientError("no such topic: events.ticker"), KafkaConnectionError("refused")]

        async def session() -> None:
            if failures:
                raise failures.pop(0)
            raise asyncio.CancelledError

        monkeypatch.setattr(reader, "_session", session)
        with pytest.raises(asyncio.CancelledError):
            await reader.run()
        assert [state for state, _ in statuses] == ["no_topics", "unreachable"]

    async def test_probe_reports_both_ways(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The periodic probe says unreachable when it fails and live when it answers."""
        reader, statuses = make_reader(probe_interval=0.001)
        answers: list[BaseException | None] = [OSError("refused"), None]

        async def probe(bootstrap: str, timeout: float) -> list[str]:
            if not answers:
                raise asyncio.CancelledError
            answer = answers.pop(0)
            if answer is not None:
                raise answer
            return []

        monkeypatch.setattr(reader_module, "probe_kafka", probe)
        with pytest.raises(asyncio.CancelledError):
            await reader._probe(asyncio.Event())
        assert [state for state, _ in statuses] == ["unreachable", "live"]

    async def test_probe_stops_when_told_even_if_its_cancellation_is_lost(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A stop sets the event: the probe loop ends at its next turn, even when a
        cancellation was swallowed (Python 3.11's wait_for can lose one)."""
        reader, statuses = make_reader(probe_interval=0.001)
        stopping = asyncio.Event()
        calls = 0

        async def probe(bootstrap: str, timeout: float) -> list[str]:
            nonlocal calls
            calls += 1
            stopping.set()  # as if the stop came while this probe ran and its cancel was lost
            return []

        monkeypatch.setattr(reader_module, "probe_kafka", probe)
        await asyncio.wait_for(reader._probe(stopping), 5)
        assert calls == 1
        assert [state for state, _ in statuses] == ["live"]

"""agents.py with fake dependencies: what reaches which topic, without a broker."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from aiokafka.errors import MessageSizeTooLargeError

from workers.adapters.metrics import WorkerMetrics
from workers.contract.schemas import validator_for
from workers.contract.topics import TopicSet
from workers.core.pipeline import PipelineConfig, PipelineState
from workers.runtime.agents import Deps, parse_pages
from workers.runtime.guard import FailureGuard
from workers.runtime.input_range import InputRange

SAMPLES = Path(__file__).resolve().parents[2] / "workers" / "samples" / "pages.jsonl"


@dataclass
class Message:
    value: bytes
    topic: str = "pages.raw"
    partition: int = 0
    offset: int = 0
    timestamp: float = 1.0
    key: bytes | None = b"k"


@dataclass
class Event:
    message: Message

    @property
    def value(self) -> bytes:
        return self.message.value


@dataclass
class Stream:
    values: list[bytes]

    async def events(self) -> AsyncIterator[Event]:
        for offset, value in enumerate(self.values):
            yield Event(Message(value, offset=offset))


@dataclass
class Broker:
    """Records sends; refuses dead letters that still carry their original bytes."""

    refuse_full_letters: bool = False
    sent: list[tuple[str, bytes | None, dict[str, Any]]] = field(default_factory=list)

    async def send(self, topic: str, key: bytes | None, value: bytes, headers: Any) -> None:
        decoded = orjson.loads(value) if topic == "pages.dlq" else {"raw": value}
        if self.refuse_full_letters and topic == "pages.dlq" and decoded["original_value"] is not None:
            raise MessageSizeTooLargeError("too large")
        self.sent.append((topic, key, decoded))


def deps(topics: TopicSet, broker: Broker, input_range: InputRange | None = None) -> Deps:
    async def fatal(exc: BaseException) -> None:
        raise AssertionError(f"unexpected stop: {exc}")

    return Deps(
        send=broker.send,
        page_validator=validator_for(topics["pages.raw"].schema),
        max_page_bytes=1_000_000,
        guard=FailureGuard(),
        on_fatal=fatal,
        metrics=WorkerMetrics(),
        pipeline=PipelineConfig(),
        state=PipelineState(),
        input_range=input_range or InputRange.everything(),
    )


async def run(stream: Stream, d: Deps) -> None:
    async for _ in parse_pages(d, stream):
        pass


class TestParsePages:
    async def test_valid_page_goes_to_the_scope_topic_keyed_by_site(self, topics: TopicSet) -> None:
        """A valid page is parsed and sent on, keyed by its dedup scope."""
        broker = Broker()
        await run(Stream([SAMPLES.read_bytes().splitlines()[0]]), deps(topics, broker))
        [(topic, key, _)] = broker.sent
        assert (topic, key) == ("pages.by_scope", b"smartnews-agency.com")

    async def test_poison_is_dead_lettered_with_its_bytes(self, topics: TopicSet) -> None:
        """Bytes that are not a page go to pages.dlq, whole, and the stream goes on."""
        broker = Broker()
        await run(Stream([b"\xff\xfe", SAMPLES.read_bytes().splitlines()[2]]), deps(topics, broker))
        assert [topic for topic, _, _ in broker.sent] == ["pages.dlq", "pages.by_scope"]
        letter = broker.sent[0][2]
        assert base64.b64decode(letter["original_value"]) == b"\xff\xfe"
        assert letter["error_type"] == "InvalidUTF8"

    async def test_refused_dead_letter_is_resent_without_its_bytes(self, topics: TopicSet) -> None:
        """A letter the broker refuses is sent again without the original value, not lost."""
        broker = Broker(refuse_full_letters=True)
        await run(Stream([b"{not json"]), deps(topics, broker))
        [(topic, _, letter)] = broker.sent
        assert topic == "pages.dlq"
        assert letter["original_value"] is None
        assert letter["truncated"] is True
        assert letter["original_value_size"] == len(b"{not json")
        assert "original value dropped" in letter["error_message"]


class TestInputRange:
    """A replay worker processes only its range of pages.raw; the rest is skipped and counted."""

    async def test_records_outside_the_offset_range_are_skipped(self, topics: TopicSet) -> None:
        broker = Broker()
        pages = SAMPLES.read_bytes().splitlines()
        d = deps(topics, broker, InputRange({0: (1, 3)}))
        await run(Stream(pages), d)  # offsets 0..4 on partition 0
        sent = [orjson.loads(item[2]["raw"])["url"] for item in broker.sent]
        assert sent == [orjson.loads(pages[1])["url"], orjson.loads(pages[2])["url"]]
        assert d.metrics.pages.labels("skipped")._value.get() == 3
        assert d.metrics.records._value.get() == 5

    async def test_pages_fetched_outside_the_time_range_are_skipped(self, topics: TopicSet) -> None:
        broker = Broker()
        pages = SAMPLES.read_bytes().splitlines()
        times = sorted(datetime.fromisoformat(orjson.loads(p)["fetched_at"]) for p in pages)
        d = deps(topics, broker, InputRange(since=times[1], until=times[3]))
        await run(Stream(pages), d)
        got = sorted(datetime.fromisoformat(orjson.loads(item[2]["raw"])["fetched_at"]) for item in broker.sent)
        assert got == times[1:3]

    async def test_poison_goes_by_its_record_time(self, topics: TopicSet) -> None:
        """An undecodable record has no fetched_at: the Kafka record time decides."""
        broker = Broker()
        early = InputRange(since=datetime(1970, 1, 1, 0, 0, 2, tzinfo=UTC))  # the fake records are at t=1 s
        await run(Stream([b"\xff"]), deps(topics, broker, early))
        assert broker.sent == []
        late = InputRange(until=datetime(1970, 1, 1, 0, 0, 2, tzinfo=UTC))
        await run(Stream([b"\xff"]), deps(topics, broker, late))
        assert [topic for topic, _, _ in broker.sent] == ["pages.dlq"]

"""agents.py with fake dependencies: what reaches which topic, without a broker."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka.errors import KafkaTimeoutError, MessageSizeTooLargeError, NotLeaderForPartitionError

from workers.adapters.codec import decode_page, encode_parsed
from workers.adapters.metrics import WorkerMetrics
from workers.contract.schemas import validator_for
from workers.contract.topics import TopicSet
from workers.core.models import ParsedPage, ParseFailure
from workers.core.parse.page import parse_page
from workers.core.pipeline import PipelineConfig, PipelineState
from workers.runtime import agents
from workers.runtime.agents import Deps, dedupe_pages, parse_pages
from workers.runtime.app import build_app
from workers.runtime.guard import FailureGuard
from workers.runtime.input_range import InputRange
from workers.runtime.settings import Settings

SAMPLES = Path(__file__).resolve().parents[2] / "workers" / "samples" / "pages.jsonl"


@dataclass
class Message:
    value: bytes
    topic: str = "pages.raw"
    partition: int = 0
    offset: int = 0
    timestamp: float = 1.0
    key: bytes | None = b"k"
    headers: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass
class Event:
    message: Message

    @property
    def value(self) -> bytes:
        return self.message.value


@dataclass
class Stream:
    """Faust's `take_events` over `values`: batches of up to `max_` events."""

    values: list[bytes]

    async def take_events(self, max_: int, within: float) -> AsyncIterator[list[Event]]:
        events = [Event(Message(value, offset=offset)) for offset, value in enumerate(self.values)]
        for start in range(0, len(events), max_):
            yield events[start : start + max_]


@dataclass
class Broker:
    """Records sends; refuses dead letters that still carry their original bytes."""

    refuse_full_letters: bool = False
    sent: list[tuple[str, bytes | None, dict[str, Any]]] = field(default_factory=list)
    headers: list[dict[str, bytes]] = field(default_factory=list)

    async def send(self, topic: str, key: bytes | None, value: bytes, headers: Any) -> None:
        self.headers.append(dict(headers or ()))
        decoded = orjson.loads(value) if topic == "pages.dlq" else {"raw": value}
        if self.refuse_full_letters and topic == "pages.dlq" and decoded["original_value"] is not None:
            raise MessageSizeTooLargeError("too large")
        self.sent.append((topic, key, decoded))

    async def enqueue(self, topic: str, key: bytes | None, value: bytes, headers: Any) -> Awaitable[None]:
        """As the producer: the record is taken now, its ack is a future (done here)."""
        ack: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        try:
            await self.send(topic, key, value, headers)
        except MessageSizeTooLargeError as exc:
            ack.set_exception(exc)
        else:
            ack.set_result(None)
        return ack


def deps(
    topics: TopicSet,
    broker: Broker,
    input_range: InputRange | None = None,
    *,
    guard: FailureGuard | None = None,
    stops: list[BaseException] | None = None,
) -> Deps:
    """Agent dependencies over `broker`; a guard trip is recorded in `stops` (when given)
    or fails the test."""

    async def fatal(exc: BaseException) -> None:
        if stops is None:
            raise AssertionError(f"unexpected stop: {exc}")
        stops.append(exc)

    return Deps(
        send=broker.send,
        enqueue=broker.enqueue,
        page_validator=validator_for(topics["pages.raw"].schema),
        max_page_bytes=1_000_000,
        guard=guard or FailureGuard(),
        on_fatal=fatal,
        metrics=WorkerMetrics(),
        pipeline=PipelineConfig(),
        state=PipelineState(),
        input_range=input_range or InputRange.everything(),
        take=lambda stream, max_, within: stream.take_events(max_, within),
    )


async def run(stream: Stream, d: Deps) -> None:
    async for _ in parse_pages(d, stream):
        pass


async def run_dedup(stream: Stream, d: Deps) -> None:
    async for _ in dedupe_pages(d, stream):
        pass


def page(body: str, n: int = 0) -> bytes:
    return orjson.dumps(
        {
            "url": f"https://a.example/{n}",
            "fetched_at": "2020-06-29T18:05:00+03:00",
            "content_type": "text/plain",
            "body": body,
        }
    )


def parsed_samples(topics: TopicSet) -> list[bytes]:
    """The sample pages as the parse stage sends them to the dedup stage."""
    validator = validator_for(topics["pages.raw"].schema)
    out = []
    for line in SAMPLES.read_bytes().splitlines():
        decoded = decode_page(line, validator)
        parsed = parse_page(decoded, tz="Asia/Damascus")
        assert isinstance(parsed, ParsedPage)
        out.append(encode_parsed(decoded, parsed))
    return out


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


class TestRedrivenMessages:
    async def test_new_letter_carries_the_redrive_headers(self, topics: TopicSet) -> None:
        """A re-driven message that fails again is dead-lettered with its raqib.redrive_*
        headers, so the next re-drive can count it (before: they were lost)."""
        broker = Broker()
        redriven = [("raqib.redriven_from", b"pages.dlq:0:4"), ("raqib.redrive_count", b"2"), ("other", b"x")]

        class OneStream(Stream):
            async def take_events(self, max_: int, within: float) -> AsyncIterator[list[Event]]:
                yield [Event(Message(b"not json", headers=redriven))]

        await run(OneStream([]), deps(topics, broker))
        assert broker.headers[0]["raqib.redriven_from"] == b"pages.dlq:0:4"
        assert broker.headers[0]["raqib.redrive_count"] == b"2"
        assert "other" not in broker.headers[0]


class TestFailureGuard:
    """The guard stops the worker when raqib fails, never because of what the input is."""

    async def test_empty_pages_do_not_trip_it(self, topics: TopicSet) -> None:
        """120 whitespace or empty pages (a site returning blank pages) are dead-lettered
        one by one; the worker is not stopped (before: GuardTripped at the 100th)."""
        broker, stops = Broker(), []
        pages = [page(" \n\t " if n % 2 else "", n) for n in range(120)]
        await run(Stream(pages), deps(topics, broker, guard=FailureGuard(max_consecutive=100), stops=stops))
        assert stops == []
        assert len(broker.sent) == 120
        assert {letter["error_type"] for _, _, letter in broker.sent} == {"ParseFailure.empty_body"}

    async def test_wild_fetched_at_is_invalid_input(self, topics: TopicSet) -> None:
        """A fetched_at in year 9999 is refused as input (validate), not a parser crash."""
        broker, stops = Broker(), []
        bad = orjson.loads(page("عاجل"))
        bad["fetched_at"] = "9999-12-31T23:00:00+00:00"
        await run(
            Stream([orjson.dumps(bad)] * 3), deps(topics, broker, guard=FailureGuard(max_consecutive=2), stops=stops)
        )
        assert stops == []
        assert [letter["error_type"] for _, _, letter in broker.sent] == ["FetchedAtOutOfRange"] * 3

    async def test_parser_bugs_trip_it(self, topics: TopicSet, monkeypatch: pytest.MonkeyPatch) -> None:
        """Pages the parser fails on with an internal error count: the guard stops the worker."""
        monkeypatch.setattr(agents, "parse_page", lambda *_a, **_k: ParseFailure("parser_error", "boom"))
        broker, stops = Broker(), []
        lines = SAMPLES.read_bytes().splitlines()
        await run(Stream(lines * 2), deps(topics, broker, guard=FailureGuard(max_consecutive=3), stops=stops))
        assert len(stops) == 1
        assert len(broker.sent) == 3  # the agent stopped at the third failure

    def test_each_stage_has_its_own_guard(self) -> None:
        """The wired agents do not share a guard, so a parse success cannot reset the dedup
        stage's count of consecutive failures."""
        app = build_app(Settings())
        parse_guard = app.agents["parse_pages"].fun.args[0].guard
        dedup_guard = app.agents["dedupe_pages"].fun.args[0].guard
        assert parse_guard is not dedup_guard
        assert parse_guard.max_consecutive == dedup_guard.max_consecutive == Settings().guard_max_consecutive


class TestDedupePages:
    async def test_parsed_pages_become_events_sightings_and_articles(self, topics: TopicSet) -> None:
        """The samples give 19 ticker events, one sighting and five articles; a second pass
        only sightings and duplicates."""
        broker = Broker()
        d = deps(topics, broker)
        await run_dedup(Stream(parsed_samples(topics)), d)
        topics_sent = [topic for topic, _, _ in broker.sent]
        assert (topics_sent.count("events.ticker"), topics_sent.count("events.sightings")) == (19, 1)
        assert topics_sent.count("events.articles") == 5
        broker.sent.clear()
        await run_dedup(Stream(parsed_samples(topics)), d)
        assert {topic for topic, _, _ in broker.sent} == {"events.sightings"}

    async def test_undecodable_record_is_dead_lettered_and_counts(self, topics: TopicSet) -> None:
        """The internal topic carries raqib's own records: one that does not decode is raqib's
        failure (it counts towards the guard), dead-lettered from the dedup stage."""
        broker, stops = Broker(), []
        guard = FailureGuard(max_consecutive=2)
        await run_dedup(Stream([b"{}", b"not json", b"[]"]), deps(topics, broker, guard=guard, stops=stops))
        assert [(topic, letter["stage"]) for topic, _, letter in broker.sent] == [("pages.dlq", "dedup")] * 2
        assert len(stops) == 1

    async def test_refused_record_dead_letters_its_page_and_redoes_the_rest(self, topics: TopicSet) -> None:
        """The broker refuses a record of the first page of a batch for good: that page is
        dead-lettered and its state dropped, and the page after it, decided again without
        it, publishes exactly what a clean run of it alone publishes."""
        first = parsed_samples(topics)[0]
        clean = Broker()
        await run_dedup(Stream([first]), deps(topics, clean))

        flaky = AckFailures(failures={3: MessageSizeTooLargeError("too large")})
        await run_dedup(Stream([first, first]), deps(topics, flaky))
        letter_at = next(i for i, (topic, _, _) in enumerate(flaky.sent) if topic == "pages.dlq")
        letter = flaky.sent[letter_at][2]
        assert (letter["error_type"], letter["original_offset"]) == ("MessageSizeTooLargeError", 0)
        assert flaky.sent[letter_at + 1 :] == clean.sent

    async def test_failed_page_leaves_no_state_behind(self, topics: TopicSet) -> None:
        """A page that fails half-way (a bug) is dead-lettered and rolled back: the same page
        again, in the same batch, publishes exactly what a clean run of it publishes."""
        first = parsed_samples(topics)[0]
        clean = Broker()
        await run_dedup(Stream([first]), deps(topics, clean))

        flaky = Broker()
        calls = 0

        async def enqueue(topic: str, key: bytes | None, value: bytes, headers: Any) -> Awaitable[None]:
            nonlocal calls
            calls += 1
            if calls == 3:
                raise RuntimeError("bug")
            return await flaky.enqueue(topic, key, value, headers)

        await run_dedup(Stream([first, first]), replace(deps(topics, flaky), enqueue=enqueue))
        letter_at = next(i for i, (topic, _, _) in enumerate(flaky.sent) if topic == "pages.dlq")
        assert flaky.sent[letter_at][2]["error_type"] == "RuntimeError"
        assert flaky.sent[letter_at + 1 :] == clean.sent

    async def test_transient_ack_failure_is_sent_again(self, topics: TopicSet) -> None:
        """A record whose ack times out is sent again: nothing is dead-lettered, and the
        batch publishes every record of a clean run."""
        samples = parsed_samples(topics)
        clean = Broker()
        await run_dedup(Stream(samples), deps(topics, clean))
        flaky = AckFailures(failures={2: KafkaTimeoutError("slow"), 5: NotLeaderForPartitionError("moved")})
        await run_dedup(Stream(samples), deps(topics, flaky))
        assert sorted(map(repr, flaky.sent)) == sorted(map(repr, clean.sent))
        assert len(flaky.sent) == len(clean.sent)

    async def test_batch_state_is_written_only_after_its_acks(self, topics: TopicSet) -> None:
        """While a batch's acks are outstanding, nothing of it is in the tables."""
        tables: dict[str, Any] = {}
        seen_during_acks: list[int] = []
        broker = Broker()

        async def enqueue(topic: str, key: bytes | None, value: bytes, headers: Any) -> Awaitable[None]:
            await broker.send(topic, key, value, headers)

            async def ack() -> None:
                seen_during_acks.append(len(tables))

            return ack()

        d = replace(deps(topics, broker), enqueue=enqueue, state=PipelineState(ticker_records=tables))
        await run_dedup(Stream(parsed_samples(topics)), d)
        assert seen_during_acks
        assert set(seen_during_acks) == {0}
        assert len(tables) == 19


@dataclass
class AckFailures(Broker):
    """A broker whose acks fail for the records enqueued at the given call numbers (1-based)."""

    failures: dict[int, Exception] = field(default_factory=dict)
    calls: int = 0

    async def enqueue(self, topic: str, key: bytes | None, value: bytes, headers: Any) -> Awaitable[None]:
        self.calls += 1
        failure = self.failures.get(self.calls)
        if failure is None:
            return await super().enqueue(topic, key, value, headers)
        ack: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        ack.set_exception(failure)
        return ack


class TestPersist:
    async def test_changelogs_are_sent_after_the_batch_state_is_written(self, topics: TopicSet) -> None:
        tables: dict[str, Any] = {}
        seen: list[int] = []

        async def persist() -> None:
            seen.append(len(tables))

        d = replace(deps(topics, Broker()), state=PipelineState(ticker_records=tables), persist=persist)
        await run_dedup(Stream(parsed_samples(topics)), d)
        assert seen == [19]  # one batch, its 19 events written before the changelogs are sent

    async def test_a_refused_changelog_stops_the_worker(self, topics: TopicSet) -> None:
        stops: list[BaseException] = []

        async def persist() -> None:
            raise MessageSizeTooLargeError("changelog record too large")

        d = replace(deps(topics, Broker(), stops=stops), persist=persist)
        await run_dedup(Stream(parsed_samples(topics)), d)
        assert [type(exc) for exc in stops] == [MessageSizeTooLargeError]

"""`raqib dashboard` against the embedded broker and a real worker: the seeds' events reach
a browser's event stream as they arrive, counters follow the sightings, a reconnect
resumes without gaps or repeats, and an unreachable broker is a state the page is told."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from tests.integration.helpers import SAMPLES, fresh_topics, start_worker, wait_drained, wait_for
from tests.integration.sse import Viewer, until, watching
from workers.adapters.embedded_broker import free_port
from workers.cli.ingest import send_pages
from workers.contract.topics import TopicSet
from workers.dashboard.server import CSP, serve_dashboard

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def mansoura(viewer: Viewer) -> str | None:
    """event_id of the seeds' Mansoura item (seed 001 rewords it: its one near sighting)."""
    found = [t["value"]["event_id"] for t in viewer.of_kind("ticker") if "المنصور" in t["value"]["text"]]
    return found[0] if found else None


def seeds_shown(viewer: Viewer) -> bool:
    event = mansoura(viewer)
    return (
        len({t["value"]["event_id"] for t in viewer.of_kind("ticker")}) == 19
        and event is not None
        and viewer.carried(event) == [2, 1]
        and len(viewer.of_kind("article")) == 5
    )


async def test_seed_events_stream_live_and_resume_without_gaps(
    kafka_bootstrap: str, topics: TopicSet, topic_prefix: str, tmp_path: Path
) -> None:
    """A browser connected before the seeds are ingested gets their 19 ticker events live, and
    the Mansoura event's counter goes to "carried 2 times on 1 site" with its near sighting; a
    browser connecting later gets the same state at once; reconnecting with Last-Event-ID
    sends only what was missed; another epoch's id gets a reset and the whole log."""
    prefixed = await fresh_topics(topics, kafka_bootstrap, topic_prefix)
    worker = start_worker(kafka_bootstrap, prefixed, tmp_path)
    try:
        async with (
            serve_dashboard(kafka_bootstrap, prefixed, port=0) as server,
            aiohttp.ClientSession() as session,
        ):
            live = Viewer(server.url)
            async with watching(session, live):
                await wait_for(until(lambda: bool(live.events("ready"))), timeout=30, what="the snapshot")
                assert live.events("status")[-1].data["broker"] in {"live", "connecting"}
                await send_pages([SAMPLES], prefixed, kafka_bootstrap, prefixed.name("pages.raw"), progress=False)
                await wait_drained(kafka_bootstrap, prefixed, worker)
                await wait_for(until(lambda: seeds_shown(live)), timeout=60, what="19 events and the Mansoura counter")
            assert live.repeats == 0
            event = mansoura(live)
            assert event is not None
            [sighting] = live.of_kind("sighting")
            assert sighting["value"]["event_id"] == event
            assert sighting["value"]["kind"] == "near"
            assert {m.data["broker"] for m in live.events("status")} <= {"connecting", "live"}

            # A browser connecting now gets the recent state in its snapshot.
            late = Viewer(server.url)
            async with watching(session, late):
                await wait_for(until(lambda: bool(late.events("ready"))), timeout=30, what="a late snapshot")
            assert late.items == live.items
            assert seeds_shown(late)

            # Resume: from the last id nothing is re-sent; from an earlier id exactly the rest.
            items_before = len(live.items)
            async with watching(session, live):
                await wait_for(until(lambda: len(live.events("ready")) == 2), timeout=30, what="a resume")
            assert len(live.items) == items_before
            assert live.repeats == 0
            assert len(live.events("reset")) == 1  # only the first connect's

            seqs = sorted(live.items)
            middle = seqs[len(seqs) // 2]
            partial = Viewer(server.url, last_event_id=server.dashboard.model.message_id(middle))
            async with watching(session, partial):
                await wait_for(until(lambda: bool(partial.events("ready"))), timeout=30, what="a partial resume")
            assert sorted(partial.items) == [s for s in seqs if s > middle]
            assert not partial.events("reset")

            # An id from another server (a restart) gets a reset and everything.
            stranger = Viewer(server.url, last_event_id="0ther-3")
            async with watching(session, stranger):
                await wait_for(until(lambda: bool(stranger.events("ready"))), timeout=30, what="a reset snapshot")
            assert stranger.events("reset")
            assert stranger.items == live.items

            async with session.get(server.url) as page:
                assert page.headers["Content-Security-Policy"] == CSP
                assert page.headers["X-Content-Type-Options"] == "nosniff"
            async with session.get(server.url + "healthz") as health:
                body = await health.json()
            assert body["status"] == "live"
            assert body["items"]["ticker"] == 19

            # The dashboard's consumer never joins a group: only the worker's exist.
            admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
            await admin.start()
            try:
                groups = {group[0] for group in await admin.list_consumer_groups()}
            finally:
                await admin.close()
            assert not any("dashboard" in group for group in groups)
    finally:
        assert worker.stop() == 0


async def test_window_hides_records_older_than_since(kafka_bootstrap: str, topics: TopicSet, topic_prefix: str) -> None:
    """With a 1-hour window, a ticker record stamped two hours ago is not shown and one
    stamped now is (the embedded broker's offsets_for_times is not usable: the reader falls
    back to the beginning and filters by record timestamp)."""
    import time  # noqa: PLC0415

    import orjson  # noqa: PLC0415

    from workers.adapters.kafka_clients import kafka_producer  # noqa: PLC0415

    prefixed = await fresh_topics(topics, kafka_bootstrap, topic_prefix)
    now_ms = int(time.time() * 1000)
    async with kafka_producer(kafka_bootstrap) as producer:
        for event_id, ts in (("tk_00000000000000aa", now_ms - 2 * 3600_000), ("tk_00000000000000bb", now_ms)):
            value = {"event_id": event_id, "scope": "s.example", "site": "s.example", "text": event_id}
            await producer.send_and_wait(
                prefixed.name("events.ticker"), orjson.dumps(value), key=event_id.encode(), timestamp_ms=ts
            )
    async with (
        serve_dashboard(kafka_bootstrap, prefixed, port=0, window_ms=3600_000) as server,
        aiohttp.ClientSession() as session,
    ):
        viewer = Viewer(server.url)
        async with watching(session, viewer):
            await wait_for(until(lambda: bool(viewer.of_kind("ticker"))), timeout=30, what="the recent record")
            assert [t["value"]["event_id"] for t in viewer.of_kind("ticker")] == ["tk_00000000000000bb"]


async def test_unreachable_broker_is_pushed_to_browsers(topics: TopicSet) -> None:
    """With no broker at the address, the page is still served and told "unreachable";
    the reader keeps retrying instead of exiting."""
    async with (
        serve_dashboard(f"127.0.0.1:{free_port()}", topics, port=0) as server,
        aiohttp.ClientSession() as session,
    ):
        viewer = Viewer(server.url)
        async with watching(session, viewer):
            await wait_for(
                until(lambda: any(m.data["broker"] == "unreachable" for m in viewer.events("status"))),
                timeout=30,
                what="the unreachable state",
            )
        async with session.get(server.url + "healthz") as health:
            assert (await health.json())["status"] == "unreachable"


async def test_demo_keep_running_serves_the_dashboard() -> None:
    """`raqib demo --keep-running` prints the dashboard's URL; it shows the samples' events."""
    import signal  # noqa: PLC0415

    from tests.integration.test_cli_kafka import start_demo_keep_running  # noqa: PLC0415

    process, output = start_demo_keep_running()
    try:
        line = output.wait_for_line(lambda line: line.startswith("-- dashboard: "), timeout=180)
        url = line.removeprefix("-- dashboard: ").strip()
        assert url.startswith("http://127.0.0.1:")
        async with aiohttp.ClientSession() as session:

            async def shown() -> bool:
                async with session.get(url + "healthz") as health:
                    body = await health.json()
                return bool(body["items"]["ticker"] == 19 and body["status"] == "live")

            await wait_for(shown, timeout=60, what="the demo's dashboard to hold the 19 events")
            async with session.get(url) as page:
                assert page.status == 200
                assert page.headers["Content-Security-Policy"] == CSP
    finally:
        process.send_signal(signal.SIGINT)
        rest = output.rest(timeout=60)
    assert "-- worker stopped" in rest

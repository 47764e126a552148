"""The dashboard's figures (docs/benchmarks.md), on the embedded broker and headless Chromium.

    python -m benchmarks.bench_dashboard [EVENTS_AT_100_PER_S] [EVENTS_IN_WINDOW]

1. Latency: ticker records produced straight to events.ticker at 100 per second, each
   stamped with time.time() when sent; the page (`?bench`) notes Date.now() when it puts
   an event's row in the list. Same machine, same clock. p50 and p99 of the difference.
2. 50 browsers on one server: 50 SSE connections (aiohttp) to one `raqib dashboard`, the
   same 100 events/s; the server's CPU time over the run (from /proc) and, per event, the
   delay to the slowest of the 50 (p50, p99).
3. Memory: a window of 20,000 events loaded into a fresh page: the JS heap in use (CDP
   Performance.getMetrics JSHeapUsedSize, after a garbage collection), the time to load
   them, and the time a search over all of them takes to redraw.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
import orjson
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.integration.browser import DashboardProcess, chromium
from tests.integration.helpers import wait_for
from tests.integration.sse import Viewer, until, watching
from workers.adapters.embedded_broker import EmbeddedBroker, free_port
from workers.adapters.kafka_clients import kafka_producer
from workers.adapters.kafka_topics import create_topics
from workers.contract.topics import TopicSet, load_topics

SITES = ("smartnews-agency.com", "shaam.org", "enabbaladi.net", "zamanalwsl.net", "syria.tv")


def ticker(n: int, run: str) -> tuple[str, bytes]:
    event_id = f"tk_{uuid.uuid5(uuid.NAMESPACE_OID, f'{run}-{n}').hex[:16]}"
    site = SITES[n % len(SITES)]
    text = f"قوات النظام تقصف بلدة رقم {n} في ريف إدلب الجنوبي بقذائف المدفعية"
    value = {
        "event_id": event_id,
        "scope": site,
        "site": site,
        "text": text,
        "text_normalized": text,
        "attribution": "ناشطون",
        "time": "12:00",
        "reported_at": "2026-01-01T12:00:00+03:00",
        "first_seen_url": f"https://{site}/ar/{n}",
        "first_seen_at": "2026-01-01T12:01:00+03:00",
    }
    return event_id, orjson.dumps(value)


async def produce_paced(bootstrap: str, topic: str, count: int, rate: float, run: str) -> dict[str, float]:
    """`count` records at `rate` per second; event_id -> time.time() it was stamped with."""
    sent: dict[str, float] = {}
    async with kafka_producer(bootstrap) as producer:
        start = time.monotonic()
        for n in range(count):
            await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
            event_id, value = ticker(n, run)
            now = time.time()
            await producer.send_and_wait(topic, value, key=event_id.encode(), timestamp_ms=int(now * 1000))
            sent[event_id] = now
    return sent


async def produce_bulk(bootstrap: str, topic: str, count: int, run: str) -> None:
    async with kafka_producer(bootstrap) as producer:
        for start in range(0, count, 500):
            futures = [
                await producer.send(topic, value, key=event_id.encode())
                for event_id, value in (ticker(n, run) for n in range(start, min(count, start + 500)))
            ]
            await asyncio.gather(*futures)


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rows_shown(driver: WebDriver) -> str:
    return str(driver.find_element(By.ID, "tickers-shown").text)


async def fresh(bootstrap: str) -> TopicSet:
    topics = load_topics().with_prefix(f"bench{uuid.uuid4().hex[:8]}.")
    await create_topics(topics, bootstrap)
    return topics


async def latency_and_fan_out(bootstrap: str, count: int) -> None:
    topics = await fresh(bootstrap)
    topic = topics.name("events.ticker")
    server = DashboardProcess(bootstrap, topics.prefix, free_port()).start()
    driver = chromium()
    try:
        driver.get(server.url + "?bench")
        WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "state").get_attribute("data-state") == "live")
        sent = await produce_paced(bootstrap, topic, count, 100.0, "latency")
        WebDriverWait(driver, 60, poll_frequency=0.2).until(
            lambda d: d.execute_script("return Object.keys(window.raqibRenderedAt).length") >= count
        )
        rendered: dict[str, int] = driver.execute_script("return window.raqibRenderedAt")
        delays = [rendered[event_id] - at * 1000 for event_id, at in sent.items()]
        p50, p99 = percentiles(delays)
        print(f"produce -> rendered in Chromium, {count} events at 100/s: p50 {p50:.0f} ms, p99 {p99:.0f} ms")
    finally:
        driver.quit()

    if server.process is None:
        raise RuntimeError("the dashboard is not running")
    pid = server.process.pid
    async with aiohttp.ClientSession() as session:
        viewers = [Viewer(server.url) for _ in range(50)]
        async with contextlib.AsyncExitStack() as stack:
            for viewer in viewers:
                await stack.enter_async_context(watching(session, viewer))
            await wait_for(
                until(lambda: all(viewer.events("ready") for viewer in viewers)), timeout=60, what="50 snapshots"
            )
            cpu_before, wall_before = cpu_seconds(pid), time.monotonic()
            sent = await produce_paced(bootstrap, topic, count, 100.0, "fan-out")
            await wait_for(
                until(lambda: all(all(event_id in v.arrived for event_id in sent) for v in viewers)),
                timeout=60,
                what="every event at every client",
                poll=0.05,
            )
            cpu = cpu_seconds(pid) - cpu_before
            wall = time.monotonic() - wall_before
        slowest = [max(v.arrived[event_id] for v in viewers) - at for event_id, at in sent.items()]
        p50, p99 = percentiles([s * 1000 for s in slowest])
        print(
            f"50 SSE clients, {count} events at 100/s: server CPU {cpu:.2f} s over {wall:.1f} s "
            f"({100 * cpu / wall:.0f}% of a core); delay to the slowest client p50 {p50:.0f} ms, p99 {p99:.0f} ms"
        )
    server.stop()


async def memory(bootstrap: str, count: int) -> None:
    topics = await fresh(bootstrap)
    await produce_bulk(bootstrap, topics.name("events.ticker"), count, "memory")
    server = DashboardProcess(bootstrap, topics.prefix, free_port()).start()
    driver = chromium()
    try:
        started = time.monotonic()
        driver.get(server.url)
        WebDriverWait(driver, 120, poll_frequency=0.1).until(lambda d: rows_shown(d) == f"يُعرض 500 من أصل {count}")
        loaded = time.monotonic() - started
        driver.execute_cdp_cmd("HeapProfiler.collectGarbage", {})
        driver.execute_cdp_cmd("Performance.enable", {})
        metrics = {m["name"]: m["value"] for m in driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]}
        heap_mb = metrics["JSHeapUsedSize"] / 1e6
        nodes = int(metrics["Nodes"])
        search_ms = driver.execute_async_script(
            """const done = arguments[arguments.length - 1];
            const box = document.getElementById("search");
            const t0 = performance.now();
            box.value = "رقم 1234";
            box.dispatchEvent(new Event("input"));
            requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));"""
        )
        print(
            f"{count} events in the window: loaded in {loaded:.1f} s, JS heap {heap_mb:.0f} MB, "
            f"{nodes} DOM nodes (500 rows drawn), a search over all of them redrawn in {search_ms:.0f} ms"
        )
    finally:
        driver.quit()
        server.stop()


def main() -> None:
    paced = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    window = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    log = Path(tempfile.mkdtemp(prefix="raqib-bench-dashboard-")) / "tansu.log"
    with EmbeddedBroker(log_path=log) as broker:
        asyncio.run(latency_and_fan_out(broker.bootstrap, paced))
        asyncio.run(memory(broker.bootstrap, window))


if __name__ == "__main__":
    main()

"""The dashboard in a real browser (headless Chromium): the seeds' events appear live, the
reworded item's counter, the sightings, the site filter, the Arabic-normalized search,
hostile text shown as text, the JavaScript normalization against the shared table, and a
server restart the page rides out. Never skipped: without Chromium it fails, saying how
to install it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.conftest import FIXTURES
from tests.integration.browser import DashboardProcess, chromium, screenshot_path
from tests.integration.helpers import SAMPLES, fresh_topics, start_worker, wait_drained
from workers.adapters.embedded_broker import free_port
from workers.adapters.kafka_clients import kafka_producer
from workers.cli.ingest import send_pages
from workers.contract.topics import TopicSet
from workers.core.normalize import normalize_for_matching

pytestmark = [pytest.mark.integration, pytest.mark.slow]

HOSTILE = (
    ("tk_00000000000000f1", '<script>window.__pwned = "script"</script> خبر مزيف'),
    ("tk_00000000000000f2", "<img src=x onerror=\"window.__pwned = 'img'\"> صورة"),
)


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    driver = chromium(1400, 1250)
    try:
        yield driver
    finally:
        driver.quit()


def wait_until(driver: WebDriver, what: str, condition: Callable[[WebDriver], Any], timeout: float = 60) -> Any:
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition, message=f"waiting for {what}")


def rows(driver: WebDriver) -> list[Any]:
    return list(driver.find_elements(By.CSS_SELECTOR, "#tickers > li"))


def row_ids(driver: WebDriver) -> list[str]:
    return [str(driver.execute_script("return arguments[0].dataset.eventId", row)) for row in rows(driver)]


def state(driver: WebDriver) -> str:
    return str(driver.find_element(By.ID, "state").get_attribute("data-state"))


def chart_total(driver: WebDriver) -> int:
    """Events counted by the per-hour chart (its bars' data-count)."""
    return int(
        driver.execute_script(
            "return [...document.querySelectorAll('#chart rect.bar')].reduce((n, r) => n + Number(r.dataset.count), 0)"
        )
    )


def search(driver: WebDriver, text: str) -> None:
    box = driver.find_element(By.ID, "search")
    box.clear()
    if text:
        box.send_keys(text)


async def produce_hostile(bootstrap: str, topics: TopicSet) -> None:
    """Ticker records whose text is markup, straight onto events.ticker."""
    async with kafka_producer(bootstrap) as producer:
        for event_id, text in HOSTILE:
            value = {
                "event_id": event_id,
                "scope": "evil.example",
                "site": "evil.example",
                "text": text,
                "text_normalized": normalize_for_matching(text),
                "attribution": "<b>x</b>",
                "time": None,
                "reported_at": None,
                "first_seen_url": "javascript:alert(1)",
                "first_seen_at": "2026-01-01T00:00:00+00:00",
            }
            await producer.send_and_wait(topics.name("events.ticker"), orjson.dumps(value), key=event_id.encode())
        sighting = {
            "event_id": HOSTILE[0][0],
            "site": "evil.example",
            "url": "javascript:window.__pwned='link'",
            "seen_at": "2026-01-01T00:00:00+00:00",
            "text": "<iframe src=x></iframe>",
            "similarity": 1.0,
            "kind": "exact",
        }
        await producer.send_and_wait(topics.name("events.sightings"), orjson.dumps(sighting), key=b"x")


async def test_dashboard_in_chromium(
    browser: WebDriver, kafka_bootstrap: str, topics: TopicSet, topic_prefix: str, tmp_path: Path
) -> None:
    prefixed = await fresh_topics(topics, kafka_bootstrap, topic_prefix)
    worker = start_worker(kafka_bootstrap, prefixed, tmp_path)
    port = free_port()
    server = DashboardProcess(kafka_bootstrap, topic_prefix, port).start()
    try:
        browser.get(server.url)
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"
        wait_until(browser, "the live state", lambda d: state(d) == "live", timeout=30)

        # The seeds, ingested with the page open: 19 events arrive live.
        await send_pages([SAMPLES], prefixed, kafka_bootstrap, prefixed.name("pages.raw"), progress=False)
        await wait_drained(kafka_bootstrap, prefixed, worker)
        wait_until(browser, "19 ticker rows", lambda d: len(rows(d)) == 19)
        assert len(set(row_ids(browser))) == 19

        # The reworded Mansoura item: carried twice, on one site; its sighting opens on click.
        [mansoura] = [r for r in rows(browser) if "المنصور" in r.find_element(By.CLASS_NAME, "text").text]
        carried = mansoura.find_element(By.CLASS_NAME, "carried")
        wait_until(browser, "the Mansoura counter", lambda _: carried.get_attribute("data-times") == "2")
        assert carried.get_attribute("data-sites") == "1"
        assert carried.text == "نُقل مرتين على موقع واحد"
        mansoura.find_element(By.TAG_NAME, "summary").click()
        [sighting] = wait_until(
            browser, "the sighting", lambda _: mansoura.find_elements(By.CSS_SELECTOR, "tr.sighting")
        )
        assert sighting.find_element(By.CLASS_NAME, "kind").text == "معاد الصياغة"
        assert "عشرات" in sighting.find_element(By.CLASS_NAME, "wording").text
        assert sighting.find_element(By.CLASS_NAME, "site").text == "smartnews-agency.com"
        assert len(browser.find_elements(By.CSS_SELECTOR, "#articles > li")) == 5

        # The site filter.
        sites = Select(browser.find_element(By.ID, "site-filter"))
        sites.select_by_value("shaam.org")
        wait_until(browser, "the shaam.org filter", lambda d: not rows(d))
        assert len(browser.find_elements(By.CSS_SELECTOR, "#articles > li")) == 1
        sites.select_by_value("smartnews-agency.com")
        wait_until(browser, "the agency's 19 events", lambda d: len(rows(d)) == 19)
        sites.select_by_value("")

        # The search folds Arabic as raqib does: "الرقه" and "الرَّقَّة" find "الرقة".
        texts = [t.find_element(By.CLASS_NAME, "text").text for t in rows(browser)]
        raqqa = sum("الرقه" in normalize_for_matching(text) for text in texts)
        assert raqqa >= 2
        for query in ("الرقه", "الرَّقَّة", "الرقة"):
            search(browser, query)
            wait_until(browser, f"the search {query!r}", lambda d: len(rows(d)) == raqqa)
        search(browser, "")
        wait_until(browser, "the cleared search", lambda d: len(rows(d)) == 19)

        # The page's normalization is the Python one on the shared table of cases.
        cases = json.loads((FIXTURES / "normalize_cases.json").read_text(encoding="utf-8"))["cases"]
        inputs = [case["input"] for case in cases]
        got = browser.execute_script("return arguments[0].map((s) => window.raqibNormalize(s))", inputs)
        assert got == [case["normalized"] for case in cases]

        # Markup in an event is text: nothing runs, nothing is parsed.
        await produce_hostile(kafka_bootstrap, prefixed)
        wait_until(browser, "the hostile rows", lambda d: len(rows(d)) == 21)
        assert browser.execute_script("return window.__pwned") is None
        shown = [r.find_element(By.CLASS_NAME, "text").text for r in rows(browser)[:2]]
        assert any("<script>" in text for text in shown)
        assert any("<img src=x onerror=" in text for text in shown)
        assert not browser.find_elements(By.CSS_SELECTOR, "#tickers img, #tickers script, #tickers b")
        assert browser.find_element(By.ID, "tickers-shown").text == "21"
        [hostile] = [r for r in rows(browser) if "<script>" in r.find_element(By.CLASS_NAME, "text").text]
        hostile.find_element(By.TAG_NAME, "summary").click()
        [bad] = wait_until(
            browser, "the hostile sighting", lambda _: hostile.find_elements(By.CSS_SELECTOR, "tr.sighting")
        )
        assert bad.find_element(By.CLASS_NAME, "wording").text == "<iframe src=x></iframe>"
        assert not hostile.find_elements(By.CSS_SELECTOR, "a, iframe")  # a javascript: URL is no link
        hostile.find_element(By.TAG_NAME, "summary").click()

        # The server restarts on the same port: the page says so, then comes back live with
        # every event once (the new server's epoch makes it send everything again).
        server.stop()
        wait_until(browser, "the reconnecting state", lambda d: state(d) == "reconnecting", timeout=30)
        server = DashboardProcess(kafka_bootstrap, topic_prefix, port).start()
        wait_until(browser, "the live state after the restart", lambda d: state(d) == "live", timeout=60)
        wait_until(browser, "21 rows after the restart", lambda d: len(rows(d)) == 21)
        ids = row_ids(browser)
        assert len(ids) == len(set(ids)) == 21
        assert browser.execute_script("return window.__pwned") is None

        violations = [e["message"] for e in browser.get_log("browser") if "Content Security Policy" in e["message"]]
        assert not violations, violations

        # The README's picture: the agency's events searched for the reworded one, open.
        wait_until(browser, "21 events in the chart", lambda d: chart_total(d) == 21)
        Select(browser.find_element(By.ID, "site-filter")).select_by_value("smartnews-agency.com")
        wait_until(browser, "the agency's 19 events", lambda d: len(rows(d)) == 19)
        search(browser, "المنصور")
        wait_until(browser, "the Mansoura event alone", lambda d: len(rows(d)) == 1)
        [mansoura] = [r for r in rows(browser) if "المنصور" in r.find_element(By.CLASS_NAME, "text").text]
        mansoura.find_element(By.TAG_NAME, "summary").click()
        wait_until(browser, "the sighting", lambda _: mansoura.find_elements(By.CSS_SELECTOR, "tr.sighting"))
        browser.execute_script("window.scrollTo(0, 0)")
        path = screenshot_path(tmp_path)
        assert browser.save_screenshot(str(path)), path
    finally:
        log = server.log()
        if server.process is not None and server.process.poll() is None:
            server.stop()
        assert worker.stop() == 0
    assert "Traceback" not in log, log

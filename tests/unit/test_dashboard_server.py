"""The dashboard's HTTP side without Kafka: routes and headers, the page's files, the event
stream (snapshot, live items, status, trim, resume), and the fan-out to many browsers."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from importlib.resources import files

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from tests.integration.helpers import wait_for
from tests.integration.sse import Viewer, until, watching
from workers.dashboard.model import DashboardModel
from workers.dashboard.server import CSP, build_app
from workers.dashboard.service import Dashboard
from workers.dashboard.sse import Client, Hub, frame

NOW = 1_800_000_000_000
STATIC = files("workers.dashboard") / "static"


def ticker(n: int) -> dict[str, object]:
    return {"event_id": f"tk_{n:016x}", "scope": "a.example", "site": "a.example", "text": f"خبر {n}"}


def make_dashboard(max_frames: int = 512) -> Dashboard:
    model = DashboardModel("ep0ch", window_ms=3600_000, now_ms=NOW)
    return Dashboard(model, timezone="Asia/Damascus", hub=Hub(max_frames), clock=lambda: NOW / 1000)


@pytest.fixture
async def served() -> AsyncIterator[tuple[Dashboard, str, aiohttp.ClientSession]]:
    dashboard = make_dashboard()
    server = TestServer(build_app(dashboard, heartbeat_s=0.05))
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            yield dashboard, str(server.make_url("/")), session
    finally:
        dashboard.hub.close_all()
        await server.close()


class TestRoutes:
    async def test_every_response_carries_the_security_headers(
        self, served: tuple[Dashboard, str, aiohttp.ClientSession]
    ) -> None:
        """The page, its files, errors and the stream all get the CSP and nosniff."""
        _, url, session = served
        for path in ("", "static/app.js", "static/style.css", "static/missing.js", "healthz"):
            async with session.get(url + path) as response:
                assert response.headers["Content-Security-Policy"] == CSP
                assert response.headers["X-Content-Type-Options"] == "nosniff"
                assert response.headers["X-Frame-Options"] == "DENY"

    async def test_page_and_files_have_their_types(self, served: tuple[Dashboard, str, aiohttp.ClientSession]) -> None:
        """index.html is Arabic, right to left; JS and CSS are served with their types."""
        _, url, session = served
        async with session.get(url) as response:
            page = await response.text()
            assert response.content_type == "text/html"
        assert '<html lang="ar" dir="rtl">' in page
        async with session.get(url + "static/app.js") as response:
            assert response.content_type == "text/javascript"
        async with session.get(url + "static/style.css") as response:
            assert response.content_type == "text/css"

    @pytest.mark.parametrize("path", ["static/missing.js", "static/..%2Fmodel.py", "static/%2e%2e/server.py", "x"])
    async def test_only_the_allow_list_is_served(
        self, served: tuple[Dashboard, str, aiohttp.ClientSession], path: str
    ) -> None:
        """Names outside static/'s files are 404: no path reaches the disk."""
        _, url, session = served
        async with session.get(url + path) as response:
            assert response.status == 404

    @pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
    async def test_read_only(self, served: tuple[Dashboard, str, aiohttp.ClientSession], method: str) -> None:
        """No route accepts a write."""
        _, url, session = served
        for path in ("", "events", "healthz"):
            async with session.request(method, url + path) as response:
                assert response.status == 405


class TestPageFiles:
    def test_no_inline_script_or_style(self) -> None:
        """The CSP allows no inline code: every script has a src, no style attribute or element."""
        page = (STATIC / "index.html").read_text(encoding="utf-8")
        assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", page))
        assert re.search(r"<script[^>]*>\s*[^<\s]", page) is None
        assert "style=" not in page
        assert "<style" not in page

    def test_scripts_never_parse_markup(self) -> None:
        """Event text goes through textContent: no innerHTML, outerHTML, document.write or eval."""
        for script in STATIC.iterdir():
            if script.name.endswith(".js"):
                lines = script.read_text(encoding="utf-8").splitlines()
                code = "\n".join(line for line in lines if not line.lstrip().startswith("//"))  # comments may say it
                for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function("):
                    assert sink not in code, f"{script.name} uses {sink}"

    def test_no_other_origin(self) -> None:
        """Nothing is loaded from elsewhere (no CDN)."""
        for entry in STATIC.iterdir():
            if entry.name.endswith((".html", ".js", ".css")):
                text = entry.read_text(encoding="utf-8")
                assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), entry.name
                assert "@import" not in text


class TestStream:
    async def test_snapshot_then_live_items(self, served: tuple[Dashboard, str, aiohttp.ClientSession]) -> None:
        """hello, status, reset, the items so far, ready; then each new batch as it comes."""
        dashboard, url, session = served
        dashboard.ingest([("ticker", ticker(1), NOW)])
        viewer = Viewer(url)
        async with watching(session, viewer):
            await wait_for(until(lambda: bool(viewer.events("ready"))), timeout=10, what="the snapshot")
            assert [m.event for m in viewer.log] == ["hello", "status", "reset", "items", "ready"]
            assert viewer.log[0].data == {
                "epoch": "ep0ch",
                "timezone": "Asia/Damascus",
                "window_ms": 3600_000,
                "version": viewer.log[0].data["version"],
            }
            dashboard.ingest([("ticker", ticker(2), NOW), ("sighting", {**ticker(2), "url": None}, NOW)])
            await wait_for(until(lambda: len(viewer.items) == 3), timeout=10, what="the live batch")
        assert viewer.last_event_id == "ep0ch-3"
        assert viewer.carried(ticker(2)["event_id"]) == [2, 1]  # type: ignore[arg-type]

    async def test_status_and_trim_are_pushed(self, served: tuple[Dashboard, str, aiohttp.ClientSession]) -> None:
        """A broker state change and a window trim reach connected browsers; repeats send nothing."""
        dashboard, url, session = served
        dashboard.ingest([("ticker", ticker(1), NOW)])
        viewer = Viewer(url)
        async with watching(session, viewer):
            await wait_for(until(lambda: bool(viewer.events("ready"))), timeout=10, what="the snapshot")
            dashboard.set_status("unreachable", "refused")
            dashboard.set_status("unreachable", "refused again")
            dashboard.clock = lambda: NOW / 1000 + 7200
            assert dashboard.trim() == 1
            assert dashboard.trim() == 0
            await wait_for(until(lambda: bool(viewer.events("trim"))), timeout=10, what="the trim")
        assert [m.data["broker"] for m in viewer.events("status")] == ["connecting", "unreachable"]
        assert viewer.events("trim")[0].data == {"first_seq": 2}

    async def test_resume_with_last_event_id(self, served: tuple[Dashboard, str, aiohttp.ClientSession]) -> None:
        """Reconnecting with the last id sends no reset and only the items missed meanwhile."""
        dashboard, url, session = served
        dashboard.ingest([("ticker", ticker(1), NOW)])
        viewer = Viewer(url)
        async with watching(session, viewer):
            await wait_for(until(lambda: bool(viewer.events("ready"))), timeout=10, what="the snapshot")
        dashboard.ingest([("ticker", ticker(2), NOW)])
        async with watching(session, viewer):
            await wait_for(until(lambda: len(viewer.events("ready")) == 2), timeout=10, what="the resume")
        assert len(viewer.events("reset")) == 1
        assert sorted(viewer.items) == [1, 2]
        assert viewer.repeats == 0

    async def test_last_event_id_as_query_parameter(self, served: tuple[Dashboard, str, aiohttp.ClientSession]) -> None:
        """A new EventSource cannot send the header: ?last_event_id= does the same."""
        dashboard, url, session = served
        dashboard.ingest([("ticker", ticker(1), NOW), ("ticker", ticker(2), NOW)])
        async with session.get(url + "events?last_event_id=ep0ch-1") as response:
            body = b""
            async for chunk in response.content.iter_any():
                body += chunk
                if b"event: ready" in body:
                    break
        assert b"event: reset" not in body
        assert b"id: ep0ch-2" in body
        assert b'"seq":1,' not in body

    async def test_quiet_stream_gets_heartbeats(self, served: tuple[Dashboard, str, aiohttp.ClientSession]) -> None:
        """With nothing to send, a comment keeps the connection open."""
        _, url, session = served
        async with session.get(url + "events") as response:
            body = b""
            async for chunk in response.content.iter_any():
                body += chunk
                if b": ping" in body:
                    break
        assert b"retry: 1000" in body

    async def test_fifty_browsers_share_one_reader(self, served: tuple[Dashboard, str, aiohttp.ClientSession]) -> None:
        """A batch ingested once reaches every one of 50 browsers."""
        dashboard, url, session = served
        viewers = [Viewer(url) for _ in range(50)]
        async with watching_all(session, viewers):
            await wait_for(until(lambda: len(dashboard.hub.clients) == 50), timeout=20, what="50 browsers")
            dashboard.ingest([("ticker", ticker(9), NOW)])
            await wait_for(until(lambda: all(v.items for v in viewers)), timeout=20, what="the batch everywhere")
        assert all(list(v.items) == [1] for v in viewers)

    async def test_healthz(self, served: tuple[Dashboard, str, aiohttp.ClientSession]) -> None:
        """/healthz tells the broker's state, the browsers and the items."""
        dashboard, url, session = served
        dashboard.ingest([("ticker", ticker(1), NOW)])
        async with session.get(url + "healthz") as response:
            body = await response.json()
        assert body["status"] == "connecting"
        assert body["items"] == {"ticker": 1, "sighting": 0, "article": 0}
        assert body["last_seq"] == 1


class watching_all:
    """Watch several viewers at once."""

    def __init__(self, session: aiohttp.ClientSession, viewers: list[Viewer]) -> None:
        self.managers = [watching(session, viewer) for viewer in viewers]

    async def __aenter__(self) -> None:
        for manager in self.managers:
            await manager.__aenter__()

    async def __aexit__(self, *exc: object) -> None:
        for manager in self.managers:
            await manager.__aexit__(None, None, None)


class TestFanOut:
    async def test_slow_browser_is_dropped_without_holding_up_the_others(self) -> None:
        """A full queue ends that browser's stream (None next); the others get every frame."""
        hub = Hub(max_frames=2)
        slow, fast = hub.subscribe(), hub.subscribe()
        for n in range(3):
            hub.publish(b"frame %d" % n)
            await asyncio.sleep(0)
            while not fast.queue.empty():
                assert fast.queue.get_nowait() == b"frame %d" % n
        assert slow.dropped
        assert slow.queue.get_nowait() is None
        assert hub.clients == {fast}
        assert hub.dropped == 1
        hub.publish(b"more")
        assert slow.queue.empty()

    async def test_close_all_ends_every_stream(self) -> None:
        """Stopping the server ends each browser's stream; closing twice is harmless."""
        hub = Hub()
        client = hub.subscribe()
        hub.publish(b"x")
        hub.close_all()
        client.close()
        assert client.queue.get_nowait() is None
        assert not client.dropped
        assert not hub.clients

    def test_frames_are_one_line_fields(self) -> None:
        """A field with a newline would split the message: refused."""
        assert frame("items", b"{}", "e-1") == b"event: items\nid: e-1\ndata: {}\n\n"
        with pytest.raises(ValueError, match="one line"):
            frame("items", b"{\n}")

    def test_client_offer_after_close_is_ignored(self) -> None:
        """Nothing is queued for a closed client."""
        client = Client(1)
        client.close()
        client.offer(b"late")
        assert client.queue.qsize() == 1

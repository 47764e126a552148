"""A small Server-Sent Events client for the dashboard's tests and benchmark: connects to
/events, parses messages, and keeps what the browser would (items by seq, the last id)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson


@dataclass
class Message:
    event: str
    data: Any
    id: str | None


async def messages(response: aiohttp.ClientResponse) -> AsyncIterator[Message]:
    """The messages of an event stream, as they arrive (comments and `retry:` skipped).
    Lines are split here: a snapshot message is longer than aiohttp's line limit."""
    event, data, message_id = "message", b"", None
    buffer = b""
    async for chunk in response.content.iter_any():
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for raw in lines:
            line = raw.rstrip(b"\r")
            if not line:
                if data:
                    yield Message(event, orjson.loads(data), message_id)
                event, data, message_id = "message", b"", None
                continue
            name, _, value = line.partition(b":")
            value = value.removeprefix(b" ")
            if name == b"event":
                event = value.decode()
            elif name == b"data":
                data += value
            elif name == b"id":
                message_id = value.decode()


@dataclass
class Viewer:
    """What one browser has been sent, like the page's store: items by seq (a reset clears
    them), and every message in order."""

    url: str
    last_event_id: str | None = None
    items: dict[int, dict[str, Any]] = field(default_factory=dict)
    log: list[Message] = field(default_factory=list)
    repeats: int = 0  # items received twice without a reset in between: must stay 0
    arrived: dict[str, float] = field(default_factory=dict)  # event_id -> time.time() first seen

    def apply(self, message: Message) -> None:
        self.log.append(message)
        if message.event == "reset":
            self.items.clear()
        elif message.event == "items":
            now = time.time()
            for item in message.data["items"]:
                if item["seq"] in self.items:
                    self.repeats += 1
                self.items[item["seq"]] = item
                about = item["value"].get("event_id") or item["value"].get("article_id")
                self.arrived.setdefault(about, now)
        if message.id is not None:
            self.last_event_id = message.id

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [item for _, item in sorted(self.items.items()) if item["kind"] == kind]

    def carried(self, event_id: str) -> list[int] | None:
        """The newest counter of an event, as the page shows it."""
        found = [item["carried"] for _, item in sorted(self.items.items()) if item["value"].get("event_id") == event_id]
        return found[-1] if found else None

    def events(self, name: str) -> list[Message]:
        return [m for m in self.log if m.event == name]


@contextlib.asynccontextmanager
async def watching(
    session: aiohttp.ClientSession, viewer: Viewer, *, headers: dict[str, str] | None = None
) -> AsyncIterator[asyncio.Task[None]]:
    """Read the viewer's stream in the background while the block runs."""
    sent = dict(headers or {})
    if viewer.last_event_id is not None:
        sent["Last-Event-ID"] = viewer.last_event_id

    async def read() -> None:
        async with session.get(viewer.url + "events", headers=sent, timeout=aiohttp.ClientTimeout(total=None)) as r:
            assert r.status == 200, r.status
            async for message in messages(r):
                viewer.apply(message)

    task = asyncio.create_task(read())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def until(predicate: Callable[[], bool]) -> Callable[[], Any]:
    """An async condition for helpers.wait_for from a plain predicate."""

    async def check() -> bool:
        return predicate()

    return check

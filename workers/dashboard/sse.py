"""Server-Sent Events: framing, and the fan-out of one reader to many browsers.

The frames are written by hand rather than with a library (aiohttp-sse): the format is
four lines of text (`event:`, `id:`, `data:`, a blank line), and what the dashboard needs
around it is its own anyway: a bounded queue per browser that drops a slow browser instead
of waiting for it, and frames encoded once for every browser (`Hub.publish` hands each
queue the same bytes). No extra dependency for a few lines.

A browser that is dropped sees its stream end; EventSource reconnects by itself with the
id of the last message it got (`Last-Event-ID`), and the server resumes from there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import orjson

from workers.dashboard.model import Item

__all__ = ["Client", "Hub", "comment", "frame", "items_frame", "json_frame", "retry"]


def frame(event: str, data: bytes, message_id: str | None = None) -> bytes:
    """One SSE message. `data` is one line of JSON (orjson never writes a raw newline)."""
    if b"\n" in data or b"\r" in data or "\n" in event:
        raise ValueError("an SSE field must be one line")
    head = f"event: {event}\n" + (f"id: {message_id}\n" if message_id is not None else "")
    return head.encode() + b"data: " + data + b"\n\n"


def items_frame(items: Iterable[Item], message_id: str) -> bytes:
    """An `items` message: the items' JSON, joined without decoding it again."""
    return frame("items", b'{"items":[' + b",".join(item.wire for item in items) + b"]}", message_id)


def json_frame(event: str, data: object) -> bytes:
    return frame(event, orjson.dumps(data))


def comment(text: str = "") -> bytes:
    """A comment line: keeps a quiet connection open, ignored by the browser."""
    return f": {text}\n\n".encode()


def retry(ms: int) -> bytes:
    """Tell EventSource how long to wait before it reconnects."""
    return f"retry: {ms}\n\n".encode()


class Client:
    """One connected browser: a bounded queue of frames. When it is full the browser is
    too slow: its queue is emptied and it gets `None` (end the stream), so it cannot hold
    up the reader or the other browsers; it reconnects and resumes from its last id."""

    def __init__(self, max_frames: int) -> None:
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue(max_frames)
        self.closed = False
        self.dropped = False

    def offer(self, data: bytes) -> None:
        if self.closed:
            return
        try:
            self.queue.put_nowait(data)
        except asyncio.QueueFull:
            self.dropped = True
            self.close()

    def close(self) -> None:
        """End this browser's stream: what is queued is discarded, `None` comes next."""
        if self.closed:
            return
        self.closed = True
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)


class Hub:
    """Every connected browser; `publish` hands a frame to each without waiting."""

    def __init__(self, max_frames: int = 512) -> None:
        self.max_frames = max_frames
        self.clients: set[Client] = set()
        self.dropped = 0  # browsers dropped for being too slow, since start

    def subscribe(self) -> Client:
        client = Client(self.max_frames)
        self.clients.add(client)
        return client

    def unsubscribe(self, client: Client) -> None:
        self.clients.discard(client)

    def publish(self, data: bytes) -> None:
        for client in list(self.clients):
            client.offer(data)
            if client.dropped:
                self.dropped += 1
                self.clients.discard(client)

    def close_all(self) -> None:
        """End every stream (the server is stopping)."""
        for client in list(self.clients):
            client.close()
        self.clients.clear()

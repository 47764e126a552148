"""Started Kafka clients for raqib's commands, and the check that a broker answers.

Each turns a broker that cannot be reached into one `TransientError` line instead of a
client library's retry loop or traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaConnectionError, KafkaError

from workers.errors import TransientError

__all__ = ["admin_client", "kafka_producer", "probe_kafka", "start_client", "wait_for_kafka"]

_MAX_REQUEST_BYTES = 32 * 1024 * 1024  # pages.raw accepts 32 MiB (topics.yaml)


async def start_client(
    start: Callable[[], Awaitable[None]],
    stop: Callable[[], Awaitable[object]],
    bootstrap: str,
    timeout: float | None = None,
) -> None:
    """Start a Kafka client (`start`); a broker that cannot be reached (or, with `timeout`,
    does not answer in time) stops it again and is one TransientError line."""
    try:
        await (asyncio.wait_for(start(), timeout) if timeout is not None else start())
    except (KafkaConnectionError, OSError) as exc:  # TimeoutError is an OSError
        with contextlib.suppress(Exception):
            await stop()
        raise TransientError(f"cannot connect to Kafka at {bootstrap}: {exc or type(exc).__name__}") from None


@contextlib.asynccontextmanager
async def admin_client(bootstrap: str, timeout: float = 10.0) -> AsyncIterator[AIOKafkaAdminClient]:
    """An started admin client; a broker that cannot be reached is a TransientError."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(timeout * 1000))
    await start_client(admin.start, admin.close, bootstrap)
    try:
        yield admin
    finally:
        await admin.close()


@contextlib.asynccontextmanager
async def kafka_producer(bootstrap: str, **options: object) -> AsyncIterator[AIOKafkaProducer]:
    """A started producer with acks=all; an unreachable broker is a TransientError."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        max_request_size=_MAX_REQUEST_BYTES,
        request_timeout_ms=15000,
        **options,
    )
    await start_client(producer.start, producer.stop, bootstrap, timeout=20)
    try:
        yield producer
    finally:
        await producer.stop()


async def probe_kafka(bootstrap: str, timeout: float = 5.0) -> list[str]:
    """Ask the cluster at `bootstrap` for its topics (a real Kafka request)."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap,
        request_timeout_ms=int(timeout * 1000),
        connections_max_idle_ms=int(timeout * 1000) + 1000,
    )
    try:
        await asyncio.wait_for(admin.start(), timeout)
        topics: list[str] = await asyncio.wait_for(admin.list_topics(), timeout)
        return topics
    finally:
        with contextlib.suppress(Exception):
            await admin.close()


async def wait_for_kafka(bootstrap: str, timeout: float = 30.0) -> None:
    """Return once `bootstrap` answers Kafka requests; raise TransientError after `timeout`."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            await probe_kafka(bootstrap, timeout=min(5.0, max(0.5, deadline - time.monotonic())))
        except (KafkaError, OSError, TimeoutError) as exc:
            last = exc
            await asyncio.sleep(0.2)
        else:
            return
    raise TransientError(f"no Kafka broker answered at {bootstrap} within {timeout:.0f}s ({last!r})")

"""Publishing from the agents: wait for the broker's ack, retry transient failures in place.

A broker that is down or slow must not turn a good page into a dead letter, and an
exception escaping an agent makes Faust ack the event: so retriable errors and timeouts
are retried, with capped backoff, for as long as they last. Ordering is kept because the
agent consumes nothing else meanwhile. Permanent errors propagate (and dead-letter the
page).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Mapping
from typing import Any

import structlog
from aiokafka.errors import KafkaError, KafkaTimeoutError

from workers.runtime.agents import Send

__all__ = ["MAX_BACKOFF_S", "publisher"]

log = structlog.get_logger("raqib.publish")

MAX_BACKOFF_S = 5.0


def publisher(handles: Mapping[str, Any]) -> Send:
    """A `Send` over Faust topic handles keyed by logical topic name."""

    async def send(logical: str, key: bytes | None, value: bytes, headers: list[tuple[str, bytes]] | None) -> Any:
        """Publish one record and return its RecordMetadata once the broker acked it."""
        for attempt in itertools.count():
            try:
                fut = await handles[logical].send(key=key, value=value, headers=headers)
                return await fut
            except KafkaError as exc:
                if not (exc.retriable or isinstance(exc, KafkaTimeoutError)):
                    raise
                delay = min(MAX_BACKOFF_S, 0.2 * 2**attempt)
                log.warning("publish_retrying", topic=logical, attempt=attempt + 1, delay_s=delay, error=repr(exc))
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    return send

"""Dead letters: the original bytes of a message that could not be processed, with context."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workers import __version__

__all__ = ["MAX_DLQ_VALUE_BYTES", "REDRIVEN_FROM", "REDRIVE_COUNT", "DeadLetter", "redrive_headers"]

# pages.dlq accepts 32 MiB values (topics.yaml); keep the base64 of the original under it.
MAX_DLQ_VALUE_BYTES = 16 * 1024 * 1024

# Record headers of a re-driven message (`raqib dlq redrive`): where its letter was, and
# how many times it has been re-driven. A message that fails again carries them into its
# new dead letter, so a re-drive can refuse a message that keeps failing.
REDRIVEN_FROM = "raqib.redriven_from"
REDRIVE_COUNT = "raqib.redrive_count"


def redrive_headers(headers: object) -> list[tuple[str, bytes]]:
    """The re-drive headers among a record's headers (a list of pairs or a mapping, as
    Faust and aiokafka give them), to be carried into its dead letter."""
    pairs: list[object] = []
    if isinstance(headers, Mapping):
        pairs = list(headers.items())
    elif isinstance(headers, list | tuple):
        pairs = list(headers)
    carried: list[tuple[str, bytes]] = []
    for pair in pairs:
        if isinstance(pair, tuple) and len(pair) == 2 and pair[0] in {REDRIVEN_FROM, REDRIVE_COUNT}:
            name, value = pair
            carried.append((str(name), value if isinstance(value, bytes) else str(value).encode()))
    return carried


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """Everything needed to understand and re-drive a failed message."""

    original_topic: str | None
    original_partition: int | None
    original_offset: int | None
    original_timestamp_ms: int | None
    original_key: bytes | None
    original_value: bytes | None
    stage: str
    error_type: str
    error_message: str
    source: str | None = None
    carried_headers: tuple[tuple[str, bytes], ...] = ()  # REDRIVEN_FROM / REDRIVE_COUNT of the original

    def to_dict(self) -> dict[str, Any]:
        value = self.original_value
        truncated = value is not None and len(value) > MAX_DLQ_VALUE_BYTES
        kept = value[:MAX_DLQ_VALUE_BYTES] if (value is not None and truncated) else value
        return {
            "original_topic": self.original_topic,
            "original_partition": self.original_partition,
            "original_offset": self.original_offset,
            "original_timestamp_ms": self.original_timestamp_ms,
            "original_key": _b64(self.original_key),
            "original_value": _b64(kept),
            "original_value_size": 0 if value is None else len(value),
            "truncated": truncated,
            "source": self.source,
            "stage": self.stage,
            "error_type": self.error_type,
            "error_message": self.error_message[:2000],
            "worker_version": __version__,
        }

    def headers(self) -> list[tuple[str, bytes]]:
        """Kafka Connect-style error headers, so generic DLQ tooling can read them."""
        pairs = {
            "__connect.errors.topic": self.original_topic,
            "__connect.errors.partition": self.original_partition,
            "__connect.errors.offset": self.original_offset,
            "__connect.errors.stage": self.stage,
            "__connect.errors.exception.class.name": self.error_type,
            "__connect.errors.exception.message": self.error_message[:1000],
            "raqib.worker_version": __version__,
        }
        return [(k, str(v).encode("utf-8")) for k, v in pairs.items() if v is not None] + list(self.carried_headers)

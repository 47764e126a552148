"""Which pages.raw records a worker processes: the range of a replay (`raqib replay`).

A live worker processes everything (`InputRange.everything()`). A replay worker gets a
range: per partition a half-open offset interval [start, end), and optionally an
event-time interval [since, until) on the pages' `fetched_at`. Records outside it are
skipped (counted, not dead-lettered: skipping them is the point of the range).

Plain data, no Kafka: `raqib replay` resolves the user's --from/--to against the broker
(`workers.cli.replay`) into an InputRange, and hands it to the worker as JSON in
RAQIB_INPUT_RANGE.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

__all__ = ["InputRange", "InputRangeError"]


class InputRangeError(ValueError):
    """RAQIB_INPUT_RANGE is not a range raqib wrote."""


@dataclass(frozen=True, slots=True)
class InputRange:
    """Per-partition offsets [start, end) (end None: open) and fetched_at in [since, until)."""

    offsets: Mapping[int, tuple[int, int | None]] = field(default_factory=dict)
    since: datetime | None = None
    until: datetime | None = None
    # A partition missing from `offsets` is skipped entirely when `offsets` is not empty
    # (it had nothing in range when the replay was planned).

    @classmethod
    def everything(cls) -> InputRange:
        return cls()

    def covers_offset(self, partition: int, offset: int) -> bool:
        if not self.offsets:
            return True
        bounds = self.offsets.get(partition)
        if bounds is None:
            return False
        start, end = bounds
        return offset >= start and (end is None or offset < end)

    def covers_time(self, fetched_at: datetime) -> bool:
        if self.since is not None and fetched_at < self.since:
            return False
        return self.until is None or fetched_at < self.until

    def total(self) -> int | None:
        """Records in the offset range (None when a partition is open-ended)."""
        if any(end is None for _, end in self.offsets.values()):
            return None
        return sum(max(0, end - start) for start, end in self.offsets.values() if end is not None)

    def to_json(self) -> str:
        value: dict[str, Any] = {"offsets": {str(p): [s, e] for p, (s, e) in sorted(self.offsets.items())}}
        if self.since is not None:
            value["since"] = self.since.isoformat()
        if self.until is not None:
            value["until"] = self.until.isoformat()
        return orjson.dumps(value).decode()

    @classmethod
    def from_json(cls, text: str) -> InputRange:
        """Parse what `to_json` wrote ("" means everything)."""
        if not text.strip():
            return cls.everything()
        try:
            value = orjson.loads(text)
            offsets: dict[int, tuple[int, int | None]] = {}
            for partition, (start, end) in value.get("offsets", {}).items():
                if not isinstance(start, int) or not (end is None or isinstance(end, int)):
                    raise TypeError("offsets must be integers")
                offsets[int(partition)] = (start, end)
            since = _time(value.get("since"))
            until = _time(value.get("until"))
        except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError) as exc:
            raise InputRangeError(f"not an input range: {text[:200]!r} ({exc})") from None
        return cls(offsets, since, until)


def _time(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError("times must be ISO 8601 strings")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("times must carry an offset")
    return parsed

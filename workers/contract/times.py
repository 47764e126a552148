"""Times on the wire and on the command line: RFC 3339 / ISO 8601 with an offset."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from workers.errors import UsageError

__all__ = ["parse_time"]


def parse_time(text: str, default_tz: str = "UTC") -> datetime:
    """Parse an RFC 3339 / ISO 8601 time; a time without an offset is taken in `default_tz`."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"not an ISO 8601 time: {text!r} (e.g. 2020-06-29T18:05:00+03:00)") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(default_tz))
    return value

"""Failure guard: stop the worker when everything is failing, instead of draining the
input into the dead-letter topic (Arroyo's DlqLimit idea).

Pure: it only counts outcomes handed to it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

__all__ = ["FailureGuard", "GuardTripped"]


class GuardTripped(RuntimeError):
    """Too many failures: the deployment is probably broken, not the messages."""


@dataclass(slots=True)
class FailureGuard:
    """Trips after `max_consecutive` failures in a row, or when more than `max_ratio` of the
    last `window` messages failed (checked once the window is full)."""

    max_consecutive: int = 100
    max_ratio: float = 0.9
    window: int = 1000
    consecutive: int = 0
    _recent: deque[bool] = field(default_factory=deque)
    _failures_in_window: int = 0

    def __post_init__(self) -> None:
        if self.max_consecutive < 1 or self.window < 1 or not 0 < self.max_ratio <= 1:
            raise ValueError("max_consecutive and window must be >= 1 and max_ratio in (0, 1]")

    def record(self, *, failed: bool) -> None:
        """Count one message; raise GuardTripped when a limit is crossed."""
        self.consecutive = self.consecutive + 1 if failed else 0
        self._recent.append(failed)
        self._failures_in_window += failed
        if len(self._recent) > self.window:
            self._failures_in_window -= self._recent.popleft()
        if self.consecutive >= self.max_consecutive:
            raise GuardTripped(f"{self.consecutive} consecutive messages failed (limit {self.max_consecutive})")
        if len(self._recent) == self.window and self._failures_in_window / self.window > self.max_ratio:
            raise GuardTripped(
                f"{self._failures_in_window} of the last {self.window} messages failed (limit {self.max_ratio:.0%})"
            )

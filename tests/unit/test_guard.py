"""core/guard.py: the worker stops when everything fails, not when some messages are bad."""

from __future__ import annotations

import pytest

from workers.runtime.guard import FailureGuard, GuardTripped


class TestFailureGuard:
    def test_trips_on_consecutive_failures(self) -> None:
        """The Nth failure in a row trips the guard."""
        guard = FailureGuard(max_consecutive=3, window=100)
        guard.record(failed=True)
        guard.record(failed=True)
        with pytest.raises(GuardTripped, match="3 consecutive"):
            guard.record(failed=True)

    def test_a_success_resets_the_run(self) -> None:
        """Failures separated by successes never trip the consecutive limit."""
        guard = FailureGuard(max_consecutive=3, max_ratio=1.0, window=10)
        for _ in range(50):
            guard.record(failed=True)
            guard.record(failed=True)
            guard.record(failed=False)
        assert guard.consecutive == 0

    def test_trips_on_failure_ratio(self) -> None:
        """More than max_ratio failures over a full window trips the guard."""
        guard = FailureGuard(max_consecutive=1000, max_ratio=0.5, window=10)
        for failed in [True, True, False] * 3:  # 9 messages: the window is not full yet
            guard.record(failed=failed)
        with pytest.raises(GuardTripped, match="7 of the last 10"):
            guard.record(failed=True)

    def test_mixed_stream_below_ratio_keeps_going(self) -> None:
        """A poison-heavy stream under the ratio (here 2 bad of 3) keeps running."""
        guard = FailureGuard(max_consecutive=5, max_ratio=0.7, window=30)
        for _ in range(1000):
            guard.record(failed=True)
            guard.record(failed=True)
            guard.record(failed=False)

    @pytest.mark.parametrize("kwargs", [{"max_consecutive": 0}, {"max_ratio": 0.0}, {"window": 0}])
    def test_rejects_bad_limits(self, kwargs: dict[str, float]) -> None:
        """Nonsense limits are a ValueError."""
        with pytest.raises(ValueError, match="max_consecutive"):
            FailureGuard(**kwargs)  # type: ignore[arg-type]

"""How long the worker rides out an unreachable broker, and how long it takes to stop.

A broker that is paused or restarting must be ridden out (publishing retries in place, the
consumer reconnects). One that is gone must not keep a worker alive for ever, answering
`/health` with "ok" while it logs connection errors: past `RAQIB_BROKER_DEADLINE_S` the
worker stops with one clear log line and a non-zero exit, so its supervisor (compose,
systemd, Kubernetes) sees it. And a stop (SIGTERM, or a fatal error) must end the process
within `RAQIB_SHUTDOWN_TIMEOUT_S` even when a clean shutdown cannot finish (Faust's last
commit and producer flush wait for the broker).

`BrokerWatch` is the decision, a small state machine over observations with the time
passed in; `ShutdownWatchdog` is the one place that ends the process by force.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

__all__ = ["EXIT_BROKER_UNREACHABLE", "EXIT_SHUTDOWN_TIMEOUT", "BrokerWatch", "ShutdownWatchdog"]

EXIT_SHUTDOWN_TIMEOUT = 3  # the process was ended by the watchdog, not by a clean shutdown
EXIT_BROKER_UNREACHABLE = 4  # informational: the crash that follows an expired broker deadline

BrokerState = Literal["reachable", "unreachable", "expired"]


@dataclass(slots=True)
class BrokerWatch:
    """Tracks broker reachability from periodic probes; `now` is a monotonic time in s."""

    deadline_s: float
    unreachable_since: float | None = None

    def observe(self, *, reachable: bool, now: float) -> BrokerState:
        """Record one probe; "expired" once the broker has been unreachable for the deadline."""
        if reachable:
            self.unreachable_since = None
            return "reachable"
        if self.unreachable_since is None:
            self.unreachable_since = now
        return "expired" if now - self.unreachable_since >= self.deadline_s else "unreachable"

    @property
    def healthy(self) -> bool:
        return self.unreachable_since is None

    def unreachable_for(self, now: float) -> float:
        return 0.0 if self.unreachable_since is None else now - self.unreachable_since


class ShutdownWatchdog:
    """Ends the process `timeout_s` after `arm()` unless it has exited by then.

    A daemon timer thread, so it fires even when the event loop is stuck waiting for a dead
    broker. `on_fire` (a log line) runs first; `exit_process` defaults to `os._exit`, which skips
    the cleanup that could not finish anyway."""

    def __init__(
        self,
        timeout_s: float,
        *,
        on_fire: Callable[[], None] = lambda: None,
        exit_process: Callable[[int], object] = os._exit,
    ) -> None:
        self.timeout_s = timeout_s
        self._on_fire = on_fire
        self._exit = exit_process
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def arm(self) -> None:
        """Start the countdown (a second call keeps the first countdown)."""
        with self._lock:
            if self._timer is None:
                self._timer = threading.Timer(self.timeout_s, self._fire)
                self._timer.daemon = True
                self._timer.start()

    @property
    def armed(self) -> bool:
        return self._timer is not None

    def _fire(self) -> None:
        try:
            self._on_fire()
        finally:
            self._exit(EXIT_SHUTDOWN_TIMEOUT)

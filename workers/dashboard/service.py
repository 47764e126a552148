"""The state one dashboard server shares with every browser: the view model, the fan-out
hub and the broker's state, and what each change sends to the browsers.

The reader calls `ingest` with each batch of records and `set_status` when the broker's
state changes; a timer calls `trim`. Each turns into at most one frame, encoded once and
handed to every browser's queue (`Hub.publish`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import structlog

from workers import __version__
from workers.dashboard.model import DashboardModel
from workers.dashboard.reader import BrokerState, Record
from workers.dashboard.sse import Hub, items_frame, json_frame

__all__ = ["Dashboard"]

log = structlog.get_logger("raqib.dashboard")


class Dashboard:
    """The view model, its browsers and the broker's state; `clock` gives seconds."""

    def __init__(
        self, model: DashboardModel, *, timezone: str, hub: Hub | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.model = model
        self.timezone = timezone
        self.hub = hub or Hub()
        self.clock = clock
        self.status: dict[str, str] = {"broker": "connecting", "detail": ""}

    def hello(self) -> dict[str, Any]:
        """What a browser learns first: which log it reads (epoch) and how to show it."""
        return {
            "epoch": self.model.epoch,
            "timezone": self.timezone,
            "window_ms": self.model.window_ms,
            "version": __version__,
        }

    def ingest(self, records: list[Record]) -> int:
        """Add a batch of records; send the new items (one frame) to every browser."""
        first = self.model.first_seq
        self.model.trim(self._now_ms())
        added = [item for kind, value, ts in records if (item := self.model.add(kind, value, ts)) is not None]
        if added:
            self.hub.publish(items_frame(added, self.model.message_id(added[-1].seq)))
        self._announce_trim(first)
        return len(added)

    def trim(self) -> int:
        """Drop what fell out of the window; tell the browsers where the log now starts."""
        first = self.model.first_seq
        dropped = self.model.trim(self._now_ms())
        self._announce_trim(first)
        return dropped

    def _announce_trim(self, first_before: int) -> None:
        if self.model.first_seq != first_before:
            self.hub.publish(json_frame("trim", {"first_seq": self.model.first_seq}))

    def set_status(self, broker: BrokerState, detail: str) -> None:
        """The broker's state changed (or not: repeats send nothing)."""
        if self.status["broker"] == broker:
            return
        self.status = {"broker": broker, "detail": detail}
        log.info("dashboard_broker_state_changed", broker=broker, detail=detail)
        self.hub.publish(json_frame("status", self.status))

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)

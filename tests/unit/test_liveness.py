"""runtime/liveness.py and the log filter: riding out a broker outage, and stopping in time."""

from __future__ import annotations

import logging
import threading

from workers.runtime.liveness import EXIT_SHUTDOWN_TIMEOUT, BrokerWatch, ShutdownWatchdog
from workers.runtime.logs import RepeatFilter


class TestBrokerWatch:
    def test_an_outage_shorter_than_the_deadline_is_ridden_out(self) -> None:
        """Unreachable, then reachable again before the deadline: never expired, healthy again."""
        watch = BrokerWatch(deadline_s=60)
        assert watch.observe(reachable=False, now=100) == "unreachable"
        assert not watch.healthy
        assert watch.observe(reachable=False, now=159) == "unreachable"
        assert watch.observe(reachable=True, now=160) == "reachable"
        assert watch.healthy
        assert watch.observe(reachable=False, now=200) == "unreachable"  # a new outage starts over

    def test_an_outage_reaching_the_deadline_expires(self) -> None:
        """Counted from the first failed probe, not the last success."""
        watch = BrokerWatch(deadline_s=60)
        watch.observe(reachable=True, now=0)
        watch.observe(reachable=False, now=10)
        assert watch.unreachable_for(now=40) == 30
        assert watch.observe(reachable=False, now=70) == "expired"


class TestShutdownWatchdog:
    def test_fires_after_the_timeout_with_a_log_line_first(self) -> None:
        """Armed, it runs on_fire then ends the process with its exit status."""
        fired = threading.Event()
        events: list[object] = []

        def exit_process(code: int) -> None:
            events.append(code)
            fired.set()

        watchdog = ShutdownWatchdog(0.05, on_fire=lambda: events.append("log"), exit_process=exit_process)
        watchdog.arm()
        watchdog.arm()  # a second stop does not restart the countdown
        assert fired.wait(5)
        assert events == ["log", EXIT_SHUTDOWN_TIMEOUT]

    def test_unarmed_it_does_nothing(self) -> None:
        """Without a stop, no timer runs."""
        watchdog = ShutdownWatchdog(0.01, exit_process=lambda code: (_ for _ in ()).throw(AssertionError(code)))
        assert not watchdog.armed


class TestRepeatFilter:
    def record(
        self, name: str = "aiokafka.conn", level: int = logging.ERROR, msg: str = "Unable connect to %s"
    ) -> logging.LogRecord:
        return logging.LogRecord(name, level, __file__, 1, msg, ("k:9092",), None)

    def test_repeats_are_held_back_then_counted(self) -> None:
        """A library's repeated warning passes once per window, with how many were held back."""
        now = [0.0]
        repeat = RepeatFilter(window_s=10, clock=lambda: now[0])
        assert repeat.filter(self.record())
        passed = 0
        for _ in range(100):  # a hundred reconnect errors in the next second
            now[0] += 0.01
            passed += repeat.filter(self.record())
        assert passed == 0
        now[0] = 11.0
        again = self.record()
        assert repeat.filter(again)
        assert again.repeats_suppressed == 100  # type: ignore[attr-defined]

    def test_raqibs_own_lines_and_info_pass(self) -> None:
        """Only libraries' warnings and errors are throttled."""
        repeat = RepeatFilter(window_s=10, clock=lambda: 0.0)
        for _ in range(3):
            assert repeat.filter(self.record(name="raqib.agents"))
            assert repeat.filter(self.record(level=logging.INFO))

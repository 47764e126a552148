"""logs.py: raqib's and the libraries' stdlib log records come out as the same JSON lines."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import orjson
import pytest
import structlog

from workers.runtime.logs import configure_logging


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    yield buffer
    root.handlers[:], level = saved
    root.setLevel(level)
    structlog.reset_defaults()


class TestJsonLogging:
    def test_structlog_event_is_one_json_line(self, stream: io.StringIO) -> None:
        """A structlog event with bound context renders as one JSON object with level and time."""
        configure_logging("json", "INFO", stream=stream)
        with structlog.contextvars.bound_contextvars(partition=3):
            structlog.get_logger("raqib.test").info("page_processed", ticker_total=10)
        line = orjson.loads(stream.getvalue().splitlines()[-1])
        assert line["event"] == "page_processed"
        assert line["ticker_total"] == 10
        assert line["partition"] == 3
        assert line["level"] == "info"
        assert line["timestamp"].endswith("Z")

    def test_library_records_go_through_structlog(self, stream: io.StringIO) -> None:
        """aiokafka's and faust's stdlib warnings come out in the same JSON format."""
        configure_logging("json", "INFO", stream=stream)
        logging.getLogger("aiokafka.consumer").warning("Heartbeat failed for group %s", "raqib")
        logging.getLogger("faust.worker").info("chatty start-up line")  # below WARNING: dropped
        lines = [orjson.loads(line) for line in stream.getvalue().splitlines()]
        assert [line["event"] for line in lines] == ["Heartbeat failed for group raqib"]
        assert lines[0]["logger"] == "aiokafka.consumer"
        assert lines[0]["level"] == "warning"

    def test_console_format_is_not_json(self, stream: io.StringIO) -> None:
        """The console renderer prints human-readable lines."""
        configure_logging("console", "INFO", stream=stream)
        structlog.get_logger("raqib.test").info("worker_starting", app_id="raqib")
        text = stream.getvalue()
        assert "worker_starting" in text
        assert "app_id" in text
        with pytest.raises(orjson.JSONDecodeError):
            orjson.loads(text.splitlines()[-1])

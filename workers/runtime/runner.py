"""Run the Faust worker in this process (`raqib worker`)."""

from __future__ import annotations

import asyncio
from typing import Any

import faust
import structlog

from workers import __version__
from workers.adapters.kafka_clients import wait_for_kafka
from workers.contract.topics import load_topics
from workers.runtime.app import build_app
from workers.runtime.liveness import ShutdownWatchdog
from workers.runtime.logs import configure_logging
from workers.runtime.settings import Settings

__all__ = ["run_worker"]


def run_worker(settings: Settings, *, preflight_timeout: float = 15.0) -> None:
    """Configure logging, check the broker answers, then run until SIGTERM/SIGINT."""
    configure_logging(settings.log_format, settings.log_level)
    log = structlog.get_logger("raqib.worker")
    topics = load_topics(settings.topics_file, prefix=settings.topic_prefix).with_output_prefix(settings.output_prefix)
    # Fail fast with one clear line when the broker is not there, instead of Faust's
    # endless reconnect loop.
    asyncio.run(wait_for_kafka(settings.bootstrap, preflight_timeout))
    (settings.data_dir / settings.app_id).mkdir(parents=True, exist_ok=True)
    watchdog = ShutdownWatchdog(
        settings.shutdown_timeout_s,
        on_fire=lambda: log.critical("worker_shutdown_timed_out", timeout_s=settings.shutdown_timeout_s),
    )
    app = build_app(settings, topics, on_stop=watchdog.arm)
    log.info(
        "worker_starting",
        version=__version__,
        bootstrap=settings.bootstrap,
        app_id=settings.app_id,
        store=settings.store,
        input_topic=topics.name("pages.raw"),
        output_topics=list(topics.output_names().values()),
        input_range=settings.input_range or "everything",
        processing_guarantee=settings.processing_guarantee,
    )
    worker = _Worker(
        app,
        watchdog,
        loglevel=settings.log_level,
        override_logging=False,  # logging is ours (structlog), see configure_logging
        redirect_stdouts=False,
        quiet=True,
    )
    worker.execute_from_commandline()


class _Worker(faust.Worker):
    """faust.Worker whose SIGTERM/SIGINT also arm the shutdown watchdog: a clean stop that
    cannot finish (the broker is gone) still ends the process within the timeout."""

    def __init__(self, app: faust.App, watchdog: ShutdownWatchdog, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self._watchdog = watchdog

    def _on_sigterm(self) -> None:
        self._watchdog.arm()
        super()._on_sigterm()

    def _on_sigint(self) -> None:
        self._watchdog.arm()
        super()._on_sigint()

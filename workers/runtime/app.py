"""build_app(settings): the Faust application, configured, with its agents wired."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import faust

from workers.adapters.faust_consumer import read_to_true_end, set_fetch_wait
from workers.adapters.faust_seek import hold_flow_during_seek
from workers.contract.topics import TopicSet, load_topics
from workers.runtime.settings import Settings
from workers.runtime.topology import wire

__all__ = ["build_app"]


class _App(faust.App):
    """faust.App whose consumer does not deliver records while it seeks to the committed
    offsets after a rebalance (see workers.adapters.faust_seek), whose fetches wait the
    configured time and whose table recovery reads to the true end of each changelog
    (see workers.adapters.faust_consumer)."""

    _raqib_fetch_wait_ms = 1500
    _raqib_bootstrap = "localhost:9092"

    def _new_consumer(self) -> Any:
        consumer = super()._new_consumer()
        hold_flow_during_seek(consumer)
        set_fetch_wait(consumer, self._raqib_fetch_wait_ms)
        read_to_true_end(consumer, self._raqib_bootstrap)
        return consumer


def build_app(
    settings: Settings, topics: TopicSet | None = None, *, on_stop: Callable[[], None] = lambda: None
) -> faust.App:
    """A Faust app for `settings`; `topics` defaults to the settings' topics file."""
    topics = topics or load_topics(settings.topics_file, prefix=settings.topic_prefix).with_output_prefix(
        settings.output_prefix
    )
    app = _App(
        settings.app_id,
        broker=settings.broker_url,
        store=settings.store,
        datadir=str(settings.data_dir / settings.app_id),
        # Values stay bytes on the way in: decoding happens in the agent, so a poison
        # message reaches our own `except` and the dead-letter topic.
        key_serializer="raw",
        value_serializer="raw",
        # Internal topics (changelogs, repartitions) get as many partitions as the input.
        topic_partitions=topics["pages.raw"].partitions,
        topic_disable_leader=True,
        producer_acks=-1,  # acks=all: a record counts as written once every replica has it
        producer_max_batch_size=settings.producer_max_batch_bytes,
        producer_linger=settings.producer_linger_ms / 1000,
        broker_commit_interval=settings.commit_interval_s,
        # dead letters carry up to 16 MiB of the original value, base64: 48 MiB requests
        producer_max_request_size=48 * 1024 * 1024,
        processing_guarantee=settings.processing_guarantee,
        consumer_auto_offset_reset="earliest",
        broker_session_timeout=settings.session_timeout_s,
        broker_heartbeat_interval=settings.heartbeat_interval_s,
        web_enabled=settings.web_enabled,
        web_port=settings.web_port,
        # Loopback unless told otherwise (RAQIB_WEB_BIND=0.0.0.0 in a container).
        web_bind=settings.web_bind,
        # Only raqib's own routes (/health, /metrics): Faust's built-in ones would serve the
        # dedup tables (/table/...), the partition router, the agent graph and statistics.
        web_router_enabled=False,
        web_tables_enabled=False,
        web_graph_enabled=False,
        web_stats_enabled=False,
        web_metrics_enabled=False,
        timezone=settings.timezone,
    )
    app._raqib_fetch_wait_ms = settings.fetch_wait_ms
    app._raqib_bootstrap = settings.bootstrap
    wire(app, settings, topics, on_stop=on_stop)
    return app

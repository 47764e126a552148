"""Prometheus metrics of a worker, served at GET /metrics on its web port."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["WorkerMetrics"]


class WorkerMetrics:
    """The counters raqib exports; one instance (and registry) per worker app."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.records = Counter("raqib_input_records", "Records read from pages.raw (any outcome)", registry=r)
        self.pages = Counter(
            "raqib_pages",
            "Pages by outcome: ok, dead_lettered, skipped (outside a replay's range)",
            ["outcome"],
            registry=r,
        )
        self.ticker_items = Counter("raqib_ticker_items", "Ticker items seen on pages", registry=r)
        self.ticker_events = Counter("raqib_ticker_events_new", "New ticker events published", registry=r)
        self.ticker_duplicates = Counter(
            "raqib_ticker_duplicates", "Ticker items recognised as already seen", ["kind"], registry=r
        )
        self.articles = Counter("raqib_articles", "Article decisions", ["kind"], registry=r)
        self.dead_letters = Counter(
            "raqib_dead_letters", "Messages sent to pages.dlq", ["stage", "error_type"], registry=r
        )
        self.latency = Histogram(
            "raqib_page_processing_seconds",
            "Time from consuming a page to having published everything it produced",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=r,
        )
        self.lag = Gauge(
            "raqib_consumer_lag", "Records not yet consumed (highwater - position)", ["topic", "partition"], registry=r
        )

    def page_processed(self, counts: Mapping[str, int], seconds: float) -> None:
        """Count one successfully processed page from its outcome counts."""
        self.pages.labels("ok").inc()
        self.ticker_items.inc(counts.get("ticker_total", 0))
        self.ticker_events.inc(counts.get("ticker_new", 0))
        self.ticker_duplicates.labels("exact").inc(counts.get("ticker_exact_dupes", 0))
        self.ticker_duplicates.labels("near").inc(counts.get("ticker_near_dupes", 0))
        for kind in ("new", "revision", "duplicate", "none"):
            if counts.get(f"article_{kind}"):
                self.articles.labels(kind).inc()
        self.latency.observe(seconds)

    def record_read(self) -> None:
        self.records.inc()

    def page_skipped(self) -> None:
        self.pages.labels("skipped").inc()

    def page_dead_lettered(self, stage: str, error_type: str) -> None:
        self.pages.labels("dead_lettered").inc()
        # error types are a small closed set (ours), so they are safe as a label
        self.dead_letters.labels(stage, error_type).inc()

    def set_lag(self, lags: Mapping[tuple[str, int], int]) -> None:
        self.lag.clear()
        for (topic, partition), value in lags.items():
            self.lag.labels(topic, str(partition)).set(value)

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)

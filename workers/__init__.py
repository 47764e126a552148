"""raqib (رقيب, "the watcher"): a streaming ingestion worker for Arabic news feeds.

Pages fetched by scrapers arrive on Kafka; raqib splits them into breaking-news ticker
items and articles, drops what it has already seen, and publishes deduplicated events.
"""

__version__ = "0.1.0"

"""The pure core: parsing, normalization, fingerprints and dedup decisions.

Nothing in this package touches Kafka, Faust, structlog, the clock or the file system:
every input (including event time) comes in as an argument, so replay equals live.
"""

"""The contract with scrapers and dashboards: the topics (topics.yaml), the JSON Schema of
every record value (schemas/), the key of pages.raw, and the time format on the wire.
"""

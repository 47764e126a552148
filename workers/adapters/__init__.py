"""The edges: bytes on the wire (`codec`, `dead_letter`), Kafka clients (`kafka_*`), the
worker's metrics, the Faust seek workaround, page files, and the embedded test broker.
"""

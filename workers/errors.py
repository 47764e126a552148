"""raqib's exception hierarchy: what is permanent (dead-letter it) and what is transient."""

from __future__ import annotations

__all__ = ["IngestError", "InvalidMessage", "TransientError", "UsageError"]


class IngestError(Exception):
    """Root of raqib's own errors."""


class InvalidMessage(IngestError):
    """A message that can never be processed: it goes to pages.dlq and is not retried.

    `stage` says where processing failed (decode, validate, parse, ...) and `error_type`
    is the short class of failure carried in the dead letter. `input_fault` says whether
    the message is to blame (poison, empty page: it does not count towards the failure
    guard) or raqib is (a parser bug: it counts).
    """

    def __init__(self, stage: str, error_type: str, message: str, *, input_fault: bool = True) -> None:
        super().__init__(message)
        self.stage = stage
        self.error_type = error_type
        self.message = message
        self.input_fault = input_fault


class TransientError(IngestError):
    """A failure that may go away (broker unavailable, timeout): retry, then crash."""


class UsageError(IngestError):
    """The user asked for something impossible (missing file, bad flag): one clear line."""

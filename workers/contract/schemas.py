"""The wire contract: JSON Schemas of every topic's record value (schemas/*.json)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import orjson
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

__all__ = ["RecordValidator", "SchemaViolation", "validator_for"]

_FORMATS = FormatChecker()


@_FORMATS.checks("date-time", raises=ValueError)
def _is_rfc3339(value: object) -> bool:
    """RFC 3339 date-time with an explicit offset (no extra dependency needed)."""
    if not isinstance(value, str):
        return True
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is None or "T" not in value.upper():
        raise ValueError(f"{value!r} has no time zone offset")
    return True


class SchemaViolation(ValueError):
    """A record value does not match its topic's JSON Schema."""

    def __init__(self, schema: str, error: ValidationError) -> None:
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        super().__init__(f"{schema}: at {where}: {error.message}")
        self.schema = schema
        self.path = where


def _is_date_time(value: object) -> bool:
    try:
        return _is_rfc3339(value)
    except ValueError:
        return False


class RecordValidator:
    """Validates a decoded record value against one schema file.

    jsonschema is the reference and names the most relevant error; it costs ~90 µs a page
    (a tenth of the worker's parse stage). So a value is first checked by the same schema
    compiled to Python by fastjsonschema (~5 µs), and only a value it rejects goes through
    jsonschema, whose verdict stands. The schemas use no keyword whose meaning differs
    between draft 7, which fastjsonschema implements, and 2020-12; tests/property checks
    that both accept the same values."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        self.schema: Mapping[str, Any] = orjson.loads(path.read_bytes())
        Draft202012Validator.check_schema(self.schema)
        self._validator = Draft202012Validator(self.schema, format_checker=_FORMATS)
        draft7 = {**self.schema, "$schema": "http://json-schema.org/draft-07/schema#"}
        self._accepts = fastjsonschema.compile(draft7, formats={"date-time": _is_date_time})

    def validate(self, value: object) -> None:
        """Raise SchemaViolation (the most relevant error) when `value` does not match."""
        try:
            self._accepts(value)
        except fastjsonschema.JsonSchemaException:
            pass
        else:
            return
        error = next(iter(sorted(self._validator.iter_errors(value), key=_relevance)), None)
        if error is not None:
            raise SchemaViolation(self.name, error)


def _relevance(error: ValidationError) -> tuple[int, str]:
    return (len(error.absolute_path), error.message)


@cache
def validator_for(path: Path) -> RecordValidator:
    """The validator of one schema file (cached per path)."""
    return RecordValidator(path)

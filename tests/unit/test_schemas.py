"""schemas/: valid JSON Schema 2020-12 documents whose examples match them."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from jsonschema import Draft202012Validator

from workers.contract.schemas import SchemaViolation, validator_for

SCHEMAS = sorted((Path(__file__).resolve().parents[2] / "schemas").glob("*.json"))


@pytest.fixture(params=SCHEMAS, ids=lambda p: p.name)
def schema_path(request: pytest.FixtureRequest) -> Path:
    path: Path = request.param
    return path


class TestSchemaFiles:
    def test_there_is_one_schema_per_message_kind(self) -> None:
        """page, ticker event, sighting, article event and dead letter each have a schema."""
        assert {p.name for p in SCHEMAS} == {
            "page.v1.json",
            "ticker_event.v1.json",
            "sighting.v1.json",
            "article_event.v1.json",
            "dead_letter.v1.json",
        }

    def test_is_a_valid_2020_12_schema(self, schema_path: Path) -> None:
        """The document is itself valid under the 2020-12 meta-schema."""
        schema = orjson.loads(schema_path.read_bytes())
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(schema)

    def test_examples_validate(self, schema_path: Path) -> None:
        """Every example in the schema matches the schema."""
        schema = orjson.loads(schema_path.read_bytes())
        assert schema["examples"], "each schema carries at least one example"
        for example in schema["examples"]:
            validator_for(schema_path).validate(example)

    def test_rejects_unknown_fields(self, schema_path: Path) -> None:
        """additionalProperties is false: a typo in a field name is caught."""
        example = dict(orjson.loads(schema_path.read_bytes())["examples"][0])
        example["unexpected_field"] = 1
        with pytest.raises(SchemaViolation, match="unexpected_field"):
            validator_for(schema_path).validate(example)

    def test_rejects_missing_required_field(self, schema_path: Path) -> None:
        """Dropping a required field is a violation naming it."""
        schema = orjson.loads(schema_path.read_bytes())
        example = dict(schema["examples"][0])
        field = schema["required"][0]
        del example[field]
        with pytest.raises(SchemaViolation, match=field):
            validator_for(schema_path).validate(example)


class TestDateTimeFormat:
    def test_fetched_at_without_offset_is_rejected(self) -> None:
        """A page's fetched_at must carry a UTC offset (event time must be unambiguous)."""
        path = next(p for p in SCHEMAS if p.name == "page.v1.json")
        page = dict(orjson.loads(path.read_bytes())["examples"][0])
        page["fetched_at"] = "2020-06-29T18:05:00"
        with pytest.raises(SchemaViolation, match="fetched_at"):
            validator_for(path).validate(page)

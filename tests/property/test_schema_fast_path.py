"""The fast path of RecordValidator (fastjsonschema, draft 7) accepts only values the
reference (jsonschema, 2020-12) accepts, for every schema of the contract: a value the fast
path let through that the reference would reject would reach the core unchecked. It may
reject more (it checks `contentEncoding: base64`, an annotation for jsonschema): those
values take the slow path, where the reference's verdict stands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastjsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workers.contract.schemas import SchemaViolation, validator_for

SCHEMAS = sorted((Path(__file__).resolve().parents[2] / "schemas").glob("*.json"))

TIMES = st.sampled_from(
    ["2020-06-29T18:05:00+03:00", "2020-06-29T18:05:00Z", "2020-06-29T18:05:00", "2020-06-29", "not a time", ""]
)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False, width=16), TIMES, st.text(max_size=8)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)


def records(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """The schema's own examples with 0 to 3 mutations: a property dropped, set to another
    value (sometimes of the right type, sometimes not), or a stray one added."""
    names = [*sorted(schema.get("properties", {})), "stray"]
    enums = [v for p in schema.get("properties", {}).values() for v in p.get("enum", [])]
    value = st.one_of(VALUES, st.sampled_from(enums or [None]), st.lists(st.text(max_size=6), max_size=3))
    mutation = st.tuples(st.sampled_from(["drop", "set"]), st.sampled_from(names), value)

    def mutate(example: dict[str, Any], changes: list[tuple[str, str, Any]]) -> dict[str, Any]:
        out = dict(example)
        for kind, name, new in changes:
            if kind == "drop":
                out.pop(name, None)
            else:
                out[name] = new
        return out

    return st.builds(mutate, st.sampled_from(schema["examples"]), st.lists(mutation, max_size=3))


def test_every_example_takes_the_fast_path() -> None:
    for path in SCHEMAS:
        validator = validator_for(path)
        for example in validator.schema["examples"]:
            validator._accepts(example)  # raises when the fast path rejects a valid value


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_fast_path_accepts_only_what_the_reference_accepts(path: Path, data: st.DataObject) -> None:
    validator = validator_for(path)
    value = data.draw(records(dict(validator.schema)))
    reference = not any(True for _ in validator._validator.iter_errors(value))
    try:
        validator._accepts(value)
    except fastjsonschema.JsonSchemaException:
        fast = False
    else:
        fast = True
    if fast:
        assert reference, value
    # and validate(), fast path then reference, gives the reference's verdict
    if reference:
        validator.validate(value)
    else:
        with pytest.raises(SchemaViolation):
            validator.validate(value)

"""Golden tests on pages built from the seed templates with other content, text and HTML."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.golden.expectations import FIXTURES, check_field, load_expected
from workers.core.models import Page, ParsedPage
from workers.core.parse.page import parse_page

EXPECTED = load_expected("built.expected.json")


def parse_built(name: str) -> ParsedPage:
    spec = EXPECTED[name]
    page = Page(
        url=f"https://example.invalid/{name}",
        fetched_at=datetime.fromisoformat(spec["fetched_at"]),
        content_type="text/html" if name.endswith(".html") else "text/plain",
        body=(FIXTURES / "built" / name).read_text(encoding="utf-8"),
    )
    result = parse_page(page)
    assert isinstance(result, ParsedPage), result
    return result


CASES = [(name, key, value) for name, spec in sorted(EXPECTED.items()) for key, value in spec["expected"].items()]


class TestBuiltPages:
    @pytest.mark.parametrize(("name", "key", "expected"), CASES)
    def test_field(self, name: str, key: str, expected: object) -> None:
        """Each expected field of each built page matches built.expected.json."""
        check_field(parse_built(name), key, expected)

    def test_every_fixture_has_expectations(self) -> None:
        """Every page under tests/fixtures/built/ is covered by built.expected.json."""
        assert {p.name for p in (FIXTURES / "built").iterdir()} == set(EXPECTED)

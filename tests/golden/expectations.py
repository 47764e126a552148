"""Compare a parse result with an expected-fields record (seeds.expected.json format)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from workers.core.models import ParsedPage

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def load_expected(name: str) -> dict[str, Any]:
    """The `pages` mapping of an expected-results file under tests/fixtures."""
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data["pages"]


def squash(text: str) -> str:
    """Collapse whitespace, as the expected files specify for body comparisons."""
    return " ".join(text.split())


def actual_field(result: ParsedPage, key: str) -> Any:
    """The value of an expected-file key in a parse result (None when it does not apply)."""
    article = result.article
    if key == "ticker":
        return [item.to_dict() for item in result.ticker]
    if key == "not_in_body":
        return None
    assert article is not None, "no article parsed"
    body = squash(" ".join(article.body))
    derived: dict[str, Any] = {
        "body_first_words": body,
        "body_last_words": body,
        "body_paragraphs": len(article.body),
        "title_startswith": article.title,
    }
    if key in derived:
        return derived[key]
    return article.to_dict()[key]


def check_field(result: ParsedPage, key: str, expected: Any) -> None:
    """Assert one expected key (rules from seeds.expected.json `about`)."""
    actual = actual_field(result, key)
    if key == "ticker":
        assert len(actual) == len(expected)
        for got, want in zip(actual, expected, strict=True):
            for field, value in want.items():
                got_value = got[field].strip() if isinstance(got[field], str) else got[field]
                assert got_value == value, (field, got[field], value)
    elif key == "body_first_words":
        assert actual.startswith(squash(expected)), actual[:200]
    elif key == "body_last_words":
        assert actual.endswith(squash(expected)), actual[-200:]
    elif key == "not_in_body":
        article = result.article
        assert article is not None
        body = "\n".join(article.body)
        for phrase in expected:
            assert phrase not in body, phrase
    elif key in ("published_at", "title_startswith"):
        assert actual is not None
        assert actual.startswith(expected), (actual, expected)
    elif isinstance(expected, str):
        assert actual is not None
        assert actual.strip() == expected.strip(), (actual, expected)
    else:
        assert actual == expected, (actual, expected)

"""The shared table of normalization cases (tests/fixtures/normalize_cases.json): Python's
`normalize_for_matching` gives every expected form, and the page's normalize.js carries
the same folding table (the browser test runs the JavaScript over the same cases)."""

from __future__ import annotations

import json
import re
from importlib.resources import files

import pytest

from tests.conftest import FIXTURES
from workers.core import normalize
from workers.core.normalize import normalize_for_matching

CASES = json.loads((FIXTURES / "normalize_cases.json").read_text(encoding="utf-8"))["cases"]
SCRIPT = (files("workers.dashboard") / "static" / "normalize.js").read_text(encoding="utf-8")


class TestSharedCases:
    @pytest.mark.parametrize("case", CASES, ids=[c["input"] for c in CASES])
    def test_python_gives_the_table(self, case: dict[str, str]) -> None:
        """Each input normalizes to its expected form in Python."""
        assert normalize_for_matching(case["input"]) == case["normalized"]

    def test_table_covers_the_search_rules(self) -> None:
        """The table exercises the rules the search promises: alef forms, ة, ى, marks, tatweel."""
        inputs = "".join(c["input"] for c in CASES)
        for ch in ("أ", "إ", "آ", "ة", "ى", "\u064e", "\u0651", "\u0640"):
            assert ch in inputs


class TestScriptTable:
    def test_fold_table_is_pythons(self) -> None:
        """normalize.js folds exactly the characters normalize.py folds, to the same ones."""
        body = SCRIPT[SCRIPT.index("const FOLD = {") : SCRIPT.index("};")]
        pairs = dict(re.findall(r"""["'](.)["']:\s*["'](.)["']""", body))
        assert pairs == normalize._FOLD

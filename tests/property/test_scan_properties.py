"""`matches_at` gives exactly `finditer`'s matches when matches can only start at the needles."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from workers.core.scan import matches_at, occurrences

DASHES = "-–"
ITEM_END = re.compile(r"[-–]\s*(\d{1,2}):(\d{2})(?!\d)")  # every match starts with a dash


@given(st.text(alphabet="-–: 0123456789اب", max_size=60))
def test_same_matches_as_finditer(text: str) -> None:
    got = [m.span() for m in matches_at(ITEM_END, text, occurrences(text, DASHES))]
    assert got == [m.span() for m in ITEM_END.finditer(text)]


@given(st.text(alphabet="-–ab", max_size=40))
def test_occurrences_are_every_needle_position_in_order(text: str) -> None:
    assert occurrences(text, DASHES) == [i for i, ch in enumerate(text) if ch in DASHES]

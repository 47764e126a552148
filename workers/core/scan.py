"""Regex searches tried only where a match can start.

A pattern that opens with a lookbehind or a character class makes the regex engine try
it at every position of the text. When every match must start at one of a few literal
strings (a dash, an anchor word), `str.find` gets to those places much faster, and
`matches_at` tries the pattern there only: the same matches as `pattern.finditer`, in
the same order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

__all__ = ["matches_at", "occurrences"]


def occurrences(text: str, needles: Iterable[str]) -> list[int]:
    """Every position where one of `needles` starts in `text`, in increasing order."""
    out: list[int] = []
    kinds = 0
    for needle in needles:
        i = text.find(needle)
        if i >= 0:
            kinds += 1
        while i >= 0:
            out.append(i)
            i = text.find(needle, i + 1)
    if kinds > 1:
        out.sort()
    return out


def matches_at(pattern: re.Pattern[str], text: str, starts: Iterable[int]) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)` for a pattern whose matches can only start at `starts`
    (increasing): the pattern is tried at each start not inside the previous match."""
    end = 0
    for i in starts:
        if i >= end:
            m = pattern.match(text, i)
            if m is not None:
                end = m.end()
                yield m

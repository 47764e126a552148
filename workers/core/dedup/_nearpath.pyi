# Types of the compiled near path (workers/core/dedup/_nearpath.pyx).
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from workers.core.dedup.line_match import LineFeatures, StoredText

class TextKey:
    text: str
    def __init__(self, text: str, key_hash: int, /) -> None: ...

def configure(
    *,
    benign: frozenset[str],
    fillers: frozenset[str],
    morph_dice: float,
    min_join: int,
    kinds: tuple[int, int, int, int, int],
    features_type: type[LineFeatures],
    no_words: frozenset[str],
    squash_delete: bytes,
    chunks_max: int,
    stop: frozenset[str],
    negation: frozenset[str],
    place_markers: frozenset[str],
    article_prefixes: tuple[str, ...],
    min_stem: int,
    number_words: Mapping[str, str],
    to_space: bytes,
    is_join: Callable[[str, frozenset[str]], bool],
    dice: Callable[[str, str], float],
    pair_inflections: Callable[[set[str], set[str]], None],
    slow_match: Callable[[LineFeatures, LineFeatures, float], float | None],
    unstored: Callable[[StoredText], LineFeatures],
) -> None: ...
def line_features(normalized: str, /) -> LineFeatures: ...
def chunk_info(chunk: str, /) -> tuple[tuple[int, str], ...]: ...
def clear_cache() -> None: ...
def first_match(features: LineFeatures, texts: Iterable[LineFeatures], threshold: float, /) -> float | None: ...
def first_stored(features: LineFeatures, texts: StoredText, threshold: float, /) -> float | None: ...
def candidates(
    tokens: frozenset[str], postings: dict[str, dict[str, None]], probe_share: float, limit: int, budget: int, /
) -> list[str]: ...
def postings_visited() -> int: ...
def add_postings(postings: dict[str, dict[str, None]], tokens: Iterable[str], event_id: str, /) -> None: ...
def near(
    features: LineFeatures,
    postings: dict[str, dict[str, None]],
    entries: Mapping[str, Any],
    texts: Mapping[str, StoredText],
    probe_share: float,
    limit: int,
    budget: int,
    oldest: int,
    latest: int,
    threshold: float,
    /,
) -> tuple[float, int, str] | None: ...

"""A settings-like dataclass in a module WITHOUT `from __future__ import annotations`, so
its annotations are real types, not strings (see test_settings.py)."""

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Plain:
    port: int = 1
    ratio: float = 0.5
    on: bool = True
    where: Path | None = None

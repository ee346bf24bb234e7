"""What rendering produced per plan item: the type the renderer returns and the writers and the
manifest read, kept apart from render.py so that those modules need not import the renderer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from anicurate.core.export.plan import PlanItem


@dataclass(frozen=True, slots=True)
class ItemResult:
    """One plan item after rendering (or skipping): where it is and what it holds."""

    item: PlanItem
    path: Path
    rendered: bool  # False: an earlier run's file was up to date
    size: int = 0
    hash: str = ""  # blake2b-256 of the file
    error: str | None = None

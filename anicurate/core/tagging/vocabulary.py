"""The tagger's vocabulary, ``selected_tags.csv``: one row per model output, with its category."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from anicurate.core.tagging.errors import TaggerFileMissing, VocabularyError

RATING, GENERAL, CHARACTER = 9, 0, 4
CATEGORY_NAMES = {RATING: "rating", GENERAL: "general", CHARACTER: "character"}

# Tags whose underscores are part of the face they draw; kept as they are (the SmilingWolf
# Space and taggui keep the same 19).
KAOMOJI = frozenset(
    {
        "0_0", "(o)_(o)", "+_+", "+_-", "._.", "<o>_<o>", "<|>_<|>", "=_=", ">_<", "3_3", "6_9",
        ">_o", "@_@", "^_^", "o_o", "u_u", "x_x", "|_|", "||_||",
    }
)  # fmt: skip


def display_name(name: str, replace_underscores: bool = True) -> str:
    """``looking_at_viewer`` -> ``looking at viewer``; kaomoji such as ``^_^`` stay as they are."""
    name = name.strip()
    if not replace_underscores or name in KAOMOJI:
        return name
    return name.replace("_", " ")


def normalise(tag: str) -> str:
    """How tags are compared (blacklist, coverage, find and replace): lower case, spaces."""
    return display_name(tag.strip().lower())


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Rows of the csv in model-output order: raw ``names`` and their display forms."""

    path: Path
    names: tuple[str, ...]
    display: tuple[str, ...]
    categories: np.ndarray  # int, one per row
    counts: np.ndarray  # int, the tag's frequency in the training set (for autocomplete order)

    def __len__(self) -> int:
        return len(self.names)

    def indices(self, category: int) -> np.ndarray:
        """Output positions of one category (RATING, GENERAL or CHARACTER)."""
        return np.flatnonzero(self.categories == category)

    def category_of(self, tag: str) -> str | None:
        """ "general", "character" or "rating" for a tag of this vocabulary, else None."""
        key = normalise(tag)
        for name, cat in zip(self.display, self.categories.tolist(), strict=True):
            if normalise(name) == key:
                return CATEGORY_NAMES.get(int(cat))
        return None

    def complete(self, prefix: str, limit: int = 20) -> list[str]:
        """Display names of general and character tags starting with ``prefix``, most common first
        (the tag panel's autocomplete)."""
        key = normalise(prefix)
        cats = self.categories.tolist()
        hits = [
            i
            for i, name in enumerate(self.display)
            if cats[i] != RATING and normalise(name).startswith(key)
        ]
        hits.sort(key=lambda i: (-int(self.counts[i]), self.display[i]))
        return [self.display[i] for i in hits[:limit]]


def load_vocabulary(path: str | Path, replace_underscores: bool = True) -> Vocabulary:
    """Read ``selected_tags.csv`` (header ``tag_id,name,category,count``); errors name the file."""
    path = Path(path)
    if not path.is_file():
        raise TaggerFileMissing(path, "missing: a tagger needs selected_tags.csv beside model.onnx")
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:  # a spreadsheet adds a BOM
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise VocabularyError(path, f"cannot read the tag list: {e}") from e
    if not rows or [c.strip() for c in rows[0][:3]] != ["tag_id", "name", "category"]:
        raise VocabularyError(path, "not a tag list: the header must start tag_id,name,category")
    names: list[str] = []
    categories: list[int] = []
    counts: list[int] = []
    for line_no, row in enumerate(rows[1:], 2):
        if not row:
            continue
        try:
            names.append(row[1])
            categories.append(int(row[2]))
            counts.append(int(row[3]) if len(row) > 3 and row[3].strip() else 0)
        except (IndexError, ValueError) as e:
            raise VocabularyError(path, f"line {line_no} is not tag_id,name,category,count") from e
    if not names:
        raise VocabularyError(path, "the tag list has no rows")
    return Vocabulary(
        path=path,
        names=tuple(names),
        display=tuple(display_name(n, replace_underscores) for n in names),
        categories=np.asarray(categories, dtype=np.int64),
        counts=np.asarray(counts, dtype=np.int64),
    )

"""Per-frame scores to a clip's tags: merge over frames, threshold (or MCut), blacklist, rating."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from anicurate.core.tagging.options import TaggingOptions
from anicurate.core.tagging.vocabulary import CHARACTER, GENERAL, RATING, Vocabulary, normalise

# The Space never lets MCut take characters below this.
CHARACTER_MCUT_FLOOR = 0.15


@dataclass(frozen=True, slots=True)
class ScoredTag:
    name: str  # display form (underscores replaced unless kaomoji)
    score: float
    category: str  # "general" or "character"


@dataclass(frozen=True, slots=True)
class TagResult:
    """A clip's tags: characters then general, each by score (highest first); rating apart."""

    tags: tuple[ScoredTag, ...]
    rating: dict[str, float]  # every rating row's score, e.g. {"general": 0.91, ...}

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.tags]

    @property
    def top_rating(self) -> str | None:
        return max(self.rating, key=lambda k: self.rating[k]) if self.rating else None


def merge_scores(frame_scores: np.ndarray, method: str = "mean") -> np.ndarray:
    """``frames x tags`` scores to one score per tag: mean or max over the frames."""
    if frame_scores.ndim != 2 or frame_scores.shape[0] == 0:
        raise ValueError(f"expected frames x tags scores, got shape {frame_scores.shape}")
    if method == "mean":
        return np.asarray(frame_scores.mean(axis=0), dtype=np.float32)
    if method == "max":
        return np.asarray(frame_scores.max(axis=0), dtype=np.float32)
    raise ValueError(f"merge must be mean or max, not {method!r}")


def mcut_threshold(probs: np.ndarray) -> float:
    """Maximum Cut Thresholding (Largeron et al. 2012): the middle of the largest gap between
    consecutive sorted scores, as the SmilingWolf Space computes it."""
    if probs.size < 2:
        return 0.0 if probs.size == 0 else float(probs[0]) / 2
    ordered = np.sort(probs)[::-1]
    gaps = ordered[:-1] - ordered[1:]
    t = int(gaps.argmax())
    return float((ordered[t] + ordered[t + 1]) / 2)


def select_tags(scores: np.ndarray, vocab: Vocabulary, options: TaggingOptions) -> TagResult:
    """Apply thresholds (strictly above), MCut and the blacklist to one merged score per tag."""
    if scores.shape != (len(vocab),):
        raise ValueError(f"{scores.shape[0]} scores for {len(vocab)} tags")
    blacklist = {normalise(t) for t in options.blacklist}
    names = vocab.display if options.replace_underscores else vocab.names
    picked: list[ScoredTag] = []
    for category, label, threshold, use_mcut in (
        (CHARACTER, "character", options.character_threshold, options.character_mcut),
        (GENERAL, "general", options.general_threshold, options.general_mcut),
    ):
        idx = vocab.indices(category)
        if idx.size == 0:
            continue
        probs = scores[idx]
        if use_mcut:
            threshold = mcut_threshold(probs)
            if category == CHARACTER:
                threshold = max(CHARACTER_MCUT_FLOOR, threshold)
        chosen = idx[probs > threshold]
        chosen = chosen[np.argsort(-scores[chosen], kind="stable")]
        picked.extend(
            ScoredTag(names[i], float(scores[i]), label)
            for i in chosen.tolist()
            if normalise(vocab.names[i]) not in blacklist
        )
    rating = {names[i]: float(scores[i]) for i in vocab.indices(RATING).tolist()}
    return TagResult(tuple(picked), rating)

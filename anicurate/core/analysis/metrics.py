"""Clip metrics: what a frame range of a source is like, from the source's stored signals only."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from anicurate.core.analysis.detect import Events
from anicurate.core.analysis.signals import Signals

#: A hold pattern is named when at least this share of a clip's drawings are held that long.
PATTERN_SHARE = 0.7
_PATTERNS = {1: "ones", 2: "twos", 3: "threes", 4: "fours"}


@dataclass(frozen=True, slots=True)
class ClipMetrics:
    """Metrics of frames ``first``..``last`` (inclusive) of a source. Events inside the clip
    keep source frame indices; ``hashes`` are perceptual hashes at 1/4, 1/2 and 3/4 of it."""

    first: int
    last: int
    frames: int
    duration: float
    cuts: list[int]
    transitions: list[list[int]]
    flashes: list[list[int]]
    drawings: int
    effective_fps: float
    held_ratio: float
    hold_pattern: str  # "still", "ones", "twos", "threes", "fours" or "mixed"
    motion_mean: float
    motion_p95: float
    blur: float
    noise: float
    hashes: list[int]
    overlays: list[list[int]] = field(default_factory=list)  # text overlays, as intervals

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ClipMetrics:
        return cls(**d)


def _nearest_finite(values: np.ndarray, first: int, last: int) -> float:
    part = values[first : last + 1]
    finite = part[np.isfinite(part)]
    if finite.size:
        return float(np.median(finite))
    idx = np.flatnonzero(np.isfinite(values))
    if not idx.size:
        return 0.0
    centre = (first + last) / 2
    return float(values[idx[np.argmin(np.abs(idx - centre))]])


def hold_pattern(held: np.ndarray) -> str:
    """Name the typical number of frames each drawing is held (``held[0]`` is ignored)."""
    starts = [0, *[int(i) for i in np.flatnonzero(~held[1:]) + 1], len(held)]
    runs = np.diff(starts)
    if len(runs) <= 1:
        return "still"
    inner = runs[1:-1] if len(runs) > 3 else runs
    values, counts = np.unique(inner, return_counts=True)
    top = int(np.argmax(counts))
    if counts[top] >= PATTERN_SHARE * counts.sum() and int(values[top]) in _PATTERNS:
        return _PATTERNS[int(values[top])]
    return "mixed"


def effective_fps(durations: np.ndarray, held: np.ndarray) -> float:
    """Distinct drawings per second of frames shown for ``durations`` seconds each; ``held[i]``
    says frame i repeats frame i-1 (``held[0]`` is ignored: a first frame is a drawing of its
    own). 0.0 when the frames take no time."""
    total = float(np.sum(durations, dtype=np.float64))
    if len(held) == 0 or total <= 0:
        return 0.0
    drawings = len(held) - int(np.count_nonzero(held[1:]))
    return drawings / total


def clip_metrics(sig: Signals, events: Events, first: int, last: int) -> ClipMetrics:
    """Metrics of one clip, computed from the signals restricted to its frame range."""
    n = sig.frames
    first = max(0, min(first, n - 1))
    last = max(first, min(last, n - 1))
    frames = last - first + 1
    duration = float(np.sum(sig["duration"][first : last + 1], dtype=np.float64))
    held = events.held[first : last + 1].copy()
    if len(held):
        held[0] = False  # the clip's first frame is a drawing of its own
    drawings = int(frames - np.count_nonzero(held))
    cuts = [c for c in events.cuts if first < c <= last]
    transitions = [[a, b] for a, b in events.transitions if a <= last and b >= first]
    flashes = [[a, b] for a, b in events.flashes if a <= last and b >= first]
    # Motion across a cut, a flash or a transition says nothing about the animation.
    valid = np.ones(n, bool)
    valid[first] = False
    for c in events.cuts:
        valid[c] = False
    for a, b in [*events.flashes, *events.transitions]:
        valid[a : min(n, b + 2)] = False
    motion = sig["motion"][first : last + 1][valid[first : last + 1]]
    motion = motion[np.isfinite(motion)]
    positions = [first + round(frames * q) for q in (0.25, 0.5, 0.75)]
    return ClipMetrics(
        first=first,
        last=last,
        frames=frames,
        duration=round(duration, 6),
        cuts=cuts,
        transitions=transitions,
        flashes=flashes,
        drawings=drawings,
        effective_fps=round(effective_fps(sig["duration"][first : last + 1], held), 2),
        held_ratio=round(float(np.count_nonzero(held)) / frames, 4),
        hold_pattern=hold_pattern(held),
        motion_mean=round(float(motion.mean()), 3) if motion.size else 0.0,
        motion_p95=round(float(np.percentile(motion, 95)), 3) if motion.size else 0.0,
        blur=round(_nearest_finite(sig["blur"], first, last), 2),
        noise=round(_nearest_finite(sig["noise"], first, last), 3),
        hashes=[int(sig.hashes[min(p, last)]) for p in positions],
        overlays=[[a, b] for a, b in events.overlays if a <= last and b >= first],
    )

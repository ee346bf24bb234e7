"""Which frames of a clip are tagged: N evenly spaced, every k-th, or some per shot."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

SamplingMode = Literal["even", "step", "shots"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Sampling:
    """How frames are picked: ``even`` takes ``count`` frames, ``step`` every ``step``-th frame
    (at most ``max_frames``), ``shots`` ``per_shot`` evenly spaced frames of every shot."""

    mode: SamplingMode = "even"
    count: int = 8
    step: int = 8
    per_shot: int = 1
    max_frames: int = 64

    def __post_init__(self) -> None:
        if self.mode not in ("even", "step", "shots"):
            raise ValueError(f"sampling mode must be even, step or shots, not {self.mode!r}")
        for name in ("count", "step", "per_shot", "max_frames"):
            value = getattr(self, name)
            if type(value) is not int or value < 1:
                raise ValueError(f"{name} must be a positive integer, not {value!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Sampling:
        names = ("mode", "count", "step", "per_shot", "max_frames")
        known = {k: values[k] for k in names if k in values}
        return cls(**known)


def evenly_spaced(first: int, last: int, count: int) -> list[int]:
    """``count`` frames of ``first..last`` (inclusive), each the middle of an equal part.

    Middles rather than starts (WaifuTaggerForVideo takes k*N/count, so always frame 0): the
    first and last frames of a cut are the likeliest to be fades or the neighbour shot's frames.
    A clip shorter than ``count`` gives every frame once.
    """
    n = last - first + 1
    if n <= 0:
        return []
    if count >= n:
        return list(range(first, last + 1))
    return [first + ((2 * k + 1) * n) // (2 * count) for k in range(count)]


def every_kth(first: int, last: int, step: int, max_frames: int | None = None) -> list[int]:
    """``first, first + step, ...`` up to ``last``; thinned evenly to ``max_frames`` if longer."""
    frames = list(range(first, last + 1, step))
    if max_frames is not None and len(frames) > max_frames:
        frames = [frames[i] for i in evenly_spaced(0, len(frames) - 1, max_frames)]
    return frames


def per_shot(first: int, last: int, shot_starts: Sequence[int], per: int = 1) -> list[int]:
    """``per`` evenly spaced frames of each shot inside the clip.

    ``shot_starts`` are the first frames of shots in source frame numbers (from scene analysis);
    the clip's own first frame always starts a shot, starts outside the clip are ignored.
    """
    starts = sorted({first, *(s for s in shot_starts if first < s <= last)})
    ends = [*(s - 1 for s in starts[1:]), last]
    frames: list[int] = []
    for a, b in zip(starts, ends, strict=True):
        frames.extend(evenly_spaced(a, b, per))
    return frames


def sample_frames(
    first: int, last: int, sampling: Sampling, shot_starts: Sequence[int] | None = None
) -> list[int]:
    """The frames to tag for a clip under ``sampling``; ``shots`` without known shots treats the
    clip as one shot."""
    if sampling.mode == "even":
        return evenly_spaced(first, last, sampling.count)
    if sampling.mode == "step":
        return every_kth(first, last, sampling.step, sampling.max_frames)
    frames = per_shot(first, last, shot_starts or (), sampling.per_shot)
    if len(frames) > sampling.max_frames:
        frames = [frames[i] for i in evenly_spaced(0, len(frames) - 1, sampling.max_frames)]
    return frames

"""Flags: clip metrics held against thresholds, each with a reason a person can read.

Thresholds live in the project's settings under ``"thresholds"`` (only the keys a user changed
need be stored; the rest take the defaults here).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from enum import StrEnum
from typing import Any

import numpy as np

from anicurate.core.analysis.detect import CUT_MIN_CONTENT
from anicurate.core.analysis.metrics import ClipMetrics
from anicurate.core.project.settings import ProjectSettings


class FlagKind(StrEnum):
    """What a flag says is wrong with a clip, in the order they are listed; the value is what
    the project file stores."""

    CUT = "cut"
    FADE = "fade"
    FLASH = "flash"
    LARGE_MOTION = "large_motion"
    LOW_FPS = "low_fps"
    TOO_FEW_FRAMES = "too_few_frames"
    LOW_RESOLUTION = "low_resolution"
    ASPECT = "aspect"
    BLURRY = "blurry"
    NOISY = "noisy"
    STATIC = "static"
    DUPLICATE = "duplicate"
    OVERLAP = "overlap"
    TEXT_OVERLAY = "text_overlay"


@dataclass(frozen=True, slots=True, kw_only=True)
class Thresholds:
    """Where a metric turns into a flag. Units: motion in percent of the frame width per frame,
    blur as variance of the Laplacian and noise as a sigma in grey levels, both at 360 lines."""

    cut_min_content: float = CUT_MIN_CONTENT  # colour change a frame needs to be a cut
    motion_p95_max: float = 5.0
    effective_fps_min: float = 8.0
    blur_min: float = 30.0
    noise_max: float = 3.0
    static_held_ratio: float = 0.9  # at least this share of held frames: a static clip
    duplicate_bits: int = 8  # perceptual hashes this many bits apart (of 64) or fewer: same
    resolution_min: float = 1.0  # of the training size (area when bucketing, else each side)
    aspect_tolerance: float = 0.1  # relative aspect difference allowed without bucketing
    aspect_tolerance_bucketed: float = 1.0  # allowed with bucketing (2:1 against 1:1 is fine)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any] | None) -> Thresholds:
        """Thresholds from stored values; unknown keys are ignored, missing ones take defaults."""
        if not values:
            return cls()
        known = {f.name: f.type for f in fields(cls)}
        picked: dict[str, Any] = {}
        for key, value in values.items():
            if key in known and isinstance(value, int | float) and not isinstance(value, bool):
                picked[key] = int(value) if key == "duplicate_bits" else float(value)
        return replace(cls(), **picked)


@dataclass(frozen=True, slots=True)
class Flag:
    """One thing wrong with a clip and why, in words with the numbers behind it."""

    kind: FlagKind
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind.value, "reason": self.reason}


def flags_from_json(items: Iterable[Mapping[str, Any]]) -> list[Flag]:
    """Stored flags back as Flags; a kind this version does not know is left out."""
    return [
        Flag(_KINDS[kind], str(f["reason"])) for f in items if (kind := f.get("kind")) in _KINDS
    ]


#: Stored flag kinds this version knows (built once: a browser reads every clip's flags).
_KINDS = {k.value: k for k in FlagKind}


def _num(x: float) -> str:
    return f"{x:.1f}" if abs(x) >= 10 else f"{x:.2f}".rstrip("0").rstrip(".")


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _frames(items: Sequence[int]) -> str:
    shown = ", ".join(str(i) for i in items[:5])
    return shown + (f" and {len(items) - 5} more" if len(items) > 5 else "")


def clip_flags(
    m: ClipMetrics,
    *,
    width: int,
    height: int,
    settings: ProjectSettings,
    thresholds: Thresholds,
) -> list[Flag]:
    """Flags of one clip; ``width`` x ``height`` is what the clip shows (its crop, if any)."""
    t = thresholds
    out: list[Flag] = []
    if m.cuts:
        word = "cut" if len(m.cuts) == 1 else "cuts"
        out.append(Flag(FlagKind.CUT, f"{word} at frame {_frames(m.cuts)}"))
    if m.transitions:
        spans = ", ".join(f"{a}-{b}" for a, b in m.transitions[:5])
        out.append(Flag(FlagKind.FADE, f"fade, dissolve or wipe at frames {spans}"))
    if m.flashes:
        out.append(Flag(FlagKind.FLASH, f"flash at frame {_frames([a for a, _ in m.flashes])}"))
    if m.overlays:
        spans = ", ".join(f"{a}-{b}" for a, b in m.overlays[:5])
        out.append(Flag(FlagKind.TEXT_OVERLAY, f"text overlay at frames {spans}"))
    if m.motion_p95 > t.motion_p95_max:
        out.append(
            Flag(
                FlagKind.LARGE_MOTION,
                f"motion p95 {_num(m.motion_p95)} above {_num(t.motion_p95_max)}",
            )
        )
    if m.frames > 1 and m.drawings > 1 and m.effective_fps < t.effective_fps_min:
        out.append(
            Flag(
                FlagKind.LOW_FPS,
                f"effective fps {_num(m.effective_fps)} below {_num(t.effective_fps_min)}"
                f" ({_count(m.drawings, 'drawing')} in {m.duration:.2f} s)",
            )
        )
    need = settings.sample_span
    have = m.duration * settings.fps if m.frames > 1 else 1.0
    if have + 1e-6 < need:
        out.append(
            Flag(
                FlagKind.TOO_FEW_FRAMES,
                f"{_count(m.frames, 'frame')} ({m.duration:.2f} s); a sample needs {need} frames"
                f" at {settings.fps} fps, step {settings.frame_step}",
            )
        )
    tw, th = settings.train_width, settings.train_height
    if settings.use_bucketing:
        low = width * height < t.resolution_min * tw * th
    else:
        low = width < t.resolution_min * tw or height < t.resolution_min * th
    if low:
        out.append(Flag(FlagKind.LOW_RESOLUTION, f"{width}x{height} below training size {tw}x{th}"))
    tolerance = t.aspect_tolerance_bucketed if settings.use_bucketing else t.aspect_tolerance
    ratio = (width / height) / (tw / th) if height and th else 1.0
    if abs(math.log(ratio)) > math.log1p(tolerance):
        out.append(
            Flag(
                FlagKind.ASPECT,
                f"aspect {width / height:.2f} against training {tw / th:.2f}"
                f" (more than {tolerance:.0%} apart)",
            )
        )
    if m.blur < t.blur_min:
        out.append(Flag(FlagKind.BLURRY, f"sharpness {_num(m.blur)} below {_num(t.blur_min)}"))
    if m.noise > t.noise_max:
        out.append(Flag(FlagKind.NOISY, f"noise {_num(m.noise)} above {_num(t.noise_max)}"))
    if m.frames > 1 and m.held_ratio >= t.static_held_ratio:
        out.append(
            Flag(
                FlagKind.STATIC,
                f"{_count(m.drawings, 'drawing')} in {m.frames} frames ({m.held_ratio:.0%} held)",
            )
        )
    return out


def near_duplicates(signatures: Mapping[int, Sequence[int]], max_bits: int) -> dict[int, list[int]]:
    """Clip id -> the other clips (ascending) whose hashes all lie within ``max_bits`` of its own.

    Every pair is compared, in numpy blocks (XOR and popcount on the first hash, then the rest on
    the pairs it keeps): 20,000 clips re-flag in about a second where a Python loop took minutes.
    """
    out: dict[int, list[int]] = {}
    by_length: dict[int, list[int]] = {}
    for cid in sorted(signatures):
        by_length.setdefault(len(signatures[cid]), []).append(cid)
    for length, ids in by_length.items():
        if length == 0:  # nothing to tell them apart by
            pairs = [(a, b) for x, a in enumerate(ids) for b in ids[x + 1 :]]
        else:
            hashes = np.array([signatures[c] for c in ids], dtype=np.uint64).reshape(len(ids), -1)
            pairs = [(ids[i], ids[j]) for i, j in _close_pairs(hashes, max_bits)]
        for a, b in pairs:
            out.setdefault(a, []).append(b)
            out.setdefault(b, []).append(a)
    return {cid: sorted(others) for cid, others in out.items()}


def _close_pairs(hashes: np.ndarray, max_bits: int, block: int = 512) -> list[tuple[int, int]]:
    """Row pairs (i < j) of an n x k uint64 array whose k hashes are all within ``max_bits``."""
    n = len(hashes)
    first = hashes[:, 0]
    found: list[tuple[int, int]] = []
    for i0 in range(0, n, block):
        i1 = min(n, i0 + block)
        near = np.bitwise_count(first[i0:i1, None] ^ first[None, i0:]) <= max_bits
        ii, jj = np.nonzero(near)
        ii, jj = ii + i0, jj + i0
        keep = jj > ii
        ii, jj = ii[keep], jj[keep]
        if hashes.shape[1] > 1 and len(ii):
            rest = np.bitwise_count(hashes[ii, 1:] ^ hashes[jj, 1:]).max(axis=1) <= max_bits
            ii, jj = ii[rest], jj[rest]
        found.extend(zip(ii.tolist(), jj.tolist(), strict=True))
    return found


def overlaps(ranges: Mapping[int, tuple[int, int, int]]) -> dict[int, list[tuple[int, int, int]]]:
    """Clip id -> (other clip, first, last shared frame) for clips of one source sharing frames.

    ``ranges`` maps clip ids to (source id, first frame, last frame). A trim past a neighbour or
    an overlapping split puts the same frames in two clips, and so twice into the dataset.
    """
    out: dict[int, list[tuple[int, int, int]]] = {}
    by_source: dict[int, list[tuple[int, int, int]]] = {}
    for cid, (sid, first, last) in ranges.items():
        by_source.setdefault(sid, []).append((first, last, cid))
    for clips in by_source.values():
        clips.sort()
        open_: list[tuple[int, int, int]] = []  # earlier clips that may still reach this one
        for first, last, cid in clips:
            open_ = [c for c in open_ if c[1] >= first]
            for ofirst, olast, other in open_:
                shared = (max(first, ofirst), min(last, olast))
                out.setdefault(cid, []).append((other, *shared))
                out.setdefault(other, []).append((cid, *shared))
            open_.append((first, last, cid))
    return {cid: sorted(found) for cid, found in out.items()}


def overlap_flag(shared: Sequence[tuple[int, int, int]], labels: Mapping[int, str]) -> Flag:
    """The overlap flag of one clip: its shared frames and the clips (by id and label) they are
    also in; ``labels`` names clips as the browser does, e.g. ``cut.mp4 [30\u201359]``."""
    parts = []
    for other, a, b in shared[:3]:
        frames = f"frames {a}\u2013{b}" if a != b else f"frame {a}"
        parts.append(f"{frames} also in clip {other} ({labels.get(other, '?')})")
    more = f" and {len(shared) - 3} more" if len(shared) > 3 else ""
    return Flag(FlagKind.OVERLAP, "; ".join(parts) + more)


def duplicate_flag(others: Sequence[int], labels: Mapping[int, str]) -> Flag:
    shown = ", ".join(f"clip {o} ({labels.get(o, '?')})" for o in others[:3])
    more = f" and {len(others) - 3} more" if len(others) > 3 else ""
    return Flag(FlagKind.DUPLICATE, f"near-duplicate of {shown}{more}")

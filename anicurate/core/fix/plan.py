"""Which output frame comes from where: a copy of a source frame, or one synthesised between two.

Pure index arithmetic, so the timeline can show the synthesised frames and tests can check the
rules exactly: output frame j shows source time j / ratio; nothing is synthesised between two
frames separated by a cut, or touching a fade, dissolve or flash (the earlier neighbour is
repeated there); with ``smooth_holds`` held drawings are dropped first and the motion between
the remaining drawings is interpolated over their time.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from anicurate.core.analysis.detect import Events

#: Longest gap between two drawings that smooth holds bridges (animation on fours); a longer hold
#: is a held pose, not a slow motion, and is kept as it is.
MAX_HOLD_GAP = 4


@dataclass(frozen=True, slots=True)
class Slot:
    """One output frame: source frame ``a`` as it is (``b`` None), or the frame a fraction ``t``
    of the way from source ``a`` to source ``b``."""

    a: int
    b: int | None = None
    t: float = 0.0

    @property
    def synthesised(self) -> bool:
        return self.b is not None


def barriers(n: int, events: Events | None) -> np.ndarray:
    """``barrier[k]``: frames k and k+1 must not be blended (a cut between them, or either one
    inside a transition or a flash)."""
    barrier = np.zeros(max(n - 1, 0), bool)
    if events is None or n < 2:
        return barrier
    for c in events.cuts:
        if 1 <= c < n:
            barrier[c - 1] = True
    for a, b in [*events.transitions, *events.flashes]:
        lo, hi = max(a - 1, 0), min(b, n - 2)  # pairs (a-1, a) ... (b, b+1)
        if lo <= hi:
            barrier[lo : hi + 1] = True
    return barrier


def plan_frames(
    n: int,
    ratio: Fraction | int = 1,
    events: Events | None = None,
    smooth_holds: bool = False,
    max_gap: int = MAX_HOLD_GAP,
) -> list[Slot]:
    """The output frames of an ``n``-frame source made ``ratio`` times as many.

    With a whole ``ratio`` N, output frame N*k is source frame k exactly (unless smooth holds
    replaces a held frame) and the output has N*n frames (the last N-1 repeat the last frame).
    """
    ratio = Fraction(ratio)
    if n <= 0:
        return []
    barrier = barriers(n, events)
    blocked_before = np.concatenate([[0], np.cumsum(barrier)])  # barriers in pairs < k
    held = events.held if (smooth_holds and events is not None) else None
    keys = [k for k in range(n) if held is None or k >= len(held) or not held[k]]
    gap = max_gap if held is not None else 1
    slots = []
    for j in range(math.ceil(n * ratio)):
        tau = Fraction(j) / ratio
        f = math.floor(tau)
        i = bisect.bisect_right(keys, tau) - 1
        a = keys[i]
        if tau == a:
            slots.append(Slot(a))
            continue
        b = keys[i + 1] if i + 1 < len(keys) else None
        if b is None or b - a > gap or blocked_before[b] - blocked_before[a] > 0:
            slots.append(Slot(f))  # repeat the frame shown at this time
            continue
        slots.append(Slot(a, b, float((tau - a) / (b - a))))
    return slots


def clip_events(events: Events | None, first: int, last: int) -> Events | None:
    """A source's events seen from frame ``first`` (indices relative to the clip)."""
    if events is None:
        return None
    n = last - first + 1

    def spans(items: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
        return [(max(a, first) - first, min(b, last) - first) for a, b in items
                if b >= first and a <= last]  # fmt: skip

    return Events(
        cuts=[c - first for c in events.cuts if first < c <= last],
        transitions=spans(events.transitions),
        flashes=spans(events.flashes),
        held=np.asarray(events.held[first : last + 1], bool).copy()
        if len(events.held) > first
        else np.zeros(n, bool),
    )

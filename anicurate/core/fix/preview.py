"""One frame before and after a fix, for the player's A/B preview (run off the GUI thread)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from anicurate.core.analysis.detect import Events
from anicurate.core.fix.engines import Engines
from anicurate.core.fix.plan import Slot, clip_events, plan_frames
from anicurate.core.fix.spec import FixSpec


@dataclass(frozen=True, slots=True)
class PreviewPair:
    """Frame ``frame`` as it is (``before``) and as the fix makes it (``after``); ``what`` says
    which output frame ``after`` is."""

    before: np.ndarray
    after: np.ndarray
    what: str


def fix_plan(spec: FixSpec, first: int, last: int, fps: float,
             events: Events | None) -> list[Slot]:  # fmt: skip
    """The fixed clip's output frames (clip-relative source indices), as the export plans them
    before resampling: what the timeline marks as synthesised."""
    n = last - first + 1
    return plan_frames(n, spec.ratio(n, fps), clip_events(events, first, last), spec.smooth_holds)


def synthesised_positions(slots: list[Slot], first: int) -> list[float]:
    """Where on the source's frame axis each synthesised frame falls."""
    return [first + s.a + s.t * (s.b - s.a) for s in slots if s.b is not None]


def preview_pair(
    read: Callable[[int], np.ndarray], frame: int, first: int, slots: list[Slot], engines: Engines
) -> PreviewPair:
    """Source frame ``frame`` and the fix's output there: the first frame synthesised after it
    when the fix interpolates one there, else the frame denoised and upscaled."""
    before = read(frame)
    rel = frame - first
    for s in slots:
        if s.a == rel and s.b is not None and engines.interpolator is not None:
            a, b = engines.image(before), engines.image(read(first + s.b))
            after = engines.interpolator(a, b, s.t)
            return PreviewPair(before, after, f"synthesised {s.t:.2f} of the way to frame "
                                              f"{first + s.b}")  # fmt: skip
    return PreviewPair(before, engines.image(before), f"frame {frame} fixed")

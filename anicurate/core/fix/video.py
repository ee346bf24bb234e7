"""Fix one video file into another: analyse it (for cuts and holds), then stream it through."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from anicurate.core.fix.engines import Engines, load_engines
from anicurate.core.fix.pipeline import fix_frames
from anicurate.core.fix.plan import plan_frames
from anicurate.core.fix.providers import Provider
from anicurate.core.fix.spec import FixSpec


@dataclass(frozen=True, slots=True)
class FixReport:
    """What a file fix did: frame counts, rates, how many frames were synthesised, and where."""

    frames_in: int
    frames_out: int
    fps_in: Fraction
    fps_out: Fraction
    synthesised: int
    badges: list[str]


def encoder_for(path: Path) -> tuple[str, str]:
    """(codec, pixel format): FFV1 in RGB for .mkv (lossless), H.264 otherwise."""
    if path.suffix.lower() == ".mkv":
        return "ffv1", "bgr0"  # RGB kept exactly (this FFV1 has no 8-bit gbrp)
    return "libx264", "yuv420p"


def fix_file(
    src: Path,
    dst: Path,
    spec: FixSpec,
    provider: Provider = "auto",
    engines: Engines | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> FixReport:
    """Write ``src`` fixed by ``spec`` to ``dst`` (via a temporary file, renamed when whole)."""
    from anicurate.core.analysis.detect import detect
    from anicurate.core.analysis.signals import compute_signals
    from anicurate.core.media.reader import open_media
    from anicurate.core.media.writer import write_video

    engines = engines if engines is not None else load_engines(spec, provider)
    events = None
    if spec.interpolate is not None:
        _, signals = compute_signals(src)
        events = detect(signals)
    with open_media(src) as reader:
        count = len(reader)
        fps = Fraction(reader.info.fps) if reader.info.fps else Fraction(24)
        ratio = spec.ratio(count, float(fps))
        plan = plan_frames(count, ratio, events, spec.smooth_holds)
        codec, pix_fmt = encoder_for(dst)
        done = 0

        def counted(frames: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
            nonlocal done
            for frame in frames:
                done += 1
                if progress is not None:
                    progress(done, len(plan))
                yield frame

        tmp = dst.with_name(f".{dst.name}.part{dst.suffix}")
        try:
            write_video(
                tmp,
                counted(
                    fix_frames(
                        reader.frames(),
                        spec,
                        count=count,
                        fps=float(fps),
                        engines=engines,
                        plan=plan,
                    )
                ),
                fps=fps * ratio,
                codec=codec,
                pix_fmt=pix_fmt,
            )
            os.replace(tmp, dst)
        finally:
            tmp.unlink(missing_ok=True)
    synthesised = sum(1 for s in plan if s.synthesised)
    return FixReport(count, len(plan), fps, fps * ratio, synthesised, engines.badges)

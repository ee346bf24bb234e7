"""Fix speed: fix_frames against the model alone (overhead must stay under 10%), and peak memory
of a tiled upscale of one 1080p frame. Run: python -m tests.benchmarks.fix_speed [MODEL]."""

from __future__ import annotations

import resource
import sys
import time

import cv2

from anicurate.core.fix import Engines, FixSpec, find_model, fix_frames
from anicurate.core.fix.engines import load_image_model
from tests.helpers.analysis_samples import anime_like_frames


def main(name: str = "waifu2x-upconv7-2x", count: int = 6) -> None:
    frames = [cv2.resize(f, (320, 180), interpolation=cv2.INTER_AREA)
              for f in anime_like_frames(count)]  # fmt: skip
    engine = load_image_model(find_model("upscale", name))
    engine(frames[0])  # warm up
    spec = FixSpec(upscale=2, upscale_model=name)
    engines = Engines(upscaler=engine, upscale_passes=1)
    alone = piped = float("inf")
    for _ in range(3):  # alternate, keep the best of each: other load on the machine varies
        t0 = time.perf_counter()
        for f in frames:
            engine(f)
        alone = min(alone, time.perf_counter() - t0)
        t0 = time.perf_counter()
        out = list(fix_frames(frames, spec, count=count, engines=engines))
        piped = min(piped, time.perf_counter() - t0)
        assert len(out) == count
    print(
        f"{engine.badge}: model alone {alone / count * 1000:.0f} ms/frame, pipeline "
        f"{piped / count * 1000:.0f} ms/frame, overhead {(piped / alone - 1) * 100:+.1f}%"
    )
    big = next(anime_like_frames(1))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    result = engine(big)
    dt = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"1080p frame -> {result.shape[1]}x{result.shape[0]} in {dt:.1f} s, tile {engine.tile}:"
        f" peak RSS {peak / 1024:.0f} MiB (was {before / 1024:.0f} MiB before)"
    )


if __name__ == "__main__":
    main(*(sys.argv[1:2]))

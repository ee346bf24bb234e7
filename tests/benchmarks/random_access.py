"""Benchmark: frame-exact random access on a 1080p H.264 clip with long GOPs (a script, not a test).

Prints p50/p95 of ``frame_at(i)`` for random i, and of ``frame_at(i - 1)`` right after
``frame_at(i)``, each as a ratio to the time of one sequential frame decode measured in the same
run (PyAV decode-only, frame threads on, as the reader uses). Stepping back inside a cached GOP
must decode nothing; the script checks that too.

    .venv/bin/python -m tests.benchmarks.random_access [--frames 500] [--gop 250] [--samples 40]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from bisect import bisect
from collections.abc import Callable
from functools import partial
from pathlib import Path

import av
from av.codec.context import ThreadType

from anicurate.core.media import open_media, write_video
from tests.helpers.analysis_samples import anime_like_frames


def percentiles(values: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94]


def decode_only_per_frame(path: Path) -> float:
    """Seconds per frame of a plain sequential PyAV decode (no colour conversion)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.thread_type = ThreadType.AUTO
        start = time.perf_counter()
        n = sum(1 for _ in container.decode(stream))
        return (time.perf_counter() - start) / n


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=500)
    parser.add_argument("--gop", type=int, default=250)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clip_1080p.mp4"
        start = time.perf_counter()
        write_video(path, anime_like_frames(args.frames), 24, gop=args.gop, bframes=3)
        print(f"clip: {args.frames} frames 1920x1080 H.264, GOP {args.gop}, B-frames 3, "
              f"{path.stat().st_size / 2**20:.1f} MiB, written in "
              f"{time.perf_counter() - start:.1f} s; {os.cpu_count()} CPUs")  # fmt: skip

        decode_only = min(decode_only_per_frame(path) for _ in range(2))
        with open_media(path) as reader:
            start = time.perf_counter()
            n = sum(1 for _ in reader.frames())
            sequential_rgb = (time.perf_counter() - start) / n
            keys = reader.index.keyframes.tolist()

        # Random frames that are not keyframes, so i - 1 lies in the GOP that frame_at(i) decoded.
        rng = random.Random(args.seed)
        inner = [i for i in range(1, args.frames) if i not in keys]
        picks = [rng.choice(inner) for _ in range(args.samples)]
        random_times: list[float] = []
        random_decodes: list[int] = []
        back_times: list[float] = []
        back_decodes = 0
        far_times: list[float] = []  # 20 back: cached as decoded frames, converted on demand
        cache_frames = 0
        with open_media(path) as reader:
            for i in picks:
                # A cold jump, as a click on the timeline makes: the decoder sits in another
                # GOP and nothing is cached.
                reader.frame_at(next(k for k in reversed(keys) if k != keys[bisect(keys, i) - 1]))
                reader.cache.clear()
                before = reader.decoded_count
                random_times.append(timed(partial(reader.frame_at, i)))
                random_decodes.append(reader.decoded_count - before)
                before = reader.decoded_count
                back_times.append(timed(partial(reader.frame_at, i - 1)))
                if i - 20 >= reader.index.keyframe_at_or_before(i):
                    far_times.append(timed(partial(reader.frame_at, i - 20)))
                back_decodes += reader.decoded_count - before  # both steps stay in the GOP
                cache_frames = max(cache_frames, len(reader.cache))

    unit = decode_only
    r50, r95 = percentiles(random_times)
    b50, b95 = percentiles(back_times)
    print(f"keyframes at {keys}; the 256 MiB cache held up to {cache_frames} frames")
    print(f"reference: one sequential frame decode (PyAV, decode only)  {unit * 1e3:8.2f} ms")
    rgb_ms = sequential_rgb * 1e3
    print(f"           one sequential frame via reader.frames() (RGB)   {rgb_ms:8.2f} ms"
          f"  ({sequential_rgb / unit:.2f}x)")  # fmt: skip
    print(
        f"frame_at(random i)       p50 {r50 * 1e3:8.2f} ms = {r50 / unit:7.2f}x   "
        f"p95 {r95 * 1e3:8.2f} ms = {r95 / unit:7.2f}x   "
        f"(decoded {statistics.mean(random_decodes):.0f} frames per call on average)"
    )
    print(
        f"frame_at(i-1) after (i)  p50 {b50 * 1e3:8.3f} ms = {b50 / unit:7.3f}x   "
        f"p95 {b95 * 1e3:8.3f} ms = {b95 / unit:7.3f}x   "
        f"(frames decoded by all back steps: {back_decodes})"
    )
    f50, f95 = percentiles(far_times)
    print(
        f"frame_at(i-20) after (i) p50 {f50 * 1e3:8.3f} ms = {f50 / unit:7.3f}x   "
        f"p95 {f95 * 1e3:8.3f} ms = {f95 / unit:7.3f}x   "
        f"(cached as decoded, converted to RGB on demand; {len(far_times)} samples)"
    )
    if back_decodes:
        raise SystemExit("FAIL: stepping back inside a cached GOP decoded frames")


if __name__ == "__main__":
    main()

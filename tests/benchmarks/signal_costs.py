"""Benchmark: where the analysis' per-frame time goes, step by step, against decoding the frame
(a script, not a test).

On frames of a generated clip (grainy painted background panning, as folder_analysis.py's
clips) at ``--size`` (default 480x270, the folder benchmark's), in one process and one thread:
microseconds per frame of decoding alone (PyAV, one thread: the reference), of
``SignalComputer.feed`` as a whole, and of each of its steps measured on their own (the steps
do not add up exactly to the whole: Python's own work between them is in the whole only).
Printed as microseconds and as multiples of the decoding cost, so the floor of the
folder-analysis ratio is visible: analysis cannot run faster than decode + feed.

    python -m tests.benchmarks.signal_costs [--size 480x270] [--frames 240]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import timeit
from collections.abc import Callable
from pathlib import Path

import av
import cv2
import numpy as np

from anicurate.core.analysis import signals as S
from anicurate.core.media import write_video
from tests.benchmarks.folder_analysis import short_clip


def per_call_us(fn: Callable[[], object], seconds: float = 0.3) -> float:
    """Best of three runs of ``fn`` repeated for about ``seconds``, in microseconds per call."""
    n = max(1, int(seconds / max(1e-7, timeit.timeit(fn, number=1))))
    return min(timeit.repeat(fn, number=n, repeat=3)) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="480x270")
    parser.add_argument("--frames", type=int, default=240)
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    cv2.setNumThreads(1)  # as during analysis
    with tempfile.TemporaryDirectory() as tmp:
        path = write_video(Path(tmp) / "clip.mp4", short_clip(args.frames, 3, width, height), 24)
        decode = float("inf")
        for _ in range(3):  # best of three, timed from the first packet (not the open)
            with av.open(str(path)) as container:
                stream = container.streams.video[0]
                stream.codec_context.thread_count = 1
                start = time.perf_counter()
                frames = list(container.decode(stream))
                decode = min(decode, (time.perf_counter() - start) / len(frames) * 1e6)
        limit = tuple(4 * v for v in S.work_size(width, height))
        planes = [S._planes_of(f, limit) for f in frames]  # type: ignore[arg-type]
    computer = S.SignalComputer(10**7, width, height, np.ones(10**7, np.float32))
    position = [0]

    def feed() -> None:
        computer.feed(*planes[position[0] % len(planes)], 0)
        position[0] += 1

    y, u, v = planes[len(planes) // 2]
    py = planes[len(planes) // 2 - 1][0]
    size, small_size = computer.size, computer.small
    luma, prev_luma = S._shrink(y, size), S._shrink(py, size)
    small = cv2.resize(luma, small_size, interpolation=cv2.INTER_AREA)
    prev_small = cv2.resize(prev_luma, small_size, interpolation=cv2.INTER_AREA)
    cu = S._shrink(u, small_size, sample=True)
    diff = cv2.absdiff(luma, prev_luma)
    dis = cv2.DISOpticalFlow.create(cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST)
    flow = dis.calc(small, prev_small, None)
    tiny = cv2.resize(small, computer.tiny, interpolation=cv2.INTER_AREA).astype(np.float32)

    def chroma() -> object:
        return S._shrink(u, small_size, True), S._shrink(v, small_size, True)

    def colour() -> object:
        bgr = cv2.cvtColor(cv2.merge((small, cu, cu)), cv2.COLOR_YUV2BGR)
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)

    def blocks() -> object:
        return cv2.resize(diff, (size[0] // 8, size[1] // 8), interpolation=cv2.INTER_AREA)

    def kept() -> object:
        yuv = cv2.merge((small, cu, cu))
        return S._kept_shares(cv2.merge((prev_small, cu, cu)), yuv)

    changed = blocks() > S.BLOCK_LO  # type: ignore[operator]
    prev_bgr = cv2.cvtColor(cv2.merge((prev_small, cu, cu)), cv2.COLOR_YUV2BGR)
    colours = cv2.absdiff(colour(), cv2.cvtColor(prev_bgr, cv2.COLOR_BGR2HSV))  # type: ignore[call-overload]

    def edges() -> object:
        return computer._edges(10**6 - 1, changed, colours)

    def residual() -> object:
        return cv2.remap(prev_small, computer._grid + flow, None, cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REPLICATE)  # fmt: skip

    steps: list[tuple[str, Callable[[], object]]] = [
        ("luma to the working size", lambda: S._shrink(y, size)),
        ("chroma (two planes)", chroma),
        ("colour to HSV", colour),
        ("perceptual hash", lambda: S._phash(small)),
        ("8x8 block differences", blocks),
        ("optical flow (DIS)", lambda: dis.calc(small, prev_small, None)),
        ("motion-compensated residual", residual),
        ("flow magnitude", lambda: cv2.mean(cv2.magnitude(flow[..., 0], flow[..., 1]))),
        ("lags and blends (tiny frames)", lambda: computer._tiny_signals(10**6, tiny)),
        ("still share (cut candidates only)", lambda: S._still_share(prev_luma, diff)),
        ("kept share (cut candidates only)", kept),
        ("wipe edges (frames changing <= half)", edges),
    ]
    whole = per_call_us(feed, 1.0)
    print(f"{len(frames)} frames {width}x{height}, working size {size[0]}x{size[1]}, one thread")
    print(f"{'decoding alone (reference)':<38} {decode:8.1f} us   1.00x")
    print(f"{'SignalComputer.feed, whole':<38} {whole:8.1f} us  {whole / decode:5.2f}x")
    for name, fn in steps:
        cost = per_call_us(fn)
        print(f"  {name:<36} {cost:8.1f} us  {cost / decode:5.2f}x")
    print(f"floor of decode-only / analysis throughput: {decode / (decode + whole):.2f}")


if __name__ == "__main__":
    main()

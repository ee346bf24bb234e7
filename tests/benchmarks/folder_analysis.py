"""Benchmark: analysing a project folder of short clips with N workers, against N processes that
only decode the same files (a script, not a test).

In one run, ``--repeat`` interleaved rounds of, each a whole process as a user runs it:
  * the reference: N Python processes started at once, each decoding its share of the files
    with PyAV (frame threads), timed until the last one ends;
  * ``anicurate analyze --project P --workers N --force`` (signals, detection, flags, database);
  * the same with ``--workers 1``, to show what the extra workers buy.
Printed: the times and the ratio reference/anicurate (1.0 = as fast as decoding alone).
Processes start from cached bytecode, as an installed copy does (see procs.py); an untimed
first round fills the cache.
Goal (issue 16): >= 0.6 with N workers on N cores (aim 0.8).

    python -m tests.benchmarks.folder_analysis [--clips 16] [--frames 180] [--workers 2]
        [--content pan|anime] [--format mp4|gif]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from anicurate.core.media import write_video
from anicurate.core.media.writer import write_animation
from anicurate.core.project import Project, import_paths
from tests.benchmarks.procs import CPU, DECODE_ONLY, child_env, timed
from tests.helpers.analysis_samples import Timeline, random_layout, random_palette


def short_clip(n: int, seed: int, width: int = 480, height: int = 270) -> Iterator[np.ndarray]:
    """A few seconds of a grainy painted background panning, with a cut half-way."""
    rng = np.random.default_rng(seed)
    for shot in range(2):
        wide = width + 3 * n
        paint = cv2.resize(rng.integers(40, 220, (9, wide // 30 + 1, 3), dtype=np.uint8),
                           (wide, height), interpolation=cv2.INTER_CUBIC)  # fmt: skip
        grain = rng.integers(0, 16, (height, wide, 3), dtype=np.uint8)
        background = cv2.add(paint, grain)
        for i in range(n // 2 if shot == 0 else n - n // 2):
            yield np.ascontiguousarray(background[:, 3 * i : 3 * i + width])


def anime_clip(n: int, seed: int, width: int = 480, height: int = 270) -> list[np.ndarray]:
    """A few seconds of flat-coloured drawings on twos (every other frame held, as anime
    mostly is), two shots with a cut half-way."""
    rng = np.random.default_rng(seed)
    tl = Timeline(w=width, h=height)
    for part in (n // 2, n - n // 2):
        tl.shot(part, random_palette(rng), random_layout(rng), hold=2)
    return tl.frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=16)
    parser.add_argument("--frames", type=int, default=180)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--content", choices=["pan", "anime"], default="pan",
                        help="pan: a grainy background panning every frame (the worst case); "
                        "anime: flat-coloured drawings on twos")  # fmt: skip
    parser.add_argument("--format", choices=["mp4", "gif"], default="mp4",
                        help="mp4 (H.264, GOP 48) or GIF (60 ms a frame; a held drawing is "
                        "stored once), as most of a user's folder is")  # fmt: skip
    args = parser.parse_args()
    n = args.workers
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        make = short_clip if args.content == "pan" else anime_clip

        def write(k: int) -> Path:
            frames = list(make(args.frames, k))
            if args.format == "gif":
                return write_animation(work / f"clip{k:02d}.gif", frames, [60] * len(frames))
            return write_video(work / f"clip{k:02d}.mp4", frames, 24, gop=48)

        files = [write(k) for k in range(args.clips)]
        project = work / "p.anicurate"
        Project.open(project, create=True).close()
        for _ in import_paths(project, files):
            pass
        shares = [[str(f) for f in files[k::n]] for k in range(n)]
        ref_cmds = [[sys.executable, "-c", DECODE_ONLY, *share] for share in shares]
        ours = [sys.executable, "-m", "anicurate", "analyze", "--project", str(project),
                "--force", "-q"]  # fmt: skip
        env = child_env(work / "pycache")
        timed(ref_cmds, env), timed([[*ours, "--workers", str(n)]], env)  # fills the cache
        ref, many, one, ref_cpu, one_cpu = [], [], [], [], []
        for _ in range(args.repeat):
            ref.append(timed(ref_cmds, env))
            ref_cpu.append(CPU[0])
            many.append(timed([[*ours, "--workers", str(n)]], env))
            one.append(timed([[*ours, "--workers", "1"]], env))
            one_cpu.append(CPU[0])
        ratios = [r / m for r, m in zip(ref, many, strict=True)]
        med = statistics.median
        print(f"{args.clips} {args.format} clips x {args.frames} frames 480x270 ({args.content}), "
              f"{n} workers, "
              f"{os.cpu_count()} cores, {args.repeat} rounds (median)")  # fmt: skip
        print(f"decode-only, {n} processes : {med(ref):6.2f} s")
        print(f"analyze --workers {n}       : {med(many):6.2f} s")
        print(f"analyze --workers 1       : {med(one):6.2f} s")
        print(f"ratio decode/analyze      : {med(ratios):.2f} "
              f"(range {min(ratios):.2f}-{max(ratios):.2f}; goal >= 0.6, aim 0.8)")  # fmt: skip
        cpu = [r / o for r, o in zip(ref_cpu, one_cpu, strict=True)]
        print(f"CPU s: decode-only {med(ref_cpu):.2f}, analyze --workers 1 {med(one_cpu):.2f}: "
              f"ratio {med(cpu):.2f} (the bound on a machine with every core free)")  # fmt: skip


if __name__ == "__main__":
    main()

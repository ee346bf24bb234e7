"""Benchmark: full analysis throughput on a long 1080p H.264 clip (a script, not a test).

In one run: PyAV decode-only with frame threads (the reference; also timed with its open, and
decoding as the analysis does, which skips deblocking frames nothing references), anicurate's
analysis (signals, detection, metrics), and PySceneDetect's AdaptiveDetector (default backend and
downscale), in ``--repeat`` interleaved rounds; then peak memory of the analysis at two clip
lengths, each in a fresh process. A shared machine's speed drifts by more than the margins here,
so each round's runs are paired: the ratios printed are the median and range over the rounds
(and the best of each run, as before).
Goal (issue 3): >= 0.85 of decode-only throughput, >= 1.5x PySceneDetect, memory flat in length.
Also timed as whole processes (issue 16, goal >= 0.9): ``anicurate analyze FILE`` against a
process that only decodes it, both from cached bytecode (see procs.py).

PySceneDetect is no anicurate dependency (its wheel pulls the non-headless opencv-python, which
breaks PySide6), so run this in a separate venv:

    python3 -m venv /work/bench-venv && /work/bench-venv/bin/pip install -e /work/main
    /work/bench-venv/bin/pip install --no-deps scenedetect && /work/bench-venv/bin/pip install click
    /work/bench-venv/bin/python -m tests.benchmarks.analysis_speed [--frames 1200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av
from av.codec.context import ThreadType

from anicurate.core.analysis import analyze_source
from anicurate.core.media import write_video
from tests.benchmarks.procs import DECODE_ONLY, child_env, timed
from tests.helpers.analysis_samples import anime_like_frames


def cpu_seconds() -> float:
    """CPU time of this process, all threads (steadier than wall time on a shared machine)."""
    t = os.times()
    return t.user + t.system


def decode_only(
    path: Path, *, with_open: bool = False, skip_nonref_deblock: bool = False
) -> tuple[float, float]:
    """Frames per second of a plain PyAV decode with frame threads, and CPU ms per frame.

    The goal's reference times the decoding alone; ``with_open`` also times opening the file
    (which probes it), as anicurate's time includes its own; ``skip_nonref_deblock`` decodes as
    the analysis does, so that line is anicurate's overhead like for like.
    """
    cpu, start = cpu_seconds(), time.perf_counter()
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.thread_type = ThreadType.AUTO
        if skip_nonref_deblock:
            stream.codec_context.options = {"skip_loop_filter": "noref"}
        if not with_open:
            cpu, start = cpu_seconds(), time.perf_counter()
        n = sum(1 for _ in container.decode(stream))
        return n / (time.perf_counter() - start), (cpu_seconds() - cpu) * 1e3 / n


def anicurate_fps(path: Path) -> tuple[float, float, int]:
    cpu, start = cpu_seconds(), time.perf_counter()
    result = analyze_source(path)
    n = result.info.frame_count
    return (
        n / (time.perf_counter() - start),
        (cpu_seconds() - cpu) * 1e3 / n,
        len(result.events.cuts),
    )


def scenedetect_fps(path: Path) -> tuple[float, int]:
    from scenedetect import AdaptiveDetector, SceneManager, open_video

    video = open_video(str(path))
    manager = SceneManager()
    manager.add_detector(AdaptiveDetector())
    start = time.perf_counter()
    n = manager.detect_scenes(video)
    return n / (time.perf_counter() - start), max(0, len(manager.get_scene_list()) - 1)


def peak_rss_mib(path: Path) -> float:
    """Peak resident memory of a fresh process that analyses ``path``."""
    code = (
        "import resource, sys; from anicurate.core.analysis import analyze_source; "
        "analyze_source(sys.argv[1]); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                         check=True)  # fmt: skip
    return int(out.stdout.split()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=1200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        long, short = Path(tmp) / "long.mp4", Path(tmp) / "short.mp4"
        start = time.perf_counter()
        write_video(long, anime_like_frames(args.frames), 24, gop=250, bframes=3)
        write_video(short, anime_like_frames(args.frames // 4), 24, gop=250, bframes=3)
        print(f"clip: {args.frames} frames 1920x1080 H.264 (GOP 250, B-frames 3), "
              f"{long.stat().st_size / 2**20:.1f} MiB, written in "
              f"{time.perf_counter() - start:.1f} s; {os.cpu_count()} CPUs; "
              f"PyAV {av.__version__}")  # fmt: skip
        ref = ours = psd = opened = same = 0.0
        ref_cpu = ours_cpu = float("inf")
        cuts_ours = cuts_psd = 0
        paired: dict[str, list[float]] = {"ref": [], "opened": [], "same": [], "psd": [],
                                          "process": []}  # fmt: skip
        env = child_env(Path(tmp) / "pycache")
        decode_cmd = [[sys.executable, "-c", DECODE_ONLY, str(long)]]
        analyze_cmd = [[sys.executable, "-m", "anicurate", "analyze", str(long), "-q"]]
        timed(decode_cmd, env), timed(analyze_cmd, env)  # fills the bytecode cache
        for _ in range(args.repeat):  # interleaved rounds: best of each, and per-round ratios
            ref_fps, cpu = decode_only(long)
            ref, ref_cpu = max(ref, ref_fps), min(ref_cpu, cpu)
            opened_fps = decode_only(long, with_open=True)[0]
            same_fps = decode_only(long, with_open=True, skip_nonref_deblock=True)[0]
            opened, same = max(opened, opened_fps), max(same, same_fps)
            fps, cpu, cuts_ours = anicurate_fps(long)
            ours, ours_cpu = max(ours, fps), min(ours_cpu, cpu)
            paired["ref"].append(fps / ref_fps)
            paired["opened"].append(fps / opened_fps)
            paired["same"].append(fps / same_fps)
            paired["process"].append(timed(decode_cmd, env) / timed(analyze_cmd, env))
            try:
                psd_fps, cuts_psd = scenedetect_fps(long)
                psd = max(psd, psd_fps)
                paired["psd"].append(fps / psd_fps)
            except ImportError:
                psd = float("nan")

        def spread(key: str) -> str:
            r = sorted(paired[key])
            if not r:
                return "n/a"
            return f"median {statistics.median(r):.3f}, {r[0]:.3f}-{r[-1]:.3f} over {len(r)} rounds"

        print(f"PyAV decode-only (frame threads): {ref:7.1f} fps  (CPU {ref_cpu:.2f} ms/frame)")
        print(f"anicurate analysis:               {ours:7.1f} fps  ({cuts_ours} cuts; "
              f"CPU {ours_cpu:.2f} ms/frame)")  # fmt: skip
        print(f"PySceneDetect AdaptiveDetector:   {psd:7.1f} fps  ({cuts_psd} cuts)")
        print("ratios of each round's runs (this machine's speed drifts; rounds pair them):")
        print(f"  anicurate / decode-only:        {spread('ref')}  (goal >= 0.85)")
        print(f"    decode-only timing its open:  {spread('opened')}")
        print(f"    decoding as the analysis does (like for like): {spread('same')}")
        print(f"  whole processes, `anicurate analyze FILE` / decode-only: {spread('process')}"
              "  (goal >= 0.9)")  # fmt: skip
        print(f"  anicurate / PySceneDetect:      {spread('psd')}  (goal >= 1.5x)")
        print(f"best of each: {ours / ref:.3f} of decode-only, {ours / psd:.2f}x PySceneDetect")
        small, big = peak_rss_mib(short), peak_rss_mib(long)
        print(f"peak RSS: {small:.0f} MiB at {args.frames // 4} frames, {big:.0f} MiB at "
              f"{args.frames} frames (ratio {big / small:.2f}; flat is ~1)")  # fmt: skip


if __name__ == "__main__":
    main()

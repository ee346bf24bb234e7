"""Benchmark: export render throughput against the plainest PyAV pipeline doing the same work.

In one run, ``--repeat`` interleaved rounds of: the reference (PyAV decode with frame threads,
``frame.reformat(W, H)`` to yuv420p in swscale, libx264 veryfast crf 17 at a constant rate) and
anicurate's render of the same clip to the same size (a t2v-folder export of one accepted clip,
the plan made beforehand, as the export dialog does). Printed: each side's frames per second and
their ratio (median and range over the rounds). Goal (issue 16): >= 0.9.

    python -m tests.benchmarks.export_speed [--frames 480] [--repeat 3] [--workers 1]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import av.video.stream
from av.codec.context import ThreadType

from anicurate.core.export import ExportOptions, Include, Target, plan_export
from anicurate.core.export.render import X264_OPTIONS
from anicurate.core.media import write_video
from anicurate.core.project import ClipStatus
from anicurate.core.project.edits import set_status
from tests.helpers.analysis_samples import anime_like_frames
from tests.helpers.export_samples import make_project, run

OUT_W, OUT_H = 682, 384


def reference(src: Path, out: Path) -> int:
    """The plain pipeline: decode (threads), reformat in swscale, encode libx264 veryfast CFR."""
    with av.open(str(src)) as inp, av.open(str(out), "w", format="mp4") as dst:
        vin = inp.streams.video[0]
        vin.codec_context.thread_type = ThreadType.AUTO
        rate = Fraction(vin.average_rate or 24)
        enc = dst.add_stream("libx264", rate=rate)
        assert isinstance(enc, av.video.stream.VideoStream)
        enc.width, enc.height, enc.pix_fmt = OUT_W, OUT_H, "yuv420p"
        enc.time_base = 1 / rate
        enc.codec_context.options = dict(X264_OPTIONS)
        n = 0
        for frame in inp.decode(vin):
            small = frame.reformat(OUT_W, OUT_H, format="yuv420p")
            small.pts, small.time_base = n, 1 / rate
            dst.mux(enc.encode(small))
            n += 1
        dst.mux(enc.encode(None))
        return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=480)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        src = write_video(work / "long.mp4", anime_like_frames(args.frames), 24,
                 gop=250, bframes=3)  # fmt: skip
        project = make_project(work / "p.anicurate", [src])
        for clip, _ in project.clips_with_sources():
            set_status(project, [clip.id], ClipStatus.ACCEPTED)
        options = ExportOptions(
            target=Target.T2V_FOLDER, out_dir=work / "out", include=Include.ACCEPTED,
            width=OUT_W, height=OUT_H, fps=24,
        )  # fmt: skip
        ref_fps: list[float] = []
        ours_fps: list[float] = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            n = reference(src, work / "ref.mp4")
            ref_fps.append(n / (time.perf_counter() - start))
            shutil.rmtree(work / "out", ignore_errors=True)
            plan = plan_export(project, options)
            frames = sum(len(i.frames) for i in plan.items)
            start = time.perf_counter()
            result = run(plan, workers=args.workers)
            ours_fps.append(frames / (time.perf_counter() - start))
            assert result.failed == [] and result.rendered == len(plan.items)
        item = plan.items[0]
        ratios = [o / r for o, r in zip(ours_fps, ref_fps, strict=True)]
        print(f"{args.frames} frames 1920x1080 -> {item.width}x{item.height}, {args.repeat} rounds")
        print(f"plain PyAV pipeline : {statistics.median(ref_fps):7.1f} fps")
        print(f"anicurate export    : {statistics.median(ours_fps):7.1f} fps")
        print(f"ratio export/plain  : {statistics.median(ratios):.2f} "
              f"(range {min(ratios):.2f}-{max(ratios):.2f}; goal >= 0.9)")  # fmt: skip
        project.close()


if __name__ == "__main__":
    main()

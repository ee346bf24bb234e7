"""Benchmark: the player on a 1080p H.264 clip (a script, not a test).

Prints p50/p95 of the time from a request to the frame delivered (as a QImage, in the GUI
thread) for a one-frame step forward, a one-frame step backward and a random seek, and the
share of frames dropped while playing in real time for a few seconds. Every time is also given
as a ratio to one sequential frame decode (PyAV decode-only, frame threads on) measured in the
same run. Runs offscreen.

    .venv/bin/python -m tests.benchmarks.player [--frames 480] [--gop 48] [--samples 40] [--play 5]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from anicurate.core.media import write_video
from anicurate.ui.player.player_widget import PlayerWidget
from tests.benchmarks.random_access import decode_only_per_frame
from tests.helpers.analysis_samples import anime_like_frames


def percentiles(values: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94]


def wait_frame(app: QApplication, player: PlayerWidget, index: int, action: object) -> float:
    """Seconds from ``action`` (a request) to frame ``index`` shown."""
    loop = QEventLoop()
    done: list[float] = []
    start = time.perf_counter()

    def shown(i: int) -> None:
        if i == index and not done:
            done.append(time.perf_counter() - start)
            loop.quit()

    player.frame_shown.connect(shown)
    try:
        action()  # type: ignore[operator]
        if not done:
            QTimer.singleShot(30_000, loop.quit)
            loop.exec()
    finally:
        player.frame_shown.disconnect(shown)
    if not done:
        raise TimeoutError(f"frame {index} never arrived")
    return done[0]


def run_for(app: QApplication, seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=480)
    parser.add_argument("--gop", type=int, default=48)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--play", type=float, default=5.0, help="seconds of playback")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_video(
            Path(tmp) / "bench.mp4", anime_like_frames(args.frames), fps=24, gop=args.gop
        )
        per_frame = decode_only_per_frame(path)
        print(f"clip: 1920x1080 H.264, {args.frames} frames, GOP {args.gop}; {os.cpu_count()} CPUs")
        print(f"reference: sequential decode {per_frame * 1000:.2f} ms/frame")

        player = PlayerWidget()
        player.resize(1280, 760)
        player.show()
        wait_frame(app, player, 0, lambda: player.load(path))
        n = player.frame_count

        def report(name: str, times: list[float]) -> None:
            p50, p95 = percentiles(times)
            print(f"{name:<22} p50 {p50 * 1000:7.2f} ms ({p50 / per_frame:5.2f}x)   "
                  f"p95 {p95 * 1000:7.2f} ms ({p95 / per_frame:5.2f}x)")  # fmt: skip

        forward: list[float] = []
        start = rng.randrange(0, n - args.samples - 1)
        wait_frame(app, player, start, lambda: player.seek(start))
        for k in range(1, args.samples + 1):
            forward.append(wait_frame(app, player, start + k, lambda: player.step(1)))
        backward: list[float] = []
        start = rng.randrange(args.samples + 1, n)
        wait_frame(app, player, start, lambda: player.seek(start))
        for k in range(1, args.samples + 1):
            backward.append(wait_frame(app, player, start - k, lambda: player.step(-1)))
        seeks: list[float] = []
        for _ in range(args.samples):
            target = rng.randrange(n)
            while target == player.position:
                target = rng.randrange(n)
            seeks.append(wait_frame(app, player, target, lambda t=target: player.seek(t)))
        report("step forward", forward)
        report("step backward", backward)
        report("random seek", seeks)

        wait_frame(app, player, 0, lambda: player.seek(0))
        player.set_in_out(0, n - 1)
        clock = QElapsedTimer()
        clock.start()
        player.play()
        run_for(app, args.play)
        player.pause()
        stats = player.stats
        elapsed = clock.elapsed() / 1000
        share = stats.dropped / stats.due if stats.due else 0.0
        print(f"playback {elapsed:.1f} s at 24 fps: {stats.due} frames due, {stats.shown} shown, "
              f"{stats.dropped} dropped ({share:.1%}); "
              f"frame budget 41.7 ms = {0.0417 / per_frame:.1f}x a decode")  # fmt: skip
        player.shutdown()


if __name__ == "__main__":
    main()

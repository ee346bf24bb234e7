"""How the timeline and the clip browser scale: a 20,000-frame timeline against a 1,000-frame
one, and a 5,000-clip project against a 100-clip one, measured in the same run.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.benchmarks.ui_scale
Prints, for each, the time of loading the data and of repainting while panning/scrolling, and
the ratio large/small. Peak downsampling and clip-to-view should keep the timeline's repaint
nearly flat in clip length; the browser's repaint should not grow with the project.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2
import numpy as np
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from anicurate.app import create_application
from anicurate.core.media.formats import MediaKind
from anicurate.core.project import Project
from anicurate.ui.common.settings import AppSettings
from anicurate.ui.main_window import MainWindow
from anicurate.ui.player.timeline import Timeline, TimelineData

REPEATS = 20


def timeline_data(frames: int, seed: int = 1) -> TimelineData:
    rng = np.random.default_rng(seed)
    diff = rng.gamma(2.0, 1.5, frames)
    cuts = sorted(rng.choice(np.arange(1, frames), size=max(1, frames // 200), replace=False))
    diff[cuts] += 40
    return TimelineData(
        frames=frames, difference=diff, motion=rng.gamma(2.0, 0.5, frames),
        cuts=[int(c) for c in cuts], held=rng.random(frames) < 0.4, threshold=6.0,
    )  # fmt: skip


def paint_times(app: QApplication, widget: object, step: callable) -> list[float]:  # type: ignore[valid-type]
    times = []
    for k in range(REPEATS):
        step(k)
        t = time.perf_counter()
        widget.repaint()  # type: ignore[attr-defined]
        app.processEvents()
        times.append(time.perf_counter() - t)
    return times


def bench_timeline(app: QApplication, frames: int) -> tuple[float, float]:
    timeline = Timeline()
    timeline.resize(1000, 200)
    timeline.show()
    data = timeline_data(frames)
    t = time.perf_counter()
    timeline.set_data(data)
    app.processEvents()
    load = time.perf_counter() - t

    def pan(k: int) -> None:  # the whole clip, then zoomed windows moving along it
        if k == 0:
            timeline.getPlotItem().setXRange(0, frames, padding=0)
        else:
            start = (k * frames // REPEATS) % max(1, frames - frames // 10)
            timeline.getPlotItem().setXRange(start, start + frames // 10, padding=0)
        timeline.set_playhead(min(frames - 1, k * frames // REPEATS))

    paint = statistics.median(paint_times(app, timeline, pan))
    timeline.close()
    return load, paint


def make_project(folder: Path, clips: int) -> Path:
    """A catalogue with ``clips`` sources and clips, written directly (no media decoding)."""
    path = folder / f"p{clips}.anicurate"
    thumb = cv2.imencode(".jpg", np.full((144, 256, 3), 120, np.uint8))[1].tobytes()
    with Project.open(path, create=True) as project, project.transaction() as conn:
        rnd = random.Random(clips)
        for i in range(1, clips + 1):
            frames = rnd.randint(24, 400)
            info = {
                "path": f"/clips/{i:05}.mp4", "kind": MediaKind.VIDEO.value, "container": "mp4",
                "codec": "h264", "width": 640, "height": 360, "rotation": 0,
                "sample_aspect": "1/1", "frame_count": frames, "fps": "24/1",
                "duration": frames / 24, "vfr": False, "has_audio": False,
            }  # fmt: skip
            conn.execute(
                "INSERT INTO sources (id, path, size, mtime, hash, kind, info, added_at)"
                " VALUES (?, ?, 1000, 0, ?, 'video', ?, 0)",
                (i, info["path"], f"h{i}", json.dumps(info)),
            )
            conn.execute(
                "INSERT INTO clips (source_id, first_frame, last_frame, created_at, updated_at)"
                " VALUES (?, 0, ?, 0, 0)",
                (i, frames - 1),
            )
            conn.execute(
                "INSERT INTO thumbnails (source_id, jpeg, width, height) VALUES (?, ?, 256, 144)",
                (i, thumb),
            )
    return path


def bench_browser(app: QApplication, project: Path, tmp: Path) -> tuple[float, float]:
    settings = AppSettings(QSettings(str(tmp / f"{project.stem}.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings, interactive=False)
    window.resize(1440, 900)
    window.show()
    app.processEvents()
    t = time.perf_counter()
    window.open_project(project)
    app.processEvents()
    load = time.perf_counter() - t
    grid = window.browser.grid
    bar = grid.verticalScrollBar()

    def scroll(k: int) -> None:
        bar.setValue(bar.maximum() * k // REPEATS)

    paint = statistics.median(paint_times(app, grid.viewport(), scroll))
    window.close()
    return load, paint


def main() -> int:
    app = create_application()
    print(f"{os.cpu_count()} CPUs, Qt platform {app.platformName()}")
    small, large = bench_timeline(app, 1_000), bench_timeline(app, 20_000)
    for label, (load, paint) in (("1,000 frames", small), ("20,000 frames", large)):
        print(f"timeline {label:>13}: load {load * 1e3:7.1f} ms, repaint p50 {paint * 1e3:6.2f} ms")
    load_ratio, paint_ratio = large[0] / small[0], large[1] / small[1]
    print(f"ratio 20,000/1,000: load {load_ratio:.2f}x, repaint {paint_ratio:.2f}x"
          " (20x would mean no downsampling)")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        few, many = make_project(folder, 100), make_project(folder, 5_000)
        b_small, b_large = bench_browser(app, few, folder), bench_browser(app, many, folder)
    for label, (load, paint) in (("100 clips", b_small), ("5,000 clips", b_large)):
        ms = f"open {load * 1e3:7.1f} ms, scroll repaint p50 {paint * 1e3:6.2f} ms"
        print(f"browser {label:>11}: {ms}")
    load_ratio, paint_ratio = b_large[0] / b_small[0], b_large[1] / b_small[1]
    print(f"ratio 5,000/100: open {load_ratio:.2f}x, repaint {paint_ratio:.2f}x"
          " (50x would mean work per clip on every paint)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

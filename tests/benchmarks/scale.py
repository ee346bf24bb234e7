"""Scale curves: the cost per clip of import, analysis, opening the clip browser and export, at
100 and 1,000 generated clips (and 10,000 with ``--large``), so growth is visible.

Each clip is a short distinct video of its own (48x32, 16 frames). For each size, in a fresh
project: import the folder, analyse the project (one worker, so the figure is per clip and not
per core), open the browser's model (``ClipListModel.set_project``: ``core.listing.list_clips``),
open it in the window's session (``ProjectSession.open``: the browser's rows and the Problems
list), refresh it after one clip is accepted (what every review action waits for), and export
every clip (t2v-folder, accepted clips). Printed: milliseconds per clip at each size
and, against the size before it, the ratio of per-clip costs (1.0 = flat; a cost that grows
with the project shows as > 1). Goal (issue 16): flat from 1,000 to 10,000.

    QT_QPA_PLATFORM=offscreen python -m tests.benchmarks.scale [--large] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6.QtCore import QCoreApplication, QSettings

from anicurate.app import collect_garbage_in_gui_thread
from anicurate.core.analysis import analyze_project
from anicurate.core.export import ExportOptions, Include, Target, plan_export, render
from anicurate.core.media.writer import write_video
from anicurate.core.project import ClipStatus, Project, import_paths
from anicurate.core.project.edits import set_status
from anicurate.ui.browse.clip_model import ClipListModel
from anicurate.ui.common.settings import AppSettings
from anicurate.ui.session import ProjectSession
from tests.helpers.jobs import finish as drive

FRAMES = 16
#: The stages that take well under a second are timed as the best of this many runs: one run
#: of them moves with the machine's load by more than the growth looked for.
QUICK_REPEAT = 3
STAGES = ("import", "analysis", "browser open", "session open", "edit refresh", "export")



def make_clips(folder: Path, count: int) -> list[Path]:
    """``count`` distinct short videos: a random picture per clip, drifting a pixel a frame."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(count)
    files = []
    for k in range(count):
        base = rng.integers(0, 255, (32, 64, 3), np.uint8)
        frames = [np.ascontiguousarray(base[:, i : i + 48]) for i in range(FRAMES)]
        files.append(write_video(folder / f"c{k:05d}.mp4", frames, 12, gop=FRAMES))
    return files


def timed(fn: Callable[[], Any], repeat: int = 1) -> float:
    """Seconds of ``fn``, the best of ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def measure(work: Path, count: int, workers: int) -> dict[str, float]:
    """Seconds of each stage for a project of ``count`` clips."""
    files = make_clips(work / f"media{count}", count)
    path = work / f"p{count}.anicurate"
    out: dict[str, float] = {}
    out["import"] = timed(lambda: drive(import_paths(path, files)))
    out["analysis"] = timed(lambda: drive(analyze_project(path, workers=workers)))
    with Project.open(path) as project:
        model = ClipListModel()
        out["browser open"] = timed(lambda: model.set_project(project), QUICK_REPEAT)
        assert model.rowCount() == count
        model.set_project(None)
        ids = [clip.id for clip, _ in project.clips_with_sources()]
    settings = AppSettings(QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat))
    session = ProjectSession(settings, interactive=False)
    out["session open"] = timed(lambda: session.open(path), QUICK_REPEAT)
    assert session.project is not None and session.clip_model.rowCount() == count
    set_status(session.project, ids[:1], ClipStatus.ACCEPTED)
    out["edit refresh"] = timed(session.refresh, QUICK_REPEAT)
    session.close()
    with Project.open(path) as project:
        set_status(project, ids, ClipStatus.ACCEPTED)
        options = ExportOptions(
            target=Target.T2V_FOLDER, out_dir=work / f"out{count}", include=Include.ACCEPTED,
            width=48, height=32, fps=12, n_sample_frames=8,
        )  # fmt: skip

        def export() -> None:
            plan = plan_export(project, options)
            result = drive(render(plan, workers=workers))
            assert result.failed == [] and result.rendered == count, result.summary_lines()

        out["export"] = timed(export)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also 10,000 clips (slow)")
    parser.add_argument("--workers", type=int, default=1, help="analysis/export workers (1)")
    args = parser.parse_args()
    QCoreApplication.instance() or QCoreApplication([])
    # As in the window's process: no automatic cycle collection, which would walk every live
    # object in the middle of a bulk read; cycles are collected on a GUI-thread timer instead.
    collect_garbage_in_gui_thread()
    sizes = [100, 1_000] + ([10_000] if args.large else [])
    rows: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            rows[n] = measure(Path(tmp), n, args.workers)
    print(f"ms per clip ({args.workers} worker(s), {os.cpu_count()} cores); in brackets the "
          "ratio to the size before (1.0 = flat)")  # fmt: skip
    print(f"{'clips':>8} " + " ".join(f"{s:>20}" for s in STAGES))
    for k, n in enumerate(sizes):
        cells = []
        for s in STAGES:
            per = rows[n][s] * 1e3 / n
            ratio = "" if k == 0 else f" ({per / (rows[sizes[k - 1]][s] * 1e3 / sizes[k - 1]):.2f})"
            cells.append(f"{per:9.2f}{ratio:>11}")
        print(f"{n:>8} " + " ".join(cells))


if __name__ == "__main__":
    main()

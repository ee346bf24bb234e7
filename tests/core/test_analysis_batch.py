"""A project's analysis stores its results in batches: one transaction for many files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from anicurate.core.analysis import load_signals
from anicurate.core.analysis import run as analysis_run
from anicurate.core.analysis.run import analyze_project
from anicurate.core.media.writer import write_video
from anicurate.core.project import Project, import_paths
from tests.helpers.analysis_samples import DAY, NIGHT, Layout, Timeline
from tests.helpers.jobs import finish as drive


@pytest.fixture
def project(tmp_path: Path) -> Path:
    rng = np.random.default_rng(3)
    files = [
        write_video(tmp_path / f"c{k}.mp4",
                    [rng.integers(0, 255, (32, 48, 3), np.uint8) for _ in range(6)], 12)
        for k in range(5)
    ]  # fmt: skip
    path = tmp_path / "p.anicurate"
    drive(import_paths(path, files))
    return path


def test_five_files_are_stored_in_one_transaction(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real, sizes = analysis_run.save_many, []

    def count(p: Project, rows: Any) -> None:
        sizes.append(len(rows))
        real(p, rows)

    monkeypatch.setattr(analysis_run, "save_many", count)
    monkeypatch.setattr(analysis_run, "SAVE_EVERY_S", 3600.0)
    result = drive(analyze_project(project))
    assert (result.analysed, sizes) == (5, [5])
    with Project.open(project) as p:
        assert all(load_signals(p, s.id) is not None for s in p.sources())


def test_files_are_reported_done_only_once_stored_and_a_cancel_keeps_them(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analysis_run, "SAVE_BATCH", 2)
    job = analyze_project(project)
    assert next(job).done == 0  # the start
    with Project.open(project) as p:
        for _ in range(3):
            progress = next(job)
            stored = [s.id for s in p.sources() if load_signals(p, s.id) is not None]
            assert len(stored) >= progress.done  # never reported before it is kept
        job.close()
        stored = [s.id for s in p.sources() if load_signals(p, s.id) is not None]
    assert len(stored) >= 3 and progress.done == 3


FORK_SCRIPT = """
import json, sys, threading
import anicurate.__main__
from anicurate.core.analysis import run
used = []
context = run._pool_context
run._pool_context = lambda: used.append(context().get_start_method()) or context()
if sys.argv[1] == "busy":  # a second thread, as the window's process has
    threading.Thread(target=threading.Event().wait, daemon=True).start()
from anicurate.core.analysis import analyze_files
job = analyze_files(sys.argv[2:], workers=2)
try:
    while True:
        next(job)
except StopIteration as stop:
    print(json.dumps([used, [r.analysis.events.cuts for r in stop.value]]))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is used on Linux only")
@pytest.mark.parametrize(("state", "method"), [("alone", "fork"), ("busy", "spawn")])
def test_workers_are_forked_only_from_a_process_without_other_threads(
    tmp_path: Path, state: str, method: str
) -> None:
    files = []
    for k in range(3):
        tl = Timeline(w=96, h=64).shot(10 + k, DAY, Layout(pan=2)).shot(12, NIGHT, Layout())
        files.append(str(tl.write(tmp_path / f"clip{k}.mp4")))
    out = subprocess.run(
        [sys.executable, "-c", FORK_SCRIPT, state, *files],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    used, cuts = json.loads(out.stdout.splitlines()[-1])
    assert used == [method]
    assert cuts == [[10], [11], [12]]  # each file's own result, in order

"""Batch edits on a multi-selection (Split at Cuts, Centre Crop): inline for a few clips, as a job
in the job area for many; one undo restores all. After the split, each shot gets a thumbnail of
its own frames. Media: the demo's hard cut (twice, under two names) and its pan, analysed."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from anicurate.core.analysis import analyze_project
from anicurate.core.demo import DEMO_CLIPS
from anicurate.core.project import Project
from anicurate.ui.main_window import MainWindow
from tests.helpers.jobs import finish as run
from tests.helpers.ui_media import run_import

NAMES = ["cut_a.mp4", "cut_b.mp4", "pan.mp4"]  # catalogue order



@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("batch")
    media = root / "media"
    media.mkdir()
    demo = {clip.name: clip for clip in DEMO_CLIPS}
    demo["hard_cut.mp4"].make(media / "cut_a.mp4")
    shutil.copyfile(media / "cut_a.mp4", media / "cut_b.mp4")
    demo["pan.mp4"].make(media / "pan.mp4")
    path = root / "template.anicurate"
    run_import(path, [media])
    run(analyze_project(path))
    return path


@pytest.fixture
def batch(qtbot: QtBot, window: MainWindow, tmp_path: Path, template: Path) -> Iterator[Path]:
    path = tmp_path / "batch.anicurate"
    shutil.copyfile(template, path)
    assert window.open_project(path)
    window.show()
    yield path


def ranges(path: Path) -> dict[str, list[tuple[int, int]]]:
    with Project.open(path) as project:
        out: dict[str, list[tuple[int, int]]] = {}
        for clip, source in project.clips_with_sources():
            out.setdefault(Path(source.path).name, []).append((clip.first_frame, clip.last_frame))
        return {name: sorted(r) for name, r in out.items()}


def crops(path: Path) -> dict[str, list[Any]]:
    with Project.open(path) as project:
        return {Path(s.path).name: [c.crop] for c, s in project.clips_with_sources()}


def select_all(qtbot: QtBot, window: MainWindow) -> None:
    """Click the first thumbnail and Shift+click the last, as a person selects a range."""
    grid, proxy = window.browser.grid, window.browser.proxy
    first, last = proxy.index(0, 0), proxy.index(proxy.rowCount() - 1, 0)
    left = Qt.MouseButton.LeftButton
    qtbot.mouseClick(grid.viewport(), left, pos=grid.visualRect(first).center())
    qtbot.mouseClick(grid.viewport(), left, Qt.KeyboardModifier.ShiftModifier,
                     grid.visualRect(last).center())  # fmt: skip
    assert len(window.browser.selected_clip_ids()) == proxy.rowCount()


WHOLE = {"cut_a.mp4": [(0, 59)], "cut_b.mp4": [(0, 59)], "pan.mp4": [(0, 59)]}
SPLIT = {"cut_a.mp4": [(0, 29), (30, 59)], "cut_b.mp4": [(0, 29), (30, 59)], "pan.mp4": [(0, 59)]}


@pytest.mark.parametrize("as_job", [False, True], ids=["inline", "job"])
def test_split_a_selection_at_cuts_and_undo_it_in_one_step(
    qtbot: QtBot, window: MainWindow, batch: Path, as_job: bool
) -> None:
    review = window.review
    assert ranges(batch) == WHOLE
    select_all(qtbot, window)
    if as_job:
        review.batch.job_min_clips = 2
        with qtbot.waitSignal(window.jobs.ended, timeout=20_000) as ended:
            review.act_split_cuts.trigger()
            assert window.jobs.is_busy("batch edit")
            assert window.jobs.status.isVisible()  # progress in the one job area
        assert ended.args[1] == "finished"
    else:
        with qtbot.waitSignal(window.session.edited):
            review.act_split_cuts.trigger()
    assert ranges(batch) == SPLIT
    assert review.batch.last is not None and len(review.batch.last.created) == 2
    assert window.statusBar().currentMessage() == "Split 2 clips at cuts into 4 clips"
    pieces = [r for r in window.session.clip_model.rows() if r.source.path.endswith("cut_a.mp4")]
    assert all("cut" not in {f.kind for f in r.flags} for r in pieces)  # re-flagged
    assert review.act_undo.text() == "&Undo Split 2 clips at cuts"
    with qtbot.waitSignal(window.session.edited):
        review.act_undo.trigger()
    assert ranges(batch) == WHOLE


def test_split_shots_show_their_own_thumbnails(
    qtbot: QtBot, window: MainWindow, batch: Path
) -> None:
    model = window.session.clip_model
    select_all(qtbot, window)
    with qtbot.waitSignal(window.session.edited):
        window.review.act_split_cuts.trigger()
    with qtbot.waitSignal(window.jobs.ended, timeout=20_000) as ended:
        pass  # the thumbnail job started after the split
    assert ended.args[0].name == "thumbnails" and ended.args[1] == "finished"
    rows = [r for r in model.rows() if r.source.path.endswith("cut_a.mp4")]
    day, night = (model.thumbnail(r) for r in rows)
    assert day is not None and night is not None
    a, b = day.toImage(), night.toImage()
    # The demo's cut goes from day to night: the second shot's picture is much darker.
    centre_a, centre_b = a.pixelColor(a.width() // 2, 4), b.pixelColor(b.width() // 2, 4)
    assert centre_a.lightness() - centre_b.lightness() > 60
    whole = [r for r in model.rows() if r.source.path.endswith("pan.mp4")]
    assert model.thumbnail(whole[0]) is not None  # a whole clip keeps the import's picture


def test_centre_crop_a_selection_and_undo_it_in_one_step(
    qtbot: QtBot, window: MainWindow, batch: Path
) -> None:
    review = window.review
    assert crops(batch) == {name: [None] for name in NAMES}
    select_all(qtbot, window)
    with qtbot.waitSignal(window.session.edited):
        review.act_centre_crop.trigger()
    # 640x360 frames, 384x384 training size: the largest centred square.
    assert crops(batch) == {name: [(140, 0, 360, 360)] for name in NAMES}
    assert window.statusBar().currentMessage() == "Centre-cropped 3 clips"
    with qtbot.waitSignal(window.session.edited):
        qtbot.keyClick(window.browser.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert crops(batch) == {name: [None] for name in NAMES}

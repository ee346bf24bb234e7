"""Review with analysis: filters and sorting on stored metrics, split at cuts, trim and crop from
the player, live re-flagging from the timeline's threshold line, auto-analysis after an import,
the inspector's flags and the settings dialog. Media: demo clips with known content."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from anicurate.core.analysis import (
    analyze_project,
    flags_outdated,
    load_results,
    thresholds_of,
)
from anicurate.core.analysis import signals as signals_module
from anicurate.core.demo import DEMO_CLIPS
from anicurate.core.project import Project
from anicurate.ui.common.settings import AppSettings
from anicurate.ui.main_window import MainWindow
from tests.helpers.jobs import finish as run
from tests.helpers.ui_media import run_import

NAMES = ["hard_cut.mp4", "pan.mp4", "small_clip.mp4", "walk_on_twos.mp4"]  # catalogue order
LOW_RES = "below training resolution: 256x144 below training size 384x384"


def make_demo_media(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for clip in DEMO_CLIPS:
        if clip.name in NAMES:
            clip.make(folder / clip.name)
    return folder



@pytest.fixture(scope="module")
def analysed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The four demo clips imported and analysed once; tests work on copies."""
    root = tmp_path_factory.mktemp("review")
    media = make_demo_media(root / "media")
    path = root / "template.anicurate"
    run_import(path, [media])
    run(analyze_project(path))
    return path


@pytest.fixture
def analysed(tmp_path: Path, analysed_template: Path) -> Path:
    path = tmp_path / "review.anicurate"
    shutil.copyfile(analysed_template, path)
    return path


@pytest.fixture
def review(qtbot: QtBot, window: MainWindow, analysed: Path) -> Iterator[MainWindow]:
    assert window.open_project(analysed)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    yield window


def visible_names(window: MainWindow) -> list[str]:
    proxy = window.browser.proxy
    return [proxy.index(r, 0).data() for r in range(proxy.rowCount())]


def clip_ranges(path: Path, name: str) -> list[tuple[int, int]]:
    with Project.open(path) as project:
        return sorted(
            (c.first_frame, c.last_frame)
            for c, s in project.clips_with_sources()
            if Path(s.path).name == name
        )


def select(qtbot: QtBot, window: MainWindow, name: str, *, wait_player: bool = True) -> None:
    """Make the clip ``name`` current; with ``wait_player``, until its timeline is drawn."""
    row = [r.name for r in window.session.clip_model.rows()].index(name)
    window.browser.select_model_row(row)
    if not wait_player:
        return
    path = window.session.clip_model.row_at(row).source.path
    player = window.player

    def ready() -> bool:
        source = player.source
        return (
            source is not None
            and str(source.path) == path
            and player.shown_index is not None
            and window.timeline.frames == len(source.index)
        )

    qtbot.waitUntil(ready, timeout=20_000)  # it may already be on screen


def test_filters_by_status_flag_and_text(qtbot: QtBot, review: MainWindow) -> None:
    window = review
    assert visible_names(window) == NAMES
    select(qtbot, window, "pan.mp4", wait_player=False)
    window.review.act_accept.trigger()

    window.status_combo.setCurrentIndex(window.status_combo.findData("accepted"))
    assert visible_names(window) == ["pan.mp4"]
    window.status_combo.setCurrentIndex(window.status_combo.findData("unreviewed"))
    assert visible_names(window) == ["hard_cut.mp4", "small_clip.mp4", "walk_on_twos.mp4"]
    window.status_combo.setCurrentIndex(0)

    flags = window.flag_combo
    flags.setCurrentIndex(flags.findData("cut"))
    assert visible_names(window) == ["hard_cut.mp4"]
    flags.setCurrentIndex(flags.findData("low_resolution"))
    assert visible_names(window) == ["small_clip.mp4"]
    flags.setCurrentIndex(flags.findData("any"))
    assert visible_names(window) == ["hard_cut.mp4", "small_clip.mp4"]
    flags.setCurrentIndex(flags.findData("none"))
    assert visible_names(window) == ["pan.mp4", "walk_on_twos.mp4"]
    flags.setCurrentIndex(0)

    # Tag text comes from the tags table.
    assert window.project is not None
    hard_cut = window.session.clip_model.row_at(0).clip
    assert hard_cut is not None
    with window.project.transaction() as conn:
        conn.execute(
            "INSERT INTO tags (clip_id, tag, score, origin) VALUES (?, 'night sky', 0.9, 'auto')",
            (hard_cut.id,),
        )
    window.session.refresh()
    window.filter_edit.setText("NIGHT")
    assert visible_names(window) == ["hard_cut.mp4"]
    window.filter_edit.setText("_on_")
    assert visible_names(window) == ["walk_on_twos.mp4"]
    window.filter_edit.clear()
    assert visible_names(window) == NAMES


def test_sort_by_motion_follows_the_stored_metric(review: MainWindow, analysed: Path) -> None:
    window = review
    window.sort_combo.setCurrentText("Motion (most)")
    with Project.open(analysed) as project:
        results = load_results(project)
        motion = {Path(s.path).name: results[c.id].metrics.motion_p95
                  for c, s in project.clips_with_sources()}  # fmt: skip
    expected = sorted(NAMES, key=lambda n: -motion[n])
    assert visible_names(window) == expected
    assert expected[0] == "pan.mp4"  # the camera pan moves the most
    # The grid and the table show the same order (one proxy).
    table = window.browser.table
    assert [table.model().index(r, 0).data() for r in range(4)] == expected
    window.sort_combo.setCurrentText("Flags (most)")
    assert visible_names(window)[0] == "small_clip.mp4"  # low resolution and blurry
    window.sort_combo.setCurrentText("Catalogue order")
    assert visible_names(window) == NAMES


def test_split_at_cuts_makes_one_clip_per_shot(
    qtbot: QtBot, review: MainWindow, analysed: Path
) -> None:
    window = review
    select(qtbot, window, "hard_cut.mp4", wait_player=False)
    with qtbot.waitSignal(window.session.edited):
        window.review.act_split_cuts.trigger()
    assert clip_ranges(analysed, "hard_cut.mp4") == [(0, 29), (30, 59)]
    assert window.browser.current_row() is not None
    # Each piece is re-flagged: no piece contains the cut any more.
    pieces = [r for r in window.session.clip_model.rows() if r.source.path.endswith("hard_cut.mp4")]
    assert [r.name for r in pieces] == ["hard_cut.mp4 [0\u201329]", "hard_cut.mp4 [30\u201359]"]
    assert all("cut" not in {f.kind for f in r.flags} for r in pieces)

    with qtbot.waitSignal(window.session.edited):
        qtbot.keyClick(window.browser.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert clip_ranges(analysed, "hard_cut.mp4") == [(0, 59)]
    window.review.set_cut_drop(2)
    select(qtbot, window, "hard_cut.mp4", wait_player=False)
    with qtbot.waitSignal(window.session.edited):
        window.review.act_split_cuts.trigger()
    assert clip_ranges(analysed, "hard_cut.mp4") == [(0, 27), (32, 59)]

    # Merge with next joins them again (frames between included).
    select(qtbot, window, "hard_cut.mp4 [0\u201327]", wait_player=False)
    with qtbot.waitSignal(window.session.edited):
        window.review.act_merge.trigger()
    assert clip_ranges(analysed, "hard_cut.mp4") == [(0, 59)]


def test_split_at_the_playhead(qtbot: QtBot, review: MainWindow, analysed: Path) -> None:
    window = review
    select(qtbot, window, "walk_on_twos.mp4")
    with qtbot.waitSignal(window.player.frame_shown):
        window.player.seek(20)
    window.player.setFocus()
    with qtbot.waitSignal(window.session.edited):
        qtbot.keyClick(window.player, "s")
    assert clip_ranges(analysed, "walk_on_twos.mp4") == [(0, 19), (20, 47)]
    assert (window.player.in_frame, window.player.out_frame) == (0, 19)


def test_trim_with_i_and_o_is_saved_as_one_edit(
    qtbot: QtBot, review: MainWindow, analysed: Path
) -> None:
    window = review
    select(qtbot, window, "hard_cut.mp4")
    player = window.player
    player.setFocus()
    with qtbot.waitSignal(player.frame_shown):
        player.seek(10)
    qtbot.keyClick(player, "i")
    with qtbot.waitSignal(player.frame_shown):
        player.seek(40)
    with qtbot.waitSignal(window.session.edited) as saved:
        qtbot.keyClick(player, "o")
    assert saved.args == ["Trim"]
    assert clip_ranges(analysed, "hard_cut.mp4") == [(10, 40)]
    assert player.position == 40  # the player was not reloaded
    assert window.review.act_undo.text() == "&Undo Trim"
    with qtbot.waitSignal(window.session.edited):
        window.review.act_undo.trigger()
    assert clip_ranges(analysed, "hard_cut.mp4") == [(0, 59)]  # I and O were one edit
    assert (player.in_frame, player.out_frame) == (0, 59)


def test_a_crop_drag_is_saved_with_the_training_ratio(
    qtbot: QtBot, review: MainWindow, analysed: Path
) -> None:
    window = review
    select(qtbot, window, "hard_cut.mp4")
    player = window.player
    player.set_crop_mode(True)
    overlay = player.overlay
    with qtbot.waitSignal(window.session.edited) as saved:
        for _ in range(5):  # one drag: five mouse moves of 10 px left
            overlay.drag(None, -10, 0)
    assert saved.args == ["Crop"]
    with Project.open(analysed) as project:
        (clip,) = [c for c, s in project.clips_with_sources() if s.path.endswith("hard_cut.mp4")]
        history = project.connection.execute("SELECT label FROM edits").fetchall()
    assert clip.crop is not None
    x, y, w, h = clip.crop
    assert w == h == 360  # the training size is square; the crop is as tall as the frame
    assert (x, y) == (140 - 50, 0)  # centred (fit) at x 140, then moved 50 px left
    r = overlay.rect_px
    assert r is not None and (r.x, r.y, r.w, r.h) == (x, y, w, h)
    assert history == [("Crop",)]


def test_the_threshold_line_reflags_without_decoding(
    qtbot: QtBot, review: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_decoding(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("re-flagging must not decode")

    for target in (
        "anicurate.core.analysis.signals.compute_signals",
        "anicurate.core.analysis.signals.open_media",
        "anicurate.core.analysis.run.compute_signals",
        "anicurate.ui.player.analysis_data.compute_signals",
    ):
        monkeypatch.setattr(target, no_decoding, raising=False)
    window = review
    select(qtbot, window, "hard_cut.mp4")
    timeline = window.timeline
    assert timeline.data is not None and not timeline.data.threshold_on_motion
    assert timeline.threshold_value == pytest.approx(6.0)
    assert timeline.data.cuts == [30]
    cut_row = window.session.clip_model.row_at(0)
    assert cut_row.name == "hard_cut.mp4" and "cut" in {f.kind for f in cut_row.flags}
    change = float(timeline.data.difference[30])

    def drag_line_to(value: float) -> None:
        timeline.threshold.setValue(value)
        timeline.threshold.sigDragged.emit(timeline.threshold)

    with qtbot.waitSignal(window.session.reflagged):
        drag_line_to(3.0)
        drag_line_to(change + 1)  # the last position of a drag counts
    assert window.project is not None
    assert thresholds_of(window.project).cut_min_content == pytest.approx(round(change + 1, 2))
    flagged = [
        r.name for r in window.session.clip_model.rows() if "cut" in {f.kind for f in r.flags}
    ]
    assert flagged == []
    assert window.timeline.data is not None and window.timeline.data.cuts == []

    with qtbot.waitSignal(window.session.reflagged):
        drag_line_to(6.0)
    flagged = [
        r.name for r in window.session.clip_model.rows() if "cut" in {f.kind for f in r.flags}
    ]
    assert flagged == ["hard_cut.mp4"]
    assert "contains a cut: cut at frame 30" in window.inspector.flag_texts()

    with qtbot.waitSignal(window.session.reflagged):
        drag_line_to(5.0)
    assert all(
        "large_motion" not in {f.kind for f in r.flags} for r in window.session.clip_model.rows()
    )


def test_analysis_starts_after_an_import_and_the_inspector_shows_flags(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    media = make_demo_media(tmp_path / "media")
    assert window.open_project(tmp_path / "fresh", create=True)
    started: list[Any] = []
    window.imports.analysis_started.connect(started.append)
    with qtbot.waitSignal(window.imports.import_ended, timeout=30_000):
        window.imports.import_paths([media])
    assert len(started) == 1
    worker = started[0]
    with qtbot.waitSignal(window.imports.analysis_ended, timeout=60_000) as ended:
        if worker.is_done and window.jobs.current() is None:
            window.imports.analysis_ended.emit("finished")  # it already reported
    assert ended.args == ["finished"]
    select(qtbot, window, "small_clip.mp4", wait_player=False)
    texts = window.inspector.flag_texts()
    assert LOW_RES in texts
    assert "256x144 below training size 384x384" in window.inspector.flags_label.text()
    assert window.inspector.metric_text("Effective fps") == "12.0 (18 drawings in 36 frames)"
    assert window.inspector.metric_text("Hold pattern") == "on twos"
    select(qtbot, window, "hard_cut.mp4")
    assert window.inspector.flag_texts() == ["contains a cut: cut at frame 30"]
    assert window.timeline.data is not None and list(window.timeline.data.cuts) == [30]


def test_the_settings_dialog_saves_and_reflags(
    qtbot: QtBot, review: MainWindow, analysed: Path
) -> None:
    window = review
    dialog = window.project_settings.settings_dialog()
    assert dialog is not None
    dialog.preset.setCurrentIndex(dialog.preset.findData("animov-512x"))
    assert (dialog.width_spin.value(), dialog.frames.value(), dialog.step.value()) == (512, 45, 5)
    assert dialog.trigger.text() == "anime"
    dialog.width_spin.setValue(640)
    dialog.height_spin.setValue(360)
    assert dialog.ratio.text() == "16:9 (1.78)"
    assert dialog.preset.currentData() == "custom"
    dialog.frames.setValue(16)
    dialog.step.setValue(1)
    dialog.bucketing.setChecked(False)
    dialog.threshold_spins["motion_p95_max"].setValue(1.0)
    with qtbot.waitSignal(window.session.reflagged):
        dialog.accept()
    with Project.open(analysed) as project:
        settings = project.settings()
        thresholds = thresholds_of(project)
    assert (settings.train_width, settings.train_height) == (640, 360)
    assert (settings.n_sample_frames, settings.frame_step, settings.fps) == (16, 1, 24)
    assert (settings.trigger_tag, settings.use_bucketing, settings.preset) == (
        "anime", False, "custom",
    )  # fmt: skip
    assert thresholds.motion_p95_max == pytest.approx(1.0)
    kinds = {r.name: {f.kind for f in r.flags} for r in window.session.clip_model.rows()}
    assert "large_motion" in kinds["pan.mp4"]
    assert "low_resolution" in kinds["small_clip.mp4"]
    assert "low_resolution" not in kinds["walk_on_twos.mp4"]  # 640x360 is the training size
    assert window.player.training_size == (640, 360)


def test_the_theme_is_remembered(qtbot: QtBot, window: MainWindow, settings: AppSettings) -> None:
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    window.theme_actions["light"].trigger()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert app.palette().color(QPalette.ColorRole.Window).lightness() > 200
    assert settings.store.value("view/theme") == "light"
    window.theme_actions["dark"].trigger()
    assert app.palette().color(QPalette.ColorRole.Window).lightness() < 60


def test_opening_a_project_flagged_by_an_older_detector_reflags_it_without_decoding(
    qtbot: QtBot, window: MainWindow, analysed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Project.open(analysed) as p, p.transaction() as conn:
        conn.execute("UPDATE analysis SET version = 1 WHERE analyser = 'flags'")

    def no_decoding(*args: object, **kw: object) -> None:
        raise AssertionError("a detector update must not decode")

    monkeypatch.setattr(signals_module, "inspect_source", no_decoding)
    with qtbot.waitSignal(window.imports.analysis_ended, timeout=30_000) as ended:
        assert window.open_project(analysed)
    assert ended.args == ["finished"]
    with Project.open(analysed) as p:
        assert not flags_outdated(p) and len(load_results(p)) == len(NAMES)
    select(qtbot, window, "hard_cut.mp4", wait_player=False)
    assert window.inspector.flag_texts() == ["contains a cut: cut at frame 30"]
    window.close_project()
    assert window.open_project(analysed)  # current flags: nothing to do
    assert window.jobs.current() is None

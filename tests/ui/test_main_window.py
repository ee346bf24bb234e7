"""The main window: open, browse, inspect, and import by drop with progress, cancel and problems."""

from __future__ import annotations

import threading
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from anicurate.core.jobs import Progress
from anicurate.core.project import Project, import_paths
from anicurate.ui.browse.clip_browser import BrowserMode
from anicurate.ui.common.messages import explain_source_error
from anicurate.ui.common.settings import AppSettings
from anicurate.ui.main_window import MainWindow
from tests.helpers.ui_media import MediaSet

CLIP_NAMES = ["clip_00.mp4", "clip_01.mp4", "clip_02.mp4", "still.png", "wave.gif"]
FAILED_NAMES = ["empty.webm", "not_media.mp4", "truncated.mp4"]


def names(window: MainWindow) -> list[str]:
    return [row.name for row in window.session.clip_model.rows()]


def drop(window: MainWindow, *paths: Path) -> bool:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return window.handle_drop(mime)


def test_opening_a_project_lists_its_clips_and_problems(
    window: MainWindow, project_path: Path, media: MediaSet
) -> None:
    assert window.open_project(project_path)
    assert names(window) == CLIP_NAMES + FAILED_NAMES
    assert window.windowTitle() == "dataset \u2014 anicurate"
    assert window.browser.currentWidget() is window.browser.grid
    assert window.browser.grid.model().rowCount() == 8
    assert window.counts_label.text() == (
        "5 clips   0 accepted   0 rejected   5 to review   3 problems"
    )
    problem_paths = [p.path for p in window.session.problem_model.problems()]
    assert problem_paths == [str(media.root.resolve() / n) for n in FAILED_NAMES]


def test_inspector_shows_the_selected_clip_and_explains_errors(
    window: MainWindow, project_path: Path
) -> None:
    window.open_project(project_path)
    inspector = window.inspector
    assert inspector.row is not None and inspector.row.name == names(window)[0]
    assert not inspector.hint.isVisibleTo(window)

    window.browser.select_model_row(1)
    assert inspector.row is not None and inspector.row.name == "clip_01.mp4"
    assert inspector.field_text("Size") == "64\u00d748"
    assert inspector.field_text("Frames") == "12"
    assert inspector.field_text("Frame rate") == "24 fps (constant)"
    assert inspector.field_text("Clip range") == "0\u201311 (12 frames)"
    assert inspector.field_text("Codec") == "h264"
    assert inspector.field_text("Audio") == "no"
    assert not inspector.error_box.isVisibleTo(window)

    window.browser.select_model_row(names(window).index("not_media.mp4"))
    source = inspector.row.source if inspector.row else None
    assert source is not None and source.error_kind == "not media"
    assert inspector.error_box.isVisibleTo(window)
    assert inspector.error_box.text() == explain_source_error(source.error_kind, source.error)
    assert inspector.field_text("Size") is None  # no probe facts for a file that failed
    assert inspector.field_text("Path") == source.path


def test_drop_imports_into_the_open_project(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, media: MediaSet
) -> None:
    assert window.open_project(tmp_path / "new", create=True)
    assert window.project is not None and window.project.path == tmp_path / "new.anicurate"
    assert names(window) == []
    assert window.browser.currentWidget() is window.browser.empty

    summaries: list[Any] = []
    window.imports.import_started.connect(lambda w: w.signals.finished.connect(summaries.append))
    with qtbot.waitSignal(window.imports.import_ended, timeout=60_000) as ended:
        assert drop(window, media.root)
        assert window.jobs.status.isVisibleTo(window)
    assert ended.args == ["finished"]
    assert names(window) == CLIP_NAMES + FAILED_NAMES
    assert window.browser.currentWidget() is window.browser.grid
    assert window.browser.grid.model().index(0, 0).data() == "clip_00.mp4"
    # The analysis starts by itself once the import is done; the job area shows it until it ends.
    assert window.jobs.current() is not None and window.jobs.current().name == "analysis"
    assert window.jobs.status.isVisibleTo(window)
    assert window.statusBar().currentMessage() == (
        "Import finished, 8 files: 5 added, 0 unchanged, 0 relinked, 3 failed (see Problems)"
    )
    with qtbot.waitSignal(window.imports.analysis_ended, timeout=60_000) as analysed:
        pass
    assert analysed.args == ["finished"]
    assert not window.jobs.status.isVisibleTo(window)
    # Every failure the import reported is in the Problems list with the same message.
    qtbot.waitUntil(lambda: len(summaries) == 1)  # queued behind the window's own slot
    (summary,) = summaries
    shown = {(p.path, p.message) for p in window.session.problem_model.problems()}
    assert shown == set(summary.failed)
    assert len(shown) == 3


def test_failed_files_named_explicitly_appear_in_problems(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, media: MediaSet
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not media")
    window.open_project(tmp_path / "p.anicurate", create=True)
    with qtbot.waitSignal(window.imports.import_ended, timeout=60_000):
        window.imports.import_paths([media.good[0], notes, media.bad[0]])
    problems = {Path(p.path).name: p.message for p in window.session.problem_model.problems()}
    assert set(problems) == {"notes.txt", media.bad[0].name}
    assert problems["notes.txt"] == "not media: '.txt' files are not a media type anicurate imports"
    assert names(window) == [media.good[0].name, media.bad[0].name]


def test_a_real_drop_event_on_the_window_starts_an_import(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, media: MediaSet
) -> None:
    window.open_project(tmp_path / "d.anicurate", create=True)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(media.good[0]))])
    enter = QDragEnterEvent(  # C++ takes a QPoint here (PySide6 6.12 also converted a QPointF)
        QPoint(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    event = QDropEvent(
        QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    with qtbot.waitSignal(window.imports.import_ended, timeout=60_000):
        QApplication.sendEvent(window, event)
    assert names(window) == [media.good[0].name]


def test_drop_without_a_project_creates_one_where_asked(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, media: MediaSet
) -> None:
    asked: list[Sequence[Path]] = []

    def ask(paths: Sequence[Path]) -> Path:
        asked.append(paths)
        return tmp_path / "made"

    window.imports.ask_new_project_path = ask
    with qtbot.waitSignal(window.imports.import_ended, timeout=60_000):
        drop(window, *media.good)
    assert asked == [media.good]
    assert window.project is not None and window.project.path == tmp_path / "made.anicurate"
    assert names(window) == CLIP_NAMES


def test_drop_without_a_project_and_no_answer_does_nothing(
    window: MainWindow, media: MediaSet
) -> None:
    window.imports.ask_new_project_path = lambda paths: None
    assert drop(window, media.root)
    assert window.project is None and window.jobs.current() is None


def test_dropping_a_project_file_opens_it(window: MainWindow, project_path: Path) -> None:
    assert drop(window, project_path)
    assert window.project is not None and names(window) == CLIP_NAMES + FAILED_NAMES


def test_cancel_stops_the_import_and_keeps_what_landed(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, media: MediaSet
) -> None:
    in_second_file = threading.Event()
    resume = threading.Event()
    job_threads: list[threading.Thread] = []

    def paused_import(path: Path, paths: Sequence[Path]) -> Generator[Progress, None, Any]:
        """The real import, holding before its second file until the test has cancelled."""
        job = import_paths(path, paths)
        done = 0
        try:
            while True:
                if done == 1:  # the worker asks for file 2: hold it in flight
                    in_second_file.set()
                    resume.wait(10)
                try:
                    step = next(job)
                except StopIteration as stop:
                    return stop.value
                done += 1
                job_threads.append(threading.current_thread())
                yield step
        finally:
            job.close()

    window.open_project(tmp_path / "c.anicurate", create=True)
    window.imports.make_import_job = paused_import
    drop(window, media.root)
    qtbot.waitUntil(in_second_file.is_set, timeout=30_000)
    with qtbot.waitSignal(window.imports.import_ended, timeout=30_000) as ended:
        window.jobs.status.cancel_button.click()
        resume.set()
    assert ended.args == ["cancelled"]
    # The file in flight when Cancel was pressed completes; nothing after it starts.
    assert names(window) == ["clip_00.mp4", "clip_01.mp4"]
    assert window.statusBar().currentMessage() == (
        "Import cancelled after 2 of 8 files; what was imported is kept."
    )
    assert threading.main_thread() not in job_threads
    with Project.open(tmp_path / "c.anicurate") as project:
        assert len(project.clips()) == 2


def test_a_second_import_waits_for_the_first_and_reports_unchanged(
    qtbot: QtBot, window: MainWindow, project_path: Path, media: MediaSet
) -> None:
    window.open_project(project_path)
    ended: list[str] = []
    window.imports.import_ended.connect(ended.append)
    first = window.imports.import_paths([media.root])
    second = window.imports.import_paths(media.good[:1])
    assert first is not None and second is None  # queued
    qtbot.waitUntil(lambda: len(ended) == 2, timeout=60_000)
    assert ended == ["finished", "finished"]
    assert window.statusBar().currentMessage() == (
        "Import finished, 1 file: 0 added, 1 unchanged, 0 relinked, 0 failed"
    )
    assert names(window) == CLIP_NAMES + FAILED_NAMES


def test_a_project_opens_on_the_clip_that_was_current_last_time(
    qtbot: QtBot, window: MainWindow, settings: AppSettings, project_path: Path
) -> None:
    assert window.open_project(project_path)
    assert window.browser.current_row() is window.session.clip_model.row_at(0)
    qtbot.waitUntil(lambda: window.player.source is not None, timeout=10_000)  # no click needed
    window.browser.select_model_row(2)
    window.close_project()
    again = MainWindow(settings, interactive=False)
    qtbot.addWidget(again)
    try:
        assert again.open_project(project_path)
        row = again.browser.current_row()
        assert row is not None and row.name == "clip_02.mp4"
    finally:
        again.close()


def test_grid_and_table_share_one_selection(window: MainWindow, project_path: Path) -> None:
    window.open_project(project_path)
    window.browser.select_model_row(2)
    window.act_table.trigger()
    assert window.browser.mode is BrowserMode.TABLE
    assert window.browser.currentWidget() is window.browser.table
    assert [r.name for r in window.browser.selected_rows()] == ["clip_02.mp4"]
    assert window.browser.table.currentIndex().row() == 2
    window.filter_edit.setText("CLIP_0")
    assert window.browser.proxy.rowCount() == 3


def test_a_broken_project_file_is_reported_not_raised(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.anicurate"
    bad.write_text("not sqlite at all " * 100)
    with qtbot.waitSignal(window.session.error_reported, timeout=5_000) as reported:
        assert not window.open_project(bad)
    assert reported.args == [
        "Cannot open project",
        f"The project could not be opened or written: {bad} is not an anicurate project "
        "(not a SQLite database)",
    ]
    assert window.project is None


def test_recent_projects_and_layout_are_remembered(
    window: MainWindow, settings: AppSettings, project_path: Path
) -> None:
    window.open_project(project_path)
    window.set_browser_mode(BrowserMode.TABLE)
    window.close()
    assert settings.recent_projects() == [project_path.resolve()]
    assert settings.bytes_value("window/geometry") is not None
    assert settings.bytes_value("window/state") is not None
    again = MainWindow(settings, interactive=False)
    try:
        assert again.browser.mode is BrowserMode.TABLE
    finally:
        again.close()


def test_inspector_warns_about_a_file_that_ends_early(window: MainWindow, tmp_path: Path) -> None:
    from anicurate.core.media.writer import write_animation
    from tests.helpers.ui_media import frames, run_import

    whole = write_animation(tmp_path / "whole.gif", frames(10, seed=3), [80] * 10).read_bytes()
    cut = tmp_path / "in" / "cut.gif"
    cut.parent.mkdir()
    cut.write_bytes(whole[: int(len(whole) * 0.6)])
    project = tmp_path / "cut.anicurate"
    run_import(project, [cut.parent])
    assert window.open_project(project)
    window.browser.select_model_row(0)
    text = window.inspector.field_text("Frames") or ""
    n = int(text.split()[0])
    assert 0 < n < 10 and "ends early" in text


def test_a_damaged_last_clip_setting_is_ignored_and_replaced(
    settings: AppSettings, tmp_path: Path
) -> None:
    project = tmp_path / "p.anicurate"
    for damaged in ("not json", "[1, 2]"):
        settings.set_value("lastClips", damaged)
        assert settings.last_clip(project) is None
    settings.set_last_clip(project, 7)
    assert settings.last_clip(project) == 7

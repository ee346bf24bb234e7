"""Render the main window on a project to PNG files, so a change to the GUI is checked by eye.

Run it on a real virtual screen (``xvfb-run -a``) or with ``QT_QPA_PLATFORM=offscreen``. It never
writes to the project it is given: the import-progress picture is taken while importing that
project's source files into a throw-away project of the same name.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Generator, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QSize
from PySide6.QtWidgets import QApplication

from anicurate.core.jobs import Progress
from anicurate.core.project import Project, import_paths
from anicurate.ui.browse.clip_browser import BrowserMode
from anicurate.ui.browse.clip_model import ClipRow
from anicurate.ui.common.settings import AppSettings
from anicurate.ui.main_window import MainWindow
from anicurate.ui.player.analysis_data import compute_timeline_data
from anicurate.ui.player.frame_server import OpenedSource
from anicurate.ui.player.timeline import TimelineData
from tools.screenshots.export_shots import render_export_screenshots
from tools.screenshots.fix_shots import render_fix_screenshots
from tools.screenshots.samples_shots import render_samples_screenshot
from tools.screenshots.shot_tools import TIMEOUT_MS, grab, settle, wait_for
from tools.screenshots.tagging_shots import render_tagging_screenshots

WINDOW_SIZE = QSize(1440, 900)
SMALL_SIZE = QSize(1280, 720)  # a laptop screen: everything must still fit


def render_screenshots(outdir: Path, project: Path) -> list[Path]:
    """Grab the main window on ``project`` into ``outdir``; returns the PNG paths written.

    Pictures: the start page without a project, the clip grid with a clip selected (inspector
    filled), the same at 1280x720, the detail table, the Problems dock with a failed file
    selected (when the project has one), the player with its timeline on a clip with a cut (the
    demo's hard_cut.mp4, else the first clip) and the same clip in crop mode, and the status bar
    in the middle of an import with its progress bar and Cancel; then the inspector on a flagged
    clip (the demo's small_clip.mp4), the project settings dialog and the window in the light
    theme. Clips without stored analysis are analysed on the spot for the timeline, so the
    pictures show curves and markers.
    """
    from anicurate.app import create_application

    no_screen = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if QApplication.instance() is None and no_screen:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # e.g. a CI job without Xvfb
    _app = create_application()  # a reference keeps it alive while the pictures are taken
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="anicurate-shots-") as tmp:
        # Private settings: the pictures must not depend on (or change) the user's layout.
        store = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(AppSettings(store), interactive=False)
        window.current.timeline_data_for = _analysed(window)
        window.resize(WINDOW_SIZE)
        window.show()
        try:
            written.append(grab(window, outdir / "start-page.png"))
            if not window.open_project(Path(project)):
                raise RuntimeError(f"cannot open {project}")
            written += _still_pictures(window, outdir)
            written += _player_pictures(window, outdir)
            written += _review_pictures(window, outdir)
            written += render_fix_screenshots(window, outdir)
            written += render_tagging_screenshots(window, outdir)
            written += render_export_screenshots(window, outdir)
            written.append(render_samples_screenshot(window, Path(tmp), outdir))
            written.append(_import_picture(window, Path(project), Path(tmp), outdir))
        finally:
            window.close()
            settle()
    return written


def _still_pictures(window: MainWindow, outdir: Path) -> list[Path]:
    written = []
    model = window.session.clip_model
    first_clip = next((i for i, r in enumerate(model.rows()) if r.clip is not None), None)
    if first_clip is not None:
        _show_clip(window, first_clip)
    written.append(grab(window, outdir / "main-window.png"))
    window.resize(SMALL_SIZE)
    written.append(grab(window, outdir / "main-window-1280x720.png"))
    window.resize(WINDOW_SIZE)

    window.set_browser_mode(BrowserMode.TABLE)
    written.append(grab(window, outdir / "details-table.png"))
    window.set_browser_mode(BrowserMode.GRID)

    first_error = next((i for i, r in enumerate(model.rows()) if r.error is not None), None)
    if first_error is not None:
        window.browser.select_model_row(first_error)
        window.problems_dock.show()
        window.problems_dock.raise_()
        table = window.problems_panel.table
        if window.session.problem_model.rowCount():
            table.selectRow(0)
        written.append(grab(window, outdir / "problems.png"))
    return written


def _analysed(window: MainWindow) -> Callable[[ClipRow, OpenedSource], TimelineData | None]:
    """The stored analysis, or the clip analysed now (demo clips take a fraction of a second)."""
    stored = window.current.timeline_data_for

    def data(row: ClipRow, opened: OpenedSource) -> TimelineData | None:
        found = stored(row, opened)
        return found if found is not None else compute_timeline_data(opened.path)

    return data


def _show_clip(window: MainWindow, row: int) -> None:
    """Select model row ``row`` and wait until the player shows its first frame."""
    current = window.browser.current_row()
    target = window.session.clip_model.row_at(row).key
    if current is not None and current.key == target and window.player.shown_index is not None:
        return  # already on screen
    wait_for(window.player.frame_shown, lambda: window.browser.select_model_row(row))


def _player_pictures(window: MainWindow, outdir: Path) -> list[Path]:
    """The player over the timeline on a clip with a cut, near the cut; then crop mode."""
    rows = window.session.clip_model.rows()
    clips = [i for i, r in enumerate(rows) if r.clip is not None and r.error is None]
    if not clips:
        return []
    named = [i for i in clips if rows[i].name == "hard_cut.mp4"]
    row = named[0] if named else clips[0]
    _hide_bottom_docks(window)
    _show_clip(window, row)
    player = window.player
    events = player.events
    target = max(events[0] - 2, 0) if events else player.frame_count // 2
    if target != player.shown_index:
        wait_for(player.frame_shown, lambda: player.seek(target))
    written = [grab(window, outdir / "player-timeline.png")]
    player.set_crop_mode(True)
    rules = player.overlay.geometry_rules
    if rules is not None:  # a crop a user would pick: most of the height, a little off centre
        fit = rules.fit()
        player.overlay.set_crop(fit.__class__(fit.x + fit.w // 8, fit.y, fit.w * 3 // 4, fit.h))
    written.append(grab(window, outdir / "crop.png"))
    window.review.discard_player_edits()  # the pictures never write to the project
    player.set_crop_mode(False)
    window.problems_dock.show()
    return written


def _hide_bottom_docks(window: MainWindow) -> None:
    """Give the player the window's height: Problems and its tabbed neighbours go away."""
    window.problems_dock.hide()
    window.tagging.overview_dock.hide()


def _review_pictures(window: MainWindow, outdir: Path) -> list[Path]:
    """The inspector on a flagged clip, the settings dialog and the light theme."""
    rows = window.session.clip_model.rows()
    clips = [i for i, r in enumerate(rows) if r.clip is not None and r.error is None]
    flagged = [i for i in clips if rows[i].flags]
    preferred = [i for i in flagged if rows[i].name == "small_clip.mp4"]
    written: list[Path] = []
    if clips:  # a flagged clip when the project has been analysed
        _hide_bottom_docks(window)
        _show_clip(window, (preferred or flagged or clips)[0])
        written.append(grab(window, outdir / "inspector-flags.png"))
        window.problems_dock.show()
    dialog = (
        window.project_settings.settings_dialog()
    )  # not interactive: shown here, never accepted
    if dialog is not None:
        dialog.show()
        dialog.adjustSize()
        written.append(grab(dialog, outdir / "settings.png"))
        dialog.reject()
        dialog.deleteLater()
    window.set_theme("light")
    try:
        written.append(grab(window, outdir / "light-theme.png"))
    finally:
        window.set_theme("dark")
    return written


def _import_picture(window: MainWindow, project: Path, tmp: Path, outdir: Path) -> Path:
    """Re-import the project's files into a scratch project and grab the window mid-import."""
    with Project.open(project) as original:
        files = [Path(s.path) for s in original.sources() if Path(s.path).exists()]
    if not files:
        raise RuntimeError(f"{project} has no source files left to import")
    # Import their common folder when there is one, as a user dropping it would.
    common = Path(os.path.commonpath(files))
    if common.is_dir() and common != Path(common.anchor):
        files = [common]
    scratch = tmp / "preview" / project.name
    scratch.parent.mkdir()
    if not window.open_project(scratch, create=True):
        raise RuntimeError(f"cannot create {scratch}")
    gate = threading.Event()

    def paused_import(path: Path, paths: Sequence[Path]) -> Generator[Progress, None, Any]:
        # Pauses (in the worker thread) after `pause_after` files until the picture is taken.
        job = import_paths(path, paths)
        try:
            while True:
                try:
                    step = next(job)
                except StopIteration as stop:
                    return stop.value
                yield step
                if step.done >= _pause_point(step.total):
                    gate.wait(TIMEOUT_MS / 1000)
        finally:
            job.close()

    window.imports.make_import_job = paused_import
    target = outdir / "import-progress.png"
    worker = window.imports.import_paths(files)
    if worker is None:
        raise RuntimeError("the import did not start")
    try:
        wait_for(
            worker.signals.progress,
            until=lambda step: step.done >= _pause_point(step.total),
        )
        window.session.refresh()  # what has landed so far, as the refresh timer would show it
        grab(window, target)
        window.jobs.cancel()
    finally:
        gate.set()
    if window.jobs.current() is not None:
        wait_for(window.imports.import_ended)
    return target


def _pause_point(total: int) -> int:
    """After how many files the import picture is taken: some landed, most still to come."""
    return max(1, min(total - 1, total * 2 // 5))

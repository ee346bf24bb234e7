"""Pictures of the export UI for the screenshot script. Reads the window's project, never writes
it: the export goes to a temporary folder that is removed afterwards."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from anicurate.core.export import ExportPlan, Include
from anicurate.core.export.find import caption_tags
from anicurate.core.export.manifest import read_manifest
from tools.screenshots import shot_tools
from tools.screenshots.shot_tools import grab

if TYPE_CHECKING:
    from anicurate.ui.main_window import MainWindow

_TIMEOUT_MS = 180_000
_wait_for: Callable[..., None] = partial(shot_tools.wait_for, timeout_ms=_TIMEOUT_MS)


def render_export_screenshots(window: MainWindow, outdir: Path) -> list[Path]:
    """Grab ``export-preview.png`` (the dialog's preview with a 40-frame window, so short clips
    are listed as skipped), ``export-done.png``
    (its summary after rendering), ``find-hits.png`` (hits for a prompt made of the exported
    captions' tags) and ``find-opened.png`` (the window's player on the best hit) into
    ``outdir``; returns the paths written."""
    from anicurate.ui import export

    if window.project is None:
        raise RuntimeError("open a project before rendering the export pictures")
    ui = export.install(window, window.session, window.jobs)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    tmp = Path(tempfile.mkdtemp(prefix="anicurate-export-shots-"))
    try:
        dialog = ui.show_export_dialog()
        assert dialog is not None
        plans: list[Any] = []
        _wait_for(
            dialog.preview_updated,
            lambda: dialog.dir_edit.setText(str(tmp / "dataset")),
            seen_args=plans,
        )
        plan = plans[-1]
        if isinstance(plan, ExportPlan) and not plan.items:
            _wait_for(
                dialog.preview_updated, lambda: dialog.set_include(Include.ALL), seen_args=plans
            )
        # The preview with a longer training window, so some clips are skipped as too short.
        frames = dialog.frames_spin.value()
        _wait_for(dialog.preview_updated, lambda: dialog.frames_spin.setValue(max(frames, 40)))
        written.append(grab(dialog, outdir / "export-preview.png"))
        _wait_for(dialog.preview_updated, lambda: dialog.frames_spin.setValue(frames))

        _wait_for(dialog.export_ended, dialog.start_export)
        _wait_for(dialog.preview_updated, lambda: None)  # planned again: everything up to date
        written.append(grab(dialog, outdir / "export-done.png"))
        dialog.hide()

        result = dialog.last_result
        if result is None:
            return written
        find = ui.show_find_dialog(result.plan.out_dir)
        find.resize(1100, 460)
        find.search(_prompt_for(result.plan.out_dir))
        written.append(grab(find, outdir / "find-hits.png"))
        if find.hits():
            _wait_for(window.player.frame_shown, lambda: find.activate_row(0))
            find.move(window.geometry().right() - find.width() - 40, window.geometry().top() + 80)
            find.hide()
            written.append(grab(window, outdir / "find-opened.png"))
    finally:
        if ui.export_dialog is not None:
            ui.export_dialog.shutdown()
            ui.export_dialog.hide()
        if ui.find_dialog is not None:
            ui.find_dialog.hide()
        shutil.rmtree(tmp, ignore_errors=True)
    return written


def _prompt_for(dataset: Path) -> str:
    """A prompt as a user would type it: the first tags of the export's most tagged caption."""
    files = read_manifest(dataset).get("files", [])
    captions = [caption_tags(str(f.get("caption", ""))) for f in files if isinstance(f, dict)]
    best = max(captions, key=len, default=[])
    return ", ".join(best[:4]) or "anime"

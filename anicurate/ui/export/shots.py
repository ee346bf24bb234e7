"""Pictures of the export UI for the screenshot script. Reads the window's project, never writes
it: the export goes to a temporary folder that is removed afterwards."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEventLoop, QTimer, SignalInstance
from PySide6.QtWidgets import QApplication, QWidget

from anicurate.core.export import ExportPlan, Include
from anicurate.core.export.find import caption_tags
from anicurate.core.export.manifest import read_manifest

if TYPE_CHECKING:
    from anicurate.ui.main_window import MainWindow

_TIMEOUT_MS = 180_000


def render_export_screenshots(window: MainWindow, outdir: Path) -> list[Path]:
    """Grab ``export-preview.png`` (the dialog's preview with a 40-frame window, so short clips
    are listed as skipped), ``export-done.png``
    (its summary after rendering), ``find-hits.png`` (hits for a prompt made of the exported
    captions' tags) and ``find-opened.png`` (the window's player on the best hit) into
    ``outdir``; returns the paths written."""
    from anicurate.ui.export import install_export

    if window.project is None:
        raise RuntimeError("open a project before rendering the export pictures")
    ui = install_export(window)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    tmp = Path(tempfile.mkdtemp(prefix="anicurate-export-shots-"))
    try:
        dialog = ui.show_export_dialog()
        assert dialog is not None
        plans: list[Any] = []
        _wait(dialog.preview_updated, lambda: dialog.dir_edit.setText(str(tmp / "dataset")), plans)
        plan = plans[-1]
        if isinstance(plan, ExportPlan) and not plan.items:
            _wait(dialog.preview_updated, lambda: dialog.set_include(Include.ALL), plans)
        # The preview with a longer training window, so some clips are skipped as too short.
        frames = dialog.frames_spin.value()
        _wait(dialog.preview_updated, lambda: dialog.frames_spin.setValue(max(frames, 40)))
        written.append(_grab(dialog, outdir / "export-preview.png"))
        _wait(dialog.preview_updated, lambda: dialog.frames_spin.setValue(frames))

        _wait(dialog.export_ended, dialog.start_export)
        _wait(dialog.preview_updated, lambda: None)  # planned again: everything up to date
        written.append(_grab(dialog, outdir / "export-done.png"))
        dialog.hide()

        result = dialog.last_result
        if result is None:
            return written
        find = ui.show_find_dialog(result.plan.out_dir)
        find.resize(1100, 460)
        find.search(_prompt_for(result.plan.out_dir))
        written.append(_grab(find, outdir / "find-hits.png"))
        if find.hits():
            _wait(window.player.frame_shown, lambda: find.activate_row(0))
            find.move(window.geometry().right() - find.width() - 40, window.geometry().top() + 80)
            find.hide()
            written.append(_grab(window, outdir / "find-opened.png"))
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


def _grab(widget: QWidget, path: Path) -> Path:
    app = QApplication.instance()
    for _ in range(6):
        if app is not None:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    if not widget.grab().save(str(path), "PNG"):
        raise RuntimeError(f"cannot write {path}")
    return path


def _wait(
    signal: SignalInstance, action: Callable[[], object], seen_args: list[Any] | None = None
) -> None:
    """Run ``action`` and the event loop until ``signal`` fires (its argument into seen_args)."""
    loop = QEventLoop()
    seen = threading.Event()

    def on_signal(*args: Any) -> None:
        if seen_args is not None and args:
            seen_args.append(args[0])
        seen.set()
        loop.quit()

    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    signal.connect(on_signal)
    timer.start(_TIMEOUT_MS)
    try:
        action()
        if not seen.is_set():
            loop.exec()
    finally:
        timer.stop()
        signal.disconnect(on_signal)
    if not seen.is_set():
        raise TimeoutError(f"no signal within {_TIMEOUT_MS} ms")

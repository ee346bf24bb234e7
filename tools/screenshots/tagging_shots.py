"""Pictures of the tagging UI for the screenshot script (reads the project, never writes it)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from anicurate.core.tagging import store
from tools.screenshots.shot_tools import grab

if TYPE_CHECKING:
    from anicurate.ui.main_window import MainWindow


def render_tagging_screenshots(window: MainWindow, outdir: Path) -> list[Path]:
    """Grab ``tags-panel.png`` (the clip with the most tags selected) and ``tag-overview.png``
    (frequencies and coverage, the browser filtered by the most frequent tag) of the window's
    open project into ``outdir``; returns the paths written."""
    from anicurate.ui import tagging

    ui = tagging.install(window, window.session, window.jobs)
    project = window.project
    if project is None:
        raise RuntimeError("open a project before rendering the tagging pictures")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    rows = window.session.clip_model.rows()
    counts = [
        (len(store.clip_tags(project, r.clip.id)), -i)
        for i, r in enumerate(rows)
        if r.clip is not None
    ]
    if counts:
        _, neg = max(counts)
        window.browser.select_model_row(-neg)
    ui.tags_dock.show()
    ui.tags_dock.raise_()
    ui.overview_dock.hide()
    written.append(grab(window, outdir / "tags-panel.png"))

    overview = ui.overview
    ui.overview_dock.show()
    ui.overview_dock.raise_()
    window.resizeDocks([ui.overview_dock], [300], Qt.Orientation.Vertical)
    scope = overview.scope_combo.currentIndex()
    overview.refresh()
    if not overview.frequency_model.rows():
        overview.scope_combo.setCurrentIndex(1)  # nothing accepted yet: count over all clips
    top = overview.frequency_model.rows()
    if top:
        ui.filter_browser_by_tag(top[0][0])
    written.append(grab(window, outdir / "tag-overview.png"))
    ui.clear_tag_filter()
    overview.scope_combo.setCurrentIndex(scope)
    return written

"""The screenshot script renders every picture it promises, without changing the project."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage

from anicurate.ui.screenshots import WINDOW_SIZE, render_screenshots


def test_render_screenshots_writes_the_pictures(tmp_path: Path, project_path: Path) -> None:
    before = project_path.read_bytes()
    written = render_screenshots(tmp_path / "shots", project_path)
    assert [p.name for p in written] == [
        "start-page.png",
        "main-window.png",
        "details-table.png",
        "problems.png",
        "player-timeline.png",
        "crop.png",
        "import-progress.png",
    ]
    for path in written:
        image = QImage(str(path))
        assert image.width() >= WINDOW_SIZE.width() and image.height() >= WINDOW_SIZE.height()
    assert project_path.read_bytes() == before

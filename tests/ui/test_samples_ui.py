"""The samples workspace: two runs' samples as prompts x runs, played by one clock (every cell
on the same frame after ticks), a verdict saved in the project, Trace opening the clip."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from anicurate.core.captions.sentences import set_sentence
from anicurate.core.project import Project
from anicurate.core.samples import samples
from anicurate.ui.main_window import MainWindow
from tests.helpers.export_samples import write_source
from tests.helpers.ui_media import run_import

PROMPTS = ["anime, a girl walks in the rain", "a girl walks in the rain", "anime, a cat sleeps"]


@pytest.fixture
def runs(tmp_path: Path) -> tuple[Path, Path]:
    base, tuned = tmp_path / "base" / "samples", tmp_path / "tuned" / "samples"
    for folder, step, n in ((base, 0, 8), (tuned, 2500, 12)):
        folder.mkdir(parents=True)
        for prompt in PROMPTS:
            write_source(folder / f"{step}_dataset-json_{prompt}.mp4", n)
    return base.parent, tuned.parent


@pytest.fixture
def opened(window: MainWindow, tmp_path: Path, clips: Path) -> MainWindow:
    path = tmp_path / "s.anicurate"
    run_import(path, [clips])
    with Project.open(path) as p:
        p.set_settings(dataclasses.replace(p.settings(), trigger_tag="anime"))
    assert window.open_project(path)
    return window


def test_grid_sync_verdict_and_trace(qtbot: QtBot, opened: MainWindow,
                                     runs: tuple[Path, Path]) -> None:  # fmt: skip
    ui = opened.samples
    project = opened.project
    assert project is not None
    assert ui.import_run(runs[0], "base") is not None
    assert ui.import_run(runs[1], "fine-tuned") is not None
    ws = ui.workspace
    assert [c.title for c in ws.columns] == ["base", "fine-tuned"]
    assert ws.rows == PROMPTS  # the pair with and without the trigger side by side
    assert len(ws.cells) == 6 and all(c.frames for c in ws.cells.values())

    ws.play()
    shown = [ws.tick_at(t) for t in (0.0, 0.1, 0.2, 0.3)]
    ws.stop()
    assert shown == [0, 2, 4, 7]  # 24 fps, the longest sample's timing
    assert {c.shown_frame for c in ws.cells.values() if len(c.frames) == 12} == {7}
    assert {c.shown_frame for c in ws.cells.values() if len(c.frames) == 8} == {7}

    tuned = next(c for c in ws.cells.values() if c.sample.run == "fine-tuned")
    tuned.note.setText("hands melt")
    qtbot.mouseClick(tuned.bad, Qt.MouseButton.LeftButton)
    saved = next(s for s in samples(project) if s.id == tuned.sample.id)
    assert (saved.verdict, saved.note) == ("bad", "hands melt")

    rows = opened.session.clip_model.rows()
    target = rows[2].clip
    assert target is not None
    set_sentence(project, target.id, "a girl walks in the rain with an umbrella")
    set_sentence(project, rows[0].clip.id, "a cat on a sofa")  # type: ignore[union-attr]
    opened.session.refresh()
    qtbot.mouseClick(tuned.trace_button, Qt.MouseButton.LeftButton)
    first = ws.trace_list.item(0)
    assert first.data(Qt.ItemDataRole.UserRole) == target.id
    with qtbot.waitSignal(opened.current.changed):
        ws.open_button.click()
    current = opened.browser.current_row()
    assert current is not None and current.clip is not None and current.clip.id == target.id

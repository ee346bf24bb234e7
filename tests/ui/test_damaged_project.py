"""The window opens a damaged project: quarantined rows in Problems, the rest browsable; a
damaged file is reported and leaves the open project as it was; File > Save a Copy."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
from pytestqt.qtbot import QtBot

from anicurate.core.project import Project
from anicurate.ui.main_window import MainWindow


def corrupt(path: Path, *sql: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA ignore_check_constraints = ON")
    for statement in sql:
        conn.execute(statement)
    conn.close()


def test_a_damaged_project_opens_with_its_damage_in_problems(
    window: MainWindow, project_path: Path
) -> None:
    with Project.open(project_path) as p:
        first, second = p.clips_with_sources()[:2]
    corrupt(
        project_path,
        f"UPDATE sources SET info = '{{not json' WHERE id = {first[1].id}",
        f"UPDATE clips SET status = 'maybe' WHERE id = {second[0].id}",
        "UPDATE settings SET value = '\"wide\"' WHERE key = 'train_width'",
    )
    assert window.open_project(project_path)
    problems = {Path(p.path).name: p.message for p in window.session.problem_model.problems()}
    assert problems[Path(first[1].path).name] == "damaged row: info is not JSON"
    assert problems[Path(second[1].path).name] == "damaged row: status 'maybe' is unknown"
    assert problems["(project) setting train_width"] == (
        "damaged row: train_width must be a positive integer, not 'wide'"
    )
    # The other clips are there to browse; the damaged source shows as a failed file.
    assert window.session.clip_model.rowCount() > 0
    shown = {row.source.path for row in window.session.clip_model.rows()}
    assert first[1].path in shown


def test_a_damaged_file_is_reported_and_the_open_project_stays(
    qtbot: QtBot, window: MainWindow, project_path: Path, tmp_path: Path
) -> None:
    assert window.open_project(project_path)
    rows_before = window.session.clip_model.rowCount()
    bad = tmp_path / "bad.anicurate"
    bad.write_bytes(project_path.read_bytes())
    data = bytearray(bad.read_bytes())
    data[4096:] = np.random.default_rng(3).integers(0, 256, len(data) - 4096, np.uint8).tobytes()
    bad.write_bytes(bytes(data))
    with qtbot.waitSignal(window.session.error_reported, timeout=5_000) as reported:
        assert not window.open_project(bad)
    assert "damaged database" in reported.args[1]
    assert window.project is not None and window.project.path == project_path
    assert window.session.clip_model.rowCount() == rows_before


def test_save_a_copy_writes_a_complete_project(
    window: MainWindow, project_path: Path, tmp_path: Path
) -> None:
    assert window.open_project(project_path)
    action = window.project_copy.action
    assert action.isEnabled()
    assert action in window.menuBar().actions()[0].menu().actions()
    dest = tmp_path / "copy.anicurate"
    assert window.project_copy.save_copy(dest) == dest
    with Project.open(dest) as copy:
        assert len(copy.sources()) == len(window.project.sources())
    assert window.project_copy.save_copy(dest) is None  # never over a file unasked

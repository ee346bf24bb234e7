"""A disk that fills up or refuses a write midway ends a run with one line naming the file and
exit 1, never a traceback; what was committed before stays, and a re-run does only the rest."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from anicurate.cli import main
from anicurate.cli.common import os_error_line, sqlite_error_line
from anicurate.core.analysis import run as analysis_run
from anicurate.core.media.writer import write_video
from anicurate.core.project import Project, import_paths
from anicurate.core.tagging import store
from tests.helpers.jobs import finish as drive
from tests.helpers.tagger_samples import make_tiny_tagger, solid

COLOURS = ("red", "green", "blue", "yellow", "gray")



@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("clips")
    for i, colour in enumerate(COLOURS):
        write_video(folder / f"{i}_{colour}.mp4", [solid(colour)] * 4, 24)
    return folder


@pytest.fixture
def project(tmp_path: Path, media: Path) -> Path:
    path = tmp_path / "p.anicurate"
    drive(import_paths(path, [media]))
    return path


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_tagging_onto_a_full_disk_keeps_the_clips_done_and_a_re_run_does_the_rest(
    project: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SQLite's 'disk full' raised inside the third clip's transaction (a page limit cannot
    force it: tag rows fit in pages the file already has)."""
    model = make_tiny_tagger(tmp_path / "tagger")
    real = store.store_auto_tags
    calls = []

    def fill_after_two(project_: Project, *args: Any, **kwargs: Any) -> None:
        calls.append(1)
        if len(calls) == 3:
            with project_.transaction() as conn:
                conn.execute("DELETE FROM tags")  # rolled back with the failed commit
                raise sqlite3.OperationalError("database or disk is full")
        real(project_, *args, **kwargs)

    monkeypatch.setattr(store, "store_auto_tags", fill_after_two)
    args = ["tag", "--project", str(project), "--model", str(model), "--provider", "cpu", "-q"]
    assert main(args) == 1
    line = one_error_line(capsys.readouterr().err)
    assert line == f"anicurate: {project}: cannot write the project: database or disk is full"
    with Project.open(project) as p:
        done = [c.id for c, _ in p.clips_with_sources() if store.tagging_record(p, c.id)]
    assert len(done) == 2

    monkeypatch.setattr(store, "store_auto_tags", real)
    assert main(args) == 0
    assert "3 tagged, 2 unchanged, 0 failed" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "no space left on device"),
        (errno.EACCES, "permission denied"),
        (errno.EROFS, "read-only file system"),
    ],
)
def test_analysis_stopped_by_an_os_error_names_it_and_a_re_run_resumes(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    code: int,
    words: str,
) -> None:
    real = analysis_run.save_many
    calls = []

    def refuse_second(*args: Any, **kwargs: Any) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise OSError(code, "platform words", str(project) + "-wal")
        real(*args, **kwargs)

    monkeypatch.setattr(analysis_run, "SAVE_BATCH", 2)  # results are saved two at a time
    monkeypatch.setattr(analysis_run, "save_many", refuse_second)
    assert main(["analyze", "--project", str(project), "-q"]) == 1
    assert one_error_line(capsys.readouterr().err) == f"anicurate: {project}-wal: {words}"

    monkeypatch.setattr(analysis_run, "save_many", real)
    assert main(["analyze", "--project", str(project), "-q"]) == 0
    assert capsys.readouterr().out.startswith(f"{project}: 3 analysed, 0 failed, 5 clips")


def test_os_error_lines() -> None:
    assert os_error_line(OSError(errno.ENOSPC, "No space left on device", "/o/a.mp4")) == (
        "/o/a.mp4: no space left on device"
    )
    assert os_error_line(PermissionError(errno.EACCES, "Permission denied")) == (
        "permission denied"
    )
    assert os_error_line(OSError(errno.EXDEV, "Invalid cross-device link", "/a", None, "/b")) == (
        "/a: Invalid cross-device link (-> /b)"
    )
    assert os_error_line(OSError("odd\nthing")) == "odd thing"
    assert sqlite_error_line(sqlite3.OperationalError("disk I/O error"), "p.anicurate") == (
        "p.anicurate: disk I/O error"
    )

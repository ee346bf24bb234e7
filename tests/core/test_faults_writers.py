"""Two writers on one project at once (real CLI processes): each finishes or reports busy in one
clean line, and the project ends consistent and equal to a clean sequential run."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest

from anicurate.core.project import import_paths
from anicurate.core.project import importer as importer_module
from tests.helpers.fault_tools import (
    TRACEBACK,
    Done,
    Pipeline,
    analyze_args,
    assert_same_project,
    clean_pipeline,
    copy_project,
    finish,
    import_args,
    integrity_ok,
    project_leftovers,
    run_cli,
    start_cli,
)

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="process handling is Linux")

BUSY = r"busy|locked|in use"


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    return clean_pipeline(tmp_path_factory.getbasetemp() / "faults")


def finished_or_busy(done: Done) -> bool:
    """True when the run finished (exit 0); False when it reported busy in one clean line."""
    assert TRACEBACK not in done.stderr, done.describe()
    if done.returncode == 0:
        return True
    assert done.returncode == 1, done.describe()
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    assert lines and all(ln.startswith("anicurate") for ln in lines), done.describe()
    assert any(re.search(BUSY, ln, re.IGNORECASE) for ln in lines), done.describe()
    return False


def both(*commands: list[Any]) -> list[Done]:
    """Start every command at once, then wait for all of them."""
    runs = [start_cli(*args) for args in commands]
    try:
        return [finish(run) for run in runs]
    finally:
        for run in runs:
            run.close()


def test_import_while_analyze_runs(pipeline: Pipeline, tmp_path: Path) -> None:
    project = tmp_path / "p.anicurate"
    media = sorted(pipeline.media.iterdir())
    # the first five files first, in the order the folder import walks them (so ids match)
    first = run_cli("import", "-q", project, *media[:5])
    assert first.returncode == 0, first.describe()

    results = both(import_args(project, pipeline.media), analyze_args(project))
    assert any(finished_or_busy(d) for d in results), "neither writer finished"
    # whatever the analysis missed (sources imported meanwhile) a second run finishes
    for args in (import_args(project, pipeline.media), analyze_args(project)):
        done = run_cli(*args)
        assert done.returncode == 0, done.describe()
    assert project_leftovers(tmp_path, "p.anicurate") == []
    integrity_ok(project)
    assert_same_project(project, pipeline.analysed)


def test_two_analyses_at_once(pipeline: Pipeline, tmp_path: Path) -> None:
    project = copy_project(pipeline.imported, tmp_path / "p.anicurate")
    results = both(analyze_args(project), analyze_args(project, workers=2))
    assert any(finished_or_busy(d) for d in results), "neither analysis finished"
    if not all(d.returncode == 0 for d in results):
        done = run_cli(*analyze_args(project))
        assert done.returncode == 0, done.describe()
    assert project_leftovers(tmp_path, "p.anicurate") == []
    integrity_ok(project)
    assert_same_project(project, pipeline.analysed)


def test_an_import_racing_another_import_upserts(
    pipeline: Pipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race made deterministic: this import looks a file up, finds nothing, and while it
    hashes the file another import (the CLI) imports the whole folder. Ours must then upsert."""
    project = tmp_path / "p.anicurate"
    real_hash = importer_module.hash_file
    other: list[Done] = []

    def hash_then_race(path: Path) -> str:
        if not other:
            other.append(run_cli(*import_args(project, pipeline.media)))
        return real_hash(path)

    monkeypatch.setattr(importer_module, "hash_file", hash_then_race)
    job = import_paths(project, [pipeline.media])
    while True:
        try:
            next(job)
        except StopIteration as stop:
            summary = stop.value
            break
    assert other and other[0].returncode == 0, other[0].describe()
    assert summary.failed == []
    assert project_leftovers(tmp_path, "p.anicurate") == []
    integrity_ok(project)
    assert_same_project(project, pipeline.imported)


def test_two_imports_of_one_folder_at_once(pipeline: Pipeline, tmp_path: Path) -> None:
    """The real race, twice over: both imports finish (or one is busy), nothing imported twice."""
    project = tmp_path / "p.anicurate"
    # the project exists first, so the race is on the sources, not on creating the file
    created = run_cli("import", "-q", project, sorted(pipeline.media.iterdir())[0])
    assert created.returncode == 0, created.describe()
    results = both(import_args(project, pipeline.media), import_args(project, pipeline.media))
    assert any(finished_or_busy(d) for d in results), "neither import finished"
    integrity_ok(project)
    assert_same_project(project, pipeline.imported)

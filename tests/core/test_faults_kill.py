"""kill -9 at seeded points of import, analyze, tag and export (the real CLI, as subprocesses):
each command is killed several times, resumed, and finally run to its end; the result must
equal a clean uninterrupted run, with no temporary file and no process left behind.

A kill that lands after the run finished is fine: the next run is then a no-op and must still
leave the clean run's state. x264 output is compared byte for byte: with the same input, options
and thread count the encoder is deterministic, and every run here is on the same machine.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.helpers.fault_tools import (
    EXPORT_CASES,
    EXPORT_TMP,
    TRACEBACK,
    Pipeline,
    analyze_args,
    assert_manifest_matches_files,
    assert_same_export,
    assert_same_project,
    clean_pipeline,
    copy_project,
    count_files,
    count_rows,
    export_args,
    folder_files,
    import_args,
    integrity_ok,
    kill_and_resume,
    kill_points,
    project_leftovers,
    run_cli,
    tag_args,
)

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="SIGKILL and /proc process lookup are Linux"
)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    return clean_pipeline(tmp_path_factory.getbasetemp() / "faults")


def _check_project(work: Path, name: str, want: Path) -> None:
    project = work / name
    assert project_leftovers(work, name) == [], "temporary files next to the project"
    integrity_ok(project)
    assert_same_project(project, want)


def _completed(final_stderr: str, returncode: int) -> None:
    assert returncode == 0 and TRACEBACK not in final_stderr, final_stderr


def test_kill_import(pipeline: Pipeline, tmp_path: Path) -> None:
    project = tmp_path / "p.anicurate"
    points = kill_points("import", pipeline.n_media)
    killed, final = kill_and_resume(
        import_args(project, pipeline.media),
        points,
        count_rows(project, "SELECT count(*) FROM sources"),
    )
    _completed(final.stderr, final.returncode)
    assert any(k.landed for k in killed), "no kill landed: the test proved nothing"
    _check_project(tmp_path, "p.anicurate", pipeline.imported)


@pytest.mark.parametrize(
    "workers",
    [1, 2],
)
def test_kill_analyze(pipeline: Pipeline, tmp_path: Path, workers: int) -> None:
    project = copy_project(pipeline.imported, tmp_path / "p.anicurate")
    points = kill_points(f"analyze-{workers}", pipeline.n_media)
    probe = count_rows(project, "SELECT count(*) FROM analysis WHERE analyser = 'signals'")
    killed, final = kill_and_resume(analyze_args(project, workers), points, probe)
    _completed(final.stderr, final.returncode)
    assert any(k.landed for k in killed), "no kill landed: the test proved nothing"
    # --workers 2 must give what the clean --workers 1 run gave
    _check_project(tmp_path, "p.anicurate", pipeline.analysed)


def test_kill_tag(pipeline: Pipeline, tmp_path: Path) -> None:
    project = copy_project(pipeline.analysed, tmp_path / "p.anicurate")
    points = kill_points("tag", pipeline.n_media)
    probe = count_rows(project, "SELECT count(*) FROM clip_tagging WHERE fingerprint IS NOT NULL")
    killed, final = kill_and_resume(tag_args(project, pipeline.tagger), points, probe)
    _completed(final.stderr, final.returncode)
    assert any(k.landed for k in killed), "no kill landed: the test proved nothing"
    _check_project(tmp_path, "p.anicurate", pipeline.tagged)


@pytest.mark.parametrize(("fmt", "workers"), list(EXPORT_CASES.items()))
def test_kill_export(pipeline: Pipeline, tmp_path: Path, fmt: str, workers: int) -> None:
    (tmp_path / "p").mkdir()
    project = copy_project(pipeline.tagged, tmp_path / "p" / "p.anicurate")
    out = tmp_path / "out"
    points = kill_points(f"export-{fmt}", pipeline.n_media)
    killed, final = kill_and_resume(
        export_args(project, fmt, out, workers), points, count_files(out)
    )
    _completed(final.stderr, final.returncode)
    assert any(k.landed for k in killed), "no kill landed: the test proved nothing"
    assert not [f for f in folder_files(out) if EXPORT_TMP in f], "temporary files left"
    assert_manifest_matches_files(out)
    clean = pipeline.exports[fmt]
    # Frames, not bytes: a resumed run renders a different subset of files in its process, and
    # a file's first frames can then differ from the uninterrupted run's by hundredths of a grey
    # level (FFmpeg's scaler state within a process), so x264's bytes differ too.
    assert_same_export(
        out, project, clean, clean.parent / f"export-{fmt}.anicurate", bit_exact=False
    )
    # the project is only read by an export
    _check_project(tmp_path / "p", "p.anicurate", pipeline.tagged)


def test_a_rerun_after_a_complete_run_changes_nothing(pipeline: Pipeline, tmp_path: Path) -> None:
    """The kill-after-completion case on purpose: every command run again is a no-op."""
    project = copy_project(pipeline.tagged, tmp_path / "p.anicurate")
    for args in (
        import_args(project, pipeline.media),
        analyze_args(project),
        tag_args(project, pipeline.tagger),
    ):
        done = run_cli(*args)
        _completed(done.stderr, done.returncode)
    _check_project(tmp_path, "p.anicurate", pipeline.tagged)

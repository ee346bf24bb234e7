"""Disk full: the project or the export folder on a tiny tmpfs, the real CLI run until ENOSPC.

Each run must end with exit 1 and a one-line ``anicurate: ...`` message (no traceback), keep
everything it reported done (the project still opens), and after the disk is enlarged a re-run
must finish and equal a clean run. Needs root and ``mount -t tmpfs``; skipped otherwise.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.fault_tools import (
    EXPORT_CASES,
    EXPORT_TMP,
    TRACEBACK,
    Done,
    Pipeline,
    analyze_args,
    assert_same_export,
    assert_same_project,
    clean_message,
    clean_pipeline,
    copy_project,
    export_args,
    file_hash,
    folder_files,
    import_args,
    integrity_ok,
    project_leftovers,
    run_cli,
)

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="tmpfs mounts are Linux")

NO_SPACE = r"no space|disk is full|disk full"
BIG = "4m"


class Tmpfs:
    """A tmpfs mounted at ``path``; :meth:`resize` remounts it with another size."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def resize(self, size: str) -> None:
        subprocess.run(["mount", "-o", f"remount,size={size}", str(self.path)], check=True)


def _mount(path: Path, size: str) -> str | None:
    """Mount a tmpfs; the reason it cannot be, or None."""
    if os.geteuid() != 0:
        return "needs root and mount for a small tmpfs"
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"needs root and mount for a small tmpfs: {err}"
    if done.returncode != 0:
        return f"needs root and mount for a small tmpfs: {done.stderr.strip()}"
    return None


@pytest.fixture
def small_disk(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Tmpfs]:
    """A tmpfs of ``request.param`` bytes (e.g. "256k"), always unmounted afterwards."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    reason = _mount(mnt, request.param)
    if reason:
        pytest.skip(reason)
    try:
        yield Tmpfs(mnt)
    finally:
        if subprocess.run(["umount", str(mnt)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mnt)], check=True)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    return clean_pipeline(tmp_path_factory.getbasetemp() / "faults")


def reported_done(done: Done, label: str) -> int:
    """The highest ``LABEL: k/N`` progress line a run printed on stderr (0 if none)."""
    counts = [int(m) for m in re.findall(rf"^{label}: (\d+)/\d+$", done.stderr, re.MULTILINE)]
    return max(counts, default=0)


def still_opens(project: Path) -> list[dict[str, object]]:
    """``anicurate info --json`` works on the project (the disk still full): its sources."""
    info = run_cli("info", "--json", project)
    assert info.returncode == 0 and TRACEBACK not in info.stderr, info.describe()
    return [json.loads(line) for line in info.stdout.splitlines()]


def whole_sources(project: Path) -> int:
    """Readable sources, each asserted whole: a clip and a thumbnail (one transaction each)."""
    conn = sqlite3.connect(project)
    try:
        ids = [r[0] for r in conn.execute("SELECT id FROM sources WHERE error IS NULL")]
        for sid in ids:
            assert conn.execute(
                "SELECT count(*) FROM clips WHERE source_id = ?", (sid,)
            ).fetchone()[0]
            assert conn.execute(
                "SELECT count(*) FROM thumbnails WHERE source_id = ?", (sid,)
            ).fetchone()[0]
        return len(ids)
    finally:
        conn.close()


@pytest.mark.parametrize("small_disk", ["256k"], indirect=True)
def test_import_into_a_full_disk(pipeline: Pipeline, small_disk: Tmpfs) -> None:
    project = small_disk.path / "p.anicurate"
    done = run_cli("import", project, pipeline.media)  # with progress lines: what was done
    clean_message(done, NO_SPACE)
    reported = reported_done(done, "importing")
    assert 0 < reported < pipeline.n_media, f"the disk should fill mid-way\n{done.describe()}"

    assert len(still_opens(project)) >= reported
    assert whole_sources(project) >= reported

    small_disk.resize(BIG)
    again = run_cli(*import_args(project, pipeline.media))
    assert again.returncode == 0 and TRACEBACK not in again.stderr, again.describe()
    assert project_leftovers(small_disk.path, "p.anicurate") == []
    integrity_ok(project)
    assert_same_project(project, pipeline.imported)


@pytest.mark.parametrize("small_disk", ["192k"], indirect=True)
def test_analyze_on_a_full_disk(pipeline: Pipeline, small_disk: Tmpfs) -> None:
    project = copy_project(pipeline.imported, small_disk.path / "p.anicurate")
    done = run_cli("analyze", "--project", project)
    clean_message(done, NO_SPACE)
    reported = reported_done(done, "analysing")
    assert reported < pipeline.n_media, done.describe()

    assert len(still_opens(project)) == pipeline.n_media
    conn = sqlite3.connect(project)
    try:
        stored = conn.execute("SELECT count(*) FROM analysis WHERE analyser = 'signals'")
        assert stored.fetchone()[0] >= reported
    finally:
        conn.close()

    small_disk.resize(BIG)
    again = run_cli(*analyze_args(project))
    assert again.returncode == 0 and TRACEBACK not in again.stderr, again.describe()
    assert project_leftovers(small_disk.path, "p.anicurate") == []
    integrity_ok(project)
    assert_same_project(project, pipeline.analysed)


@pytest.mark.parametrize("small_disk", ["64k"], indirect=True)
def test_export_into_a_full_disk(pipeline: Pipeline, small_disk: Tmpfs, tmp_path: Path) -> None:
    fmt = "t2v-folder"
    workers = EXPORT_CASES[fmt]
    (tmp_path / "p").mkdir()
    project = copy_project(pipeline.tagged, tmp_path / "p" / "p.anicurate")
    out = small_disk.path / "out"
    done = run_cli(*export_args(project, fmt, out, workers))
    clean_message(done, NO_SPACE)
    assert not [f for f in folder_files(out) if EXPORT_TMP in f], "temporary files left"
    # every file the export recorded as finished is there, whole
    state = json.loads((out / ".anicurate-export.json").read_text(encoding="utf-8"))
    assert 0 < len(state["files"]) < pipeline.n_media
    for rel, entry in state["files"].items():
        assert file_hash(out / rel) == entry["hash"], rel

    small_disk.resize(BIG)
    again = run_cli(*export_args(project, fmt, out, workers))
    assert again.returncode == 0 and TRACEBACK not in again.stderr, again.describe()
    clean = pipeline.exports[fmt]
    # frames within a few levels, not bytes: see test_kill_export
    assert_same_export(
        out, project, clean, clean.parent / f"export-{fmt}.anicurate", bit_exact=False
    )

"""The project session reads the catalogue once per open and once per refresh: a browser of
10,000 clips re-reads it after every edit, and each read parses every source row."""

from __future__ import annotations

from pathlib import Path

import pytest

from anicurate.core.listing import list_clips
from anicurate.core.project import ClipStatus, Project
from anicurate.core.project.catalogue import Scan
from anicurate.core.project.edits import set_status
from anicurate.ui.common.settings import AppSettings
from anicurate.ui.session import ProjectSession


def test_open_and_refresh_scan_the_catalogue_once_each(
    settings: AppSettings, project_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scans: list[Scan] = []
    real_scan = Project.scan

    def counted(self: Project) -> Scan:
        scans.append(real_scan(self))
        return scans[-1]

    monkeypatch.setattr(Project, "scan", counted)
    for name in ("errors", "damage", "clips_with_sources"):  # the reads scan replaces
        monkeypatch.setattr(Project, name, lambda self: pytest.fail("read twice"))
    session = ProjectSession(settings, interactive=False)
    assert session.open(project_path)
    assert len(scans) == 1
    model = session.clip_model
    failed = [r for r in model.rows() if r.clip is None]
    assert len(failed) == len(scans[0].errors) == 3  # the media set's three failed files
    assert session.problem_model.rowCount() == 3
    clip = next(r.clip for r in model.rows() if r.clip is not None)
    assert session.project is not None
    set_status(session.project, [clip.id], ClipStatus.ACCEPTED)
    session.refresh()
    assert len(scans) == 2
    assert next(r for r in model.rows() if r.clip and r.clip.id == clip.id).status == "accepted"
    session.close()


def test_the_clip_model_shows_what_the_listing_read(
    settings: AppSettings, project_path: Path
) -> None:
    session = ProjectSession(settings, interactive=False)
    assert session.open(project_path)
    with Project.open(project_path) as other:
        assert [r.key for r in session.clip_model.rows()] == [r.key for r in list_clips(other)]
    session.close()

"""Per-clip thumbnails: after a split each shot shows its own middle frame (exact grey levels),
whole-source clips keep the import's picture, a trim makes a thumbnail stale, undo/redo and a
version-4 project (migrated forward) work."""

from __future__ import annotations

import sqlite3
from collections.abc import Generator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from anicurate.core.jobs import Progress
from anicurate.core.media.writer import write_video
from anicurate.core.project import SCHEMA_VERSION, Project
from anicurate.core.project.edits import split, trim, undo
from anicurate.core.project.schema import MIGRATIONS, migrate
from anicurate.core.project.thumbnails import (
    clip_thumbnail,
    make_clip_thumbnails,
    missing_clip_thumbnails,
    thumbnail_frame,
)
from tests.helpers.ui_media import run_import

# Three shots of flat grey (levels survive YUV and JPEG exactly), 6 frames each.
LEVELS = (24, 128, 216)


def grey(level: int) -> np.ndarray:
    return np.full((48, 64, 3), level, np.uint8)


def run(job: Generator[Progress, None, Any]) -> tuple[list[Progress], Any]:
    steps = []
    while True:
        try:
            steps.append(next(job))
        except StopIteration as stop:
            return steps, stop.value


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    media = tmp_path / "media"
    media.mkdir()
    frames = [grey(level) for level in LEVELS for _ in range(6)]
    write_video(media / "shots.mp4", frames, 24, options={"crf": "0"})
    path = tmp_path / "p.anicurate"
    run_import(path, [media])
    return path


def pixels(jpeg: bytes | None) -> np.ndarray:
    assert jpeg is not None
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return image


def shown(project: Project) -> list[set[int]]:
    """The distinct pixel values of each clip's thumbnail, in frame order."""
    return [
        set(np.unique(pixels(clip_thumbnail(project, c, s))).tolist())
        for c, s in sorted(project.clips_with_sources(), key=lambda cs: cs[0].first_frame)
    ]


def test_split_shots_get_thumbnails_of_their_own_frames(project_path: Path) -> None:
    with Project.open(project_path) as project:
        (whole,) = project.clips()
        assert shown(project) == [{LEVELS[1]}]  # the import's middle frame
        assert missing_clip_thumbnails(project) == []  # a whole-source clip needs none
        pieces = split(project, whole.id, [6, 12])
        assert [thumbnail_frame(c) for c in pieces] == [2, 8, 14]
        assert sorted(missing_clip_thumbnails(project)) == sorted(c.id for c in pieces)
        # The browser hands its rows over instead of reading them again: the same answer.
        pairs = project.clips_with_sources()
        assert missing_clip_thumbnails(project, pairs) == missing_clip_thumbnails(project)
        assert missing_clip_thumbnails(project, pairs[:1]) == [pieces[0].id]
        assert shown(project) == [{LEVELS[1]}] * 3  # the source's picture until made
    steps, made = run(make_clip_thumbnails(project_path))
    assert made == 3 and [s.done for s in steps] == [0, 1, 2, 3]
    assert all(s.total == 3 and s.error is None for s in steps)
    with Project.open(project_path) as project:
        assert shown(project) == [{level} for level in LEVELS]
        assert missing_clip_thumbnails(project) == []
        sizes = project.read("SELECT width, height FROM clip_thumbnails")
        assert sizes == [(64, 48)] * 3
    assert run(make_clip_thumbnails(project_path))[1] == 0  # nothing left to make


def test_a_trim_makes_the_thumbnail_stale_and_undo_brings_the_old_one_back(
    project_path: Path,
) -> None:
    with Project.open(project_path) as project:
        (whole,) = project.clips()
        first, _second = split(project, whole.id, [12])
    run(make_clip_thumbnails(project_path))
    with Project.open(project_path) as project:
        assert shown(project) == [{LEVELS[0]}, {LEVELS[2]}]  # frames 5 and 14
        trim(project, first.id, 6, 11)
        assert missing_clip_thumbnails(project) == [first.id]
        undo(project)  # back to 0..11: the stored picture is current again
        assert missing_clip_thumbnails(project) == []
        undo(project)  # the split undone: one whole clip, the source's picture
        assert shown(project) == [{LEVELS[1]}]


def test_a_version_4_project_is_migrated_forward(tmp_path: Path) -> None:
    path = tmp_path / "old.anicurate"
    conn = sqlite3.connect(path)
    migrate(conn, MIGRATIONS[:4])
    conn.execute(
        "INSERT INTO sources (id, path, size, mtime, hash, added_at) VALUES (1, '/a.mp4', 1, 0,"
        " 'h', 0)"
    )
    conn.execute(
        "INSERT INTO clips (source_id, first_frame, last_frame, created_at, updated_at)"
        " VALUES (1, 0, 5, 0, 0)"
    )
    conn.commit()
    conn.close()
    with Project.open(path) as project:
        assert project.schema_version == SCHEMA_VERSION
        assert project.read("SELECT COUNT(*) FROM clip_thumbnails") == [(0,)]
        assert project.read("SELECT COUNT(*) FROM clip_fixes") == [(0,)]
        assert project.read("SELECT COUNT(*) FROM sentences") == [(0,)]
        assert [c.last_frame for c in project.clips()] == [5]

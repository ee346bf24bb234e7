"""Clip edits are atomic, undo and redo restore exact rows, and the history survives a reopen."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from anicurate.core.media.writer import write_video
from anicurate.core.project import ClipStatus, Project, import_paths
from anicurate.core.project.edits import (
    EditError,
    history,
    merge,
    redo,
    set_crop,
    set_note,
    set_status,
    split,
    trim,
    undo,
)
from tests.helpers.jobs import finish as _run


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    media = tmp_path / "media"
    media.mkdir()
    for name, n in (("a.mp4", 40), ("b.mp4", 12)):
        write_video(media / name, [np.full((32, 48, 3), i * 5, np.uint8) for i in range(n)], 24)
    path = tmp_path / "p.anicurate"
    _run(import_paths(path, [media]))
    return path


def rows(project: Project) -> list[tuple[object, ...]]:
    return [
        (c.id, c.source_id, c.first_frame, c.last_frame, c.crop, c.status.value, c.note)
        for c in project.clips()
    ]


def tags(project: Project) -> list[tuple[object, ...]]:
    return project.connection.execute(
        "SELECT clip_id, tag FROM tags ORDER BY clip_id, tag"
    ).fetchall()


def test_status_note_crop_undo_redo_across_reopen(project_path: Path) -> None:
    with Project.open(project_path) as p:
        a, b = (c.id for c in p.clips())
        start = rows(p)
        assert set_status(p, [a, b], ClipStatus.ACCEPTED) == 2
        assert set_status(p, [a], ClipStatus.ACCEPTED) == 0  # no change, no history entry
        set_note(p, b, "too dark")
        set_crop(p, a, (4, 2, 32, 24))
        after = rows(p)
        assert history(p) == ("Crop", None)
    with Project.open(project_path) as p:  # the history is in the file
        assert undo(p) == "Crop"
        assert undo(p) == "Edit note"
        assert undo(p) == "Accept 2 clips"
        assert undo(p) is None
        assert rows(p) == start
        assert history(p) == (None, "Accept 2 clips")
        assert redo(p) == "Accept 2 clips"
        assert redo(p) == "Edit note"
        assert redo(p) == "Crop"
        assert redo(p) is None
        assert rows(p) == after


def test_new_edit_after_undo_drops_the_redo_branch(project_path: Path) -> None:
    with Project.open(project_path) as p:
        a = p.clips()[0].id
        set_status(p, [a], ClipStatus.REJECTED)
        undo(p)
        set_note(p, a, "keep")
        assert history(p) == ("Edit note", None)
        assert redo(p) is None
        assert p.clips()[0].status is ClipStatus.UNREVIEWED


def test_split_at_cuts_with_dropped_edges_then_undo(project_path: Path) -> None:
    with Project.open(project_path) as p:
        a = p.clips()[0].id
        before = rows(p)
        set_status(p, [a], ClipStatus.ACCEPTED)
        pieces = split(p, a, [10, 25, 0, 39, 400], drop=1)
        assert [(c.first_frame, c.last_frame) for c in pieces] == [(0, 8), (11, 23), (26, 37)]
        assert pieces[0].id == a and pieces[0].status is ClipStatus.ACCEPTED
        assert [c.status for c in pieces[1:]] == [ClipStatus.UNREVIEWED] * 2
        assert undo(p) == "Split at cuts"
        undo(p)
        assert rows(p) == before
        redo(p)
        redo(p)
        assert [(c.first_frame, c.last_frame) for c in p.clips(pieces[0].source_id)] == [
            (0, 8), (11, 23), (26, 37)]  # fmt: skip
        with pytest.raises(EditError):
            split(p, a, [0, 100])


def test_merge_restores_the_deleted_clip_with_its_tags_on_undo(project_path: Path) -> None:
    with Project.open(project_path) as p:
        a = p.clips()[0].id
        first, second, third = split(p, a, [10, 20])
        with p.transaction() as conn:
            conn.execute(
                "INSERT INTO tags (clip_id, tag, score, origin) VALUES (?, 'smile', 0.9, 'auto'),"
                " (?, 'running', NULL, 'manual')",
                (second.id, third.id),
            )
        before_rows, before_tags = rows(p), tags(p)
        merged = merge(p, [third.id, second.id])
        assert (merged.id, merged.first_frame, merged.last_frame) == (second.id, 10, 39)
        assert tags(p) == [(second.id, "smile")]  # third's tag went with it
        assert undo(p) == "Merge 2 clips"
        assert rows(p) == before_rows and tags(p) == before_tags
        other = next(c for c in p.clips() if c.source_id != first.source_id)
        with pytest.raises(EditError, match="same source"):
            merge(p, [first.id, other.id])
        with pytest.raises(EditError, match="not adjacent"):
            merge(p, [first.id, third.id])


def test_trim_checks_the_source_range(project_path: Path) -> None:
    with Project.open(project_path) as p:
        a = p.clips()[0].id
        assert (trim(p, a, 5, 30).first_frame, p.clips()[0].last_frame) == (5, 30)
        with pytest.raises(EditError):
            trim(p, a, 10, 40)  # the source has frames 0-39
        with pytest.raises(EditError):
            trim(p, a, 20, 10)
        undo(p)
        assert (p.clips()[0].first_frame, p.clips()[0].last_frame) == (0, 39)

"""core/listing.py: the browser's rows read from a real project (clips, failed sources, stored
analysis and tags) with a fixed number of queries, whatever the number of clips."""

from __future__ import annotations

from pathlib import Path

import pytest

from anicurate.core.analysis import analyze_project
from anicurate.core.listing import ERROR_STATUS, clip_tag_text, list_clips
from anicurate.core.project import ClipStatus, Project
from anicurate.core.project.edits import set_status, split
from anicurate.core.tagging import store
from tests.helpers.export_samples import clip_of, make_project, write_source


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    """b.mp4 (24 frames, accepted, tagged), a.mp4 (12 frames), and two files that fail."""
    media = tmp_path / "media"
    media.mkdir()
    files = [write_source(media / "b.mp4", 24), write_source(media / "a.mp4", 12)]
    (media / "z_broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    (media / "m_empty.webm").write_bytes(b"")
    path = tmp_path / "p.anicurate"
    project = make_project(path, [*files, media / "z_broken.mp4", media / "m_empty.webm"])
    b = clip_of(project, "b.mp4")
    set_status(project, [b], ClipStatus.ACCEPTED)
    for tag in ("1girl", "smile"):
        store.add_tag(project, b, tag)
    project.close()
    return path


def test_rows_clips_first_then_failed_sources_by_path(project_path: Path) -> None:
    with Project.open(project_path) as project:
        rows = list_clips(project)
        b, a = clip_of(project, "b.mp4"), clip_of(project, "a.mp4")
    names = [r.name for r in rows]
    clip_rows, failed = rows[:2], rows[2:]
    assert sorted(names[:2]) == ["a.mp4", "b.mp4"]
    assert names[2:] == ["m_empty.webm", "z_broken.mp4"]
    by_name = {r.name: r for r in clip_rows}
    assert by_name["b.mp4"].key == ("clip", b) and by_name["a.mp4"].key == ("clip", a)
    assert by_name["b.mp4"].status == "accepted" and by_name["a.mp4"].status == "unreviewed"
    assert sorted(by_name["b.mp4"].tags.split()) == ["1girl", "smile"]
    assert by_name["a.mp4"].tags == ""
    assert (by_name["b.mp4"].frame_count, by_name["a.mp4"].frame_count) == (24, 12)
    assert by_name["b.mp4"].duration == pytest.approx(1.0)
    assert all(r.result is None and r.flags == [] and r.error is None for r in clip_rows)
    for row in failed:
        assert row.clip is None and row.key == ("source", row.source.id)
        assert row.status == ERROR_STATUS and row.error and row.duration is None
        assert row.error == ((row.source.error or "").strip() or row.source.error_kind)


def test_rows_carry_stored_analysis(project_path: Path) -> None:
    job = analyze_project(project_path)
    for _ in job:
        pass
    with Project.open(project_path) as project:
        rows = list_clips(project)
    analysed = [r for r in rows if r.clip is not None]
    assert len(analysed) == 2
    for row in analysed:
        assert row.result is not None
        assert row.result.metrics.frames == row.frame_count
        assert row.flags == list(row.result.flags)


def test_queries_do_not_grow_with_the_clips(project_path: Path) -> None:
    with Project.open(project_path) as project:
        statements: list[str] = []
        project.connection.set_trace_callback(statements.append)
        rows = list_clips(project)
        few = len(statements)
        project.connection.set_trace_callback(None)
        split(project, clip_of(project, "b.mp4"), at=[6, 12, 18])  # 1 clip becomes 4
        store.add_tag(project, clip_of(project, "a.mp4"), "1boy")
        statements.clear()
        project.connection.set_trace_callback(statements.append)
        more = list_clips(project)
        project.connection.set_trace_callback(None)
    assert (len(rows), len(more)) == (4, 7)
    assert [r.frame_count for r in more if r.name.startswith("b.mp4")] == [6, 6, 6, 6]
    assert len(statements) == few


def test_tag_text_is_one_query(project_path: Path) -> None:
    with Project.open(project_path) as project:
        statements: list[str] = []
        project.connection.set_trace_callback(statements.append)
        text = clip_tag_text(project)
        project.connection.set_trace_callback(None)
        b = clip_of(project, "b.mp4")
    assert list(text) == [b] and sorted(text[b].split()) == ["1girl", "smile"]
    assert len(statements) == 1

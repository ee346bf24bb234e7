"""From a prompt back to the clips: rarity-weighted tag overlap over an export's manifest, and the
``export`` and ``find`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from anicurate.cli import main
from anicurate.core.export import find
from anicurate.core.project import ClipStatus, Project
from anicurate.core.project.edits import set_status
from anicurate.core.tagging import store
from tests.helpers.export_samples import clip_of, make_project, write_source

TAGS = {
    "a.mp4": ["1girl", "smile", "long hair", "school uniform"],
    "b.mp4": ["1girl", "running", "rain"],
    "c.mp4": ["1boy", "running", "long hair"],
    "d.mp4": ["1girl", "smile"],
}


@pytest.fixture
def project(tmp_path: Path) -> Project:
    media = tmp_path / "media"
    media.mkdir()
    files = [write_source(media / name, 12) for name in TAGS]
    project = make_project(
        tmp_path / "p.anicurate", files, train_width=48, train_height=32, n_sample_frames=4,
        fps=24, use_bucketing=False,
    )  # fmt: skip
    set_status(project, [c.id for c in project.clips()], ClipStatus.ACCEPTED)
    for name, tags in TAGS.items():
        for tag in tags:
            store.add_tag(project, clip_of(project, name), tag)
    project.close()
    return Project.open(tmp_path / "p.anicurate")


def export(tmp_path: Path, *extra: str) -> int:
    return main([
        "export", "--project", str(tmp_path / "p.anicurate"), "--format", "t2v-folder",
        "--out", str(tmp_path / "out"), "-q", *extra,
    ])  # fmt: skip


def test_find_ranks_by_rare_tags(tmp_path: Path, project: Project) -> None:
    assert export(tmp_path) == 0
    hits = find(tmp_path / "out", "1girl, running, rain")
    assert [Path(h.source_path).name for h in hits] == ["b.mp4", "c.mp4", "a.mp4", "d.mp4"]
    best = hits[0]
    assert best.matched == ("rain", "running", "1girl")  # rarest first
    assert best.frame_range == (0, 11)
    assert best.path == str(tmp_path / "out" / "videos" / f"b_c{best.clip_id}.mp4")
    # Free text finds multi-word tags as phrases; words alone count for less.
    hits = find(tmp_path / "out", "a girl with long hair in a school uniform")
    assert Path(hits[0].source_path).name == "a.mp4"
    assert hits[0].matched[:2] == ("school uniform", "long hair")
    assert find(tmp_path / "out", "spaceship") == []


def test_cli_export_and_find(
    tmp_path: Path, project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export(tmp_path, "--workers", "2") == 0
    out = capsys.readouterr().out
    assert "4 clips chosen (accepted); 4 files" in out
    assert f"config: {tmp_path / 'out' / 'config.yaml'}" in out
    assert "exported 4 files" in out and "4 rendered, 0 unchanged, 0 failed" in out
    assert export(tmp_path) == 0
    assert "0 rendered, 4 unchanged" in capsys.readouterr().out
    code = main(["find", "--dataset", str(tmp_path / "out"), "rain", "--json", "--top", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0 and len(lines) == 1
    hit = json.loads(lines[0])
    assert Path(hit["source"]).name == "b.mp4" and hit["matched"] == ["rain"]


def test_cli_names_failed_clips_and_exits_1(
    tmp_path: Path, project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = Path(project.sources()[2].path)
    broken.write_bytes(b"\0" * 100)
    assert export(tmp_path) == 1
    err = capsys.readouterr().err
    assert f"anicurate: {broken} [0-11]:" in err
    assert export(tmp_path, "--dry-run") == 0


def test_find_without_a_manifest_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["find", "--dataset", str(tmp_path), "x"]) == 1
    assert "no readable anicurate manifest" in capsys.readouterr().err

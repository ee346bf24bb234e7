"""The whole workflow from a terminal: import, analyze, settings, split, review, crop, tag and
export with the CLI alone, then the export read back the way Text-To-Video-Finetuning's
VideoJsonDataset reads it (formats.md 1.2), re-analysed for cuts and checked for bars."""

from __future__ import annotations

import json
import os
from pathlib import Path

import av
import numpy as np
import pytest

from anicurate.cli import main
from anicurate.core.media.writer import write_still
from anicurate.core.project import ClipStatus, Project
from tests.helpers.analysis_samples import DAY, DUSK, NIGHT, Layout, Timeline, draw
from tests.helpers.tagger_samples import make_tiny_tagger

TRIGGER = "anime"
N_SAMPLE, STEP = 8, 2  # a json sample spans (8 - 1) * 2 + 1 = 15 frames


@pytest.fixture
def media(tmp_path: Path) -> Path:
    folder = tmp_path / "media"
    folder.mkdir()
    tl = Timeline()  # 320x180 (16:9): two shots and a hard cut at frame 40
    tl.shot(40, DAY, Layout(pan=0, figure_x=0.2, pan_speed=6))
    tl.shot(40, NIGHT, Layout(pan=120, figure_x=0.6, pan_speed=6))
    assert tl.cuts == [40]
    tl.write(folder / "two_shots.mp4")
    short = Timeline()  # 10 frames: shorter than the 15-frame window
    short.shot(10, DUSK, Layout(figure_x=0.4, pan_speed=6))
    short.write(folder / "short.mp4")
    write_still(folder / "still.png", draw(320, 180, DAY, Layout(figure_x=0.5), 0))
    return folder


def cli(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    """Run the CLI in-process; returns (exit code, stdout, stderr). ANICURATE_ECHO=1 shows the
    session on the terminal (to read what a user would see)."""
    words = [str(a) for a in args]
    try:
        code = main(words)
    except SystemExit as stop:  # argparse's usage errors
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    if os.environ.get("ANICURATE_ECHO"):
        with capsys.disabled():
            print(f"$ anicurate {' '.join(words)}\n{out}{err}[exit {code}]")
    return code, out, err


def read_video(path: str) -> list[np.ndarray]:
    """Every frame, as decord.VideoReader(path) would index them (RGB)."""
    with av.open(path) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def video_json_items(json_path: Path, n_sample_frames: int, frame_step: int) -> list[dict]:
    """Text-To-Video-Finetuning's VideoJsonDataset, re-implemented: the nested list flattened
    to one item per data[].data[] entry, each decoded from frame_index every frame_step-th frame
    (clamped to the video), n_sample_frames at most (formats.md 1.2)."""
    data = json.loads(json_path.read_text(encoding="utf-8"))
    items = []
    for video in data["data"]:
        for entry in video["data"]:
            path = video["video_path"]  # used verbatim by decord
            frames = read_video(path)
            max_range = len(frames)
            frame_number = sorted((0, entry["frame_index"], max_range))[1]
            indices = list(range(frame_number, max_range, frame_step))[:n_sample_frames]
            items.append({
                "video_path": path, "prompt": entry["prompt"],
                "frames": [frames[i] for i in indices],
            })  # fmt: skip
    return items


def test_the_whole_workflow_from_the_cli_alone(
    tmp_path: Path, media: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "work.anicurate"
    out = tmp_path / "dataset"
    tagger = make_tiny_tagger(tmp_path / "tagger")

    # A missing project is a usage error; importing nothing creates no project.
    assert cli(capsys, "review", "--project", project, "--accept")[0] == 2
    code, _, err = cli(capsys, "import", project, tmp_path / "nowhere")
    assert code == 1 and "no such file or folder" in err and not project.exists()

    assert cli(capsys, "import", project, media, "-q")[0] == 0
    assert cli(capsys, "analyze", "--project", project, "-q")[0] == 0
    code, out_text, _ = cli(
        capsys, "settings", "--project", project, "--preset", "text-to-video-finetuning",
        "--trigger", TRIGGER, "--size", "128x128", "--frames", N_SAMPLE, "--step", STEP,
    )  # fmt: skip
    assert code == 0 and "trigger_tag: '' -> 'anime'" in out_text
    code, out_text, _ = cli(capsys, "settings", "--project", project)
    assert "trigger_tag      'anime'" in out_text and "train_width      128" in out_text

    # Nothing accepted yet: an export writes nothing and says what to do.
    code, _, err = cli(capsys, "export", "--project", project, "--format", "t2v-json",
                       "--out", out)  # fmt: skip
    assert code == 1 and "accept clips, or use --include all" in err and not out.exists()

    code, out_text, _ = cli(capsys, "split", "--project", project, "--at-cuts")
    assert code == 0 and "split 1 clip into 2 clips" in out_text
    with Project.open(project) as p:
        ranges = sorted((c.first_frame, c.last_frame) for c, s in p.clips_with_sources()
                        if s.path.endswith("two_shots.mp4"))  # fmt: skip
    assert ranges == [(0, 39), (40, 79)]

    # A bad expression is a usage error; undo and redo walk the journal.
    assert cli(capsys, "review", "--project", project, "--accept", "--where", "flag:nope")[0] == 2
    code, out_text, _ = cli(capsys, "review", "--project", project, "--reject", "--where", "all")
    assert code == 0 and "4 clips rejected" in out_text
    code, out_text, _ = cli(capsys, "undo", "--project", project)
    assert code == 0 and "undid 'Reject 4 clips'" in out_text
    code, out_text, _ = cli(capsys, "review", "--project", project, "--accept",
                            "--where", "not flag:cut and not status:rejected")  # fmt: skip
    assert code == 0 and "4 clips accepted" in out_text
    with Project.open(project) as p:
        assert {c.status for c in p.clips()} == {ClipStatus.ACCEPTED}

    # The shots get the largest 1:1 crop ('and' binds tighter than 'or'), then every crop is
    # cleared again (and the clear undone and redone): the export centre-crops or buckets.
    code, out_text, _ = cli(capsys, "crop", "--project", project, "--fit", "--where",
                            "tag:nothing or status:accepted and not flag:too_few_frames")
    assert code == 0 and "two_shots.mp4 [0–39]: none -> 180x180+70+0" in out_text
    code, out_text, _ = cli(capsys, "crop", "--project", project, "--clear")
    assert code == 0 and "clear crop on" in out_text
    code, out_text, _ = cli(capsys, "undo", "--project", project)
    assert "undid 'Clear crop" in out_text
    code, out_text, _ = cli(capsys, "redo", "--project", project)
    assert "redid 'Clear crop" in out_text
    with Project.open(project) as p:
        assert all(c.crop is None for c in p.clips())

    code, out_text, _ = cli(capsys, "tag", "--project", project, "--model", tagger,
                            "--provider", "cpu", "-q")  # fmt: skip
    assert code == 0, out_text

    code, out_text, err = cli(capsys, "export", "--project", project, "--format", "t2v-json",
                              "--out", out, "-q", "--where", "not tag:no_such_tag")  # fmt: skip
    assert code == 0, err
    # The short clip is listed with its remedy, not dropped silently.
    assert "short.mp4" in out_text and "remedy: a frame step of 1 fits it" in out_text
    assert "below the training size" not in out_text  # 180 lines to 128: no enlargement

    items = video_json_items(out / "train.json", N_SAMPLE, STEP)
    assert len({i["video_path"] for i in items}) == 2 and items
    for item in items:
        assert Path(item["video_path"]).is_absolute()  # decord opens it verbatim
        assert item["prompt"].startswith(TRIGGER)
        assert len(item["frames"]) == N_SAMPLE  # a full window every time
        frame = item["frames"][0]
        # Not letterboxed: 16:9 is kept whole (bucketing), no black rows top or bottom.
        assert frame.shape[1] > frame.shape[0]
        assert frame[:3].mean() > 40 and frame[-3:].mean() > 40
    captions = sorted(out.glob("images/*.txt"))
    assert len(captions) == 1 and captions[0].read_text(encoding="utf-8").startswith(TRIGGER)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert all(f.get("pad") is None for f in manifest["files"])

    # No exported clip holds a cut: analyse the exported files themselves.
    videos = sorted(str(p) for p in out.glob("videos/*.mp4"))
    code, out_text, _ = cli(capsys, "analyze", "--json", *videos)
    rows = [json.loads(line) for line in out_text.splitlines()]
    assert code == 0 and len(rows) == 2
    assert all(r["cuts"] == [] and r["transitions"] == [] for r in rows)


def test_finetrainers_parts_never_cross_a_cut_and_find_names_their_frames(
    tmp_path: Path, media: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project, out = tmp_path / "p.anicurate", tmp_path / "ft"
    (media / "short.mp4").unlink()
    (media / "still.png").unlink()
    assert cli(capsys, "import", project, media, "-q")[0] == 0
    assert cli(capsys, "analyze", "--project", project, "-q")[0] == 0
    assert cli(capsys, "settings", "--project", project, "--trigger", TRIGGER,
               "--size", "128x128", "--frames", "9", "--step", "2")[0] == 0  # fmt: skip
    assert cli(capsys, "review", "--project", project, "--accept")[0] == 0  # not split
    code, out_text, err = cli(capsys, "export", "--project", project, "--format", "finetrainers",
                              "--out", out, "-q")  # fmt: skip
    assert code == 0, err
    # Parts span one sample's time, (9 - 1) * 2 + 1 = 17 frames, inside one shot each.
    code, out_text, _ = cli(capsys, "find", "--dataset", out, TRIGGER, "--json")
    ranges = sorted(tuple(json.loads(line)["frame_range"]) for line in out_text.splitlines())
    assert ranges == [(0, 16), (17, 33), (40, 56), (57, 73)]
    videos = sorted(str(p) for p in out.glob("videos/*.mp4"))
    code, out_text, _ = cli(capsys, "analyze", "--json", *videos)
    rows = [json.loads(line) for line in out_text.splitlines()]
    assert len(rows) == 4 and all(r["cuts"] == [] and r["frames"] == 17 for r in rows)


def test_a_command_after_a_detector_update_reflags_before_it_selects(
    media: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "p.anicurate"
    assert main(["import", str(project), str(media)]) == 0
    assert main(["analyze", "--project", str(project)]) == 0
    with Project.open(project) as p, p.transaction() as conn:  # as an older version left them
        conn.execute("UPDATE analysis SET version = 1 WHERE analyser = 'flags'")
    capsys.readouterr()
    # Without current flags no clip would count as holding a cut: none would be accepted.
    assert main(["review", "--project", str(project), "--accept", "--where", "flag:cut"]) == 0
    assert "updating the flags for this version's detector" in capsys.readouterr().err
    with Project.open(project) as p:
        accepted = [Path(s.path).name for c, s in p.clips_with_sources()
                    if c.status == ClipStatus.ACCEPTED]  # fmt: skip
    assert accepted == ["two_shots.mp4"]

"""``anicurate analyze``: files without a project, --json lines, failures, and --project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from anicurate.cli import main
from anicurate.core.project import Project, import_paths
from tests.helpers.analysis_samples import DAY, NIGHT, Layout, Timeline

KEYS = {"path", "frames", "fps", "duration", "width", "height", "cuts", "transitions", "flashes",
        "effective_fps", "held_ratio", "motion", "blur", "noise", "flags", "error"}  # fmt: skip


@pytest.fixture
def media(tmp_path: Path) -> Path:
    folder = tmp_path / "media"
    folder.mkdir()
    tl = Timeline().shot(20, DAY, Layout()).flash(1).shot(10, DAY, Layout(), cut=False, start=10)
    tl.shot(18, NIGHT, Layout(figure_x=0.6), hold=3)
    tl.write(folder / "a.mp4")
    (folder / "broken.mp4").write_bytes(b"not a video at all")
    return folder


def test_analyze_json_lines_and_exit_1_on_a_bad_file(
    media: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", "--json", "-q", str(media)]) == 1
    out, err = capsys.readouterr()
    rows = {Path(r["path"]).name: r for r in map(json.loads, out.splitlines())}
    assert set(rows) == {"a.mp4", "broken.mp4"}
    good = rows["a.mp4"]
    assert set(good) >= KEYS
    assert (good["frames"], good["width"], good["height"], good["fps"]) == (49, 320, 180, 24.0)
    assert good["cuts"] == [31] and good["flashes"] == [20] and good["transitions"] == []
    assert good["error"] is None
    assert {f["kind"] for f in good["flags"]} >= {"cut", "flash"}
    assert rows["broken.mp4"]["error"] and "broken.mp4" in err


def test_analyze_text_output(media: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "-q", str(media / "a.mp4")]) == 0
    out = capsys.readouterr().out
    assert "cuts [31]" in out and "flash at frame 20" in out


def test_analyze_project_only_stale(
    media: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "p.anicurate"
    list(import_paths(project, [media / "a.mp4"]))
    assert main(["analyze", "-q", "--project", str(project)]) == 0
    assert "1 analysed, 0 failed, 1 clip," in capsys.readouterr().out
    assert main(["analyze", "-q", "--project", str(project), "--workers", "2", "--json"]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["metrics"]["cuts"] == [31]
    with Project.open(project) as p:
        assert len(p.sources()) == 1


def test_usage_errors(tmp_path: Path) -> None:
    assert main(["analyze"]) == 2
    assert main(["analyze", "--project", str(tmp_path / "p"), str(tmp_path)]) == 2
    with pytest.raises(SystemExit) as stop:  # argparse refuses it (cli/arguments.py)
        main(["analyze", "--workers", "0", str(tmp_path)])
    assert stop.value.code == 2


def test_workers_default_to_one_process_per_core_up_to_one_per_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from anicurate.cli import build_parser
    from anicurate.core.analysis import run

    parse = build_parser().parse_args
    assert parse(["analyze", "x.mp4"]).workers == 0  # auto
    assert parse(["analyze", "--workers", "AUTO", "x.mp4"]).workers == 0
    assert parse(["analyze", "--workers", "3", "x.mp4"]).workers == 3
    monkeypatch.setattr(run.os, "cpu_count", lambda: 16)
    assert [run.pool_size(0, files) for files in (1, 5, 100)] == [1, 5, run.AUTO_WORKERS]
    assert run.pool_size(3, 100) == 3  # the user's number stands
    # and a process more only for each WORK_PER_START starts' worth of estimated work
    for alone, method in ((False, "spawn"), (True, "fork")):
        monkeypatch.setattr(run, "_only_thread", lambda alone=alone: alone)
        per = run.WORK_PER_START * run.START_COST_S[method]
        assert [run.pool_size(0, 100, k * per) for k in (0.1, 1, 2.6, 40)] == [1, 1, 3, 8]
    assert run.START_COST_S["fork"] < run.START_COST_S["spawn"]
    monkeypatch.setattr(run.os, "cpu_count", lambda: None)
    assert run.pool_size(0, 100) == 1


def test_the_work_estimates_follow_frames_pixels_and_bytes(tmp_path: Path) -> None:
    from fractions import Fraction

    from anicurate.core.analysis import run
    from anicurate.core.media.formats import MediaKind
    from anicurate.core.media.info import MediaInfo

    def info(w: int, h: int, n: int) -> MediaInfo:
        return MediaInfo(
            path="x.mp4", kind=MediaKind.VIDEO, container="mp4", codec="h264", width=w,
            height=h, rotation=0, sample_aspect=Fraction(1), frame_count=n, fps=Fraction(24),
            duration=n / 24, vfr=False, has_audio=False,
        )  # fmt: skip

    small = run.sources_work_s([info(480, 270, 180)])
    hd = run.sources_work_s([info(1920, 1080, 180)])
    assert 0.05 < small < 0.2 and 3.5 < hd / small < 6  # ~0.6 ms and ~3.2 ms a frame
    assert run.sources_work_s([info(480, 270, 180)] * 16) == pytest.approx(16 * small)
    assert run.sources_work_s([None]) == run.sources_work_s([info(1920, 1080, 240)])
    (tmp_path / "a.mp4").write_bytes(bytes(250_000))
    (tmp_path / "b.gif").write_bytes(bytes(750_000))
    paths = [str(tmp_path / n) for n in ("a.mp4", "b.gif", "gone.mp4")]
    assert run.files_work_s(paths) == pytest.approx(1e6 / run.FILE_BYTES_PER_S)


def test_auto_workers_analyse_a_folder_across_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from anicurate.core.analysis import run

    for k in range(3):
        tl = Timeline(w=96, h=64).shot(12, DAY, Layout(pan=2)).shot(12, NIGHT, Layout())
        tl.write(tmp_path / f"clip{k}.mp4")
    monkeypatch.setattr(run.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(run, "FILE_BYTES_PER_S", 1.0)  # as if these were minutes of video
    sizes: list[int] = []
    size = run.pool_size
    monkeypatch.setattr(run, "pool_size", lambda *a: sizes.append(size(*a)) or sizes[-1])
    assert main(["analyze", "-q", "--json", str(tmp_path)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sizes == [2]  # two processes for three files on two cores, chosen once
    assert [r["cuts"] for r in rows] == [[12]] * 3
    monkeypatch.setattr(run, "FILE_BYTES_PER_S", 1e12)  # as they are: a few frames each
    sizes.clear()
    assert main(["analyze", "-q", "--json", str(tmp_path)]) == 0
    assert sizes == [1]  # no process started for them

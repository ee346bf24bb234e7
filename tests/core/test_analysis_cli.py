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

"""The terminal commands: exact output rows, exit codes 0/1/2 and failures named on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from anicurate.cli import main
from anicurate.core.media.writer import write_animation, write_video


def numbered(n: int, w: int = 64, h: int = 48) -> list[np.ndarray]:
    return [np.full((h, w, 3), (i * 9) % 256, np.uint8) for i in range(n)]


@pytest.fixture
def media(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    write_video(folder / "a.mp4", numbered(12), 24)
    write_animation(folder / "sub" / "b.gif", numbered(4), [100, 50, 200, 50])
    (folder / "broken.mp4").write_bytes(b"this is not a video at all" * 10)
    (folder / "notes.txt").write_text("ignored: not media")
    return folder


def json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_info_json_one_object_per_file_and_exit_1_on_a_bad_one(
    media: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["info", "--json", str(media)]) == 1
    out, err = capsys.readouterr()
    rows = {Path(str(r["path"])).name: r for r in json_lines(out)}
    assert set(rows) == {"a.mp4", "b.gif", "broken.mp4"}
    a = rows["a.mp4"]
    assert (a["width"], a["height"], a["frames"], a["fps"], a["vfr"], a["codec"], a["error"]) == (
        64,
        48,
        12,
        24.0,
        False,
        "h264",
        None,
    )
    assert a["duration"] == pytest.approx(0.5)
    b = rows["b.gif"]
    assert (b["frames"], b["vfr"], b["codec"]) == (4, True, "gif")
    assert b["duration"] == pytest.approx(0.4)
    assert rows["broken.mp4"]["error"] and "width" not in rows["broken.mp4"]
    assert "broken.mp4" in err and "a.mp4" not in err


def test_import_then_info_project(
    media: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "p.anicurate"
    assert main(["import", "-q", str(project), str(media)]) == 1  # broken.mp4 failed, rest imported
    out, err = capsys.readouterr()
    assert "2 added" in out and "1 failed" in out
    assert "broken.mp4" in err

    assert main(["import", "-q", str(project), str(media)]) == 1
    out, _ = capsys.readouterr()
    assert "0 added" in out and "2 unchanged" in out

    assert main(["info", "--json", str(project)]) == 0
    rows = {Path(str(r["path"])).name: r for r in json_lines(capsys.readouterr().out)}
    assert rows["a.mp4"]["frames"] == 12 and rows["b.gif"]["frames"] == 4
    assert rows["broken.mp4"]["error"]

    assert main(["info", str(project)]) == 0
    text = capsys.readouterr().out
    assert "384x384" in text and "a.mp4" in text


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["import", str(tmp_path / "p.anicurate")])  # no paths
    assert exc.value.code == 2
    assert main(["no-such-command"]) == 2
    assert "neither a command" in capsys.readouterr().err


def test_doctor_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {"versions", "providers", "gpus", "models"} <= set(report)
    assert any(p["name"] == "CPUExecutionProvider" and p["works"] for p in report["providers"])
    assert report["versions"]["Qt"].startswith("6.")

"""``find`` on datasets anicurate did not write: a Video-BLIP2 JSON with videos, and a folder
of videos with .txt captions; words weighted by rarity rank the right clip first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from anicurate.cli import main
from anicurate.core.export import find
from tests.helpers.export_samples import write_source

SENTENCES = {
    "v0.mp4": ["a girl walks down a street", "a girl walks into a bakery"],
    "v1.mp4": ["a girl walks along the beach at sunset"],
    "v2.mp4": ["a boy walks his dog in the park"],
    "v3.mp4": ["a girl with a red umbrella walks in the rain"],
    "v4.mp4": ["a girl sits in a classroom"],
}


@pytest.fixture
def blip_json(tmp_path: Path) -> Path:
    data = []
    for name, prompts in SENTENCES.items():
        video = write_source(tmp_path / name, 24)
        data.append({"video_path": str(video), "num_frames": 24, "data": [
            {"frame_index": 12 * k, "prompt": p} for k, p in enumerate(prompts)]})  # fmt: skip
    path = tmp_path / "blip2.json"
    path.write_text(json.dumps({"name": "theirs", "data": data}))
    return path


def test_sentence_prompt_finds_the_right_clip_first(blip_json: Path) -> None:
    hits = find(blip_json, "a girl with an umbrella walking in the rain at night")
    assert Path(hits[0].path).name == "v3.mp4" and hits[0].frame_range == (0, 23)
    hits = find(blip_json, "girl walks into the bakery")
    assert Path(hits[0].path).name == "v0.mp4" and hits[0].frame_range == (12, 23)
    assert hits[0].caption == "a girl walks into a bakery"
    assert find(blip_json, "spaceship") == []


def test_find_json_lines(blip_json: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["find", "--dataset", str(blip_json), "--json", "--top", "2",
                 "boy and dog in a park"]) == 0  # fmt: skip
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 2
    assert Path(lines[0]["path"]).name == "v2.mp4" and lines[0]["frame_range"] == [0, 23]
    assert lines[0]["score"] > lines[1]["score"] > 0


def test_folder_of_txt_captions(tmp_path: Path) -> None:
    for name, prompts in SENTENCES.items():
        write_source(tmp_path / name, 12)
        (tmp_path / name).with_suffix(".txt").write_text(prompts[0], encoding="utf-8")
    hits = find(tmp_path, "sunset beach")
    assert [Path(h.path).name for h in hits] == ["v1.mp4"]

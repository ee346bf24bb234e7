"""Sentence captions: imported from a Video-BLIP2 JSON (per frame_index), JSONL and .txt,
matched by path, name or hash, and exported with WD14 tags within 75 CLIP tokens."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anicurate.cli import main
from anicurate.core.captions.readers import parse_blip2_json, parse_jsonl
from anicurate.core.captions.sentences import CaptionError, clip_sentence, clips_matching_text
from anicurate.core.captions.tokens import count_tokens
from anicurate.core.project import ClipStatus, Project
from anicurate.core.project.edits import set_status, undo
from anicurate.core.tagging import store
from anicurate.core.tagging.merge import ScoredTag, TagResult
from tests.helpers.export_samples import clip_of, make_project, write_source

WD14 = [f"tag_{i:02d}_{w}" for i, w in enumerate(["girl", "hair", "eyes", "skirt"] * 10)]


def test_blip2_json_sentences_and_tags_reach_t2v_json(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    a = write_source(media / "a.mp4", 48)
    b = write_source(media / "b.mp4", 24)
    c = write_source(media / "c.mp4", 36)  # not b's bytes: c is matched by hash
    project = make_project(tmp_path / "p.anicurate", [a, b, c], train_width=48, train_height=32,
                           n_sample_frames=4, frame_step=1, fps=24, use_bucketing=False,
                           trigger_tag="anime")  # fmt: skip
    set_status(project, [cl.id for cl in project.clips()], ClipStatus.ACCEPTED)
    for name in ("a.mp4", "b.mp4"):
        result = TagResult([ScoredTag(t, 0.99 - i / 100, "general") for i, t in enumerate(WD14)],
                           {"general": 0.9})  # fmt: skip
        store.store_auto_tags(project, clip_of(project, name), result, fingerprint="f",
                              model="m", provider="cpu", frames=[0])  # fmt: skip
    copy = tmp_path / "elsewhere" / "c_copy.mp4"
    copy.parent.mkdir()
    shutil.copy(c, copy)
    blip = {"name": "blip2", "data": [
        {"video_path": str(a), "num_frames": 48, "data": [
            {"frame_index": 0, "prompt": "a girl opens a door"},
            {"frame_index": 30, "prompt": "a girl waves goodbye"}]},
        {"video_path": "/somewhere/else/b.mp4", "num_frames": 24,
         "data": [{"frame_index": 0, "prompt": "a boy runs in the rain"}]},
        {"video_path": str(copy), "num_frames": 24,
         "data": [{"frame_index": 0, "prompt": "a cat sleeps"}]},
        {"video_path": "/nowhere/z.mp4", "num_frames": 5,
         "data": [{"frame_index": 0, "prompt": "lost"}]},
    ]}  # fmt: skip
    (tmp_path / "blip.json").write_text(json.dumps(blip))
    project.close()
    assert main(["captions", "import", "--project", str(tmp_path / "p.anicurate"),
                 str(tmp_path / "blip.json")]) == 0  # fmt: skip
    with Project.open(tmp_path / "p.anicurate") as project:
        ca, cb, cc = (clip_of(project, n) for n in ("a.mp4", "b.mp4", "c.mp4"))
        assert clip_sentence(project, ca, 40) == "a girl waves goodbye"
        assert clip_sentence(project, cb) == "a boy runs in the rain"  # by file name
        assert clip_sentence(project, cc) == "a cat sleeps"  # by content hash
        assert clips_matching_text(project, "rain boy") == [cb]
    out = tmp_path / "out"
    assert main(["export", "--project", str(tmp_path / "p.anicurate"), "--format", "t2v-json",
                 "--out", str(out), "-q"]) == 0  # fmt: skip
    data = json.loads((out / "train.json").read_text())
    prompts = {Path(v["video_path"]).name: [e["prompt"] for e in v["data"]] for v in data["data"]}
    pa = prompts[f"a_c{ca}.mp4"]
    assert pa[0].startswith("anime, a girl opens a door, tag_00_girl")
    assert pa[-1].startswith("anime, a girl waves goodbye, tag_00_girl")
    pb = prompts[f"b_c{cb}.mp4"][0]
    assert pb.startswith("anime, a boy runs in the rain, tag_00_girl")
    assert "tag_39_skirt" not in pb  # the lowest-scored tags gave way
    for ps in prompts.values():
        assert all(count_tokens(p) <= 75 for p in ps)
    with Project.open(tmp_path / "p.anicurate") as project:
        assert undo(project) == "Import captions"
        assert clip_sentence(project, cb) == ""


def test_jsonl_and_txt_sidecars(tmp_path: Path, capsys: object) -> None:
    media = tmp_path / "media"
    media.mkdir()
    files = [write_source(media / f"{n}.mp4", 12) for n in ("a", "b")]
    make_project(tmp_path / "p.anicurate", files).close()
    caps = tmp_path / "caps"
    caps.mkdir()
    (caps / "a.txt").write_text("\ufeffa girl\nsmiles \n", encoding="utf-8")
    (caps / "meta.jsonl").write_text(
        json.dumps({"file": "b.mp4", "caption": "a dog barks"})
        + "\n\n"
        + json.dumps({"file": "zzz.mp4", "caption": "nothing"})
        + "\n"
    )
    assert main(["captions", "import", "--project", str(tmp_path / "p.anicurate"), str(caps)]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "unmatched zzz.mp4: no source matches" in out
    with Project.open(tmp_path / "p.anicurate") as project:
        assert clip_sentence(project, clip_of(project, "a.mp4")) == "a girl smiles"
        assert clip_sentence(project, clip_of(project, "b.mp4")) == "a dog barks"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["data", "video_path", "frame_index", "prompt", "file", "caption", "x"]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=60), json_values.map(json.dumps)))
def test_readers_raise_only_caption_errors(text: str) -> None:
    for parse in (parse_blip2_json, parse_jsonl):
        try:
            records = parse(text)
        except CaptionError:
            continue
        assert all(isinstance(r.text, str) and r.text for r in records)


def test_export_caption_template_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:  # fmt: skip
    a = write_source(tmp_path / "a.mp4", 24)
    project = make_project(tmp_path / "p.anicurate", [a], train_width=48, train_height=32,
                           n_sample_frames=4, frame_step=1, fps=24, use_bucketing=False,
                           trigger_tag="anime")  # fmt: skip
    set_status(project, [cl.id for cl in project.clips()], ClipStatus.ACCEPTED)
    tags = [ScoredTag("hatsune_miku", 0.95, "character"), ScoredTag("long_hair", 0.9, "general"),
            ScoredTag("smile", 0.5, "general"), ScoredTag("blush", 0.4, "general")]  # fmt: skip
    store.store_auto_tags(project, clip_of(project, "a.mp4"), TagResult(tags, {"general": 0.9}),
                          fingerprint="f", model="m", provider="cpu", frames=[0])  # fmt: skip
    project.close()
    out = tmp_path / "out"
    assert main(["export", "--project", str(tmp_path / "p.anicurate"), "--format", "t2v-json",
                 "--out", str(out), "-q", "--caption-template", "{tags} | {trigger}",
                 "--no-character-tags", "--max-tags", "2", "--underscores-to-spaces"]) == 0
    data = json.loads((out / "train.json").read_text())
    assert data["data"][0]["data"][0]["prompt"] == "long hair, smile | anime"
    assert main(["export", "--project", str(tmp_path / "p.anicurate"), "--format", "t2v-json",
                 "--out", str(tmp_path / "out2"), "-q", "--general-only"]) == 0
    data = json.loads((tmp_path / "out2" / "train.json").read_text())
    assert data["data"][0]["data"][0]["prompt"] == "anime, long_hair, smile, blush"
    capsys.readouterr()
    assert main(["export", "--project", str(tmp_path / "p.anicurate"), "--format", "t2v-json",
                 "--out", str(tmp_path / "out3"), "--caption-template", "{mood}"]) != 0
    assert "{mood}" in capsys.readouterr().err

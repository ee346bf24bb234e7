"""The tagging job on real generated clips: exact tags per clip, batch sizes and model kinds
agree, only changed clips are tagged again, a person's edits survive, cancel keeps what is done,
failures are named, and the CLI says where the model ran."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from anicurate.cli import main
from anicurate.core.media.writer import write_video
from anicurate.core.project import Project, import_paths
from anicurate.core.tagging import store
from anicurate.core.tagging.model import CPU, load_tagger
from anicurate.core.tagging.options import TaggingOptions
from anicurate.core.tagging.run import TagSummary, tag_project
from anicurate.core.tagging.sampling import Sampling
from tests.helpers.tagger_samples import make_tiny_tagger, solid, split


def drive(job: object) -> tuple[list[object], TagSummary]:
    progress = []
    try:
        while True:
            progress.append(next(job))  # type: ignore[call-overload]
    except StopIteration as stop:
        return progress, stop.value


@pytest.fixture(scope="module")
def taggers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("taggers")
    return {
        "v3": make_tiny_tagger(root / "v3", side=64, dynamic_batch=True),
        "v2": make_tiny_tagger(root / "v2", side=64, dynamic_batch=False),
    }


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("clips")
    write_video(folder / "a_red.mp4", [solid("red")] * 6, 24)
    write_video(folder / "b_green.mp4", [solid("green")] * 6, 24)
    write_video(folder / "c_mixed.mp4", [solid("red")] * 2 + [solid("blue")] * 6, 24)
    write_video(folder / "d_split.mp4", [split()] * 4, 24)
    return folder


@pytest.fixture
def project(tmp_path: Path, media: Path) -> Path:
    path = tmp_path / "p.anicurate"
    drive(import_paths(path, [media]))
    with Project.open(path) as p:
        p.set_settings(dataclasses.replace(p.settings(), trigger_tag="anime"))
    return path


def tags_by_file(path: Path) -> dict[str, list[str]]:
    with Project.open(path) as p:
        return {
            Path(s.path).name: [t.tag for t in store.clip_tags(p, c.id)]
            for c, s in p.clips_with_sources()
        }


def scores_by_file(path: Path) -> dict[str, list[float | None]]:
    with Project.open(path) as p:
        return {
            Path(s.path).name: [t.score for t in store.clip_tags(p, c.id)]
            for c, s in p.clips_with_sources()
        }


def clip_id(path: Path, name: str) -> int:
    with Project.open(path) as p:
        return next(c.id for c, s in p.clips_with_sources() if Path(s.path).name == name)


EXPECTED = {
    "a_red.mp4": ["red background"],
    "b_green.mp4": ["hatsune miku", "green hair", "looking at viewer"],
    "c_mixed.mp4": ["blue sky"],  # mean: red in 2 of 8 frames scores 0.25
    "d_split.mp4": ["split screen"],
}


def test_every_clip_gets_its_exact_tags_and_caption(
    project: Path, taggers: dict[str, Path]
) -> None:
    progress, summary = drive(tag_project(project, taggers["v3"], provider="cpu", batch=8))
    assert tags_by_file(project) == EXPECTED
    assert (summary.tagged, summary.unchanged, summary.failed) == (4, 0, [])
    assert (summary.frames, summary.batch, summary.provider) == (6 + 6 + 8 + 4, 8, CPU)
    assert summary.fallback is None
    assert [(p.done, p.total, p.error) for p in progress] == [(i, 4, None) for i in (1, 2, 3, 4)]
    with Project.open(project) as p:
        green = clip_id(project, "b_green.mp4")
        assert store.caption(p, green) == "anime, hatsune miku, green hair, looking at viewer"
        record = store.tagging_record(p, green)
        assert record is not None and record.frames == [0, 1, 2, 3, 4, 5]
        assert (record.model, record.provider) == ("v3", CPU)
        assert max(record.rating, key=record.rating.__getitem__) == "general"


def test_max_merge_keeps_what_one_frame_shows(project: Path, taggers: dict[str, Path]) -> None:
    opts = TaggingOptions(merge="max")
    drive(tag_project(project, taggers["v3"], provider="cpu", options=opts))
    assert sorted(tags_by_file(project)["c_mixed.mp4"]) == ["blue sky", "red background"]


def test_batch_sizes_and_v2_fixed_batch_agree(
    tmp_path: Path, media: Path, taggers: dict[str, Path]
) -> None:
    results = []
    for kind, batch in (("v3", 8), ("v3", 1), ("v2", 8), ("v3", 3)):
        path = tmp_path / f"{kind}-{batch}.anicurate"
        drive(import_paths(path, [media]))
        _, summary = drive(tag_project(path, taggers[kind], provider="cpu", batch=batch))
        assert summary.batch == (1 if kind == "v2" else batch)
        assert tags_by_file(path) == EXPECTED
        results.append(scores_by_file(path))
    for other in results[1:]:
        for name, scores in results[0].items():
            np.testing.assert_allclose(other[name], scores, atol=1e-6)  # type: ignore[arg-type]


def test_only_changed_clips_are_tagged_again(project: Path, taggers: dict[str, Path]) -> None:
    model = taggers["v3"]
    drive(tag_project(project, model, provider="cpu"))
    _, again = drive(tag_project(project, model, provider="cpu"))
    assert (again.tagged, again.unchanged, again.frames) == (0, 4, 0)
    mixed = clip_id(project, "c_mixed.mp4")
    with Project.open(project) as p, p.transaction() as conn:
        conn.execute("UPDATE clips SET first_frame = 3 WHERE id = ?", (mixed,))
    progress, trimmed = drive(tag_project(project, model, provider="cpu"))
    assert (trimmed.tagged, trimmed.unchanged, trimmed.frames) == (1, 3, 5)
    assert [p.item for p in progress] == ["c_mixed.mp4 [3-7]"]
    with Project.open(project) as p:
        record = store.tagging_record(p, mixed)
        assert record is not None and record.frames == [3, 4, 5, 6, 7]
        store.save_options(p, TaggingOptions(general_threshold=0.2))  # settings changed: all
    _, rethresholded = drive(tag_project(project, model, provider="cpu"))
    assert (rethresholded.tagged, rethresholded.unchanged) == (4, 0)
    assert tags_by_file(project)["a_red.mp4"] == ["red background", "looking at viewer"]
    _, forced = drive(tag_project(project, model, provider="cpu", force=True))
    assert forced.tagged == 4
    _, one = drive(tag_project(project, model, provider="cpu", force=True, clip_ids=[mixed]))
    assert one.tagged == 1


def test_a_persons_edits_survive_re_tagging(project: Path, taggers: dict[str, Path]) -> None:
    drive(tag_project(project, taggers["v3"], provider="cpu"))
    red, green = clip_id(project, "a_red.mp4"), clip_id(project, "b_green.mp4")
    with Project.open(project) as p:
        store.remove_tag(p, red, "red background")
        store.add_tag(p, red, "waving")
        store.set_tag_order(p, green, ["looking at viewer"])
    drive(tag_project(project, taggers["v3"], provider="cpu", force=True))
    tags = tags_by_file(project)
    assert tags["a_red.mp4"] == ["waving"]
    assert tags["b_green.mp4"] == ["looking at viewer", "hatsune miku", "green hair"]


def test_crop_and_per_shot_sampling(project: Path, taggers: dict[str, Path]) -> None:
    split_clip = clip_id(project, "d_split.mp4")
    mixed = clip_id(project, "c_mixed.mp4")
    with Project.open(project) as p, p.transaction() as conn:
        conn.execute(
            "UPDATE clips SET crop_x = 0, crop_y = 0, crop_w = 32, crop_h = 32 WHERE id = ?",
            (split_clip,),
        )
        source = next(c.source_id for c in p.clips() if c.id == mixed)
    opts = TaggingOptions(sampling=Sampling(mode="shots", per_shot=1))
    drive(tag_project(project, taggers["v3"], provider="cpu", options=opts,
                      shots={source: [0, 2]}))  # fmt: skip
    assert tags_by_file(project)["d_split.mp4"] == ["red background"]  # the red top-left only
    with Project.open(project) as p:
        record = store.tagging_record(p, mixed)
        assert record is not None and record.frames == [1, 5]  # middles of shots 0-1 and 2-7
    # one red and one blue frame: each colour's tag has a mean of 0.5, above 0.35
    assert sorted(tags_by_file(project)["c_mixed.mp4"]) == ["blue sky", "red background"]


def test_closing_the_job_keeps_clips_done_and_the_rest_follow(
    project: Path, taggers: dict[str, Path]
) -> None:
    job = tag_project(project, taggers["v3"], provider="cpu", batch=1, workers=1)
    first = next(job)
    job.close()
    assert first.done == 1
    with Project.open(project) as p:
        assert len(store.stored_fingerprints(p)) == 1
    _, rest = drive(tag_project(project, taggers["v3"], provider="cpu"))
    assert (rest.tagged, rest.unchanged) == (3, 1)
    assert tags_by_file(project) == EXPECTED


def test_a_clip_that_cannot_be_read_is_named_and_the_rest_are_tagged(
    tmp_path: Path, taggers: dict[str, Path]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_video(folder / "ok.mp4", [solid("red")] * 3, 24)
    write_video(folder / "gone.mp4", [solid("blue")] * 3, 24)
    path = tmp_path / "p.anicurate"
    drive(import_paths(path, [folder]))
    (folder / "gone.mp4").unlink()
    progress, summary = drive(tag_project(path, taggers["v3"], provider="cpu"))
    assert summary.tagged == 1
    assert [label for label, _ in summary.failed] == ["gone.mp4 [0-2]"]
    assert "not found" in summary.failed[0][1]
    assert sorted((p.item, p.error is None) for p in progress) == [
        ("gone.mp4 [0-2]", False), ("ok.mp4 [0-2]", True)
    ]  # fmt: skip
    assert tags_by_file(path)["ok.mp4"] == ["red background"]


# -- CLI ------------------------------------------------------------------------------------


def test_cli_tags_then_finds_nothing_changed(
    project: Path, taggers: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["tag", "--project", str(project), "--model", str(taggers["v2"]), "--provider", "cpu"]
    assert main([*args, "-q"]) == 0
    out, err = capsys.readouterr()
    assert "running on: CPU [CPUExecutionProvider]" in out
    assert f"{project}: 4 tagged, 0 unchanged, 0 failed; 24 frames" in out
    assert out.rstrip().endswith("on CPU, batch 1")  # a v2 model takes one frame a run
    assert "WARNING" not in err
    assert tags_by_file(project) == EXPECTED
    # The model is remembered; a changed option re-tags everything.
    assert main(["tag", "--project", str(project), "--provider", "cpu", "-q"]) == 0
    assert "0 tagged, 4 unchanged" in capsys.readouterr().out
    assert (
        main(["tag", "--project", str(project), "--provider", "cpu", "-q", "--merge", "max"]) == 0
    )
    assert "4 tagged, 0 unchanged" in capsys.readouterr().out


def test_cli_says_loudly_when_cuda_was_asked_for_but_cpu_ran(
    project: Path,
    taggers: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ort, "get_available_providers", lambda: [CPU])
    args = ["tag", "--project", str(project), "--model", str(taggers["v3"]), "--provider", "cuda"]
    assert main([*args, "-q"]) == 1  # asked for CUDA: nothing runs on the CPU unasked
    out, err = capsys.readouterr()
    assert "CUDA was asked for but did not load" in err and "--allow-fallback" in err
    assert "tagged" not in out
    assert main([*args, "-q", "--allow-fallback"]) == 0
    out, err = capsys.readouterr()
    assert "running on: CPU [CPUExecutionProvider]" in out
    assert "WARNING: CUDA was asked for but did not load" in err
    assert "no CUDA provider" in err


def test_cli_model_errors_are_named(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model.onnx").write_bytes(b"garbage")
    args = ["tag", "--project", str(project), "--model", str(broken), "--provider", "cpu"]
    assert main(args) == 1
    assert f"{broken / 'selected_tags.csv'}: missing" in capsys.readouterr().err
    assert main(["tag", "--project", str(project), "--model", "no-such-tagger"]) == 2
    assert "add --download" in capsys.readouterr().err


def test_tagger_loaded_once_can_be_passed_in(project: Path, taggers: dict[str, Path]) -> None:
    tagger = load_tagger(taggers["v3"], "cpu")
    _, summary = drive(tag_project(project, tagger))
    assert (summary.tagged, summary.model) == (4, "v3")


def test_per_shot_sampling_takes_the_shots_from_the_stored_analysis(
    tmp_path: Path, taggers: dict[str, Path]
) -> None:
    from anicurate.core.analysis import analyze_project
    from anicurate.core.demo import DEMO_CLIPS
    from anicurate.core.tagging.run import plan, stored_shots
    from anicurate.core.tagging.sampling import evenly_spaced

    demo = next(c for c in DEMO_CLIPS if c.name == "hard_cut.mp4")  # one cut, at frame 30
    folder = tmp_path / "media"
    folder.mkdir()
    demo.make(folder / demo.name)
    path = tmp_path / "shots.anicurate"
    drive(import_paths(path, [folder]))
    options = TaggingOptions(sampling=Sampling(mode="shots", per_shot=1))
    tagger = load_tagger(next(iter(taggers.values())), "cpu")
    with Project.open(path) as project:
        assert stored_shots(project) == {}  # not analysed yet: one shot per clip
    drive(analyze_project(path))
    with Project.open(path) as project:
        (source,) = project.sources()
        assert stored_shots(project) == {source.id: [0, 30]}
        jobs, _ = plan(project, tagger, options, shots=stored_shots(project))
        assert [j.frames for j in jobs] == [evenly_spaced(0, 29, 1) + evenly_spaced(30, 59, 1)]
        clip_id = jobs[0].clip.id
    drive(tag_project(path, tagger, options=options))  # finds the shots by itself
    with Project.open(path) as project:
        record = store.tagging_record(project, clip_id)
        assert record is not None and list(record.frames) == jobs[0].frames

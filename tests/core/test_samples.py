"""The samples workspace's core: trainer sample names parsed, samples imported and their verdicts
kept, a prompt traced to its training clip, and the A/B prompt set written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from anicurate.core.captions.sentences import set_sentence
from anicurate.core.project import SCHEMA_VERSION, Project
from anicurate.core.project.rows import Damage
from anicurate.core.project.schema import MIGRATIONS, migrate
from anicurate.core.samples import (
    Column,
    SampleError,
    ab_prompts,
    cell,
    config_with_prompt,
    grid_columns,
    import_samples,
    parse_sample_name,
    prompt_rows,
    samples,
    set_verdict,
    trace,
    write_ab_set,
)
from anicurate.paths import resources_dir
from tests.helpers.export_samples import clip_of, make_project, write_source


def test_trainer_names() -> None:
    p = parse_sample_name("2500_dataset-json_anime, a girl walks in the rain.mp4")
    assert (p.step, p.dataset, p.prompt) == (2500, "json", "anime, a girl walks in the rain")
    p = parse_sample_name("100_dataset-single_video_a cat_on a mat.mp4")
    assert (p.step, p.dataset, p.prompt) == (100, "single_video", "a cat_on a mat")
    p = parse_sample_name("7_dataset-custom_x_y.gif")
    assert (p.step, p.dataset, p.prompt) == (7, "custom", "x_y")
    assert parse_sample_name("0042_base.mp4") == parse_sample_name("0042.mp4")
    assert parse_sample_name("0042.mp4").step == 42 and parse_sample_name("clip.mp4").step is None
    assert parse_sample_name("12_dataset-json.mp4").prompt is None


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**9), st.sampled_from(["json", "folder", "image", "single_video"]),
       st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
               min_size=1, max_size=60).filter(lambda t: t.strip()))  # fmt: skip
def test_trainer_names_round_trip(step: int, dataset: str, prompt: str) -> None:
    parsed = parse_sample_name(f"{step}_dataset-{dataset}_{prompt}.mp4")
    assert (parsed.step, parsed.dataset, parsed.prompt) == (step, dataset, prompt.strip())


@given(st.text(max_size=80))
def test_any_name_parses_without_error(name: str) -> None:
    parsed = parse_sample_name(name)
    assert parsed.step is None or parsed.step >= 0


def _runs(tmp_path: Path) -> tuple[Path, Path]:
    base = tmp_path / "base" / "samples"
    tuned = tmp_path / "tuned"
    base.mkdir(parents=True)
    tuned.mkdir()
    for k, prompt in enumerate(["anime, a girl walks", "a girl walks"]):
        write_source(base / f"0_dataset-json_{prompt}.mp4", 4 + k)
    for step in (500, 1000):
        write_source(tuned / f"{step:04d}.mp4", 6)
    (tuned / "prompts.txt").write_text("anime, a girl walks\n\nanime, a girl walks\n")
    return base.parent, tuned


def test_import_and_verdicts_persist(tmp_path: Path) -> None:
    base, tuned = _runs(tmp_path)
    write_source(tuned / "zzz_extra.mp4", 3)  # no prompt line left for it
    project = make_project(tmp_path / "p.anicurate", [write_source(tmp_path / "s.mp4", 8)])
    report = import_samples(project, base, "base")
    assert report.added == 2 and report.no_prompt == []
    report = import_samples(project, tuned, "fine-tuned")
    assert report.added == 2 and report.no_prompt == ["zzz_extra.mp4"]
    found = samples(project)
    assert [(s.run, s.step, s.prompt) for s in found] == [
        ("base", 0, "a girl walks"), ("base", 0, "anime, a girl walks"),
        ("fine-tuned", 500, "anime, a girl walks"), ("fine-tuned", 1000, "anime, a girl walks"),
    ]
    tuned_1000 = found[3]
    set_verdict(project, tuned_1000.id, "bad", "  hands  melt ")
    with pytest.raises(SampleError):
        set_verdict(project, tuned_1000.id, "maybe")
    import_samples(project, tuned, "fine-tuned")  # again: no duplicates, verdict kept
    path = project.path
    project.close()
    with Project.open(path) as again:
        found = samples(again)
        assert len(found) == 4
        s = next(s for s in found if s.id == tuned_1000.id)
        assert (s.verdict, s.note) == ("bad", "hands melt")
        cols = grid_columns(found, by_step=False)
        assert cols == [Column("base", None), Column("fine-tuned", None)]
        assert cell(found, "anime, a girl walks", cols[1]) == s  # the latest step
        assert len(grid_columns(found, by_step=True)) == 3
        assert prompt_rows([x.prompt for x in found], "anime") == [
            "anime, a girl walks", "a girl walks"]  # fmt: skip


def test_damaged_sample_rows_are_left_out(tmp_path: Path) -> None:
    base, _ = _runs(tmp_path)
    project = make_project(tmp_path / "p.anicurate", [write_source(tmp_path / "s.mp4", 8)])
    import_samples(project, base, "base")
    with project.transaction() as conn:
        conn.execute("PRAGMA ignore_check_constraints = 1")
        conn.execute("UPDATE samples SET step = 'x' WHERE id = 1")
    damage: list[Damage] = []
    assert [s.id for s in samples(project, damage)] == [2]
    assert damage and damage[0].table == "samples" and "step" in damage[0].reason


def test_forward_migration_adds_samples(tmp_path: Path) -> None:
    path = tmp_path / "old.anicurate"
    conn = sqlite3.connect(path)
    migrate(conn, MIGRATIONS[:-1])
    conn.close()
    with Project.open(path) as project:
        assert project.schema_version == SCHEMA_VERSION
        assert samples(project) == []


def test_trace_ranks_the_right_clip_first(tmp_path: Path) -> None:
    media = [write_source(tmp_path / f"v{k}.mp4", 8) for k in range(4)]
    project = make_project(tmp_path / "p.anicurate", media, trigger_tag="anime")
    for name, text in [("v0.mp4", "a girl walks down a street"),
                       ("v1.mp4", "a girl with a red umbrella walks in the rain"),
                       ("v2.mp4", "a boy walks his dog in the park"),
                       ("v3.mp4", "a girl sits in a classroom")]:  # fmt: skip
        set_sentence(project, clip_of(project, name), text)
    hits = trace(project, "anime, a girl holding an umbrella in the rain")
    assert hits[0].clip_id == clip_of(project, "v1.mp4")
    assert hits[0].score > hits[1].score
    assert trace(project, "anime, spaceship") == []


def test_ab_prompt_set_and_configs(tmp_path: Path) -> None:
    prompts = ["anime, a girl walks", "a girl walks", "a cat sleeps"]
    assert ab_prompts(prompts, "anime") == [
        "anime, a girl walks", "a girl walks", "anime, a cat sleeps", "a cat sleeps"]  # fmt: skip
    config = tmp_path / "config.yaml"
    config.write_text((resources_dir() / "templates" / "t2v_train_config.yaml").read_text()
                      .replace("${", "$x{"))  # fmt: skip
    written = write_ab_set(tmp_path / "ab", prompts, "anime", config)
    assert [p.name for p in written] == ["ab_prompts.txt"] + [
        f"config_ab_{k:02d}.yaml" for k in range(1, 5)]  # fmt: skip
    assert written[0].read_text() == (
        "anime, a girl walks\na girl walks\nanime, a cat sleeps\na cat sleeps\n")
    texts = [yaml.safe_load(p.read_text().replace("$x{", "x")) for p in written[1:]]
    assert [t["validation_data"]["prompt"] for t in texts] == ab_prompts(prompts, "anime")
    assert texts[0]["validation_data"]["num_frames"] == 16
    with pytest.raises(SampleError, match="validation_data"):
        config_with_prompt("train_data:\n  prompt: x\n", "y")
    assert config_with_prompt('validation_data:\n  prompt: ""\n  x: 1\n', 'say "hi"') == (
        'validation_data:\n  prompt: "say \\"hi\\""\n  x: 1\n')

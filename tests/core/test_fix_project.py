"""Fixes as per-clip project settings: flag -> suggestion -> set (undo/redo) -> export, with the
fixed frames cached so a re-export does not recompute them; too-short clips become exportable
through interpolation; nothing is synthesised across a cut; the CLI's --project mode."""

from __future__ import annotations

import importlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from anicurate.core.analysis.flags import FlagKind
from anicurate.core.analysis.run import analyze_project
from anicurate.core.analysis.store import load_results
from anicurate.core.export import ExportOptions, Target, plan_export
from anicurate.core.fix import FixSpec, Interpolation
from anicurate.core.fix.store import clip_fixes, fix_damage, set_fixes, suggest_fixes
from anicurate.core.project import ClipStatus, Project, edits
from anicurate.core.project.edits import set_status, split
from tests.helpers.analysis_samples import Timeline, random_layout, random_palette
from tests.helpers.export_samples import (
    clip_of,
    decode,
    make_project,
    read_quadrant,
    run,
    write_source,
)

fixed_module = importlib.import_module("anicurate.core.export.fixed")
SETTINGS: dict[str, object] = {
    "train_width": 384, "train_height": 256, "n_sample_frames": 8, "fps": 24,
    "frame_step": 1, "use_bucketing": False,
}  # fmt: skip


@pytest.fixture(autouse=True)
def fix_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "fix-cache"
    monkeypatch.setenv("ANICURATE_FIX_CACHE", str(folder))
    return folder


@pytest.fixture
def engine_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every frame the fix engines process at export, by engine name."""
    calls: list[str] = []
    real = fixed_module.load_engines

    def counting(spec: FixSpec, *a: Any, **kw: Any) -> Any:
        engines = real(spec, *a, **kw)

        def wrap(engine: Any) -> Any:
            if engine is None:
                return None

            class Counted:
                name, scale, providers = engine.name, getattr(engine, "scale", 1), []
                badge = engine.badge

                def __call__(self, *args: Any) -> np.ndarray:
                    calls.append(engine.name)
                    return engine(*args)  # type: ignore[no-any-return]

            return Counted()

        return replace(engines, denoiser=wrap(engines.denoiser), upscaler=wrap(engines.upscaler),
                       interpolator=wrap(engines.interpolator))  # fmt: skip

    monkeypatch.setattr(fixed_module, "load_engines", counting)
    return calls


def analysed(tmp_path: Path, files: list[Path], **settings: object) -> Project:
    project = make_project(tmp_path / "p.anicurate", files, **{**SETTINGS, **settings})
    set_status(project, [c.id for c in project.clips()], ClipStatus.ACCEPTED)
    for _ in analyze_project(project.path):
        pass
    return project


def cheap(spec: FixSpec) -> FixSpec:
    """The suggestion with the built-in engines (fast, exact enough to check)."""
    return replace(spec, upscale_model="bicubic", interp_model="blend")


def test_flag_suggest_set_undo_redo_export_and_the_cache(
    tmp_path: Path, engine_calls: list[str]
) -> None:
    media = tmp_path / "m"
    media.mkdir()
    write_source(media / "small.mp4", 48)  # 192x128, half the training size
    write_source(media / "short.mp4", 6)  # too short for an 8-frame window
    project = analysed(tmp_path, [media / "small.mp4", media / "short.mp4"])
    small, short = clip_of(project, "small.mp4"), clip_of(project, "short.mp4")
    flags = {cid: {f.kind for f in r.flags} for cid, r in load_results(project).items()}
    assert FlagKind.LOW_RESOLUTION in flags[small] and FlagKind.TOO_FEW_FRAMES in flags[short]

    out = tmp_path / "out"
    plan = plan_export(project, ExportOptions(target=Target.T2V_FOLDER, out_dir=out))
    assert [s.clip_id for s in plan.skipped] == [short]
    assert "anicurate fix --interpolate window" in plan.skipped[0].reason

    suggested = suggest_fixes(project, [small, short])
    assert suggested[small] == FixSpec(upscale=2)
    assert suggested[short].interpolate == Interpolation("window", 8)
    assert set_fixes(project, {cid: cheap(s) for cid, s in suggested.items()}) == 2
    assert edits.undo(project) == "Fix (2 clips)"
    assert clip_fixes(project) == {}
    assert edits.redo(project) == "Fix (2 clips)"
    assert clip_fixes(project) == {cid: cheap(s) for cid, s in suggested.items()}

    plan = plan_export(project, ExportOptions(target=Target.T2V_FOLDER, out_dir=out))
    assert plan.skipped == [] and plan.counts()["fixed"] == 2
    by_clip = {i.clip_id: i for i in plan.items}
    assert by_clip[small].warnings == ()  # 2x reaches the training size: nothing enlarged
    (note,) = [w for w in plan.warnings if w.startswith("fixes: 2 clips")]
    assert note.endswith("extra (a CPU estimate; cached fixes are reused)")
    assert note in plan.summary_lines()
    result = run(plan)
    assert result.failed == []
    # Each source frame of both (both small) upscaled once; 6 -> 9 frames, 5 synthesised.
    assert engine_calls.count("bicubic") == 48 + 6 and engine_calls.count("blend") == 5
    short_file = decode(out / by_clip[short].media)
    assert short_file.nb_frames == len(short_file.frames) == 9
    qw, qh = 384 / 2, 256 / 2
    shown = [read_quadrant(short_file.frames[j], 0, 0, qw, qh)[1] for j in (0, 3, 6)]
    assert shown == [0, 2, 4]  # frame k of the source is fixed frame 1.5 k
    small_file = decode(out / by_clip[small].media)
    assert (small_file.width, small_file.height, small_file.nb_frames) == (384, 256, 48)

    # A re-export into a new folder renders again but reuses the fixed clips.
    engine_calls.clear()
    plan = plan_export(project, ExportOptions(target=Target.T2V_FOLDER, out_dir=tmp_path / "o2"))
    assert plan.fix_seconds == 0 and any(
        w.endswith("about 0 s extra (a CPU estimate; cached fixes are reused)")
        for w in plan.warnings
    )
    assert run(plan).failed == [] and engine_calls == []
    assert decode(tmp_path / "o2" / by_clip[short].media).nb_frames == 9


def test_a_fix_follows_its_clip_through_split_and_undo(tmp_path: Path) -> None:
    media = tmp_path / "m"
    media.mkdir()
    write_source(media / "a.mp4", 24)
    project = make_project(tmp_path / "p.anicurate", [media / "a.mp4"], **SETTINGS)
    cid = project.clips()[0].id
    set_fixes(project, {cid: FixSpec(upscale=2, upscale_model="bicubic")})
    split(project, cid, [12])
    assert clip_fixes(project) == {cid: FixSpec(upscale=2, upscale_model="bicubic")}
    edits.undo(project)
    edits.undo(project)
    assert clip_fixes(project) == {}
    edits.redo(project)
    assert list(clip_fixes(project)) == [cid]


def test_a_damaged_fix_row_is_quarantined(tmp_path: Path) -> None:
    media = tmp_path / "m"
    media.mkdir()
    write_source(media / "a.mp4", 12)
    write_source(media / "b.mp4", 12)
    project = make_project(tmp_path / "p.anicurate", [media / "a.mp4", media / "b.mp4"])
    a, b = (c.id for c in project.clips())
    set_fixes(project, {a: FixSpec(upscale=2), b: FixSpec(denoise=1)})
    with project.transaction() as conn:
        conn.execute("UPDATE clip_fixes SET spec = '{\"upscale\": 3}' WHERE clip_id = ?", (a,))
    assert clip_fixes(project) == {b: FixSpec(denoise=1)}
    damage = fix_damage(project)
    assert [(d.table, d.rowid) for d in damage] == [("clip_fixes", a)]
    assert "upscale factor 3" in damage[0].reason
    from anicurate.core.check import row_damage

    assert ("clip_fixes", a) in {(d.table, d.rowid) for d in row_damage(project)}


def cut_video(path: Path) -> Path:
    rng = np.random.default_rng(7)
    tl = Timeline(w=96, h=64)
    tl.shot(12, random_palette(rng), random_layout(rng), hold=1)
    tl.shot(12, random_palette(rng), random_layout(rng), hold=1)
    assert tl.cuts == [12]
    return tl.write(path)


def test_interpolation_never_crosses_the_stored_cut(tmp_path: Path) -> None:
    media = tmp_path / "m"
    media.mkdir()
    cut_video(media / "cut.mp4")
    project = analysed(tmp_path, [media / "cut.mp4"], train_width=96, train_height=64)
    cid = project.clips()[0].id
    set_fixes(project, {cid: FixSpec(interpolate=Interpolation("factor", 2), interp_model="blend")})
    plan = plan_export(project, ExportOptions(target=Target.T2V_FOLDER, out_dir=tmp_path / "o",
                                              fps=48))  # fmt: skip
    (item,) = plan.items
    assert item.fix is not None
    synthesised = [j for j, s in enumerate(item.fix.slots) if s.synthesised]
    # Output 2k is source k; between 11 and 12 (the cut) frame 11 repeats; the last repeats.
    assert synthesised == [2 * k + 1 for k in range(23) if k != 11]
    assert item.fix.slots[23].a == 11 and item.fix.slots[23].b is None
    assert list(item.frames) == list(range(48))


def test_cli_project_mode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from anicurate.cli import main

    media = tmp_path / "m"
    media.mkdir()
    write_source(media / "small.mp4", 24)
    write_source(media / "short.mp4", 6)
    project = analysed(tmp_path, [media / "small.mp4", media / "short.mp4"])
    small, short = clip_of(project, "small.mp4"), clip_of(project, "short.mp4")
    p = str(project.path)
    project.close()

    def cli(*args: str) -> tuple[int, str]:
        code = main(["fix", "--project", p, *args])
        return code, capsys.readouterr().out

    code, out = cli("--where", "flag:low_resolution", "--upscale", "auto", "--model", "bicubic")
    assert code == 0
    assert "2 clips changed (2 clips matched 'flag:low_resolution')" in out
    assert "upscale 2x (bicubic)" in out
    code, out = cli("--where", "flag:too_few_frames", "--interpolate", "window",
                    "--interp-model", "blend")  # fmt: skip
    assert code == 0 and "1 clip changed" in out
    assert "interpolate to the window (8 frames) (blend)" in out
    with Project.open(p) as opened:
        fixes = clip_fixes(opened)
    assert fixes[short].interpolate == Interpolation("window", 8)
    assert fixes[small] == FixSpec(upscale=2, upscale_model="bicubic")
    code, out = cli("--where", "all", "--clear")
    assert code == 0 and "2 clips changed" in out and "no fix" in out
    with Project.open(p) as opened:
        assert clip_fixes(opened) == {}
    assert main(["fix", "--project", p, "--model", "nonesuch"]) != 0
    assert main(["fix", str(media / "small.mp4"), "--out", str(tmp_path / "x.mkv"),
                 "--upscale", "auto"]) == 2  # fmt: skip


def test_check_repair_drops_a_damaged_fix(tmp_path: Path) -> None:
    from anicurate.core.check import check_project, repair_project

    media = tmp_path / "m"
    media.mkdir()
    write_source(media / "a.mp4", 12)
    with make_project(tmp_path / "p.anicurate", [media / "a.mp4"]) as project:
        cid = project.clips()[0].id
        set_fixes(project, {cid: FixSpec(upscale=2)})
        with project.transaction() as conn:
            conn.execute("UPDATE clip_fixes SET spec = 'not json'")
    assert [f.message for f in check_project(tmp_path / "p.anicurate")] == [
        f"clip_fixes row {cid}: damaged row: spec is not JSON"
    ]
    repair = repair_project(tmp_path / "p.anicurate")
    assert any("clip_fixes" in line and "dropped" in line for line in repair.changes)
    assert check_project(tmp_path / "p.anicurate") == []

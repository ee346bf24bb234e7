"""Export rendering: every exported frame is decoded and checked for its size, rate, crop and the
source frame it shows; reruns skip unchanged clips; cancelled and killed exports leave no partial
file under a final name; nothing is written outside the export folder."""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from av.video.frame import VideoFrame

from anicurate.core.export import (
    ExportError,
    ExportOptions,
    Include,
    Target,
    plan_export,
    render,
)
from anicurate.core.export.files import STATE_FILE, TMP_DIR, inside, safe_stem
from anicurate.core.export.plan import output_frames
from anicurate.core.media.decode import DecodedFrame
from anicurate.core.project import ClipStatus, Project
from anicurate.core.project.edits import CropMode, crop_clips, set_crop, set_status, trim
from anicurate.core.tagging import store
from tests.helpers.export_samples import (
    QH,
    QW,
    H,
    W,
    clip_of,
    decode,
    make_project,
    project_with,
    read_quadrant,
    run,
    write_source,
    write_vfr_gif,
)

render_module = importlib.import_module("anicurate.core.export.render")
GIF_DELAYS = [40, 80, 40, 120, 40, 40, 80, 40] * 3  # ms: 1.44 s, uneven


@pytest.fixture
def media(tmp_path: Path) -> Path:
    folder = tmp_path / "media"
    folder.mkdir()
    write_source(folder / "a.mp4", 48)  # 2 s at 24 fps
    write_source(folder / "b.mp4", 40)
    write_source(folder / "short.mp4", 6)
    write_vfr_gif(folder / "g.gif", GIF_DELAYS)
    return folder



def test_crop_range_size_and_rate_of_every_frame(tmp_path: Path, media: Path) -> None:
    project = project_with(tmp_path, [media / "a.mp4"])
    cid = clip_of(project, "a.mp4")
    trim(project, cid, 5, 40)
    set_crop(project, cid, (QW, 0, QW, QH))  # the green quadrant, 3:2 like 48x32
    store.add_tag(project, cid, "1girl")
    store.add_tag(project, cid, "smile")
    plan = plan_export(project, ExportOptions(target=Target.T2V_FOLDER, out_dir=tmp_path / "out"))
    result = run(plan)
    assert result.failed == [] and result.rendered == 1
    d = decode(tmp_path / "out" / "videos" / f"a_c{cid}.mp4")
    assert (d.width, d.height, d.rate, d.nb_frames, d.pix_fmt, d.codec) == (
        48, 32, 24, 36, "yuv420p", "h264",
    )  # fmt: skip
    assert len(d.pts_steps) == 1  # constant frame rate
    assert [read_quadrant(f, 0, 0, 48, 32) for f in d.frames] == [
        ("green", i) for i in range(5, 41)
    ]
    caption = (tmp_path / "out" / "videos" / f"a_c{cid}.txt").read_bytes()
    assert caption == b"1girl, smile"


def test_resampled_to_the_target_rate(tmp_path: Path, media: Path) -> None:
    project = project_with(tmp_path, [media / "a.mp4"], fps=12)
    plan = plan_export(project, ExportOptions(target=Target.T2V_FOLDER, out_dir=tmp_path / "o"))
    run(plan)
    d = decode(tmp_path / "o" / "videos" / "a_c1.mp4")
    assert (d.rate, d.nb_frames) == (12, 24)
    # The whole frame padded to 3:2 is exactly the source (192x128 is 3:2): quadrants 24x16.
    assert [read_quadrant(f, 0, 0, 24, 16)[1] for f in d.frames] == list(range(0, 48, 2))
    corners = [(24, 0), (0, 16), (24, 16)]
    assert [read_quadrant(d.frames[0], x, y, 24, 16)[0] for x, y in corners] == [
        "green", "blue", "yellow",
    ]  # fmt: skip


def test_vfr_gif_shows_the_frame_on_screen_at_each_output_time(tmp_path: Path, media: Path) -> None:
    project = project_with(tmp_path, [media / "g.gif"])
    plan = plan_export(project, ExportOptions(target=Target.T2V_FOLDER, out_dir=tmp_path / "o"))
    run(plan)
    d = decode(tmp_path / "o" / "videos" / "g_c1.mp4")
    starts = np.cumsum([0, *GIF_DELAYS[:-1]]) / 1000
    expected = [int(np.searchsorted(starts, k / 24 + 1e-6, side="right") - 1) for k in range(34)]
    assert d.nb_frames == 34  # floor(1.44 s * 24)
    assert [read_quadrant(f, 0, 0, 24, 16)[1] for f in d.frames] == expected
    assert expected[:8] == [0, 1, 1, 2, 3, 3, 3, 4]  # held frames repeat, as on screen


def test_output_frames_pick_by_time() -> None:
    times = np.array([0.0, 0.1, 0.15, 0.5])
    durations = np.array([0.1, 0.05, 0.35, 0.1])
    assert output_frames(times, durations, 0, 3, 10) == [0, 1, 2, 2, 2, 3]
    assert output_frames(times, durations, 1, 2, 20) == [1, 2, 2, 2, 2, 2, 2, 2]


def test_uncropped_clips_are_centre_cropped_not_letterboxed(tmp_path: Path, media: Path) -> None:
    project = project_with(tmp_path, [media / "a.mp4"], train_width=64, train_height=64)
    plan = plan_export(project, ExportOptions(target=Target.T2V_FOLDER, out_dir=tmp_path / "o"))
    item = plan.items[0]
    assert item.pad is None and item.region == ((W - H) // 2, 0, H, H)
    assert item.warnings == ()  # 128x128 to 64x64 shrinks: nothing to warn about
    run(plan)
    d = decode(tmp_path / "o" / "videos" / "a_c1.mp4")
    assert (d.width, d.height) == (64, 64)
    frame = d.frames[7]
    # The middle 128x128 of the frame fills the output: the quadrants meet at its centre.
    assert read_quadrant(frame, 0, 0, 32, 32)[0] == "red"
    assert read_quadrant(frame, 32, 32, 32, 32)[0] == "yellow"


def test_pad_to_the_training_ratio_when_the_crop_says_pad(tmp_path: Path, media: Path) -> None:
    project = project_with(tmp_path, [media / "a.mp4"], train_width=64, train_height=64)
    assert crop_clips(project, [c.id for c in project.clips()], CropMode.PAD) == 1
    plan = plan_export(project, ExportOptions(target=Target.T2V_FOLDER, out_dir=tmp_path / "o"))
    item = plan.items[0]
    assert item.pad == (W, W, 0, (W - H) // 2) and (item.width, item.height) == (64, 64)
    run(plan)
    d = decode(tmp_path / "o" / "videos" / "a_c1.mp4")
    assert (d.width, d.height) == (64, 64)
    frame = d.frames[7]
    scale = 64 / W  # canvas 192x192 -> 64x64; the frame's 128 rows start at row 32 (10.7 out)
    assert frame[:9].max() < 40 and frame[-9:].max() < 40  # black bars top and bottom
    top = 32 * scale
    assert read_quadrant(frame, 0, top, QW * scale, QH * scale) == ("red", 7)
    assert read_quadrant(frame, QW * scale, top + QH * scale, QW * scale, QH * scale)[0] == (
        "yellow"
    )


def test_bucketing_keeps_the_aspect(tmp_path: Path, media: Path) -> None:
    project = project_with(
        tmp_path, [media / "a.mp4"], train_width=64, train_height=64, use_bucketing=True
    )
    plan = plan_export(project, ExportOptions(target=Target.T2V_FOLDER, out_dir=tmp_path / "o"))
    run(plan)
    d = decode(tmp_path / "o" / "videos" / "a_c1.mp4")
    assert (d.width, d.height) == (78, 52)  # about 64x64's area at 3:2; no enlargement
    assert read_quadrant(d.frames[3], 39, 26, 39, 26) == ("yellow", 3)


def test_too_short_clips_are_reported_not_padded(tmp_path: Path, media: Path) -> None:
    project = project_with(tmp_path, [media / "a.mp4", media / "short.mp4"])
    plan = plan_export(project, ExportOptions(target=Target.T2V_FOLDER, out_dir=tmp_path / "o"))
    assert [Path(s.source_path).name for s in plan.skipped] == ["short.mp4"]
    assert "too short: 6 frames at 24 fps, the training window needs 8" in plan.skipped[0].reason
    assert any(line.startswith("skipped 1: too short") for line in plan.summary_lines())
    run(plan)
    assert sorted(p.name for p in (tmp_path / "o" / "videos").iterdir()) == ["a_c1.mp4", "a_c1.txt"]
    # t2v-json needs (n_sample_frames - 1) * frame_step + 1 frames.
    plan = plan_export(
        project, ExportOptions(target=Target.T2V_JSON, out_dir=tmp_path / "j", frame_step=7)
    )
    assert plan.items == [] and plan.settings.min_frames == 50
    assert "needs 50" in plan.skipped[0].reason


def test_include_rules(tmp_path: Path, media: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(
        tmp_path / "p.anicurate", [media / "a.mp4", media / "b.mp4", media / "g.gif"],
        train_width=48, train_height=32, n_sample_frames=8, fps=24,
    )  # fmt: skip
    a, b, g = (clip_of(project, n) for n in ("a.mp4", "b.mp4", "g.gif"))
    set_status(project, [a], ClipStatus.ACCEPTED)
    set_status(project, [g], ClipStatus.REJECTED)

    class Result:
        def __init__(self, flags: list[str]) -> None:
            self.flags = flags

    analysis_store = importlib.import_module("anicurate.core.analysis.store")
    monkeypatch.setattr(analysis_store, "load_results", lambda p: {b: Result([]), g: Result([])})

    def chosen(include: Include) -> list[int]:
        opts = ExportOptions(target=Target.T2V_FOLDER, out_dir=tmp_path / "o", include=include)
        return [i.clip_id for i in plan_export(project, opts).items]

    assert chosen(Include.ACCEPTED) == [a]
    assert chosen(Include.UNFLAGGED) == [a, b]
    assert chosen(Include.ALL) == [a, b]  # rejected clips never go out
    monkeypatch.setattr(analysis_store, "load_results", lambda p: {b: Result(["cut"])})
    assert chosen(Include.UNFLAGGED) == [a]


def test_rerun_skips_unchanged_and_renders_changed(
    tmp_path: Path, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = project_with(tmp_path, [media / "a.mp4", media / "b.mp4"])
    opts = ExportOptions(target=Target.T2V_FOLDER, out_dir=tmp_path / "o")
    first = run(plan_export(project, opts))
    assert first.rendered == 2
    stamps = {p: p.stat().st_mtime_ns for p in (tmp_path / "o" / "videos").glob("*.mp4")}
    calls: list[str] = []
    real = render_module.render_item
    monkeypatch.setattr(
        render_module, "render_item", lambda item, *a: calls.append(item.media) or real(item, *a)
    )
    plan = plan_export(project, opts)
    assert (plan.to_render, plan.up_to_date) == (0, 2)
    again = run(plan)
    assert calls == [] and (again.rendered, again.unchanged) == (0, 2)
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    # A new crop changes one clip's fingerprint: only that one is rendered again.
    b = clip_of(project, "b.mp4")
    set_crop(project, b, (0, QH, QW, QH))
    third = run(plan_export(project, opts))
    assert calls == [f"videos/b_c{b}.mp4"] and (third.rendered, third.unchanged) == (1, 1)
    d = decode(tmp_path / "o" / "videos" / f"b_c{b}.mp4")
    assert read_quadrant(d.frames[0], 0, 0, 48, 32) == ("blue", 0)
    # Rejecting a clip removes its files from the export.
    set_status(project, [b], ClipStatus.REJECTED)
    run(plan_export(project, opts))
    assert sorted(p.name for p in (tmp_path / "o" / "videos").iterdir()) == ["a_c1.mp4", "a_c1.txt"]


def final_media_are_whole(out: Path, frames: dict[str, int]) -> list[str]:
    """Every .mp4 under a final name decodes completely; returns their names."""
    names = []
    for path in sorted((out / "videos").glob("*.mp4")) if (out / "videos").exists() else []:
        assert decode(path).nb_frames == frames[path.name] == len(decode(path).frames)
        names.append(path.name)
    return names


@pytest.mark.parametrize("workers", [1, 2])
def test_closing_the_generator_cancels_and_the_rerun_completes(
    tmp_path: Path, media: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    project = project_with(tmp_path, [media / "a.mp4", media / "b.mp4", media / "g.gif"])
    opts = ExportOptions(target=Target.T2V_JSON, out_dir=tmp_path / "o")
    plan = plan_export(project, opts)
    frames = {Path(i.media).name: len(i.frames) for i in plan.items}
    real, seen = render_module._Shaper.shape, []

    def slow(shaper: render_module._Shaper, decoded: DecodedFrame) -> VideoFrame:
        seen.append(shaper.item.media)
        time.sleep(0.02)  # with 2 workers, a.mp4 is mid-way when b.mp4 (shorter) is done
        return real(shaper, decoded)

    if workers == 2:
        monkeypatch.setattr(render_module._Shaper, "shape", slow)
    job = render(plan, workers=workers)
    first = next(job)
    assert first.done == 1
    job.close()
    assert Path(first.item).name == ("a_c1.mp4" if workers == 1 else "b_c2.mp4")
    if workers == 2:  # the clip in flight stopped at its next frame
        assert 0 < seen.count("videos/a_c1.mp4") < frames["a_c1.mp4"]
    assert final_media_are_whole(tmp_path / "o", frames) == [Path(first.item).name]
    monkeypatch.undo()
    assert not (tmp_path / "o" / TMP_DIR).exists()
    assert not (tmp_path / "o" / "train.json").exists()  # written only at the end
    plan = plan_export(project, opts)
    assert (plan.up_to_date, plan.to_render) == (1, 2)
    result = run(plan)
    assert (result.rendered, result.unchanged) == (2, 1)
    assert len(final_media_are_whole(tmp_path / "o", frames)) == 3


KILL_SCRIPT = """
import importlib, sys, time
from pathlib import Path
from anicurate.core.export import ExportOptions, Target, render, plan_export
module = importlib.import_module("anicurate.core.export.render")
real = module._Shaper.shape
def slow(shaper, decoded):  # every clip takes seconds: the kill lands inside the second one
    time.sleep(0.03)
    return real(shaper, decoded)
module._Shaper.shape = slow
plan = plan_export(sys.argv[1], ExportOptions(target=Target.T2V_FOLDER, out_dir=Path(sys.argv[2])))
for p in render(plan, workers=1):
    print(p.done, p.item, flush=True)
print("end", flush=True)
"""


def test_a_killed_export_leaves_no_partial_file_and_the_rerun_completes(
    tmp_path: Path, media: Path
) -> None:
    big = write_source(media / "big.mp4", 60)
    project = project_with(tmp_path, [media / "a.mp4", big, media / "b.mp4"])
    project.close()
    out = tmp_path / "o"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(tmp_path / "p.anicurate"), str(out)],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline()
    time.sleep(0.6)  # well inside the second clip (1.8 s)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert line.startswith("1 videos/")
    project = Project.open(tmp_path / "p.anicurate")
    plan = plan_export(project, ExportOptions(target=Target.T2V_FOLDER, out_dir=out))
    frames = {Path(i.media).name: len(i.frames) for i in plan.items}
    done = final_media_are_whole(out, frames)
    assert done == [Path(line.split()[1]).name]
    partial = list((out / TMP_DIR).iterdir())  # the clip in flight, under a temporary name only
    assert len(partial) == 1 and partial[0].suffix == ".mp4"
    result = run(plan)
    assert result.failed == [] and (result.rendered, result.unchanged) == (2, 1)
    assert len(final_media_are_whole(out, frames)) == 3
    assert not (out / TMP_DIR).exists()
    state = json.loads((out / STATE_FILE).read_text())
    assert sorted(state["files"]) == sorted(i.media for i in plan.items)


def test_file_names_are_safe_and_paths_never_escape(tmp_path: Path, media: Path) -> None:
    assert safe_stem("../../evil") == "evil"
    assert safe_stem("clip.mp4.mp4") == "clip_mp4_mp4"
    assert safe_stem("ねこ ☃ Café") == "Cafe"
    assert safe_stem("..") == "clip"
    with pytest.raises(ExportError):
        inside(tmp_path, "../evil.mp4")
    odd = media / "ねこ ☃ x.mp4.mp4"
    (media / "a.mp4").rename(odd)
    dots = media / "..evil..mp4"
    (media / "b.mp4").rename(dots)
    project = project_with(tmp_path, [odd, dots])
    out = tmp_path / "deep" / "out"
    result = run(plan_export(project, ExportOptions(target=Target.T2V_FOLDER, out_dir=out)))
    assert result.failed == []
    names = sorted(p.name for p in (out / "videos").iterdir())
    assert names == ["evil_c2.mp4", "evil_c2.txt", "x_mp4_c1.mp4", "x_mp4_c1.txt"]
    written = {p for p in tmp_path.rglob("*") if p.is_file()}
    assert all(p.is_relative_to(out) or p.parent == media or p.name.startswith("p.anicurate")
               for p in written)  # fmt: skip
    # A folder inside the export that links outside it is refused before anything is written.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out2 = tmp_path / "out2"
    out2.mkdir()
    (out2 / "videos").symlink_to(elsewhere)
    with pytest.raises(ExportError, match=r"did not write \(videos\)"):  # a link: foreign
        plan_export(project, ExportOptions(target=Target.T2V_FOLDER, out_dir=out2))
    assert list(elsewhere.iterdir()) == []


def test_exporting_into_the_sources_folder_never_touches_sources(
    tmp_path: Path, media: Path
) -> None:
    before = {p.name: p.read_bytes() for p in media.iterdir()}
    project = project_with(tmp_path, [media / "a.mp4", media / "g.gif"])
    with pytest.raises(ExportError, match="holds 2 sources of this project"):
        plan_export(project, ExportOptions(target=Target.DIFFUSION_PIPE, out_dir=media))
    assert {p.name: p.read_bytes() for p in media.iterdir()} == before
    # A fresh subfolder of the sources' folder is fine.
    out = media / "anicurate-diffusion-pipe"
    run(plan_export(project, ExportOptions(target=Target.DIFFUSION_PIPE, out_dir=out)))
    assert {name: (media / name).read_bytes() for name in before} == before
    assert sorted(p.name for p in out.iterdir()) == [
        ".anicurate-export.json", ".anicurate-export.lock", "clips", "dataset.toml",
        "manifest.json",
    ]  # fmt: skip
    assert sorted(p.name for p in (out / "clips").iterdir()) == [
        "a_c1.mp4", "a_c1.txt", "g_c2.mp4", "g_c2.txt",
    ]  # fmt: skip


def test_a_failing_clip_is_named_and_the_rest_exported(tmp_path: Path, media: Path) -> None:
    project = project_with(tmp_path, [media / "a.mp4", media / "b.mp4"])
    plan = plan_export(project, ExportOptions(target=Target.T2V_FOLDER, out_dir=tmp_path / "o"))
    (media / "b.mp4").write_bytes(b"not a video any more")
    result = run(plan, workers=2)
    assert [label for label, _ in result.failed] == [f"{media / 'b.mp4'} [0-39]"]
    assert sorted(p.name for p in (tmp_path / "o" / "videos").iterdir()) == ["a_c1.mp4", "a_c1.txt"]
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert [f["relative_path"] for f in manifest["files"]] == ["videos/a_c1.mp4"]


def test_stills_are_pngs(tmp_path: Path, media: Path) -> None:
    project = project_with(tmp_path, [media / "a.mp4"])
    cid = clip_of(project, "a.mp4")
    trim(project, cid, 10, 20)
    set_crop(project, cid, (0, QH, QW, QH))
    run(plan_export(project, ExportOptions(target=Target.T2V_IMAGE, out_dir=tmp_path / "o")))
    import cv2

    png = cv2.cvtColor(cv2.imread(str(tmp_path / "o" / "images" / "a_c1.png")), cv2.COLOR_BGR2RGB)
    assert png.shape == (32, 48, 3)
    assert read_quadrant(png, 0, 0, 48, 32) == ("blue", 15)  # the middle of frames 10..20
    assert (tmp_path / "o" / "images" / "a_c1.txt").read_bytes() == b""

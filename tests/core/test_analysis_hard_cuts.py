"""Hard shot boundaries (issue 18): montages of 2-6 frame shots from the first frames, text
that scrolls over a black card or over animation (and over a dissolve), pose jumps within a shot,
night scenes and black bars, with exact frame indices."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from anicurate.core.analysis import compute_signals, detect
from anicurate.core.analysis.detect import (
    CUT_MAX_ALIKE,
    CUT_MAX_EXACT,
    CUT_MAX_KEPT,
    CUT_MAX_STILL,
    Events,
)
from anicurate.core.analysis.signals import _kept_shares, _still_share, work_size
from anicurate.core.demo import Palette
from tests.helpers.analysis_samples import (
    CREDITS,
    DAY,
    Layout,
    Timeline,
    action_montage,
    boxed,
    draw,
    filmed,
    random_layout,
    random_palette,
)


def _events(path: Path) -> Events:
    _, sig = compute_signals(path)
    return detect(sig)


def _montage(seed: int) -> Timeline:
    """Eight shots of 2-6 frames from frame 0, fast motion inside some, then a longer shot."""
    rng = np.random.default_rng(seed)
    tl = Timeline()
    for n in [*(int(x) for x in rng.integers(2, 7, 8)), 20]:
        lay = random_layout(rng)
        lay = Layout(lay.pan, int(rng.choice([0, 10, 20])), lay.figure_x, lay.scale,
                     float(rng.uniform(5, 30)), lay.figures)  # fmt: skip
        tl.shot(n, random_palette(rng), lay, hold=int(rng.choice([1, 2, 2, 3])))
    return tl


@pytest.mark.parametrize(
    ("seed", "cuts"),
    [
        (1, [4, 8, 13, 19, 21, 23, 29, 35]),
        (3, [6, 8, 10, 13, 15, 21, 27, 31]),
        (5, [5, 11, 13, 19, 23, 27, 32, 35]),
    ],
)
def test_montage_of_very_short_shots_from_the_start(tmp_path: Path, seed: int, cuts: list[int]
                                                    ) -> None:  # fmt: skip
    # Each missed cuts before the local level left other cuts out (6-10, 19, 23 among them).
    tl = _montage(seed)
    assert tl.cuts == cuts
    ev = _events(tl.write(tmp_path / "montage.mp4"))
    assert ev.cuts == cuts
    assert ev.transitions == [] and ev.flashes == []


def test_cut_at_frame_two_and_two_frame_shots(tmp_path: Path) -> None:
    rng = np.random.default_rng(100)
    tl = Timeline()
    for n in [2, 2, 3, 2, 16]:
        tl.shot(n, random_palette(rng), random_layout(rng), hold=2)
    assert tl.cuts == [2, 4, 7, 9]
    ev = _events(tl.write(tmp_path / "twos.mp4"))
    assert ev.cuts == tl.cuts and ev.transitions == [] and ev.flashes == []


def test_credits_scrolling_over_black_are_a_text_overlay_not_a_fade(tmp_path: Path) -> None:
    tl = Timeline()
    tl.shot(12, DAY, Layout(figure_x=0.3))
    tl.scrolling_text(60, CREDITS, 1.5)
    ev = _events(tl.write(tmp_path / "credits.mp4"))
    assert ev.cuts == [12]  # the cut to the card; once swallowed by a false fade 12-18
    assert ev.transitions == [] and ev.flashes == []
    assert ev.overlays == [(12, 14)]


def test_credits_alone_and_over_a_still_give_no_transition(tmp_path: Path) -> None:
    tl = Timeline().scrolling_text(72, CREDITS, 3.0)
    ev = _events(tl.write(tmp_path / "alone.mp4"))
    assert ev.cuts == [] and ev.transitions == [] and ev.flashes == []  # once a fade 0-3
    assert ev.overlays == [(0, 1)]
    tl = Timeline().shot(12, DAY, Layout(figure_x=0.3))
    tl.scrolling_text(60, CREDITS, 2.0, over=tl.frames[-1])
    ev = _events(tl.write(tmp_path / "over.mp4"))
    assert ev.cuts == [] and ev.transitions == [] and ev.flashes == []


@pytest.mark.parametrize(("seed", "hold"), [(7, 2), (11, 2), (7, 3), (11, 3)])
def test_credits_crawling_over_a_panning_shot_on_twos_give_no_cuts(tmp_path: Path, seed: int,
                                                                   hold: int) -> None:  # fmt: skip
    # The frames between the drawings change only where the text moves. They once set the
    # level that the drawings' changes were measured against: 4-9 false cuts in each clip.
    rng = np.random.default_rng(seed)
    pal, lay = random_palette(rng), random_layout(rng)
    lay = Layout(lay.pan, 10, lay.figure_x, lay.scale, lay.walk_speed, lay.figures)
    tl = Timeline().scrolling_text(48, CREDITS, 2.0, shot=(pal, lay), hold=hold)
    ev = _events(tl.write(tmp_path / "crawl.mp4"))
    assert ev.cuts == [] and ev.transitions == [] and ev.flashes == []


@pytest.mark.parametrize("seed", [1, 5, 8])
def test_a_dissolve_under_crawling_credits_is_a_dissolve_not_text(tmp_path: Path, seed: int
                                                                  ) -> None:  # fmt: skip
    # The credits' moving edges made every frame of the dissolve look like text alone (a small
    # part of the frame changing strongly), so the dissolve was reported as a text overlay.
    rng = np.random.default_rng(seed)
    pa, la = random_palette(rng), random_layout(rng)
    pb, lb = random_palette(rng), random_layout(rng)
    tl = Timeline().shot(24, pa, la)
    after = tl.shot_frames(36, pb, lb)
    tl.dissolve(12, after)
    tl.frames += after[12:]
    tl.under_credits(CREDITS, 1.5)
    assert tl.transitions == [(24, 35)]
    ev = _events(tl.write(tmp_path / "dissolve.mp4"))
    assert ev.cuts == [] and ev.flashes == []
    assert len(ev.transitions) == 1
    (a, b) = ev.transitions[0]
    assert abs(a - 24) <= 1 and abs(b - 35) <= 1


@pytest.mark.parametrize("frames", [16, 24, 36])
def test_a_slow_dissolve_between_like_pictures_is_found(tmp_path: Path, frames: int) -> None:
    # Each step moves every pixel by under a level, so mpdecimate's test calls every other
    # frame held, and the dissolve was dropped as mostly held frames; over 36 frames, even 8
    # frames apart the pictures differed too little to be told from shot motion (span16 now).
    rng = np.random.default_rng(4002)
    tl = Timeline().shot(20, random_palette(rng), random_layout(rng))
    after = tl.shot_frames(frames + 20, random_palette(rng), random_layout(rng))
    tl.dissolve(frames, after)
    tl.frames += after[frames:]
    ev = _events(tl.write(tmp_path / "slow.mp4"))
    assert ev.cuts == [] and ev.flashes == []
    assert len(ev.transitions) == 1
    a, b = ev.transitions[0]
    assert 19 <= a <= 20 + frames // 2 <= b <= 20 + frames  # inside it, over its middle


@pytest.mark.parametrize(("seed", "aspect"), [(6, 2.39), (9, 2.39), (7, 4 / 3), (9, 4 / 3)])
def test_cuts_between_shots_of_one_layout_inside_black_bars(tmp_path: Path, seed: int,
                                                            aspect: float) -> None:  # fmt: skip
    # Letterbox bars are a constant picture of their own: they made the lumas of two shots
    # correlate as one picture re-exposed (alike 0.91 at a cut), and the cut was dropped.
    rng = np.random.default_rng(seed)
    tl = Timeline()
    for _ in range(6):
        tl.shot(int(rng.integers(6, 14)), random_palette(rng), random_layout(rng))
    tl.frames = [boxed(f, aspect) for f in tl.frames]
    ev = _events(tl.write(tmp_path / "boxed.mp4"))
    assert ev.cuts == tl.cuts
    assert ev.transitions == [] and ev.flashes == []


@pytest.mark.parametrize("seed", [900, 903, 905])
def test_cuts_between_night_shots(tmp_path: Path, seed: int) -> None:
    # At a quarter of the brightness every difference is a quarter: the cuts' flow residual
    # (4-7) fell below floors set for shots of full contrast, and 1-2 cuts of 4 were missed.
    rng = np.random.default_rng(seed)
    tl = Timeline()
    for _ in range(5):
        tl.shot(int(rng.integers(8, 14)), random_palette(rng), random_layout(rng))
    tl.frames = [(f.astype(np.float32) * 0.25).astype(np.uint8) for f in tl.frames]
    ev = _events(tl.write(tmp_path / "night.mp4"))
    assert ev.cuts == tl.cuts
    assert ev.transitions == [] and ev.flashes == []


@pytest.mark.parametrize("steps", [0, 4])
def test_a_subtitle_appearing_after_a_pose_jump_is_no_cut(tmp_path: Path, steps: int) -> None:
    pal = random_palette(np.random.default_rng(1))
    a = Layout(pan=120, figure_x=0.15, scale=0.8)
    b = Layout(pan=120, figure_x=0.55, scale=1.5, walk_speed=10)
    tl = Timeline().shot(14, pal, a)
    tl.pose_jump(6, pal, a, b, start=40)
    tl.subtitle_in(10, steps, "Look out!", pal, b, start=43)
    ev = _events(tl.write(tmp_path / "pose.mp4"))
    assert ev.cuts == [] and ev.transitions == [] and ev.flashes == []


def _big_pose_jump(seed: int, camera: int | None = 7) -> Timeline:
    """A close-up figure redrawn bigger elsewhere after 14 frames on twos (7 drawings); a
    panning camera goes on from drawing ``camera`` (None: it jumps with the figure)."""
    r = np.random.default_rng(seed)
    pal = random_palette(r)
    a = Layout(pan=int(r.integers(0, 400)), figure_x=0.3, scale=2.2,
               pan_speed=int(r.choice([0, 0, 4])))  # fmt: skip
    b = Layout(figure_x=0.6, scale=3.0, walk_speed=10)
    return Timeline().shot(14, pal, a).pose_jump(14, pal, a, b, start=41, camera=camera)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_close_up_pose_jump_is_no_cut(tmp_path: Path, seed: int) -> None:
    ev = _events(_big_pose_jump(seed).write(tmp_path / "jump.mp4"))
    assert ev.cuts == [] and ev.transitions == []


@pytest.mark.parametrize(
    "seed",
    [
        5,  # once a cut: the figure covers most of the frame; the hills and clouds stay in place
        4,  # the camera pans on under the jump, 4 px a drawing
    ],
)  # fmt: skip
def test_a_pose_jump_over_most_of_the_frame_is_no_cut(tmp_path: Path, seed: int) -> None:
    ev = _events(_big_pose_jump(seed).write(tmp_path / "jump.mp4"))
    assert ev.cuts == []


def test_a_pose_jump_whose_camera_jumps_too_is_a_cut(tmp_path: Path) -> None:
    # The camera skips 34 drawings of its pan (68 px) with the figure: pixel for pixel a cut
    # to another framing of the same scene, which the benchmark sets label a cut.
    ev = _events(_big_pose_jump(4, camera=None).write(tmp_path / "jump.mp4"))
    assert ev.cuts == [14]


def test_a_close_up_pose_jump_over_a_background_held_exactly_is_no_cut(tmp_path: Path) -> None:
    # The hard set's (seed 12) fifth clip: at 86 the figure, big, jumps from the left third to
    # the middle; its textured cells are most of the frame's, so the background keeps only
    # 0.34 of them roughly (kept), but 0.23 exactly, which no true cut reaches.
    from tests.benchmarks.cuts import hard_positive

    rng = np.random.default_rng(12)
    for k in range(5):
        tl = hard_positive(rng, *[(320, 180), (384, 216), (480, 270)][k % 3])
    assert tl.cuts == [6, 9, 15, 17, 22, 39, 49, 74, 94]
    _, sig = compute_signals(tl.write(tmp_path / "close.mp4"))
    assert sig["kept"][86] < CUT_MAX_KEPT and sig["exact"][86] >= CUT_MAX_EXACT
    assert detect(sig).cuts == tl.cuts


@pytest.mark.parametrize("seed", [0, 1])
def test_a_montage_of_still_two_frame_shots_is_cut_at_every_shot(tmp_path: Path, seed: int
                                                                 ) -> None:  # fmt: skip
    # Every change but the held frames' was a cut, so none stood out from the changes around
    # it: 16-26 were missed. A drawing on twos keeps its picture; these change it.
    rng = np.random.default_rng(seed)
    tl = Timeline().shot(12, random_palette(rng), random_layout(rng))
    for _ in range(9):
        tl.shot(2, random_palette(rng), random_layout(rng))
    tl.shot(12, random_palette(rng), random_layout(rng))
    ev = _events(tl.write(tmp_path / "montage.mp4"))
    assert ev.cuts == tl.cuts == list(range(12, 32, 2))
    assert ev.transitions == [] and ev.flashes == []


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_short_dark_shot_before_a_cut_to_credits_is_no_fade(tmp_path: Path, seed: int) -> None:
    # In a GIF the dark shot is one frame, nearer black than the shot before: it was taken for
    # the first step of a fade into the card, and both cuts were lost in it.
    rng = np.random.default_rng(seed)
    tl = Timeline().shot(12, random_palette(rng), random_layout(rng))
    dark = Timeline().shot(2, random_palette(rng), random_layout(rng)).frames
    tl.cuts.append(len(tl.frames))
    tl.frames += [(f.astype(np.float32) * 0.7).astype(np.uint8) for f in dark]
    tl.cuts.append(len(tl.frames))
    tl.scrolling_text(30, CREDITS, 2.0)
    ev = _events(tl.write_gif(tmp_path / "dark.gif", [80] * len(tl.frames)))
    shown = tl.gif_frames()
    assert ev.cuts == [int(shown[c]) for c in tl.cuts] == [6, 7]
    assert ev.transitions == []


def test_three_unrelated_frames_that_average_are_no_dissolve(tmp_path: Path) -> None:
    # A GIF montage whose shots are a frame each; one of them is the mean of the shots four
    # frames before and after it. That made a dissolve of 7-13 which swallowed the cuts.
    rng = np.random.default_rng(1)
    tl = Timeline().shot(12, random_palette(rng), random_layout(rng))
    for _ in range(9):
        tl.shot(2, random_palette(rng), random_layout(rng))
    tl.shot(12, random_palette(rng), random_layout(rng))
    mean = ((tl.frames[12].astype(np.uint16) + tl.frames[28]) // 2).astype(np.uint8)
    tl.frames[20] = tl.frames[21] = mean
    ev = _events(tl.write_gif(tmp_path / "montage.gif", [80] * len(tl.frames)))
    shown = tl.gif_frames()
    assert ev.transitions == []
    assert {6, 7, 8, 13, 14, 15} <= set(ev.cuts) <= {int(shown[c]) for c in tl.cuts}


def test_pose_jumps_there_and_back_over_a_still_background_are_no_cuts(tmp_path: Path) -> None:
    # Both jumps were cuts (the hard set's "poses" negatives): the new drawings change half the
    # frame, which flow cannot explain; the hills and clouds around the figure stay in place.
    pal = random_palette(np.random.default_rng(7))
    a = Layout(pan=250, figure_x=0.25, scale=1.8)
    b = Layout(pan=250, figure_x=0.65, scale=1.2, walk_speed=10)
    tl = Timeline().shot(14, pal, a).pose_jump(14, pal, a, b, start=40)
    tl.pose_jump(14, pal, a, a, start=80)
    _, sig = compute_signals(tl.write(tmp_path / "poses.mp4"))
    ev = detect(sig)
    assert ev.cuts == [] and ev.transitions == [] and ev.flashes == []
    # The still share is measured on the jumps (cut candidates), never on held drawings.
    measured = np.flatnonzero(np.isfinite(sig["still"])).tolist()
    assert 14 in measured and 28 in measured
    assert sig["still"][14] >= 0.23 and sig["still"][28] >= 0.23
    assert np.isnan(sig["still"][[1, 3, 5, 21]]).all()


def _reduced(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The working luma and the small YUV of an RGB frame, as the signals reduce it."""
    w, h = work_size(rgb.shape[1], rgb.shape[0])
    yuv = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV)
    work = cv2.resize(yuv, (w, h), interpolation=cv2.INTER_AREA)
    return work[..., 0], cv2.resize(yuv, (w // 2, h // 2), interpolation=cv2.INTER_AREA)


@pytest.mark.parametrize("seed", [0, 1])
def test_a_background_kept_through_weave_flicker_and_grain_tells_a_pose_jump(seed: int) -> None:
    # Real film (t02_pose 22): at a key-pose jump the held background moved by gate weave and
    # flickered, so no textured cell stayed within `still`'s limit; its pattern and colour did.
    before = draw(320, 180, DAY, Layout(pan=120, figure_x=0.2, scale=1.0), 0)
    jump = draw(320, 180, DAY, Layout(pan=120, figure_x=0.6, scale=1.6), 5)
    (luma, yuv), (jluma, _) = _reduced(before), _reduced(jump)
    assert _still_share(luma, cv2.absdiff(luma, jluma)) >= CUT_MAX_STILL  # a clean print
    filmed_jump = filmed([jump], np.random.default_rng(seed), weave=0.7, flicker=3, grain=2)[0]
    fluma, fyuv = _reduced(filmed_jump)
    assert _still_share(luma, cv2.absdiff(luma, fluma)) < CUT_MAX_STILL
    assert _kept_shares(yuv, fyuv)[0] >= CUT_MAX_KEPT
    # Another framing of the same scene (a cut: same palette, the camera moved) keeps little.
    other = draw(320, 180, DAY, Layout(pan=270, figure_x=0.6, scale=1.6), 5)
    assert _kept_shares(yuv, _reduced(other)[1])[0] < CUT_MAX_KEPT / 3


def test_new_colours_over_a_similar_layout_are_a_cut_though_flow_half_explains_it(
    tmp_path: Path,
) -> None:
    # The hard benchmark set's first clip: at 12 the residual is 9.5, 2.3 x its shots' level,
    # but the colours change by 35 against ~6 around it; missed before the colour test.
    from tests.benchmarks.cuts import hard_positive

    tl = hard_positive(np.random.default_rng(11), 320, 180)
    assert tl.cuts == [6, 12, 15, 21, 24, 50, 73]
    ev = _events(tl.write(tmp_path / "colours.mp4"))
    assert ev.cuts == tl.cuts
    assert ev.transitions == [] and ev.flashes == []


def test_a_frame_exposed_darker_after_a_splice_is_no_second_cut(tmp_path: Path) -> None:
    # Real film (the Popeye excerpts): the first frame of a new shot is exposed differently
    # from the next, so the change goes on for a second frame; it was reported as two cuts.
    rng = np.random.default_rng(3)
    lay = random_layout(rng)
    tl = Timeline().shot(14, random_palette(rng), lay).shot(14, random_palette(rng), lay, hold=1)
    tl.frames[14] = (tl.frames[14] * 0.7).astype(np.uint8)
    ev = _events(tl.write(tmp_path / "splice.mp4"))
    assert ev.cuts == [14] and ev.transitions == []


def test_a_dark_wing_sweeping_across_the_shot_is_no_cut(tmp_path: Path) -> None:
    # Real footage: a wing sweeps over the camera and off again, a few frames each way, on
    # ones: every frame changes a lot, but each change goes on in the frame after it.
    tl = Timeline()
    lay = Layout(pan=60, pan_speed=4, figure_x=0.4, scale=1.2)
    tl.shot(40, DAY, lay, hold=1)
    h = tl.frames[0].shape[0]
    cover = [0.35, 0.7, 1.0, 1.0, 1.0, 0.65, 0.3]  # share of the height the wing covers
    for k, share in enumerate(cover):
        frame = tl.frames[14 + k].copy()
        frame[: int(h * share)] = (40, 30, 35)
        tl.frames[14 + k] = frame
    ev = _events(tl.write(tmp_path / "wing.mp4"))
    assert ev.cuts == []


def test_single_drawing_shots_of_a_gif_montage_stay_separate(tmp_path: Path) -> None:
    # Shots of one drawing each, shown 100 ms (2.4 frames at 24 fps) between two shots on ones:
    # adjacent changes of a like size, but each frame between them is a shot of its own.
    rng = np.random.default_rng(5)
    tl = Timeline().shot(12, random_palette(rng), random_layout(rng), hold=1)
    for _ in range(5):
        tl.shot(1, random_palette(rng), random_layout(rng))
    tl.shot(12, random_palette(rng), random_layout(rng), hold=1)
    delays = [40] * 12 + [100] * 5 + [40] * 12
    ev = _events(tl.write_gif(tmp_path / "montage.gif", delays))
    assert ev.cuts == [12, 13, 14, 15, 16, 17]


def test_the_same_picture_exposed_brighter_is_no_cut(tmp_path: Path) -> None:
    # Real footage: a print's colour fringe, a DVD keyframe's quality pump. The whole frame
    # changes at once, but it is the same picture: its luma correlates with the frame before's.
    rng = np.random.default_rng(8)
    tl = Timeline().shot(30, random_palette(rng), random_layout(rng))
    for k in range(15, 30):
        tl.frames[k] = np.clip(tl.frames[k] * 1.3 + 12, 0, 255).astype(np.uint8)
    _, sig = compute_signals(tl.write(tmp_path / "pump.mp4"))
    ev = detect(sig)
    assert ev.cuts == [] and ev.transitions == []
    assert sig["alike"][15] >= CUT_MAX_ALIKE  # it was a cut candidate; this veto held it


@pytest.mark.parametrize(("seed", "lines", "shake"), [(3, True, 0), (7, True, 0), (3, False, 8),
                                                      (6, False, 8)])  # fmt: skip
def test_cuts_between_action_shots_on_ones_stand_out_in_colour(
    tmp_path: Path, seed: int, lines: bool, shake: int
) -> None:
    # Speed lines and camera shake leave a flow residual in every frame of these 3-6 frame
    # shots, up to half a cut's: the frames after a cut seem to keep its change up. Their colours
    # do not: each cut's colour change is 2.4x or more that of the frames around it.
    tl = action_montage(seed, lines=lines, shake=shake)
    ev = _events(tl.write(tmp_path / "action.mp4"))
    assert ev.cuts == tl.cuts
    assert ev.transitions == [] and ev.flashes == []


def test_a_three_frame_insert_of_another_picture_is_a_shot_not_a_flash(tmp_path: Path) -> None:
    # Brighter frames between two frames alike look like a flash by brightness; but a flash
    # washes the picture out or keeps it, and this is another picture with its own contrast.
    rng = np.random.default_rng(21)
    lay = Layout(figure_x=0.25, walk_speed=8.0)
    tl = Timeline().shot(8, DAY, lay, hold=1)
    bright = Palette(sky=(250, 250, 200), ground=(220, 200, 120), hair=(90, 40, 40),
                     clothes=(250, 120, 160))  # fmt: skip
    tl.shot(3, bright, random_layout(rng), hold=1)
    tl.shot(16, DAY, lay, hold=1, start=11)
    assert tl.cuts == [8, 11]
    _, sig = compute_signals(tl.write(tmp_path / "insert.mp4"))
    ev = detect(sig)
    assert ev.cuts == [8, 11] and ev.flashes == []
    assert sig["luma"][8] - sig["luma"][7] >= 25  # bright enough to be taken for a flash


def _wiped(seed: int, direction: str, similar: bool = False) -> Timeline:
    """A shot, then the next one sliding in behind an edge in 6-16 frames, then more of it."""
    rng = np.random.default_rng(seed)
    pal, lay = random_palette(rng), random_layout(rng)
    tl = Timeline().shot(20, pal, lay)
    n = int(rng.integers(6, 17))
    if similar:  # another framing of one layout in one palette
        lay = Layout((lay.pan + 160) % 600, lay.pan_speed, (lay.figure_x + 0.3) % 0.8, lay.scale)
    else:
        pal, lay = random_palette(rng), random_layout(rng)
    nxt = tl.shot_frames(n + 20, pal, lay)
    tl.wipe(n, nxt, direction)
    tl.frames += nxt[n:]
    return tl


@pytest.mark.parametrize(("seed", "direction"),
                         [(0, "right"), (1, "left"), (2, "down"), (3, "up"), (4, "right")])
def test_a_wipe_is_a_transition_from_its_first_frame_to_its_last(
    tmp_path: Path, seed: int, direction: str
) -> None:  # fmt: skip
    # Each frame changes only the strip the edge crosses, so no frame read as a cut and the
    # shots were joined as one.
    tl = _wiped(seed, direction)
    (a, b), = tl.transitions
    assert a == 20 and b - a + 1 >= 6
    _, sig = compute_signals(tl.write(tmp_path / "wipe.mp4"))
    ev = detect(sig)
    assert ev.transitions == [(a, b)] and ev.cuts == [] and ev.flashes == []
    # The edge's strip is found in nearly every frame of it (a figure of the new shot moving
    # on the same frame may hide it), and moves one way.
    edge = sig["edge_x" if direction in ("right", "left") else "edge_y"][a : b + 2]
    assert np.isfinite(edge).sum() >= len(edge) - 1
    steps = np.diff(edge[np.isfinite(edge)])
    assert (steps > 0).all() if direction in ("right", "down") else (steps < 0).all()


def test_a_wipe_in_a_gif_is_a_transition(tmp_path: Path) -> None:
    tl = _wiped(5, "left")
    (a, b), = tl.transitions
    shown = tl.gif_frames()
    ev = _events(tl.write_gif(tmp_path / "wipe.gif", [60] * len(tl.frames)))
    assert ev.transitions == [(int(shown[a]), int(shown[b]))] and ev.cuts == []


def test_a_wipe_between_shots_of_like_brightness_is_found_by_their_colours(tmp_path: Path
                                                                           ) -> None:  # fmt: skip
    # The wipes set's (seed 11) fourth clip, 54-68: a teal sky slides in over a blue one of
    # like luma, so in luma no column of blocks changed from top to bottom; in chroma it did.
    from tests.benchmarks.cuts import wipes_positive

    rng = np.random.default_rng(11)
    for k in range(4):
        tl = wipes_positive(rng, *[(320, 180), (384, 216), (480, 270)][k % 3])
    assert (54, 68) in tl.transitions
    ev = _events(tl.write(tmp_path / "wipes.mp4"))
    assert (54, 68) in ev.transitions


def test_a_close_up_figure_walking_across_is_no_wipe(tmp_path: Path) -> None:
    # Its front and back change whole columns of blocks that march across the frame as a
    # wipe's edge does; they are two strips, an edge is one.
    pal = random_palette(np.random.default_rng(3))
    lay = Layout(pan=80, figure_x=0.05, scale=2.6, walk_speed=40)
    tl = Timeline().shot(40, pal, lay, hold=1)
    ev = _events(tl.write(tmp_path / "walk.mp4"))
    assert ev.transitions == [] and ev.cuts == []


@pytest.mark.xfail(strict=True, reason=(
    "issue 18: between two framings of one layout in one palette most of each strip (sky, "
    "ground) stays as it was, so no line of blocks changes from side to side"))
def test_a_wipe_between_two_framings_of_one_layout_is_a_transition(tmp_path: Path) -> None:
    tl = _wiped(6, "right", similar=True)
    ev = _events(tl.write(tmp_path / "wipe.mp4"))
    assert ev.transitions == tl.transitions


def test_an_hd_dissolve_under_credits_is_a_dissolve(tmp_path: Path) -> None:
    # At 1280x720 the frames reach the working size smoothed, and optical flow matches part of
    # a blend: the lower quartile of the frames' unexplained share fell to 0.72, under the
    # 0.75 the dissolve test asked (an old print's gate weave does the same).
    rng = np.random.default_rng(5)
    tl = Timeline(w=1280, h=720).shot(16, random_palette(rng), random_layout(rng))
    after = tl.shot_frames(30, random_palette(rng), random_layout(rng))
    tl.dissolve(10, after)
    tl.frames += after[10:]
    tl = tl.under_credits(CREDITS, 2.0)
    (a, b), = tl.transitions
    ev = _events(tl.write(tmp_path / "hd.mp4"))
    assert ev.cuts == [] and len(ev.transitions) == 1
    (x, y), = ev.transitions
    assert abs(x - a) <= 1 and abs(y - b) <= 1

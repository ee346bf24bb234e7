"""Clip metrics and flags: effective fps, holds, each flag with its reason."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from anicurate.core.analysis import Thresholds, analyze_source, clip_metrics
from anicurate.core.analysis.flags import clip_flags, near_duplicates, overlap_flag, overlaps
from anicurate.core.project import DEFAULT_PRESET, PRESETS
from tests.helpers.analysis_samples import DAY, DUSK, NIGHT, Layout, Timeline

SETTINGS = PRESETS[DEFAULT_PRESET]


@pytest.mark.parametrize(("hold", "fps"), [(1, 24.0), (2, 12.0), (3, 8.0)])
def test_effective_fps_and_hold_pattern(tmp_path: Path, hold: int, fps: float) -> None:
    tl = Timeline().shot(48, DAY, Layout(figure_x=0.2, walk_speed=7), hold=hold)
    a = analyze_source(tl.write(tmp_path / f"hold{hold}.mp4"))
    m = a.metrics
    assert m.effective_fps == fps
    assert m.drawings == 48 // hold
    assert m.hold_pattern == {1: "ones", 2: "twos", 3: "threes"}[hold]
    assert m.held_ratio == round(1 - 1 / hold, 4)


def test_clip_range_restricts_metrics_and_events(tmp_path: Path) -> None:
    tl = Timeline().shot(24, DAY, Layout(), hold=2).shot(24, NIGHT, Layout(), hold=3)
    a = analyze_source(tl.write(tmp_path / "two.mp4"))
    first, second = (
        clip_metrics(a.signals, a.events, 0, 23),
        clip_metrics(a.signals, a.events, 24, 47),
    )
    assert (first.cuts, second.cuts) == ([], [])  # a cut at a clip's first frame is its start
    assert (first.effective_fps, second.effective_fps) == (12.0, 8.0)
    assert clip_metrics(a.signals, a.events, 10, 40).cuts == [24]


def _flags(path: Path, **kw: object) -> dict[str, str]:
    a = analyze_source(path)
    flags = clip_flags(a.metrics, width=a.info.width, height=a.info.height,
                       settings=kw.pop("settings", SETTINGS),  # type: ignore[arg-type]
                       thresholds=Thresholds(**kw))  # type: ignore[arg-type]  # fmt: skip
    return {f.kind: f.reason for f in flags}


def test_clean_clip_has_no_flags(tmp_path: Path) -> None:
    tl = Timeline(w=640, h=360).shot(48, DAY, Layout(figure_x=0.2))
    assert _flags(tl.write(tmp_path / "clean.mp4")) == {}


def test_event_flags_with_reasons(tmp_path: Path) -> None:
    tl = Timeline(w=640, h=360).shot(20, DAY, Layout()).shot(20, NIGHT, Layout(figure_x=0.5))
    tl.flash(1, 255).shot(12, NIGHT, Layout(figure_x=0.5), cut=False, start=10)
    nxt = tl.shot_frames(16, DUSK, Layout())
    tl.fade_through(5, 0, 2, 5, nxt[0])
    tl.frames.extend(nxt)
    flags = _flags(tl.write(tmp_path / "events.mp4"))
    assert flags["cut"] == "cut at frame 20"
    assert flags["flash"] == "flash at frame 40"
    assert flags["fade"] == "fade, dissolve or wipe at frames 53-64"


def test_credits_over_black_are_flagged_as_a_text_overlay_not_a_fade(tmp_path: Path) -> None:
    from tests.helpers.analysis_samples import CREDITS

    tl = Timeline(w=640, h=360).shot(12, DAY, Layout(figure_x=0.3))
    tl.scrolling_text(48, CREDITS, 1.5)
    flags = _flags(tl.write(tmp_path / "credits.mp4"))
    assert "fade" not in flags
    assert flags["text_overlay"].startswith("text overlay at frames 12-")


def test_large_motion_low_fps_static(tmp_path: Path) -> None:
    fast = Timeline(w=640, h=360).shot(24, DAY, Layout(pan_speed=120, walk_speed=60), hold=1)
    reason = _flags(fast.write(tmp_path / "fast.mp4"))["large_motion"]
    value = float(reason.split()[2])
    assert reason == f"motion p95 {value:.1f} above 5" and value > 5
    slow = Timeline(w=640, h=360).shot(48, DAY, Layout(), hold=6)
    assert _flags(slow.write(tmp_path / "slow.mp4"))["low_fps"] == (
        "effective fps 4 below 8 (8 drawings in 2.00 s)"
    )
    still = Timeline(w=640, h=360).shot(48, DAY, Layout(), hold=48)
    assert _flags(still.write(tmp_path / "still.mp4")) == {
        "static": "1 drawing in 48 frames (98% held)"
    }


def test_size_flags(tmp_path: Path) -> None:
    short = Timeline(w=640, h=360).shot(5, DAY, Layout())
    assert _flags(short.write(tmp_path / "short.mp4"))["too_few_frames"] == (
        "5 frames (0.21 s); a sample needs 8 frames at 24 fps, step 1"
    )
    small = Timeline(w=256, h=144).shot(24, DAY, Layout())
    assert _flags(small.write(tmp_path / "small.mp4"))["low_resolution"] == (
        "256x144 below training size 384x384"
    )
    wide = Timeline(w=640, h=272).shot(24, DAY, Layout())
    no_buckets = replace(SETTINGS, use_bucketing=False)
    assert _flags(wide.write(tmp_path / "wide.mp4"), settings=no_buckets)["aspect"] == (
        "aspect 2.35 against training 1.00 (more than 10% apart)"
    )


def test_blurry_and_noisy(tmp_path: Path) -> None:
    tl = Timeline(w=640, h=360).shot(24, DAY, Layout())
    tl.frames = [cv2.GaussianBlur(f, (0, 0), 2.5) for f in tl.frames]
    reason = _flags(tl.write(tmp_path / "blurry.mp4"))["blurry"]
    assert reason.startswith("sharpness ") and reason.endswith(" below 30.0")
    rng = np.random.default_rng(1)
    noisy = Timeline(w=640, h=360).shot(24, DAY, Layout())
    noisy.frames = [np.clip(f + rng.normal(0, 14, f.shape), 0, 255).astype(np.uint8)
                    for f in noisy.frames]  # fmt: skip
    path = noisy.write(tmp_path / "noisy.mp4", options={"crf": "12"})
    reason = _flags(path)["noisy"]
    assert reason.startswith("noise ") and reason.endswith(" above 3")


def test_near_duplicates_by_perceptual_hash(tmp_path: Path) -> None:
    tl = Timeline(w=640, h=360).shot(24, DAY, Layout())
    a = analyze_source(tl.write(tmp_path / "a.mp4")).metrics
    b = analyze_source(tl.write(tmp_path / "b.webm", codec="libvpx-vp9")).metrics
    other = Timeline(w=640, h=360).shot(24, NIGHT, Layout(figure_x=0.6, pan=200))
    c = analyze_source(other.write(tmp_path / "c.mp4")).metrics
    dupes = near_duplicates({1: a.hashes, 2: b.hashes, 3: c.hashes}, Thresholds().duplicate_bits)
    assert dupes == {1: [2], 2: [1]}


def test_thresholds_from_stored_values() -> None:
    t = Thresholds.from_dict({"motion_p95_max": 10, "bogus": 1, "blur_min": "x"})
    assert t == replace(Thresholds(), motion_p95_max=10.0)
    assert Thresholds.from_dict(None) == Thresholds()


def _brute_force_duplicates(
    signatures: dict[int, list[int]], max_bits: int
) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for a in sorted(signatures):
        for b in sorted(signatures):
            ha, hb = signatures[a], signatures[b]
            if (
                a != b
                and len(ha) == len(hb)
                and all((p ^ q).bit_count() <= max_bits for p, q in zip(ha, hb, strict=True))
            ):
                out.setdefault(a, []).append(b)
    return out


@pytest.mark.parametrize("max_bits", [0, 3, 8, 20, 63, 64])
def test_near_duplicate_search_finds_exactly_the_pairs_a_full_comparison_finds(
    max_bits: int,
) -> None:
    rng = np.random.default_rng(max_bits)
    signatures: dict[int, list[int]] = {}
    for cid in range(400):
        if cid % 4 == 0 or not signatures:
            signatures[cid] = [int(h) for h in rng.integers(0, 2**64, 3, dtype=np.uint64)]
            continue
        base = signatures[int(rng.choice(list(signatures)))]
        flips = int(rng.integers(0, max(1, 2 * max_bits + 2)))  # near and just too far
        signatures[cid] = [
            h ^ sum(1 << int(b) for b in rng.choice(64, min(64, flips), replace=False))
            for h in base
        ]
    signatures[1000] = []  # a clip with no hashes matches only others without any
    signatures[1001] = []
    expected = _brute_force_duplicates(signatures, max_bits)
    assert near_duplicates(signatures, max_bits) == expected
    assert sum(len(v) for v in expected.values()) > 2  # the set holds near pairs to find


def test_overlaps_between_clips_of_one_source() -> None:
    ranges = {
        1: (7, 0, 59),
        2: (7, 50, 99),  # shares 50-59 with 1
        3: (7, 100, 149),  # adjacent to 2: shares nothing
        4: (7, 10, 20),  # inside 1
        5: (7, 149, 160),  # one frame with 3
        6: (8, 0, 59),  # same frames, another source
    }
    assert overlaps(ranges) == {
        1: [(2, 50, 59), (4, 10, 20)],
        2: [(1, 50, 59)],
        3: [(5, 149, 149)],
        4: [(1, 10, 20)],
        5: [(3, 149, 149)],
    }
    labels = {2: "a.mp4 [50\u201399]", 5: "a.mp4 [149\u2013160]"}
    assert overlap_flag([(2, 50, 59), (5, 149, 149)], labels).reason == (
        "frames 50\u201359 also in clip 2 (a.mp4 [50\u201399]); "
        "frame 149 also in clip 5 (a.mp4 [149\u2013160])"
    )

"""The interpolation plan and fix_frames: exact frame indices, never a blend across a cut."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from anicurate.core.analysis.detect import Events
from anicurate.core.fix import (
    Engines,
    FixSpec,
    Interpolation,
    Slot,
    find_model,
    fix_frames,
    plan_frames,
)
from anicurate.core.fix.errors import FixError
from anicurate.core.fix.opencv_engine import BlendInterpolator


def events(n: int, cuts=(), transitions=(), flashes=(), held=()) -> Events:
    mask = np.zeros(n, bool)
    mask[list(held)] = True
    return Events(list(cuts), list(transitions), list(flashes), mask)


def frames(n: int) -> list[np.ndarray]:
    """Frame k is flat grey 20*k: a blend of two of them is a grey no source frame has."""
    return [np.full((4, 6, 3), 20 * k, np.uint8) for k in range(n)]


BLEND = Engines(interpolator=BlendInterpolator(find_model("interpolate", "blend")))


def run(n: int, spec: FixSpec, ev: Events | None) -> list[np.ndarray]:
    return list(fix_frames(frames(n), spec, count=n, events=ev, engines=BLEND))


def test_factor_maps_frame_k_to_n_k_exactly() -> None:
    src = frames(7)
    for n in (2, 3, 4):
        out = run(7, FixSpec(interpolate=Interpolation("factor", n)), None)
        assert len(out) == 7 * n
        for k in range(7):
            assert np.array_equal(out[n * k], src[k])
        assert out[1][0, 0, 0] not in {f[0, 0, 0] for f in src}  # really synthesised


def test_never_blends_across_a_cut() -> None:
    src = frames(10)
    out = run(10, FixSpec(interpolate=Interpolation("factor", 3)), events(10, cuts=[5]))
    # outputs 13 and 14 lie between source 4 and 5: both are exact copies of frame 4
    assert np.array_equal(out[13], src[4]) and np.array_equal(out[14], src[4])
    assert np.array_equal(out[15], src[5])
    assert not np.array_equal(out[10], src[3])  # elsewhere it does interpolate


@pytest.mark.parametrize("kind", ["transitions", "flashes"])
def test_never_blends_into_a_fade_or_flash(kind: str) -> None:
    plan = plan_frames(10, 2, events(10, **{kind: [(4, 5)]}))
    synthesised = [s for s in plan if s.synthesised]
    assert synthesised and all(s.b is not None and (s.b < 4 or s.a > 5 + 0) for s in synthesised)
    assert all(not (s.a <= 5 and s.b is not None and s.b >= 4) for s in plan)
    assert plan[7] == Slot(3) and plan[11] == Slot(5)  # (3,4) and (5,6) pairs repeat the left


def test_smooth_holds_drops_held_drawings_first() -> None:
    ev = events(9, held=[1, 3, 5, 7])  # animated on twos
    plan = plan_frames(9, 1, ev, smooth_holds=True)
    assert plan[0] == Slot(0) and plan[2] == Slot(2)
    assert plan[1] == Slot(0, 2, 0.5) and plan[3] == Slot(2, 4, 0.5)
    out = list(fix_frames(frames(9), FixSpec(interpolate=Interpolation("factor", 1),
                                             smooth_holds=True),
                          count=9, events=ev, engines=BLEND))  # fmt: skip
    assert out[1][0, 0, 0] == 20  # halfway between frame 0 (0) and frame 2 (40)
    # without smooth holds, held frames stay as they are
    assert plan_frames(9, 1, ev) == [Slot(k) for k in range(9)]


def test_smooth_holds_stop_at_a_cut_and_a_long_hold() -> None:
    ev = events(12, cuts=[4], held=[3, 5, 6, 7, 8, 9, 10])
    plan = plan_frames(12, 1, ev, smooth_holds=True)
    assert plan[3] == Slot(3)  # keys 2 and 4 straddle the cut: frame 3 repeats as it is
    assert [s.b for s in plan[5:11]] == [None] * 6  # a hold of 7 frames is a pose, kept


def test_fps_and_window_ratios() -> None:
    assert Interpolation("fps", 24).ratio(10, 12) == 2
    assert Interpolation("window", 49).ratio(20, 24) == Fraction(49, 20)
    assert Interpolation("window", 10).ratio(20, 24) == 1  # never fewer frames
    assert len(plan_frames(20, Fraction(49, 20))) == 49


def test_short_source_is_a_typed_error() -> None:
    with pytest.raises(FixError, match="ended at frame 3"):
        list(fix_frames(frames(3), FixSpec(interpolate=Interpolation("factor", 2)),
                        count=5, engines=BLEND))  # fmt: skip


def test_spec_round_trips_and_refuses_bad_values() -> None:
    spec = FixSpec(upscale=2, upscale_model="waifu2x-cunet-2x", denoise=1,
                   interpolate=Interpolation("fps", 24), smooth_holds=True)  # fmt: skip
    assert FixSpec.from_json(spec.to_json()) == spec
    with pytest.raises(FixError):
        FixSpec(upscale=3)
    with pytest.raises(FixError):
        FixSpec.from_json({"denoise": 9})

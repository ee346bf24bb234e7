"""Crop geometry: the ratio, the frame's bounds and even pixels hold under any drag."""

from __future__ import annotations

import random

import pytest

from anicurate.core.crop import MIN_SIDE, CropGeometry, CropRect, Handle

# (frame w, h, training w, h): landscape, portrait, odd sizes, 848x480 (ratio 53:30), tiny.
CASES = [
    (1920, 1080, 384, 384),
    (1920, 1080, 512, 288),
    (640, 360, 848, 480),
    (480, 360, 512, 288),
    (1080, 1920, 512, 288),
    (853, 481, 384, 384),
    (720, 1280, 288, 512),
    (256, 144, 384, 384),
    (40, 30, 512, 288),
]


def assert_valid(geo: CropGeometry, rect: CropRect) -> None:
    assert rect.w % 2 == 0 and rect.h % 2 == 0 and rect.x % 2 == 0 and rect.y % 2 == 0, rect
    assert rect.x >= 0 and rect.y >= 0, rect
    assert rect.right <= geo.frame_w and rect.bottom <= geo.frame_h, rect
    # The height is the even number nearest to width / ratio: within one pixel of exact.
    assert abs(rect.h - rect.w * geo.train_h / geo.train_w) <= 1, rect
    assert rect.w >= min(geo.min_w, geo.max_w)


@pytest.mark.parametrize(("fw", "fh", "tw", "th"), CASES)
def test_fit_is_the_largest_centred_crop(fw: int, fh: int, tw: int, th: int) -> None:
    geo = CropGeometry(fw, fh, tw, th)
    fit = geo.fit()
    assert_valid(geo, fit)
    # No wider even crop of the ratio fits the frame.
    wider = fit.w + 2
    assert wider > fw or geo.height_for(wider) > fh - fh % 2
    # Centred to within the one pixel that even offsets allow.
    assert abs(fit.x - (fw - fit.w) / 2) <= 1 and abs(fit.y - (fh - fit.h) / 2) <= 1


def test_exact_fit_rects() -> None:
    assert CropGeometry(1920, 1080, 384, 384).fit() == CropRect(420, 0, 1080, 1080)
    assert CropGeometry(1920, 1080, 512, 288).fit() == CropRect(0, 0, 1920, 1080)
    assert CropGeometry(640, 360, 848, 480).fit() == CropRect(2, 0, 636, 360)
    assert CropGeometry(480, 360, 512, 288).fit() == CropRect(0, 46, 480, 270)
    assert CropGeometry(1080, 1920, 512, 288).fit() == CropRect(0, 656, 1080, 608)
    assert CropGeometry(853, 481, 384, 384).fit() == CropRect(186, 0, 480, 480)


@pytest.mark.parametrize(("fw", "fh", "tw", "th"), CASES)
def test_random_drags_keep_ratio_bounds_and_even_pixels(fw: int, fh: int, tw: int, th: int) -> None:
    rng = random.Random(fw * 7 + fh * 13 + tw)
    geo = CropGeometry(fw, fh, tw, th)
    rect = geo.fit()
    for _ in range(600):
        span = max(fw, fh) * 1.5
        dx, dy = rng.uniform(-span, span), rng.uniform(-span, span)
        op = rng.random()
        if op < 0.5:
            rect = geo.resized(rect, rng.choice(list(Handle)), dx, dy)
        elif op < 0.8:
            rect = geo.moved(rect, dx, dy)
        elif op < 0.9:
            rect = geo.scaled(rect, rng.uniform(0.2, 3.0))
        else:
            rect = geo.clamp(CropRect(int(dx), int(dy), int(abs(dx)), rng.randrange(1, 5000)))
        assert_valid(geo, rect)


def test_corner_drag_holds_the_opposite_corner() -> None:
    geo = CropGeometry(1920, 1080, 384, 384)
    start = CropRect(600, 300, 400, 400)
    grown = geo.resized(start, Handle.SE, 100, 20)  # the pointer pulled x further: width follows
    assert grown == CropRect(600, 300, 500, 500)
    shrunk = geo.resized(start, Handle.NW, 100, 150)  # y pulled further inwards? max of the two
    assert (shrunk.right, shrunk.bottom) == (start.right, start.bottom)
    assert shrunk.w == shrunk.h == 300
    # Dragged far past the frame, the size stops at the edge; the held corner stays put.
    huge = geo.resized(start, Handle.SE, 5000, 5000)
    assert (huge.x, huge.y) == (600, 300) and huge.bottom == 1080 and huge.w == 780
    tiny = geo.resized(start, Handle.NE, -5000, 5000)
    assert (tiny.x, tiny.bottom) == (600, 700) and tiny.w == MIN_SIDE


def test_edge_drag_sets_that_side_and_centres_the_other() -> None:
    geo = CropGeometry(1920, 1080, 512, 288)
    start = CropRect(400, 200, 640, 360)
    wider = geo.resized(start, Handle.E, 320, 999)  # the vertical part of an edge drag is ignored
    assert wider == CropRect(400, 110, 960, 540)
    assert geo.resized(start, Handle.W, -320, 0) == CropRect(80, 110, 960, 540)
    taller = geo.resized(start, Handle.S, 0, 180)
    assert taller == CropRect(240, 200, 960, 540)
    # An edge cannot push the other side out of the frame: it stops instead of sliding.
    capped = geo.resized(start, Handle.N, 0, -5000)
    assert capped.bottom == start.bottom and capped.y >= 0
    assert abs(capped.center[0] - start.center[0]) <= 1


def test_move_stops_at_the_edges_and_keeps_the_size() -> None:
    geo = CropGeometry(640, 360, 384, 384)
    rect = CropRect(100, 50, 200, 200)
    assert geo.moved(rect, 33, 11) == CropRect(134, 62, 200, 200)
    assert geo.moved(rect, -1000, 1000) == CropRect(0, 160, 200, 200)
    assert geo.moved(rect, 1000, -1000) == CropRect(440, 0, 200, 200)


def test_centred_and_clamped() -> None:
    geo = CropGeometry(1920, 1080, 384, 384)
    assert geo.centred(CropRect(0, 0, 500, 500)) == CropRect(710, 290, 500, 500)
    assert geo.centred(CropRect(0, 0, 9999, 9999)) == geo.fit()
    # An odd, wrong-ratio rectangle becomes the nearest valid one about its centre.
    assert geo.clamp(CropRect(1801, 951, 301, 77)) == CropRect(1618, 778, 302, 302)


def test_pad_canvas_holds_the_whole_frame_at_the_ratio() -> None:
    pad = CropGeometry(1920, 1080, 384, 384).pad()
    assert (pad.canvas_w, pad.canvas_h, pad.x, pad.y) == (1920, 1920, 0, 420)
    pad = CropGeometry(480, 360, 512, 288).pad()
    assert (pad.canvas_w, pad.canvas_h, pad.x, pad.y) == (640, 360, 80, 0)
    pad = CropGeometry(853, 481, 512, 288).pad()
    assert pad.canvas_w >= 853 and pad.canvas_h >= 481
    assert pad.canvas_w % 2 == 0 and pad.canvas_h % 2 == 0
    assert abs(pad.canvas_h - pad.canvas_w * 288 / 512) <= 1


def test_output_size_and_warning_below_the_training_resolution() -> None:
    geo = CropGeometry(1920, 1080, 512, 288)
    big = geo.output(CropRect(0, 0, 1024, 576))
    assert (big.width, big.height, big.scale, big.below_training) == (512, 288, 0.5, False)
    assert big.warning is None
    small = geo.output(CropRect(0, 0, 256, 144))
    assert (small.width, small.height, small.scale, small.below_training) == (512, 288, 2.0, True)
    assert small.warning == "below the training size: enlarged 2.00\u00d7 to 512\u00d7288"
    # Padding: the canvas is what gets scaled.
    padded = CropGeometry(256, 144, 384, 384).output(None)
    assert (padded.width, padded.height, padded.below_training) == (384, 384, True)
    assert padded.scale == 384 / 256


def test_frames_smaller_than_the_minimum_still_get_a_valid_crop() -> None:
    geo = CropGeometry(10, 6, 384, 384)
    fit = geo.fit()
    assert fit == CropRect(2, 0, 6, 6)
    assert geo.resized(fit, Handle.SE, 100, 100) == fit
    with pytest.raises(ValueError, match="frame_w"):
        CropGeometry(0, 10, 8, 8)

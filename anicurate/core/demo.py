"""The demo set: anime-like clips drawn in code, each showing one thing the analysis must catch.

Flat colours with dark outlines, a figure animated on twos, a held pose, a hard cut, a fade, a pan,
a one-frame white flash, a clip below the training size, a 4:3 clip, a still, a GIF with uneven
delays, and a download cut short (bad input is normal input). Generated once into a cache
folder; the truth for each clip is kept in ``DEMO_CLIPS``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from anicurate.core.jobs import Progress
from anicurate.core.media.writer import write_animation, write_still, write_video

DEMO_VERSION = 2
Frame = np.ndarray
OUTLINE = (28, 24, 36)


@dataclass(frozen=True)
class Palette:
    """One "shot": sky, ground, hair, clothes. Different palettes read as different scenes."""

    sky: tuple[int, int, int]
    ground: tuple[int, int, int]
    hair: tuple[int, int, int]
    clothes: tuple[int, int, int]
    skin: tuple[int, int, int] = (250, 222, 200)


DAY = Palette(
    sky=(150, 200, 245), ground=(120, 190, 110), hair=(230, 120, 150), clothes=(60, 80, 170)
)
DUSK = Palette(sky=(245, 160, 110), ground=(90, 70, 110), hair=(50, 50, 70), clothes=(200, 60, 60))
NIGHT = Palette(
    sky=(30, 40, 90), ground=(40, 60, 60), hair=(240, 220, 120), clothes=(240, 240, 240)
)


def _background(w: int, h: int, pal: Palette, pan: int = 0) -> Frame:
    """Sky, hills and a ground line; ``pan`` scrolls hills and clouds left (camera pans right)."""
    img = np.empty((h, w, 3), np.uint8)
    img[:] = pal.sky
    horizon = int(h * 0.68)
    period = max(w // 2, 1)
    xs = np.arange(-period, w + period, 4)
    hills = [
        (int(x), int(horizon - h * 0.10 * (1 + np.sin((x + pan) * 2 * np.pi / period)))) for x in xs
    ]
    poly = np.array([(-period, h), *hills, (w + period, h)], np.int32)
    shade = tuple(int(c * 0.8) for c in pal.ground)
    cv2.fillPoly(img, [poly], shade, cv2.LINE_AA)
    cv2.polylines(img, [np.array(hills, np.int32)], False, OUTLINE, 2, cv2.LINE_AA)
    cv2.rectangle(img, (0, horizon), (w, h), pal.ground, -1)
    cv2.line(img, (0, horizon), (w, horizon), OUTLINE, 2, cv2.LINE_AA)
    for k in range(3):  # clouds, moving with the pan
        cx = int((k * w / 3 + w / 6 - pan * 0.5) % (w + 80)) - 40
        cy = int(h * (0.15 + 0.07 * k))
        r = max(h // 18, 4)
        for dx in (-r, 0, r):
            cv2.circle(img, (cx + dx, cy), r, (252, 252, 252), -1, cv2.LINE_AA)
    return img


def _figure(
    img: Frame, cx: int, base_y: int, scale: float, pal: Palette, pose: int, blink: bool = False
) -> None:
    """A chibi character: head, hair, eyes, body and swinging arms/legs chosen by ``pose``."""
    s = scale
    head_r = int(34 * s)
    head = (cx, base_y - int(150 * s))
    swing = (-1, 0, 1, 0)[pose % 4]
    # legs and arms
    for side in (-1, 1):
        hip = (cx + side * int(10 * s), base_y - int(60 * s))
        foot = (cx + side * int(12 * s) + swing * side * int(14 * s), base_y)
        cv2.line(img, hip, foot, OUTLINE, max(int(14 * s), 3), cv2.LINE_AA)
        cv2.line(img, hip, foot, pal.clothes, max(int(9 * s), 2), cv2.LINE_AA)
        shoulder = (cx + side * int(20 * s), base_y - int(108 * s))
        hand = (cx + side * int(34 * s) - swing * side * int(16 * s), base_y - int(66 * s))
        cv2.line(img, shoulder, hand, OUTLINE, max(int(11 * s), 3), cv2.LINE_AA)
        cv2.line(img, shoulder, hand, pal.skin, max(int(7 * s), 2), cv2.LINE_AA)
    body = np.array(
        [
            (cx - int(24 * s), base_y - int(112 * s)),
            (cx + int(24 * s), base_y - int(112 * s)),
            (cx + int(32 * s), base_y - int(52 * s)),
            (cx - int(32 * s), base_y - int(52 * s)),
        ],
        np.int32,
    )
    cv2.fillPoly(img, [body], pal.clothes, cv2.LINE_AA)
    cv2.polylines(img, [body], True, OUTLINE, 2, cv2.LINE_AA)
    cv2.circle(img, head, head_r, pal.skin, -1, cv2.LINE_AA)
    cv2.circle(img, head, head_r, OUTLINE, 2, cv2.LINE_AA)
    cv2.ellipse(
        img,
        (head[0], head[1] - int(8 * s)),
        (head_r + 4, head_r - 6),
        0,
        180,
        360,
        pal.hair,
        -1,
        cv2.LINE_AA,
    )
    cv2.ellipse(
        img,
        (head[0], head[1] - int(8 * s)),
        (head_r + 4, head_r - 6),
        0,
        180,
        360,
        OUTLINE,
        2,
        cv2.LINE_AA,
    )
    for side in (-1, 1):
        eye = (head[0] + side * int(13 * s), head[1] + int(4 * s))
        if blink:
            cv2.line(
                img,
                (eye[0] - int(6 * s), eye[1]),
                (eye[0] + int(6 * s), eye[1]),
                OUTLINE,
                2,
                cv2.LINE_AA,
            )
        else:
            cv2.ellipse(
                img,
                eye,
                (max(int(6 * s), 2), max(int(9 * s), 3)),
                0,
                0,
                360,
                OUTLINE,
                -1,
                cv2.LINE_AA,
            )
            cv2.circle(
                img, (eye[0] + 2, eye[1] - 3), max(int(2 * s), 1), (255, 255, 255), -1, cv2.LINE_AA
            )
    cv2.ellipse(
        img,
        (head[0], head[1] + int(18 * s)),
        (int(7 * s), int(4 * s)),
        0,
        0,
        180,
        OUTLINE,
        2,
        cv2.LINE_AA,
    )


def _scene(
    w: int, h: int, pal: Palette, t: int, *, walk: bool = True, pan: int = 0, blink: bool = False
) -> Frame:
    """Frame of a shot at drawing number ``t``: the figure walks across when ``walk`` is set."""
    img = _background(w, h, pal, pan)
    scale = h / 360
    cx = int(w * 0.3 + (t * 6 * scale if walk else 0)) % w
    _figure(img, cx, int(h * 0.9), scale, pal, t if walk else 0, blink)
    return img


def _on_twos(n: int, draw: Callable[[int], Frame], hold: int = 2) -> Iterator[Frame]:
    """``n`` frames where each drawing is held ``hold`` frames, as anime is animated."""
    drawing: Frame | None = None
    for i in range(n):
        if i % hold == 0:
            drawing = draw(i // hold)
        assert drawing is not None
        yield drawing


def _fade(a: Frame, b: Frame, n: int) -> Iterator[Frame]:
    for k in range(1, n + 1):
        yield cv2.addWeighted(a, 1 - k / (n + 1), b, k / (n + 1), 0)


@dataclass(frozen=True)
class DemoClip:
    """One file of the demo set and what it is there to show."""

    name: str
    shows: str
    make: Callable[[Path], Path]
    truth: dict[str, object] = field(default_factory=dict)


W, H = 640, 360


def _walk_on_twos(p: Path) -> Path:
    return write_video(p, _on_twos(48, lambda t: _scene(W, H, DAY, t)), 24)


def _held_pose(p: Path) -> Path:
    frames = [_scene(W, H, DUSK, 0, walk=False, blink=(20 <= i < 23)) for i in range(48)]
    return write_video(p, frames, 24)


def _hard_cut(p: Path) -> Path:
    a = _on_twos(30, lambda t: _scene(W, H, DAY, t))
    b = _on_twos(30, lambda t: _scene(W, H, NIGHT, t + 10))
    return write_video(p, (*a, *b), 24)


def _fade_to_black(p: Path) -> Path:
    shot_a = list(_on_twos(24, lambda t: _scene(W, H, DUSK, t)))
    black = np.zeros_like(shot_a[0])
    shot_b = list(_on_twos(24, lambda t: _scene(W, H, DAY, t + 5)))
    frames = [*shot_a, *_fade(shot_a[-1], black, 8), black, *_fade(black, shot_b[0], 8), *shot_b]
    return write_video(p, frames, 24)


def _pan(p: Path) -> Path:
    return write_video(p, _on_twos(60, lambda t: _scene(W, H, DAY, 0, walk=False, pan=t * 14)), 24)


def _flash(p: Path) -> Path:
    frames = list(_on_twos(40, lambda t: _scene(W, H, NIGHT, t)))
    frames[20] = np.full_like(frames[20], 255)
    return write_video(p, frames, 24)


def _small(p: Path) -> Path:
    return write_video(p, _on_twos(36, lambda t: _scene(256, 144, DAY, t)), 24)


def _four_three(p: Path) -> Path:
    return write_video(
        p, _on_twos(48, lambda t: _scene(480, 360, DUSK, t), hold=3), 24, codec="libvpx-vp9"
    )


def _still(p: Path) -> Path:
    return write_still(p, _scene(512, 512, NIGHT, 3, walk=False))


def _cut_short_download(p: Path) -> Path:
    """A download that stopped halfway: the mp4's index (moov) never arrived."""
    whole = write_video(p, _on_twos(24, lambda t: _scene(W, H, DAY, t)), 24).read_bytes()
    p.write_bytes(whole[: len(whole) // 2])
    return p


def _uneven_gif(p: Path) -> Path:
    drawings = [_scene(320, 240, DAY, t) for t in range(8)]
    return write_animation(p, drawings, [100, 100, 200, 60, 60, 300, 100, 80])


DEMO_CLIPS: tuple[DemoClip, ...] = (
    DemoClip(
        "walk_on_twos.mp4", "a figure walking, animated on twos", _walk_on_twos, {"frames": 48}
    ),
    DemoClip("held_pose.mp4", "a held pose with one blink", _held_pose, {"frames": 48}),
    DemoClip(
        "hard_cut.mp4", "a hard cut from day to night", _hard_cut, {"frames": 60, "cuts": [30]}
    ),
    DemoClip(
        "fade_to_black.mp4",
        "a fade out to black and back in",
        _fade_to_black,
        {"frames": 65, "transitions": [[24, 40]]},
    ),
    DemoClip("pan.mp4", "a camera pan on twos", _pan, {"frames": 60}),
    DemoClip("flash.mp4", "a one-frame white flash", _flash, {"frames": 40, "flashes": [20]}),
    DemoClip("small_clip.mp4", "256x144, below the training size", _small, {"frames": 36}),
    DemoClip("four_three.webm", "4:3 (VP9), on threes", _four_three, {"frames": 48}),
    DemoClip("still.png", "a still image", _still, {"frames": 1}),
    DemoClip("uneven_delays.gif", "a GIF with uneven frame delays", _uneven_gif, {"frames": 8}),
    DemoClip(
        "cut_short_download.mp4",
        "a download that stopped halfway",
        _cut_short_download,
        {"error": "truncated"},
    ),
)


def generate_demo_media(folder: Path) -> Generator[Progress, None, Path]:
    """Write the demo set into ``folder`` once; a complete earlier set is reused as it is.

    Files are written into a temporary sibling and renamed into place, so an interrupted run
    never leaves a half-written set that looks complete.
    """
    marker = folder / f".complete-v{DEMO_VERSION}"
    total = len(DEMO_CLIPS)
    if marker.exists():
        yield Progress(total, total, "demo set already generated")
        return folder
    tmp = folder.with_name(folder.name + f".tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        for done, clip in enumerate(DEMO_CLIPS):
            yield Progress(done, total, clip.name)
            clip.make(tmp / clip.name)
    except BaseException:  # cancelled (generator closed) or failed: leave nothing half-made
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    (tmp / marker.name).write_text("anicurate demo set\n")
    if folder.exists():
        shutil.rmtree(folder)
    tmp.rename(folder)
    yield Progress(total, total, "done")
    return folder

"""Anime-like test footage with known shot boundaries, for the analysis tests and benchmarks.

Shots are drawn with cv2 like the demo set (flat colours, dark outlines, a figure animated on twos,
panning hills), from palettes and layouts drawn from a seeded generator. A :class:`Timeline`
appends shots, cuts, fades, dissolves and flashes and records the truth as it goes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from anicurate.core.demo import OUTLINE, Palette, _background, _figure
from anicurate.core.media.writer import write_animation, write_video

Frame = np.ndarray


def random_palette(rng: np.random.Generator) -> Palette:
    def colour(lo: int = 30, hi: int = 250) -> tuple[int, int, int]:
        return tuple(int(c) for c in rng.integers(lo, hi, 3))  # type: ignore[return-value]

    return Palette(sky=colour(60), ground=colour(), hair=colour(), clothes=colour())


@dataclass(frozen=True)
class Layout:
    """Where things are in a shot: the camera's pan offset, figure position, size and speed."""

    pan: int = 0
    pan_speed: int = 0  # pixels per drawing (per full-size 640 px width)
    figure_x: float = 0.3
    scale: float = 1.0
    walk_speed: float = 6.0  # pixels per drawing at 640 px
    figures: int = 1


def random_layout(rng: np.random.Generator) -> Layout:
    return Layout(
        pan=int(rng.integers(0, 400)),
        pan_speed=int(rng.choice([0, 0, 6, 10])),
        figure_x=float(rng.uniform(0.15, 0.7)),
        scale=float(rng.uniform(0.7, 1.5)),
        walk_speed=float(rng.uniform(3, 9)),
        figures=int(rng.integers(1, 3)),
    )


def draw(w: int, h: int, pal: Palette, lay: Layout, t: int) -> Frame:
    """Drawing number ``t`` of a shot."""
    k = w / 640
    img = _background(w, h, pal, int((lay.pan + lay.pan_speed * t) * k))
    s = h / 360 * lay.scale
    for f in range(lay.figures):
        cx = int(w * (lay.figure_x + 0.3 * f) + lay.walk_speed * t * k) % w
        _figure(img, cx, int(h * 0.92), s * (1 - 0.25 * f), pal, t + f)
    return img


def caption(img: Frame, text: str) -> Frame:
    """Subtitle text at the bottom, white with a dark outline."""
    out = img.copy()
    h, w = out.shape[:2]
    scale = h / 400
    size = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)[0]
    org = ((w - size[0]) // 2, h - int(h * 0.06))
    thick = max(2, round(3 * scale))
    cv2.putText(out, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, OUTLINE, thick + 3, cv2.LINE_AA)
    cv2.putText(out, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), thick,
                cv2.LINE_AA)  # fmt: skip
    return out


def _text(img: Frame, text: str, y: int, scale: float) -> Frame:
    """A centred line of white text with a dark outline whose baseline is at ``y``."""
    size = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)[0]
    org = ((img.shape[1] - size[0]) // 2, y)
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, OUTLINE, 3, cv2.LINE_AA)
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), 1, cv2.LINE_AA)
    return img


def with_credits(img: Frame, lines: list[str], speed: float, i: int) -> Frame:
    """Frame ``i`` of credits scrolling up from below the frame by ``speed`` pixels (at 180
    lines) a frame, drawn over a copy of ``img``."""
    out = img.copy()
    h = out.shape[0]
    k = h / 180
    for j, text in enumerate(lines):
        y = int(h + 10 * k + 22 * k * j - speed * k * i)
        if -10 <= y <= h + 20:
            out = _text(out, text, y, 0.45 * k)
    return out


def boxed(img: Frame, aspect: float) -> Frame:
    """``img`` scaled into black bars at the picture ``aspect`` (width / height): a letterbox
    when it is wider than the frame, a pillarbox when narrower."""
    h, w = img.shape[:2]
    out = np.zeros_like(img)
    if aspect > w / h:
        ih = round(w / aspect)
        y = (h - ih) // 2
        out[y : y + ih] = cv2.resize(img, (w, ih), interpolation=cv2.INTER_AREA)
    else:
        iw = round(h * aspect)
        x = (w - iw) // 2
        out[:, x : x + iw] = cv2.resize(img, (iw, h), interpolation=cv2.INTER_AREA)
    return out


CREDITS = ["Key Animation", "A. Tanaka   B. Suzuki", "In-between", "C. Sato   D. Ito",
           "Backgrounds", "E. Kato", "Colour Design", "F. Mori", "Photography", "G. Abe",
           "Music", "H. Ono", "Director", "I. Kimura"]  # fmt: skip


@dataclass
class Timeline:
    """Frames and their truth: cut frames, transition intervals, flash intervals."""

    w: int = 320
    h: int = 180
    frames: list[Frame] = field(default_factory=list)
    cuts: list[int] = field(default_factory=list)
    transitions: list[tuple[int, int]] = field(default_factory=list)
    flashes: list[tuple[int, int]] = field(default_factory=list)
    _t: int = 0

    def shot(
        self,
        n: int,
        pal: Palette,
        lay: Layout = Layout(),
        *,
        hold: int = 2,
        cut: bool = True,
        start: int = 0,
        captions: Callable[[int], str] | None = None,
    ) -> Timeline:
        """``n`` frames of a shot animated on ``hold``s; a hard cut before it unless first."""
        if cut and self.frames:
            self.cuts.append(len(self.frames))
        for i in range(n):
            img = draw(self.w, self.h, pal, lay, start + i // hold)
            if captions is not None:
                img = caption(img, captions(i))
            self.frames.append(img)
        return self

    def flash(self, n: int = 1, value: int = 255) -> Timeline:
        """Insert ``n`` flat frames of ``value``; the shot continues after them."""
        a = len(self.frames)
        for _ in range(n):
            self.frames.append(np.full((self.h, self.w, 3), value, np.uint8))
        self.flashes.append((a, a + n - 1))
        return self

    def white_flash_over(self, n: int = 1) -> Timeline:
        """Brighten the last ``n`` frames strongly (a flash drawn over the shot)."""
        a = len(self.frames) - n
        for i in range(a, len(self.frames)):
            self.frames[i] = cv2.addWeighted(self.frames[i], 0.25, np.full_like(self.frames[i],
                                             255), 0.75, 0)  # fmt: skip
        self.flashes.append((a, len(self.frames) - 1))
        return self

    def fade_through(self, out_n: int, card: int, hold: int, in_n: int, nxt: Frame) -> Timeline:
        """Fade the last frame out to a flat card, hold it, fade in to ``nxt`` (not appended)."""
        a = len(self.frames)
        last = self.frames[-1]
        flat = np.full_like(last, card)
        for k in range(1, out_n + 1):
            self.frames.append(cv2.addWeighted(last, 1 - k / (out_n + 1), flat, k / (out_n + 1), 0))
        self.frames.extend(flat.copy() for _ in range(hold))
        for k in range(1, in_n + 1):
            self.frames.append(cv2.addWeighted(flat, 1 - k / (in_n + 1), nxt, k / (in_n + 1), 0))
        self.transitions.append((a, len(self.frames) - 1))
        return self

    def dissolve(self, n: int, nxt_frames: list[Frame]) -> Timeline:
        """Cross-fade from the last frame (held) to the next shot's first ``n`` frames."""
        a = len(self.frames)
        last = self.frames[-1]
        for k in range(1, n + 1):
            b = nxt_frames[min(k - 1, len(nxt_frames) - 1)]
            self.frames.append(cv2.addWeighted(last, 1 - k / (n + 1), b, k / (n + 1), 0))
        self.transitions.append((a, len(self.frames) - 1))
        return self

    def wipe(self, n: int, nxt_frames: list[Frame], direction: str = "right") -> Timeline:
        """The next shot's first ``n`` frames slide in behind an edge that crosses the frame
        (from the left edge "right"ward, or "left", "down", "up") over the last frame (held)."""
        a = len(self.frames)
        last = self.frames[-1]
        h, w = last.shape[:2]
        for k in range(1, n + 1):
            b = nxt_frames[min(k - 1, len(nxt_frames) - 1)]
            out = last.copy()
            if direction in ("right", "left"):
                x = round(w * k / (n + 1))
                cols = slice(0, x) if direction == "right" else slice(w - x, w)
                out[:, cols] = b[:, cols]
            else:
                y = round(h * k / (n + 1))
                rows = slice(0, y) if direction == "down" else slice(h - y, h)
                out[rows] = b[rows]
            self.frames.append(out)
        self.transitions.append((a, len(self.frames) - 1))
        return self

    def pose_jump(self, n: int, pal: Palette, before: Layout, after: Layout, *, hold: int = 2,
                  start: int = 0, camera: int | None = None) -> Timeline:  # fmt: skip
        """``n`` frames more of the same shot (same background and camera as ``before``) with
        the figure redrawn in a very different place, size and pose from drawing ``start`` on:
        no cut. A panning camera goes on from drawing ``camera`` (the drawings shown so far);
        None moves it to ``start`` too, which jumps the background as a cut to another
        framing of the scene does."""
        lag = 0 if camera is None else start - camera
        jumped = Layout(before.pan - before.pan_speed * lag, before.pan_speed, after.figure_x,
                        after.scale, after.walk_speed, after.figures)  # fmt: skip
        for i in range(n):
            self.frames.append(draw(self.w, self.h, pal, jumped, start + i // hold))
        return self

    def scrolling_text(self, n: int, lines: list[str], speed: float, *, over: Frame | None = None,
                       shot: tuple[Palette, Layout] | None = None, hold: int = 2,
                       ) -> Timeline:  # fmt: skip
        """``n`` frames of credits scrolling up by ``speed`` pixels (at 180 lines) a frame over
        ``over`` (a still frame), over ``shot`` (its drawings on ``hold``s, as ending credits
        crawl over animation) or over black: no transition."""
        still = np.zeros((self.h, self.w, 3), np.uint8) if over is None else over
        for i in range(n):
            img = still.copy() if shot is None else draw(self.w, self.h, *shot, i // hold)
            self.frames.append(with_credits(img, lines, speed, i))
        return self

    def under_credits(self, lines: list[str], speed: float) -> Timeline:
        """Credits scrolling up by ``speed`` pixels (at 180 lines) a frame over every frame so
        far (its cuts and transitions go on under them)."""
        self.frames = [with_credits(f, lines, speed, i) for i, f in enumerate(self.frames)]
        return self

    def subtitle_in(self, n: int, steps: int, text: str, pal: Palette, lay: Layout, *,
                    hold: int = 2, start: int = 0) -> Timeline:  # fmt: skip
        """``n`` frames more of a shot in which a subtitle fades in over ``steps`` frames (or
        pops in, ``steps`` 0) from the first frame on: no transition, no cut."""
        for i in range(n):
            img = draw(self.w, self.h, pal, lay, start + i // hold)
            alpha = 1.0 if steps == 0 else min(1.0, (i + 1) / (steps + 1))
            self.frames.append(cv2.addWeighted(img, 1 - alpha, caption(img, text), alpha, 0))
        return self

    def action_shot(self, n: int, pal: Palette, lay: Layout, rng: np.random.Generator, *,
                    lines: bool = False, shake: int = 0) -> Timeline:  # fmt: skip
        """``n`` frames of a shot on ones after a cut, each with new speed lines (white streaks
        from the edges, which flow cannot follow) and/or the camera shaken by up to ``shake``
        pixels: a shot of an action montage."""
        if self.frames:
            self.cuts.append(len(self.frames))
        for i in range(n):
            img = draw(self.w, self.h, pal, lay, i)
            if lines:
                img = speed_lines(img, rng)
            if shake:
                img = shaken(img, rng, shake)
            self.frames.append(img)
        return self

    def shot_frames(self, n: int, pal: Palette, lay: Layout, hold: int = 2, start: int = 0
                    ) -> list[Frame]:  # fmt: skip
        return [draw(self.w, self.h, pal, lay, start + i // hold) for i in range(n)]

    def write(self, path: Path, fps: int = 24, **kw: object) -> Path:
        return write_video(path, self.frames, fps, **kw)  # type: ignore[arg-type]

    def write_gif(self, path: Path, delays_ms: list[int]) -> Path:
        return write_animation(path, self.frames, delays_ms)

    def gif_frames(self) -> np.ndarray:
        """For each frame, the frame of a GIF of this timeline that shows it: a GIF stores a
        held drawing once, with the sum of its delays."""
        keep = [i == 0 or not np.array_equal(f, self.frames[i - 1])
                for i, f in enumerate(self.frames)]  # fmt: skip
        return np.cumsum(keep) - 1


def speed_lines(img: Frame, rng: np.random.Generator, n: int = 40) -> Frame:
    """``n`` white streaks from the outer part of the frame to its edges, drawn anew."""
    h, w = img.shape[:2]
    out = img.copy()
    for _ in range(n):
        a, r = rng.uniform(0, 2 * np.pi), rng.uniform(0.35, 0.6) * w
        p0 = (int(w / 2 + np.cos(a) * r), int(h / 2 + np.sin(a) * r))
        p1 = (int(w / 2 + np.cos(a) * w), int(h / 2 + np.sin(a) * w))
        cv2.line(out, p0, p1, (255, 255, 255), int(rng.integers(1, 3)), cv2.LINE_AA)
    return out


def shaken(img: Frame, rng: np.random.Generator, amp: int) -> Frame:
    """The frame moved by a random offset of up to ``amp`` pixels each way (edges reflected)."""
    h, w = img.shape[:2]
    dx, dy = (int(v) for v in rng.integers(-amp, amp + 1, 2))
    move = np.float32([[1, 0, dx], [0, 1, dy]])
    return cv2.warpAffine(img, move, (w, h), borderMode=cv2.BORDER_REFLECT)


def action_montage(seed: int, *, lines: bool = False, shake: int = 0, w: int = 320, h: int = 180,
                   ) -> Timeline:  # fmt: skip
    """Eight shots of 3-6 frames on ones from frame 0, then a 20-frame shot: fast figures and
    pans, with speed lines and/or camera shake (``shake`` pixels at 320 wide) in every frame."""
    rng = np.random.default_rng(seed)
    tl = Timeline(w=w, h=h)
    shake = round(shake * w / 320)
    for n in [*(int(x) for x in rng.integers(3, 7, 8)), 20]:
        pal, lay = random_palette(rng), random_layout(rng)
        lay = Layout(lay.pan, int(rng.choice([0, 20, 40])), lay.figure_x, lay.scale,
                     float(rng.uniform(10, 30)), lay.figures)  # fmt: skip
        tl.action_shot(n, pal, lay, rng, lines=lines, shake=shake)
    return tl


DAY = Palette(sky=(150, 200, 245), ground=(120, 190, 110), hair=(230, 120, 150),
              clothes=(60, 80, 170))  # fmt: skip
NIGHT = Palette(sky=(30, 40, 90), ground=(40, 60, 60), hair=(240, 220, 120),
                clothes=(240, 240, 240))  # fmt: skip
DUSK = Palette(sky=(245, 160, 110), ground=(90, 70, 110), hair=(50, 50, 70),
               clothes=(200, 60, 60))  # fmt: skip


def anime_like_frames(n: int, start: int = 0) -> Iterator[Frame]:
    """Full HD frames ``start`` to ``start + n - 1`` of one long shot: flat colours with outlines
    over a painted, grainy background panning 4 px a frame, a figure moving on twos (it jumps
    back across the frame every ~157 frames) and a frame counter.

    The textured pan keeps the bitrate (and so the decode cost) near that of real 1080p anime;
    the benchmarks decode it, and the analysis tests check it holds no cut and no transition.
    """
    width, height, pan = 1920, 1080, 4
    rng = np.random.default_rng(7)
    wide = width + pan * (start + n)
    paint = cv2.resize(rng.integers(60, 200, (27, wide // 40 + 1, 3), dtype=np.uint8),
                       (wide, height), interpolation=cv2.INTER_CUBIC)  # fmt: skip
    grain = rng.integers(0, 24, (height, wide, 1), dtype=np.uint8)
    background = cv2.add(paint, np.repeat(grain, 3, axis=2))
    for i in range(start, start + n):
        rgb = np.ascontiguousarray(background[:, i * pan : i * pan + width])
        hill_x = 300 + (i * 3) % 600
        cv2.ellipse(rgb, (hill_x, 1150), (900, 400), 0, 180, 360, (90, 160, 80), -1)
        cv2.ellipse(rgb, (hill_x, 1150), (900, 400), 0, 180, 360, (20, 40, 20), 6)
        step = i - i % 2  # animated on twos
        cx, cy = 400 + (step * 7) % 1100, 560 + int(60 * np.sin(step / 9))
        cv2.circle(rgb, (cx, cy), 120, (250, 220, 200), -1)
        cv2.circle(rgb, (cx, cy), 120, (30, 20, 20), 5)
        cv2.rectangle(rgb, (cx - 90, cy + 120), (cx + 90, cy + 380), (200, 60, 80), -1)
        cv2.putText(rgb, f"{i:04d}", (60, 120), cv2.FONT_HERSHEY_SIMPLEX, 3, (255, 255, 255), 6)
        yield rgb


def filmed(frames: list[Frame], rng: np.random.Generator, *, weave: float = 1.0,
           flicker: float = 4.0, grain: float = 3.0) -> list[Frame]:  # fmt: skip
    """``frames`` as an old film print shows them: each frame shifted by up to ``weave`` pixels
    (gate weave, sub-pixel), brightened or darkened by up to ``flicker`` levels and grained
    (Gaussian, sigma ``grain``): a held background changes every pixel a little each frame."""
    out: list[Frame] = []
    for f in frames:
        dx, dy = rng.uniform(-weave, weave, 2)
        moved = cv2.warpAffine(f, np.float32([[1, 0, dx], [0, 1, dy]]), (f.shape[1], f.shape[0]),
                               borderMode=cv2.BORDER_REFLECT)  # fmt: skip
        noise = rng.normal(float(rng.uniform(-flicker, flicker)), grain, f.shape)
        out.append(np.clip(moved + noise, 0, 255).astype(np.uint8))
    return out

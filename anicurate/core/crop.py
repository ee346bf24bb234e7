"""Crop geometry locked to the training aspect ratio, clamped to the frame, on even pixels.

Every rectangle this module returns lies inside the frame, has even x, y, width and height
(H.264/yuv420 crops need even sizes and offsets) and keeps the training ratio: the width is the
free side and the height is the even number nearest to ``width * train_h / train_w``, so the
ratio holds to within one pixel of the height (exact ratios would force steps as coarse as
106 px for 848x480). Drags are applied to the rectangle the drag started from, with the total
pointer offset, so rounding never accumulates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

#: The smallest crop side, in source pixels (smaller frames allow their own largest crop).
MIN_SIDE = 16


class Handle(StrEnum):
    """A resize handle: an edge or a corner, named by compass direction."""

    N = "n"
    S = "s"
    E = "e"
    W = "w"
    NE = "ne"
    NW = "nw"
    SE = "se"
    SW = "sw"

    @property
    def horizontal(self) -> int:
        """-1 when the handle moves the left edge, +1 the right edge, 0 neither."""
        return -1 if "w" in self.value else (1 if "e" in self.value else 0)

    @property
    def vertical(self) -> int:
        """-1 when the handle moves the top edge, +1 the bottom edge, 0 neither."""
        return -1 if "n" in self.value else (1 if "s" in self.value else 0)


@dataclass(frozen=True, slots=True)
class CropRect:
    """A crop in source pixels: top-left corner and size."""

    x: int
    y: int
    w: int
    h: int

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h

    @property
    def center(self) -> tuple[float, float]:
        return (self.x + self.w / 2, self.y + self.h / 2)

    def as_tuple(self) -> tuple[int, int, int, int]:
        """(x, y, w, h), the form the catalogue stores."""
        return (self.x, self.y, self.w, self.h)


@dataclass(frozen=True, slots=True)
class Pad:
    """Padding instead of cropping: the canvas of the training ratio that holds the whole frame,
    and where the frame lies on it (bars fill the rest)."""

    canvas_w: int
    canvas_h: int
    x: int
    y: int


@dataclass(frozen=True, slots=True)
class CropOutput:
    """What a crop becomes at export: the training size, the scale, and whether that enlarges."""

    width: int
    height: int
    scale: float
    below_training: bool

    @property
    def warning(self) -> str | None:
        """A sentence for the user when the crop is smaller than the training size."""
        if not self.below_training:
            return None
        return (
            f"below the training size: enlarged {self.scale:.2f}\u00d7 "
            f"to {self.width}\u00d7{self.height}"
        )


def _even_floor(value: float) -> int:
    return math.floor(value / 2 + 1e-9) * 2


def _even_ceil(value: float) -> int:
    return math.ceil(value / 2 - 1e-9) * 2


def _even_round(value: float) -> int:
    return math.floor(value / 2 + 0.5) * 2


@dataclass(frozen=True, slots=True)
class CropGeometry:
    """Crop rules for one frame size and one training size (whose ratio the crop keeps)."""

    frame_w: int
    frame_h: int
    train_w: int
    train_h: int

    def __post_init__(self) -> None:
        for name in ("frame_w", "frame_h", "train_w", "train_h"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be positive, not {getattr(self, name)}")

    # -- sizes -------------------------------------------------------------------------------

    @property
    def ratio(self) -> float:
        """Width over height of every crop."""
        return self.train_w / self.train_h

    @property
    def max_w(self) -> int:
        """The widest crop that fits the frame."""
        w = _even_floor(min(self.frame_w, self.frame_h * self.ratio))
        while w > 2 and self.height_for(w) > _even_floor(self.frame_h):
            w -= 2
        return max(w, 2)

    @property
    def min_w(self) -> int:
        """The narrowest crop: both sides at least MIN_SIDE, unless the frame is smaller."""
        w = _even_ceil(max(MIN_SIDE, MIN_SIDE * self.ratio))
        while self.height_for(w) < MIN_SIDE:
            w += 2
        return min(w, self.max_w)

    def height_for(self, w: int) -> int:
        """The even height that goes with width ``w`` (at least 2)."""
        return max(2, _even_round(w / self.ratio))

    def _snap_w(self, w: float) -> int:
        return min(max(_even_round(w), self.min_w), self.max_w)

    # -- presets -----------------------------------------------------------------------------

    def fit(self) -> CropRect:
        """The largest crop of the ratio, centred in the frame."""
        return self.centred(CropRect(0, 0, self.max_w, self.height_for(self.max_w)))

    def centred(self, rect: CropRect) -> CropRect:
        """``rect``'s size (made valid), centred in the frame."""
        w = self._snap_w(rect.w)
        h = self.height_for(w)
        return self._place(w, h, (self.frame_w - w) / 2, (self.frame_h - h) / 2)

    def pad(self) -> Pad:
        """The smallest canvas of the ratio that holds the whole frame, the frame centred on it."""
        if self.frame_w / self.frame_h >= self.ratio:
            cw = _even_ceil(self.frame_w)
            ch = max(_even_ceil(cw / self.ratio), _even_ceil(self.frame_h))
        else:
            ch = _even_ceil(self.frame_h)
            cw = max(_even_ceil(ch * self.ratio), _even_ceil(self.frame_w))
        return Pad(cw, ch, (cw - self.frame_w) // 2, (ch - self.frame_h) // 2)

    def pad_rect(self) -> CropRect:
        """The pad canvas stored as a crop: a rectangle of the ratio larger than the frame, from
        (0, 0). The catalogue keeps a pad this way; :meth:`is_pad` recognises it."""
        p = self.pad()
        if (p.canvas_w, p.canvas_h) == (self.frame_w, self.frame_h):  # already the ratio
            return CropRect(0, 0, p.canvas_w + 2, self.height_for(p.canvas_w + 2))
        return CropRect(0, 0, p.canvas_w, p.canvas_h)

    def is_pad(self, rect: tuple[int, int, int, int] | CropRect | None) -> bool:
        """Whether a stored crop means Pad: it reaches past the frame's right or bottom edge."""
        if isinstance(rect, CropRect):
            rect = rect.as_tuple()
        return crop_is_pad(rect, self.frame_w, self.frame_h)

    # -- edits -------------------------------------------------------------------------------

    def clamp(self, rect: CropRect) -> CropRect:
        """Any rectangle made valid: width snapped and bounded, ratio applied about its centre,
        then moved (not shrunk further) to lie inside the frame."""
        w = self._snap_w(rect.w)
        h = self.height_for(w)
        cx, cy = rect.center
        return self._place(w, h, cx - w / 2, cy - h / 2)

    def moved(self, rect: CropRect, dx: float, dy: float) -> CropRect:
        """``rect`` shifted by (dx, dy), stopped at the frame's edges; the size is kept."""
        w = self._snap_w(rect.w)
        return self._place(w, self.height_for(w), rect.x + dx, rect.y + dy)

    def scaled(self, rect: CropRect, factor: float) -> CropRect:
        """``rect`` grown or shrunk about its centre by ``factor`` (then kept inside)."""
        cx, cy = rect.center
        w = self._snap_w(rect.w * factor)
        h = self.height_for(w)
        return self._place(w, h, cx - w / 2, cy - h / 2)

    def resized(self, rect: CropRect, handle: Handle, dx: float, dy: float) -> CropRect:
        """``rect`` with ``handle`` dragged by (dx, dy), the opposite edge or corner held still.

        A corner follows whichever axis the pointer pulled further; an edge sets that side and
        the other side follows, centred on the rectangle's middle. The size stops where the
        frame ends instead of the rectangle sliding.
        """
        hx, hy = handle.horizontal, handle.vertical
        ratio = self.ratio
        # The width the pointer asks for, from each axis it moves.
        wants: list[float] = []
        if hx:
            wants.append(rect.w + hx * dx)
        if hy:
            wants.append((rect.h + hy * dy) * ratio)
        want = max(wants) if len(wants) == 2 else wants[0]
        # Room from the held edge/corner (or around the held centre line) to the frame's edges.
        limit = float(self.max_w)
        if hx > 0:
            limit = min(limit, self.frame_w - rect.x)
        elif hx < 0:
            limit = min(limit, rect.right)
        if hy > 0:
            limit = min(limit, (self.frame_h - rect.y) * ratio)
        elif hy < 0:
            limit = min(limit, rect.bottom * ratio)
        cx, cy = rect.center
        if not hx:  # top/bottom edge: the width grows both ways about the centre
            limit = min(limit, 2 * min(cx, self.frame_w - cx))
        if not hy:
            limit = min(limit, 2 * min(cy, self.frame_h - cy) * ratio)
        w = max(min(_even_round(want), _even_floor(limit)), self.min_w)
        if hy > 0:
            h_room = self.frame_h - rect.y
        elif hy < 0:
            h_room = rect.bottom
        else:
            h_room = int(2 * min(cy, self.frame_h - cy))
        while w > self.min_w and self.height_for(w) > h_room:  # the rounded height must fit too
            w -= 2
        h = self.height_for(w)
        x = rect.right - w if hx < 0 else (rect.x if hx > 0 else cx - w / 2)
        y = rect.bottom - h if hy < 0 else (rect.y if hy > 0 else cy - h / 2)
        return self._place(w, h, x, y)

    # -- output ------------------------------------------------------------------------------

    def output(self, rect: CropRect | None) -> CropOutput:
        """The export size of ``rect`` (None: the padded whole frame) at the training size."""
        if rect is None:
            pad = self.pad()
            w, h = pad.canvas_w, pad.canvas_h
        else:
            w, h = rect.w, rect.h
        scale = self.train_w / w
        below = w < self.train_w or h < self.train_h
        return CropOutput(self.train_w, self.train_h, scale, below)

    # -- internals ---------------------------------------------------------------------------

    def _place(self, w: int, h: int, x: float, y: float) -> CropRect:
        """A w x h rectangle at (x, y) rounded to even and slid inside the frame."""
        max_x = _even_floor(self.frame_w - w)
        max_y = _even_floor(self.frame_h - h)
        xi = min(max(_even_round(x), 0), max(max_x, 0))
        yi = min(max(_even_round(y), 0), max(max_y, 0))
        return CropRect(xi, yi, w, h)


def crop_is_pad(crop: tuple[int, int, int, int] | None, frame_w: int, frame_h: int) -> bool:
    """Whether a stored crop means Pad (see :meth:`CropGeometry.pad_rect`)."""
    if crop is None:
        return False
    x, y, w, h = crop
    return x + w > frame_w or y + h > frame_h

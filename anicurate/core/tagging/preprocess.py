"""Frames as WD14 taggers expect them: alpha on white, white square, model side, BGR float32 0-255.

This is the SmilingWolf Space / taggui / toriato preprocessing. The frame is resized before it is
padded rather than after: the same picture up to the one row where content meets padding, and a
1080p frame is not first blown up to a 1920 x 1920 square.
"""

from __future__ import annotations

import cv2
import numpy as np

WHITE = 255


def to_rgb_on_white(image: np.ndarray) -> np.ndarray:
    """RGB uint8 from gray, RGB or RGBA (alpha composited onto white, as the taggers do)."""
    if image.ndim == 2:
        return np.repeat(image[:, :, None], 3, axis=2)
    if image.ndim != 3 or image.shape[2] not in (3, 4):
        raise ValueError(f"expected an H x W x 3 or 4 image, got shape {image.shape}")
    if image.shape[2] == 3:
        return image
    rgb = image[:, :, :3].astype(np.float32)
    alpha = image[:, :, 3:4].astype(np.float32) / 255.0
    out: np.ndarray = np.clip(rgb * alpha + WHITE * (1.0 - alpha) + 0.5, 0, 255)
    return out.astype(np.uint8)


def square_resized(rgb: np.ndarray, side: int) -> np.ndarray:
    """Scale the longest side to ``side`` (INTER_AREA down, INTER_CUBIC up), centre on white."""
    h, w = rgb.shape[:2]
    longest = max(h, w)
    if longest != side:
        scale = side / longest
        size = (max(1, min(side, round(w * scale))), max(1, min(side, round(h * scale))))
        interp = cv2.INTER_AREA if longest > side else cv2.INTER_CUBIC
        rgb = cv2.resize(rgb, size, interpolation=interp)
        h, w = rgb.shape[:2]
    if h == w == side:
        return rgb
    out = np.full((side, side, 3), WHITE, np.uint8)
    top, left = (side - h) // 2, (side - w) // 2
    out[top : top + h, left : left + w] = rgb
    return out


def preprocess(image: np.ndarray, side: int, out: np.ndarray | None = None) -> np.ndarray:
    """One frame (RGB/RGBA/gray uint8) as a ``side x side x 3`` BGR float32 array in 0-255.

    ``out`` (float32, side x side x 3), when given, is written into and returned: a slot of a
    batch buffer, so no extra copy is made.
    """
    square = square_resized(to_rgb_on_white(image), side)
    if out is None:
        out = np.empty((side, side, 3), np.float32)
    np.copyto(out, square[:, :, ::-1], casting="unsafe")
    return out


def crop(frame: np.ndarray, box: tuple[int, int, int, int] | None) -> np.ndarray:
    """The clip's crop (x, y, w, h in displayed pixels) of a frame, clamped to the frame."""
    if box is None:
        return frame
    x, y, w, h = box
    fh, fw = frame.shape[:2]
    x0, y0 = min(max(0, x), fw - 1), min(max(0, y), fh - 1)
    return frame[y0 : min(fh, y0 + h), x0 : min(fw, x0 + w)]

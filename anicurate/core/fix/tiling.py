"""Run an image model tile by tile, so memory stays bounded whatever the frame size."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

#: Input tile side in pixels (before the model's context padding): ~1-2 GB peak for cunet on CPU.
DEFAULT_TILE = 256


def run_tiled(
    rgb: np.ndarray,
    model: Callable[[np.ndarray], np.ndarray],
    *,
    scale: int,
    pad: int,
    multiple: int = 1,
    tile: int = DEFAULT_TILE,
    min_side: int = 32,
) -> np.ndarray:
    """``model`` over ``rgb`` (HxWx3 uint8) in tiles of ``tile`` px plus ``pad`` px of real
    context each side; returns the HxW * ``scale`` result.

    ``model`` takes a float32 HxWx3 tile in 0..1 whose sides are multiples of ``multiple`` and
    returns the ``scale``-times tile without the padding. Context comes from the neighbouring
    pixels (replicated at the frame's edges), so tiles join without seams. Tiles are sized
    evenly and no side is under ``min_side`` (some models return zeros for tiny inputs).
    """
    h, w = rgb.shape[:2]

    def split(side: int) -> tuple[int, int]:  # (tile side, padding added at the far edge)
        need = max(side, min_side)
        count = -(-need // tile)
        step = -(-need // count)
        step += -step % multiple
        return step, step * count - side

    tile_h, eh = split(h)
    tile_w, ew = split(w)
    padded = cv2.copyMakeBorder(rgb, pad, pad + eh, pad, pad + ew, cv2.BORDER_REPLICATE)
    out = np.empty((h * scale, w * scale, 3), np.uint8)
    for y in range(0, h + eh, tile_h):
        for x in range(0, w + ew, tile_w):
            th, tw = min(tile_h, h + eh - y), min(tile_w, w + ew - x)
            piece = padded[y : y + th + 2 * pad, x : x + tw + 2 * pad].astype(np.float32)
            piece *= 1.0 / 255.0
            result = model(piece)
            if result.shape[:2] != (th * scale, tw * scale):
                raise ValueError(f"model returned {result.shape[:2]} for a {th}x{tw} tile")
            oh, ow = min(th, h - y) * scale, min(tw, w - x) * scale
            if oh > 0 and ow > 0:
                out[y * scale : y * scale + oh, x * scale : x * scale + ow] = np.clip(
                    result[:oh, :ow] * 255.0 + 0.5, 0, 255
                ).astype(np.uint8)
    return out

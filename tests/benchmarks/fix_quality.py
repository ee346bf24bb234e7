"""Fix quality: upscalers against bicubic (2x, luma PSNR), RIFE against a blend and a repeat.

Run: python -m tests.benchmarks.fix_quality [FRAMES]. Frames: anime-like 1080p frames shrunk to
640x360 (the truth), then 320x180 (the input).
"""

from __future__ import annotations

import sys
import time

import cv2
import numpy as np

from anicurate.core.fix import find_model, list_models
from anicurate.core.fix.engines import load_image_model, load_interpolator
from tests.helpers.analysis_samples import anime_like_frames


def luma_psnr(a: np.ndarray, b: np.ndarray) -> float:
    ya = cv2.cvtColor(a, cv2.COLOR_RGB2YCrCb)[..., 0].astype(float)
    yb = cv2.cvtColor(b, cv2.COLOR_RGB2YCrCb)[..., 0].astype(float)
    return float(10 * np.log10(255**2 / max(np.mean((ya - yb) ** 2), 1e-9)))


def main(count: int = 4) -> None:
    truth = [cv2.resize(f, (640, 360), interpolation=cv2.INTER_AREA)
             for f in anime_like_frames(4 * count + 1, start=40)]  # fmt: skip
    small = [cv2.resize(f, (320, 180), interpolation=cv2.INTER_AREA) for f in truth]
    picks = range(0, len(truth), 4)
    bicubic = np.mean([luma_psnr(cv2.resize(small[i], (640, 360), interpolation=cv2.INTER_CUBIC),
                                 truth[i]) for i in picks])  # fmt: skip
    print(f"upscale 2x 320x180 -> 640x360, {len(picks)} frames; bicubic {bicubic:.2f} dB")
    for m in [m for m in list_models() if m.kind == "upscale"]:
        engine = load_image_model(m)
        t0 = time.perf_counter()
        psnr = np.mean([luma_psnr(engine(small[i]), truth[i]) for i in picks])
        per = (time.perf_counter() - t0) / len(picks)
        print(
            f"  {m.name:26s} {psnr:6.2f} dB  {psnr - bicubic:+5.2f} vs bicubic  "
            f"{per * 1000:6.0f} ms/frame  {engine.badge}{'  (default)' if m.default else ''}"
        )
    rife = load_interpolator(find_model("interpolate", "rife-4"))
    rows = []
    t0 = time.perf_counter()
    for i in range(0, len(truth) - 4, 4):  # (k, k+4) -> k+2: moves on twos, pans 4 px a frame
        a, b, mid = truth[i], truth[i + 4], truth[i + 2]
        rows.append(
            (
                luma_psnr(rife(a, b, 0.5), mid),
                luma_psnr(cv2.addWeighted(a, 0.5, b, 0.5, 0), mid),
                luma_psnr(a, mid),
            )
        )
    per = (time.perf_counter() - t0) / len(rows)
    r, bl, rep = np.mean(rows, axis=0)
    print(
        f"interpolate 640x360, {len(rows)} frames: rife {r:.2f} dB, blend {bl:.2f}, "
        f"repeat {rep:.2f}: {r - bl:+.2f} vs blend; {per * 1000:.0f} ms/frame ({rife.badge})"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 4)

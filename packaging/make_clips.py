"""Three small clips with known content for the bundle's smoke test (run by packaging/smoke.sh).

``python packaging/make_clips.py OUTDIR`` writes a.mp4 (one hard cut: two shots), b.mp4 and
c.mp4 (one shot each), 640x360 at 24 fps, flat colours with a moving figure like the demo set.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from anicurate.core.media.writer import write_video

SHOTS = {"a.mp4": [(150, 200, 245), (30, 40, 90)], "b.mp4": [(245, 160, 110)],
         "c.mp4": [(120, 190, 110)]}  # fmt: skip
FRAMES_PER_SHOT = 48


def shot(sky: tuple[int, int, int]) -> Iterator[np.ndarray]:
    """One shot: a flat sky and a figure moving on twos with a dark outline."""
    for i in range(FRAMES_PER_SHOT):
        rgb = np.empty((360, 640, 3), np.uint8)
        rgb[:] = sky
        x = 120 + (i - i % 2) * 6
        cv2.circle(rgb, (x, 180), 50, (250, 222, 200), -1)
        cv2.circle(rgb, (x, 180), 50, (28, 24, 36), 4)
        yield rgb


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, skies in SHOTS.items():
        write_video(out / name, (f for sky in skies for f in shot(sky)), 24)
        print(out / name)


if __name__ == "__main__":
    main(Path(sys.argv[1]))

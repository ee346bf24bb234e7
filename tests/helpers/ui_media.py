"""Generated media and imports shared by the GUI tests (a module, so tests can import it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from anicurate.core.media.writer import write_animation, write_still, write_video


def frames(n: int, width: int = 64, height: int = 48, seed: int = 0) -> list[np.ndarray]:
    """``n`` flat-coloured frames with a square moving across: cheap, and visibly distinct."""
    rng = np.random.default_rng(seed)
    background = rng.integers(40, 200, size=3, dtype=np.uint8)
    out = []
    for i in range(n):
        frame = np.empty((height, width, 3), np.uint8)
        frame[:] = background
        x = (i * 4) % (width - 12)
        frame[16:28, x : x + 12] = (250, 250, 250)
        out.append(frame)
    return out


@dataclass(frozen=True)
class MediaSet:
    """A folder of generated files: ``good`` import cleanly, ``bad`` must fail with a message."""

    root: Path
    good: list[Path]
    bad: list[Path]

    @property
    def all(self) -> list[Path]:
        return sorted(self.good + self.bad)


def make_media(root: Path, n_videos: int = 3) -> MediaSet:
    root.mkdir(parents=True, exist_ok=True)
    good = [
        write_video(root / f"clip_{i:02d}.mp4", frames(12, seed=i), fps=24) for i in range(n_videos)
    ]
    good.append(write_animation(root / "wave.gif", frames(6, seed=7), [80, 40, 120, 40, 80, 40]))
    good.append(write_still(root / "still.png", frames(1, seed=9)[0]))
    not_media = root / "not_media.mp4"
    not_media.write_text("this is a text file with a video extension\n")
    empty = root / "empty.webm"
    empty.write_bytes(b"")
    whole = write_video(root / "_whole.mp4", frames(24, seed=11), fps=24).read_bytes()
    (root / "_whole.mp4").unlink()
    truncated = root / "truncated.mp4"
    truncated.write_bytes(whole[: len(whole) // 3])
    return MediaSet(root, sorted(good), sorted([not_media, empty, truncated]))


def run_import(project_path: Path, paths: list[Path]) -> Any:
    """Run the core import to the end (as the CLI does) and return its ImportSummary."""
    from anicurate.core.project import import_paths

    job = import_paths(project_path, paths)
    while True:
        try:
            next(job)
        except StopIteration as stop:
            return stop.value


COLOUR_CLIPS = (("a_red.mp4", "red"), ("b_green.mp4", "green"), ("c_yellow.mp4", "yellow"),
                ("d_blue.mp4", "blue"))  # fmt: skip


def make_colour_clips(folder: Path) -> Path:
    """Four 4-frame clips of one solid colour each, which the tiny test tagger tags exactly."""
    from tests.helpers.tagger_samples import solid

    for name, colour in COLOUR_CLIPS:
        write_video(folder / name, [solid(colour)] * 4, 24)
    return folder

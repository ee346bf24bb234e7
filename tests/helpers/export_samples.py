"""Sources and projects for the export tests: every frame says where it is and which frame it is.

A source frame (192 x 128) has four 96 x 64 quadrants, red, green, blue and yellow from the top
left, row by row. Each quadrant's top 40 rows are its colour; its bottom 24 rows hold six black or
white blocks spelling the frame number in binary. So a crop shows which quadrant it kept, and every
exported frame says which source frame it came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.video.stream
import numpy as np

from anicurate.core.export import ExportPlan, ExportResult, render
from anicurate.core.media.writer import write_animation, write_video
from anicurate.core.project import ClipStatus, Project, import_paths
from anicurate.core.project.edits import set_status
from anicurate.core.project.settings import ProjectSettings

W, H = 192, 128
QW, QH = 96, 64
COLOUR_ROWS = 40
BITS = 6
COLOURS = {"red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255), "yellow": (255, 255, 0)}
QUADRANTS = ("red", "green", "blue", "yellow")  # TL, TR, BL, BR


def source_frame(i: int) -> np.ndarray:
    rgb = np.zeros((H, W, 3), np.uint8)
    for q, name in enumerate(QUADRANTS):
        x0, y0 = (q % 2) * QW, (q // 2) * QH
        rgb[y0 : y0 + COLOUR_ROWS, x0 : x0 + QW] = COLOURS[name]
        block = QW // BITS
        for bit in range(BITS):
            on = (i >> (BITS - 1 - bit)) & 1
            rgb[y0 + COLOUR_ROWS : y0 + QH, x0 + bit * block : x0 + (bit + 1) * block] = (
                255 if on else 0
            )
    return rgb


def read_quadrant(rgb: np.ndarray, x: float, y: float, qw: float, qh: float) -> tuple[str, int]:
    """The colour and number of a quadrant shown at (x, y) with size qw x qh in ``rgb``."""

    def cell(fx0: float, fy0: float, fx1: float, fy1: float) -> np.ndarray:
        x0, x1 = round(x + fx0 * qw), round(x + fx1 * qw)
        y0, y1 = round(y + fy0 * qh), round(y + fy1 * qh)
        return rgb[y0:y1, x0:x1].reshape(-1, 3).astype(float).mean(axis=0)

    mean = cell(0.2, 0.15, 0.8, 0.5)
    colour = min(COLOURS, key=lambda n: float(np.abs(mean - COLOURS[n]).sum()))
    assert np.abs(mean - COLOURS[colour]).max() < 60, f"no quadrant colour: {mean}"
    value = 0
    for bit in range(BITS):
        c = cell((bit + 0.3) / BITS, (COLOUR_ROWS + 6) / QH, (bit + 0.7) / BITS, (QH - 6) / QH)
        value = (value << 1) | int(c.mean() > 128)
    return colour, value


def write_source(path: Path, n: int, fps: int = 24) -> Path:
    return write_video(path, [source_frame(i) for i in range(n)], fps, gop=12)


def write_vfr_gif(path: Path, delays_ms: Sequence[int]) -> Path:
    return write_animation(path, [source_frame(i) for i in range(len(delays_ms))], delays_ms)


@dataclass
class Decoded:
    frames: list[np.ndarray]
    width: int
    height: int
    rate: Fraction
    nb_frames: int
    pix_fmt: str
    codec: str
    pts_steps: set[int]


def decode(path: Path) -> Decoded:
    """Every frame of an exported clip, with what the container and stream say about it."""
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        assert isinstance(stream, av.video.stream.VideoStream)
        frames, pts = [], []
        for frame in c.decode(stream):
            frames.append(frame.to_ndarray(format="rgb24"))
            pts.append(int(frame.pts or 0))
        return Decoded(
            frames, stream.width, stream.height, Fraction(stream.average_rate or 0),
            int(stream.frames), str(stream.codec_context.pix_fmt), stream.codec_context.name,
            set(np.diff(pts).tolist()),
        )  # fmt: skip


def run(plan: ExportPlan, workers: int = 1) -> ExportResult:
    """Drive a render job to its end."""
    job = render(plan, workers=workers)
    while True:
        try:
            next(job)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]


def make_project(path: Path, files: Sequence[Path], **settings: object) -> Project:
    """A project with ``files`` imported (one clip each, whole range) and these settings."""
    project = Project.open(path, create=True)
    base = project.settings().to_dict()
    project.set_settings(ProjectSettings(**{**base, **settings}))
    job = import_paths(path, list(files))
    for _ in job:
        pass
    return project


def clip_of(project: Project, name: str) -> int:
    """The id of the (first) clip of the source whose file name is ``name``."""
    for clip, source in project.clips_with_sources():
        if Path(source.path).name == name:
            return clip.id
    raise KeyError(name)


def project_with(tmp_path: Path, files: list[Path], **settings: object) -> Project:
    """A project of ``files`` with small export settings (48x32, 8 frames at 24 fps, no
    bucketing unless overridden), every clip accepted."""
    defaults: dict[str, object] = {
        "train_width": 48, "train_height": 32, "n_sample_frames": 8, "fps": 24,
        "frame_step": 1, "use_bucketing": False,
    }  # fmt: skip
    project = make_project(tmp_path / "p.anicurate", files, **{**defaults, **settings})
    set_status(project, [c.id for c in project.clips()], ClipStatus.ACCEPTED)
    return project

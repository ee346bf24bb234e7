"""Media written at test time whose every frame carries its own index, for exact media assertions.

Frame *i* (96 x 64) has a red block top-left (catches BGR and rotation mistakes), a white bar that
moves with *i* (so codecs predict between frames) and six black or white blocks along the bottom
that spell *i* in binary, large enough to survive lossy codecs, GIF palettes and JPEG.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
from PIL import Image

from anicurate.core.media.formats import MediaKind
from anicurate.core.media.writer import write_animation, write_still, write_video

WIDTH, HEIGHT = 96, 64
BITS = 6
BLOCK = WIDTH // BITS
UNEVEN_DELAYS_MS = (30, 50, 100, 20, 70, 40)


def pattern(i: int, width: int = WIDTH, height: int = HEIGHT) -> np.ndarray:
    """The upright RGB frame that stands for number ``i`` (0 <= i < 64)."""
    rgb = np.full((height, width, 3), 96, dtype=np.uint8)
    rgb[: height // 4, : width // 4] = (255, 0, 0)
    bar = (i * 5) % (width - 8)
    rgb[height // 4 : height // 2, bar : bar + 8] = 255
    block = width // BITS
    for bit in range(BITS):
        on = (i >> (BITS - 1 - bit)) & 1
        rgb[height // 2 :, bit * block : (bit + 1) * block] = 255 if on else 0
    return rgb


def number_in(rgb: np.ndarray) -> int:
    """Read back the number a frame of ``pattern`` spells; checks the red block too."""
    h, w = rgb.shape[:2]
    assert (h, w) == (HEIGHT, WIDTH), f"frame is {w}x{h}, not {WIDTH}x{HEIGHT} (not upright?)"
    marker = rgb[2 : h // 4 - 2, 2 : w // 4 - 2].reshape(-1, 3).mean(axis=0)
    assert marker[0] > 180 and marker[1] < 80 and marker[2] < 80, f"red block reads {marker}"
    block = w // BITS
    value = 0
    for bit in range(BITS):
        cell = rgb[h // 2 + 4 : h - 4, bit * block + 3 : (bit + 1) * block - 3]
        value = (value << 1) | int(cell.mean() > 128)
    return value


@dataclass(frozen=True)
class Sample:
    """A generated file and what it truly holds."""

    name: str
    path: Path
    frames: int
    kind: MediaKind
    codec: str
    delays_ms: tuple[int, ...] | None = None  # per-frame delays when uneven, else None
    fps: Fraction | None = None
    keyframe_every: int | None = None


def _frames(n: int) -> list[np.ndarray]:
    return [pattern(i) for i in range(n)]


def _write_vfr_mp4(path: Path, steps: list[int]) -> Path:
    """H.264 in MP4 with these pts steps (in 1/24 s), i.e. variable frame rate."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.codec_context.time_base = Fraction(1, 24)
        stream.codec_context.options = {"preset": "ultrafast"}
        pts = 0
        for i, step in enumerate(steps):
            frame = av.VideoFrame.from_ndarray(pattern(i), format="rgb24")
            frame.pts, frame.time_base = pts, Fraction(1, 24)
            pts += step
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path


def _write_disposal_gif(path: Path, n: int, delays: list[int]) -> Path:
    """A GIF that restores each frame to the background (disposal 2) before drawing the next."""
    images = [Image.fromarray(f) for f in _frames(n)]
    images[0].save(
        path, save_all=True, append_images=images[1:], duration=delays, loop=0, disposal=2
    )
    return path


def _delays(n: int) -> list[int]:
    return [UNEVEN_DELAYS_MS[i % len(UNEVEN_DELAYS_MS)] for i in range(n)]


VFR_STEPS = [1, 1, 2, 1, 3, 1, 1, 2] * 3
#: x264 with open GOPs: B-frames shown before each I-frame are decoded after it, from both GOPs.
OPEN_GOP = "open-gop=1:b-adapt=0:scenecut=0"


@dataclass(frozen=True)
class _Spec:
    file_name: str
    frames: int
    kind: MediaKind
    codec: str  # as probe reports it
    write: Callable[[Path], Path]
    fps: int | None = None  # the constant rate written, for videos
    keyframe_every: int | None = None
    uneven: bool = False  # written with _delays(frames)


def _video(name: str, n: int, reported: str, fps: int, key: int | None, **kw: Any) -> _Spec:
    def write(path: Path) -> Path:
        return write_video(path, _frames(n), fps, **kw)

    return _Spec(name, n, MediaKind.VIDEO, reported, write, fps, key)


def _animation(name: str, n: int, codec: str, write: Callable[[Path], Path]) -> _Spec:
    return _Spec(name, n, MediaKind.ANIMATION, codec, write, uneven=True)


def _still(name: str, codec: str) -> _Spec:
    return _Spec(name, 1, MediaKind.STILL, codec, lambda p: write_still(p, pattern(0)))


_SPECS: dict[str, _Spec] = {
    "h264-mp4": _video("h264.mp4", 60, "h264", 24, 25, gop=25, bframes=3),
    "h264-open-gop-mp4": _video("open_gop.mp4", 48, "h264", 24, 16, gop=16, bframes=3,
                                options={"x264-params": OPEN_GOP}),
    "h264-mov": _video("h264.mov", 40, "h264", 30, 15, gop=15, bframes=2),
    "hevc-mkv": _video("hevc.mkv", 48, "hevc", 24, 20, codec="libx265", gop=20),
    "vp9-webm": _video("vp9.webm", 48, "vp9", 24, 20, codec="libvpx-vp9", gop=20),
    "av1-mkv": _video("av1.mkv", 40, "av1", 24, 16, codec="libsvtav1", gop=16),
    "mpeg4-avi": _video("mpeg4.avi", 40, "mpeg4", 25, None, codec="mpeg4", gop=12, bframes=2),
    "vfr-mp4": _Spec("vfr.mp4", len(VFR_STEPS), MediaKind.VIDEO, "h264",
                     lambda p: _write_vfr_mp4(p, VFR_STEPS)),
    "gif": _animation("anim.gif", 30, "gif",
                      lambda p: write_animation(p, _frames(30), _delays(30))),
    "gif-disposal-2": _animation("disposal2.gif", 20, "gif",
                                 lambda p: _write_disposal_gif(p, 20, _delays(20))),
    "webp": _animation("anim.webp", 30, "webp",
                       lambda p: write_animation(p, _frames(30), _delays(30))),
    "apng": _animation("anim.png", 30, "apng",
                       lambda p: write_animation(p, _frames(30), _delays(30))),
    "png": _still("still.png", "png"),
    "jpg": _still("still.jpg", "mjpeg"),
    "webp-still": _still("still.webp", "webp"),
    "bmp": _still("still.bmp", "bmp"),
}  # fmt: skip

SAMPLE_NAMES = list(_SPECS)
ANIMATED_NAMES = [n for n, spec in _SPECS.items() if spec.kind is MediaKind.ANIMATION]
VIDEO_NAMES = [n for n, spec in _SPECS.items() if spec.kind is MediaKind.VIDEO]


class SampleMedia:
    """Writes each sample once per session, on first use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._made: dict[str, Sample] = {}

    def __call__(self, name: str) -> Sample:
        if name not in self._made:
            spec = _SPECS[name]
            path = spec.write(self.folder / spec.file_name)
            delays = tuple(_delays(spec.frames)) if spec.uneven else None
            fps = Fraction(spec.fps) if spec.fps is not None else None
            self._made[name] = Sample(
                name, path, spec.frames, spec.kind, spec.codec, delays, fps, spec.keyframe_every
            )
        return self._made[name]


def reference_frames(path: Path) -> list[np.ndarray]:
    """Every frame as a plain sequential decode gives it (PyAV, or Pillow for WebP): the truth
    the reader is held to."""
    if path.suffix.lower() == ".webp":
        with Image.open(path) as image:
            frames = []
            for i in range(getattr(image, "n_frames", 1)):
                image.seek(i)
                frames.append(np.asarray(image.convert("RGB")))
            return frames
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [f.to_ndarray(format="rgb24") for f in container.decode(stream)]


def write_elementary(path: Path, n: int, *, container_format: str, bframes: int = 2) -> Path:
    """H.264 with B-frames in a container without presentation timestamps (raw or AVI)."""
    with av.open(str(path), "w", format=container_format) as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.codec_context.gop_size = 12
        stream.codec_context.max_b_frames = bframes
        stream.codec_context.options = {"preset": "veryfast"}
        for rgb in _frames(n):
            container.mux(stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
        container.mux(stream.encode())
    return path


def write_with_audio(path: Path, n: int) -> Path:
    """An MP4 with H.264 video and an AAC audio track."""
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=24)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        audio = container.add_stream("aac", rate=48000)
        for i, rgb in enumerate(_frames(n)):
            container.mux(video.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
            samples = av.AudioFrame.from_ndarray(
                np.zeros((1, 2000), np.float32), format="fltp", layout="mono"
            )
            samples.sample_rate, samples.pts = 48000, i * 2000
            container.mux(audio.encode(samples))
        container.mux(video.encode())
        container.mux(audio.encode())
    return path

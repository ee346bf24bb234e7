"""Write frames to video, animation and still files: test media, the demo set, and later exports."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from fractions import Fraction
from pathlib import Path

import av
import av.video.stream
import cv2
import numpy as np
from PIL import Image

from anicurate.core.media.formats import MediaKind

Frame = np.ndarray  # RGB uint8, H x W x 3


def write_video(
    path: Path,
    frames: Iterable[Frame],
    fps: Fraction | int = 24,
    *,
    codec: str = "libx264",
    gop: int | None = None,
    bframes: int | None = None,
    pix_fmt: str = "yuv420p",
    rotation: int = 0,
    options: dict[str, str] | None = None,
) -> Path:
    """Encode RGB frames at a constant rate.

    ``rotation`` (degrees clockwise a player turns the frames to show them upright, what
    ``probe`` reports back) is stored as a display matrix.
    """
    rate = Fraction(fps)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate)
        if not isinstance(stream, av.video.stream.VideoStream):
            raise ValueError(f"{codec!r} is not a video encoder")
        stream.pix_fmt = pix_fmt
        opts = dict(options or {})
        if gop is not None:
            stream.codec_context.gop_size = gop
            if codec in ("libx264", "libx265"):
                opts.setdefault("keyint_min", str(gop))
        if bframes is not None:
            stream.codec_context.max_b_frames = bframes
        if codec == "libx264":
            opts.setdefault("preset", "ultrafast" if bframes == 0 else "veryfast")
        if codec == "libx265":
            opts.setdefault("preset", "ultrafast")
            opts.setdefault("x265-params", "log-level=error")
        if codec == "libsvtav1":
            # Presets 10 and up are faster still but show frames out of place (wrong content).
            opts.setdefault("preset", "9")
            # SVT-AV1 prints a banner straight to stderr unless told to log errors only.
            os.environ.setdefault("SVT_LOG", "1")
        if codec == "libvpx-vp9":
            opts.setdefault("deadline", "realtime")
            opts.setdefault("cpu-used", "8")
        stream.codec_context.options = opts
        if rotation % 360:
            # A display matrix in the stream's side data (FFmpeg 8 ignores a "rotate" metadata
            # tag). PyAV's angle is counter-clockwise, ``rotation`` is clockwise.
            stream.set_display_rotation(-(rotation % 360))
        first = True
        for rgb in frames:
            if first:
                stream.width, stream.height = int(rgb.shape[1]), int(rgb.shape[0])
                first = False
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _pil_frames(frames: Iterable[Frame]) -> list[Image.Image]:
    return [Image.fromarray(np.ascontiguousarray(f)) for f in frames]


def write_animation(path: Path, frames: Iterable[Frame], delays_ms: Sequence[int]) -> Path:
    """Write a GIF, APNG (.png/.apng) or animated WebP with one delay per frame (uneven allowed).

    GIF delays are stored in centiseconds, so they are rounded to multiples of 10 ms.
    """
    images = _pil_frames(frames)
    if len(images) != len(delays_ms):
        raise ValueError(f"{len(images)} frames but {len(delays_ms)} delays")
    suffix = path.suffix.lower()
    common = {"save_all": True, "append_images": images[1:], "duration": list(delays_ms), "loop": 0}
    if suffix == ".gif":
        # disposal 1 (keep) with optimisation lets Pillow store only changed rectangles,
        # which readers must composite correctly.
        images[0].save(path, format="GIF", disposal=1, optimize=False, **common)
    elif suffix in (".png", ".apng"):
        images[0].save(path, format="PNG", **common)
    elif suffix == ".webp":
        images[0].save(path, format="WEBP", lossless=True, **common)
    else:
        raise ValueError(f"no animation format for {suffix!r}")
    return path


def write_still(path: Path, frame: Frame, quality: int = 95) -> Path:
    """Write one RGB frame as png, jpg, webp or bmp (by extension)."""
    bgr = cv2.cvtColor(np.ascontiguousarray(frame), cv2.COLOR_RGB2BGR)
    params = [cv2.IMWRITE_JPEG_QUALITY, quality] if path.suffix.lower() in (".jpg", ".jpeg") else []
    if path.suffix.lower() == ".webp":
        params = [cv2.IMWRITE_WEBP_QUALITY, 101]  # > 100 is lossless
    ok, data = cv2.imencode(path.suffix.lower(), bgr, params)
    if not ok:
        raise ValueError(f"cannot encode {path.suffix!r}")
    path.write_bytes(data.tobytes())
    return path


def kind_of_written(path: Path, n_frames: int) -> MediaKind:
    """The kind a file written by this module will probe as (used by tests and the demo)."""
    if n_frames == 1:
        return MediaKind.STILL
    animated = path.suffix.lower() in (".gif", ".png", ".apng", ".webp")
    return MediaKind.ANIMATION if animated else MediaKind.VIDEO

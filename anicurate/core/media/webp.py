"""WebP through Pillow: FFmpeg's webp decoder handles stills only, and web clips are often animated.

Frame durations are read from the file's ANMF chunks, so indexing decodes nothing; Pillow (libwebp)
then composites each frame onto the canvas, which is why decoding can only start at frame 0.
"""

from __future__ import annotations

import struct
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from anicurate.core.errors import MediaError, MediaErrorKind
from anicurate.core.media.decode import DecodedFrame, upright
from anicurate.core.media.failures import unreadable
from anicurate.core.media.index import FrameIndex, browser_delays

if TYPE_CHECKING:
    from PIL import Image

_EXIF_ORIENTATION = 0x0112
_CLOCKWISE = {3: 180, 4: 180, 5: 270, 6: 90, 7: 90, 8: 270}


def frame_delays(path: Path) -> list[int]:
    """Per-frame delays in ms from the ANMF chunks; ``[0]`` for a still WebP."""
    data = path.read_bytes()
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise unreadable(path, what="not a WebP file")
    delays: list[int] = []
    pos = 12
    while pos + 8 <= len(data):
        fourcc = data[pos : pos + 4]
        size = struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        if pos + 8 + size > len(data):
            break  # a chunk cut short by the end of the file: not a frame
        if fourcc == b"ANMF" and size >= 16:
            delays.append(int.from_bytes(data[pos + 20 : pos + 23], "little"))
        pos += 8 + size + (size & 1)
    return delays or [0]


def webp_index(delays: list[int], *, truncated: bool = False) -> FrameIndex:
    """Index of a WebP: millisecond timestamps; only frame 0 is a place to start decoding."""
    stored = np.array(delays, dtype=np.int64)
    pts = np.concatenate(([0], np.cumsum(stored[:-1])))
    keyframe = np.zeros(len(delays), dtype=bool)
    time_base = Fraction(1, 1000)
    shown = browser_delays(stored, time_base) if len(delays) > 1 else stored
    return FrameIndex(pts, keyframe, time_base, duration_ticks=shown, truncated=truncated)


class PillowCursor:
    """Cursor over a WebP decoded by Pillow, frame by frame from the start."""

    def __init__(self, path: Path, index: FrameIndex, *, rotation: int = 0) -> None:
        self._path = path
        self.index = index
        self.rotation = rotation
        self._image: Image.Image | None = None
        self._next = 0
        self.decoded = 0

    def restart(self) -> None:
        if self._image is None:
            # Pillow loads on the first WebP only: a run over other media never pays its import.
            from PIL import Image
            from PIL.WebPImagePlugin import WebPImageFile

            try:
                # The plugin itself, not Image.open: the pixel limit was applied from the header
                # already (probe), and Image.open would warn again past Pillow's own limit.
                self._image = WebPImageFile(self._path)
            except Image.DecompressionBombError as exc:  # a caller lifted anicurate's limit
                detail = f"Pillow, which decodes WebP, refuses it: {exc}"
                raise MediaError(self._path, MediaErrorKind.TOO_LARGE, detail) from exc
            except (OSError, SyntaxError, ValueError) as exc:
                raise unreadable(self._path, exc) from exc
        self._next = 0

    def seek(self, key: int) -> None:
        self.restart()

    def orientation(self) -> int:
        """Degrees clockwise the EXIF orientation asks for (mirroring is not applied)."""
        if self._image is None:
            self.restart()
        assert self._image is not None
        return _CLOCKWISE.get(int(self._image.getexif().get(_EXIF_ORIENTATION, 1)), 0)

    def next(self) -> DecodedFrame | None:
        image = self._image
        if image is None or self._next >= min(len(self.index), getattr(image, "n_frames", 1)):
            return None
        index = self._next
        try:
            image.seek(index)
            rgb = np.array(image.convert("RGB"))  # a copy of its own: asarray is read-only
        except (OSError, EOFError, ValueError):
            self._next = len(self.index)
            return None  # the rest of the file does not decode
        self._next += 1
        self.decoded += 1
        width, height = image.size
        return DecodedFrame(
            index, width, height, self.rotation, rgb.nbytes, lambda: upright(rgb, self.rotation)
        )

    def close(self) -> None:
        if self._image is not None:
            image, self._image = self._image, None
            image.close()

"""The player's frame server: one thread with its own MediaReader that serves the newest request.

Requests do not queue: each one replaces the one waiting, so a burst of key repeats or a fast
scrub decodes only where the user ends up, and playback that cannot keep up drops frames
instead of falling behind. When no request waits, the thread decodes the next few frames in
the direction the user is moving, into the reader's cache, so the next step costs a lookup.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtGui import QImage

from anicurate.core.errors import AnicurateError
from anicurate.core.media import MediaReader, open_media
from anicurate.core.media.index import FrameIndex
from anicurate.core.media.info import MediaInfo
from anicurate.ui.common.messages import describe_error

log = logging.getLogger(__name__)

#: Frames decoded ahead while idle, and the reader's cache (enough for a few GOPs at 1080p).
PREFETCH = 12
CACHE_BYTES = 512 * 2**20


@dataclass(frozen=True)
class OpenedSource:
    """What the GUI needs about a source the server opened (the index is read-only)."""

    generation: int
    path: Path
    info: MediaInfo
    index: FrameIndex


def qimage_from_rgb(rgb: np.ndarray) -> QImage:
    """A QImage that owns a copy of an RGB uint8 H x W x 3 array."""
    rgb = np.ascontiguousarray(rgb)
    h, w = rgb.shape[:2]
    image = QImage(rgb.data, w, h, rgb.strides[0], QImage.Format.Format_RGB888)
    return image.copy()  # detach from the numpy buffer, which the cache may drop


class _Worker(QThread):
    """The decoding thread; all state it shares with the GUI thread is under ``cond``."""

    def __init__(self, server: FrameServer) -> None:
        super().__init__()
        self.setObjectName("frame-server")
        self.server = server

    def run(self) -> None:
        self.server._serve()


class FrameServer(QObject):
    """Decodes frames of one source at a time in its own thread; newest request wins.

    ``open(path)`` starts a new generation; ``request(i)`` asks for frame *i* of it. Results
    come back as ``frame_ready(generation, index, QImage)``; frames of an older generation are
    never emitted after ``opened`` of a newer one.
    """

    opened = Signal(object)  # OpenedSource
    frame_ready = Signal(int, int, QImage)  # generation, frame index, the picture
    failed = Signal(int, str)  # generation, message for a person

    def __init__(self, parent: QObject | None = None, *, prefetch: int = PREFETCH) -> None:
        super().__init__(parent)
        self.prefetch = prefetch
        self._cond = threading.Condition()
        self._generation = 0
        self._open_path: Path | None = None  # a pending open, taken by the thread
        self._wanted: int | None = None  # the newest request not yet taken
        self._direction = 1
        self._stop = False
        self._thread: _Worker | None = None
        #: Frames decoded, converted and emitted (what requests cost; prefetch is not counted).
        self.served = 0
        self._decoded = 0
        self._reader: MediaReader | None = None

    # -- GUI thread --------------------------------------------------------------------------

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def decoded_count(self) -> int:
        """Frames the server's reader has decoded (prefetch included), summed over sources."""
        reader = self._reader
        return self._decoded + (reader.decoded_count if reader is not None else 0)

    def open(self, path: Path) -> int:
        """Switch to ``path`` (opened in the server thread); returns the new generation."""
        with self._cond:
            self._generation += 1
            self._open_path = Path(path)
            self._wanted = None
            self._cond.notify()
            generation = self._generation
        self._ensure_thread()
        return generation

    def request(self, index: int) -> None:
        """Ask for frame ``index`` of the current source; replaces any request still waiting."""
        with self._cond:
            self._wanted = int(index)
            self._cond.notify()

    def set_direction(self, direction: int) -> None:
        """Prefetch forwards (1) or backwards (-1)."""
        self._direction = 1 if direction >= 0 else -1

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Requests made inside are seen by the thread together: only the last is served."""
        with self._cond:
            yield

    def stop(self) -> None:
        """End the thread (after the frame it is decoding) and close the reader."""
        with self._cond:
            self._stop = True
            self._cond.notify()
        if self._thread is not None:
            self._thread.wait()
            self._thread = None

    def _ensure_thread(self) -> None:
        if self._thread is None:
            self._stop = False
            self._thread = _Worker(self)
            self._thread.start()

    # -- server thread -----------------------------------------------------------------------

    def _serve(self) -> None:
        reader: MediaReader | None = None
        generation = 0
        ahead: list[int] = []  # frames to prefetch, nearest first
        try:
            while True:
                with self._cond:
                    while (
                        not self._stop
                        and self._open_path is None
                        and self._wanted is None
                        and not ahead
                    ):
                        self._cond.wait()
                    if self._stop:
                        return
                    path, self._open_path = self._open_path, None
                    wanted, self._wanted = self._wanted, None
                    generation = self._generation if path is not None else generation
                    direction = self._direction
                if path is not None:
                    ahead = []
                    if reader is not None:
                        self._decoded += reader.decoded_count
                        self._reader = None
                        reader.close()
                        reader = None
                    reader = self._reader = self._open(path, generation)
                    if wanted is None:
                        continue
                if reader is None:
                    ahead = []
                    continue
                if wanted is not None:
                    ahead = self._serve_one(reader, generation, wanted, direction)
                elif ahead:
                    self._prefetch_one(reader, ahead.pop(0))
        finally:
            if reader is not None:
                self._decoded += reader.decoded_count
                self._reader = None
                reader.close()

    def _open(self, path: Path, generation: int) -> MediaReader | None:
        try:
            reader = open_media(path, cache_bytes=CACHE_BYTES, max_pixels=None)
        except (AnicurateError, OSError) as err:
            self.failed.emit(generation, describe_error(err))
            return None
        self.opened.emit(OpenedSource(generation, path, reader.info, reader.index))
        return reader

    def _serve_one(
        self, reader: MediaReader, generation: int, index: int, direction: int
    ) -> list[int]:
        n = len(reader.index)
        index = min(max(index, 0), n - 1)
        before = reader.decoded_count
        try:
            rgb = reader.frame_at(index)
        except (AnicurateError, OSError) as err:
            self.failed.emit(generation, describe_error(err))
            return []
        image = qimage_from_rgb(rgb)
        self.served += 1
        log.debug("frame %d: %d decoded", index, reader.decoded_count - before)
        with self._cond:
            if generation != self._generation:
                return []  # a newer source was asked for while decoding: drop this one
            self.frame_ready.emit(generation, index, image)
        steps = range(1, self.prefetch + 1)
        return [j for j in (index + direction * k for k in steps) if 0 <= j < n]

    def _prefetch_one(self, reader: MediaReader, index: int) -> None:
        if index in reader.cache:
            return
        with contextlib.suppress(AnicurateError, OSError):  # a request for it reports the error
            reader.frame_at(index)

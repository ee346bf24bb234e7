"""Frame-exact access to one source: random access with a byte-bounded cache, fast sequential reads.

``frame_at(i)`` seeks to the keyframe at or before *i* and decodes forward, keeping what it decodes
in an LRU cache, so stepping backwards inside a cached GOP decodes nothing and stepping forwards
decodes one frame. When a seek lands past the frame asked for (open GOPs, containers that seek by
decode time) it seeks one keyframe earlier, and remembers that for the next time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import cv2
import numpy as np

from anicurate.core.errors import FrameOutOfRange, MediaError, MediaErrorKind
from anicurate.core.media.cache import FrameCache
from anicurate.core.media.decode import AvCursor, Cursor, DecodedFrame
from anicurate.core.media.failures import guarded
from anicurate.core.media.index import FrameIndex
from anicurate.core.media.info import MediaInfo
from anicurate.core.media.limits import DEFAULT_MAX_PIXELS
from anicurate.core.media.probe import Inspected, inspect_source
from anicurate.core.media.webp import PillowCursor

DEFAULT_CACHE_BYTES = 256 * 2**20
#: Frames right before a decoded target that are converted to RGB at once, so that small steps
#: back cost nothing; earlier ones wait in the cache as decoded frames until asked for.
RGB_WINDOW = 8


def open_media(
    path: str | Path,
    *,
    cache_bytes: int = DEFAULT_CACHE_BYTES,
    threads: int = 0,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
) -> MediaReader:
    """Probe and open ``path`` for reading; ``threads=0`` lets FFmpeg pick the decoder threads.

    A frame of more than ``max_pixels`` pixels (None: no limit) is refused as TOO_LARGE.
    """
    return MediaReader(
        inspect_source(path, threads=threads, keep_open=True, max_pixels=max_pixels),
        cache_bytes=cache_bytes,
        threads=threads,
    )


# Below this pixel standard deviation a frame is taken as flat (a flash, black, a blank card).
_FLAT_FRAME_STD = 6.0


class MediaReader:
    """Reads frames of one source as upright RGB uint8 (H x W x 3). Use one per thread.

    Arrays from ``frame_at`` and ``thumbnail``'s source frame are shared with the cache and
    read-only; ``frames`` yields arrays of the caller's own.
    """

    def __init__(self, inspected: Inspected, *, cache_bytes: int, threads: int = 0) -> None:
        self.info: MediaInfo = inspected.info
        self.index: FrameIndex = inspected.index
        self.path = inspected.path
        self._cache = FrameCache(cache_bytes)
        self._cursor: Cursor
        if inspected.cursor is not None:
            self._cursor = inspected.cursor  # the one probing used, its file still open
            self._cursor.decoded = 0
        elif inspected.backend == "pillow":
            self._cursor = PillowCursor(self.path, self.index, rotation=self.info.rotation)
        else:
            self._cursor = AvCursor(
                self.path,
                inspected.stream_index,
                self.index,
                rotation=self.info.rotation,
                threads=threads,
            )
        self._pushback: DecodedFrame | None = None
        self._pos: int | None = None  # index of the frame the cursor yields next, when known
        self._seek_instead: dict[int, int] = {}  # keyframe -> earlier keyframe that seeks right
        self._closed = False

    def __enter__(self) -> MediaReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self.index)

    @property
    def decoded_count(self) -> int:
        """Frames decoded so far (cache hits decode nothing)."""
        return self._cursor.decoded

    @property
    def cache(self) -> FrameCache:
        return self._cache

    def close(self) -> None:
        """Release the decoder, the file and the cached frames."""
        self._closed = True
        self._pushback = None
        self._pos = None
        self._cursor.close()
        self._cache.clear()

    def frame_at(self, i: int) -> np.ndarray:
        """The exact ``i``-th displayed frame (read-only, shared with the cache)."""
        i = self.index.check(i)
        cached = self._cache.get(i)
        if cached is not None:
            return cached
        self._check_open()
        with guarded(self.path):
            return self._decode_to(i)

    def frames(self, start: int = 0, stop: int | None = None) -> Iterator[np.ndarray]:
        """Frames ``start`` to ``stop`` (exclusive; default the end) in order, decoded sequentially.

        Always yields ``stop - start`` frames: a frame that does not decode is stood in for by the
        one before it, as a player would show it.
        """
        last: DecodedFrame | None = None
        rgb: np.ndarray | None = None
        for frame in self.decoded_frames(start, stop):
            if frame is last:
                assert rgb is not None
                yield rgb.copy()
                continue
            with guarded(self.path):
                rgb = frame.rgb()
            last = frame
            yield rgb

    def decoded_frames(self, start: int = 0, stop: int | None = None) -> Iterator[DecodedFrame]:
        """Like ``frames`` but the decoder's frames, unconverted (an export keeps them in YUV); a
        frame standing in for one that does not decode is the same object yielded again."""
        n = len(self.index)
        stop = n if stop is None else min(stop, n)
        if not 0 <= start <= n:
            raise FrameOutOfRange(f"start {start} is outside 0..{n}")
        want = start
        last: DecodedFrame | None = None
        while want < stop:
            self._check_open()
            with guarded(self.path):
                if not self._can_continue(want):
                    self._reposition(want)
                frame = self._next()
                if frame is not None and frame.index < want:
                    continue
            if frame is None:
                if last is None:
                    raise MediaError(
                        self.path, MediaErrorKind.CORRUPT, f"frame {want} does not decode"
                    )
                for _ in range(want, stop):
                    yield last
                return
            while want < min(frame.index, stop):
                yield last if last is not None else frame
                want += 1
            if want < stop:
                yield frame
                want += 1
            last = frame

    def thumbnail(self, max_side: int = 256, frame: int | None = None) -> np.ndarray:
        """A frame scaled down to fit ``max_side`` (aspect kept, never enlarged).

        The default frame is a middle one: the keyframe nearest before the middle when it lies in
        the middle half (one decode), else the middle frame itself. A flat frame there (a flash,
        the black of a fade) says nothing about the clip, so other candidates are tried then.
        """
        rgb = self._representative_frame() if frame is None else self.frame_at(frame)
        h, w = rgb.shape[:2]
        scale = max_side / max(h, w)
        if scale >= 1:
            return rgb.copy()
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)

    def _representative_frame(self) -> np.ndarray:
        n = len(self.index)
        candidates = [self._middle_frame(), n // 3, (2 * n) // 3, n // 6, (5 * n) // 6, 0]
        best, best_spread = None, -1.0
        for i in dict.fromkeys(c for c in candidates if 0 <= c < n):
            rgb = self.frame_at(i)
            spread = float(rgb[::4, ::4].std())
            if spread >= _FLAT_FRAME_STD:
                return rgb
            if spread > best_spread:
                best, best_spread = rgb, spread
        assert best is not None
        return best

    def _middle_frame(self) -> int:
        n = len(self.index)
        middle = n // 2
        key = self.index.keyframe_at_or_before(middle)
        return key if key >= n // 4 else middle

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError("the reader is closed")

    def _seek_key(self, i: int) -> int:
        key = self.index.keyframe_at_or_before(i)
        while key in self._seek_instead:
            key = self._seek_instead[key]
        return key

    def _can_continue(self, i: int) -> bool:
        """True when decoding on from the cursor reaches ``i`` no slower than seeking would."""
        return self._pos is not None and self._pos <= i and self._seek_key(i) <= self._pos

    def _next(self) -> DecodedFrame | None:
        frame, self._pushback = self._pushback, None
        if frame is None:
            frame = self._cursor.next()
        self._pos = frame.index + 1 if frame is not None else None
        return frame

    def _reposition(self, i: int) -> None:
        """Seek so the cursor's next frame is at or before ``i``: one keyframe earlier each time
        a seek lands past it, and from the very start as the last resort."""
        key = self._seek_key(i)
        from_start = False
        while True:
            if from_start:
                self._cursor.restart()
            else:
                self._cursor.seek(key)
            first = self._cursor.next()
            if first is not None and first.index <= i:
                break
            earlier = self.index.keyframe_before(key)
            if not from_start and earlier is not None:
                self._seek_instead[key] = earlier
                key = earlier
            elif not from_start:
                from_start = True
            else:
                break  # frames before ``first`` never decode; it stands in for them
        self._pushback = first
        self._pos = first.index if first is not None else None

    def _decode_to(self, i: int) -> np.ndarray:
        if not self._can_continue(i):
            self._reposition(i)
        before: DecodedFrame | None = None
        after: DecodedFrame | None = None
        while (frame := self._next()) is not None:
            if frame.index == i:
                return self._cache.put(i, frame.rgb())
            if frame.index > i - RGB_WINDOW:
                self._cache.put(frame.index, frame.rgb())
            else:
                self._cache.put_deferred(frame.index, frame)
            if frame.index > i:
                after = frame
                break
            before = frame
        # Frame ``i`` did not decode: show what a player would, the frame before it.
        stand_in = before or after
        if stand_in is None:
            raise MediaError(self.path, MediaErrorKind.CORRUPT, f"frame {i} does not decode")
        cached = self._cache.get(stand_in.index)
        return self._cache.put(i, cached if cached is not None else stand_in.rgb())

"""An LRU cache of decoded frames, bounded by bytes, so stepping back in a GOP decodes nothing.

Entries are RGB arrays or decoded frames not yet converted to RGB (``Deferred``): a seek decodes
a whole GOP run, and converting every frame of it would cost more than decoding it. A deferred
entry is converted the first time it is asked for, and stored as RGB from then on.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Protocol

import numpy as np


class Deferred(Protocol):
    """A decoded frame whose RGB conversion has not been paid for yet."""

    @property
    def nbytes(self) -> int: ...

    def rgb(self) -> np.ndarray: ...


class FrameCache:
    """Frames by index, evicting the least recently used once their total size passes ``max_bytes``.

    Cached arrays are made read-only: callers share them, so nobody may change one in place.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(0, int(max_bytes))
        self._frames: OrderedDict[int, np.ndarray | Deferred] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._frames)

    def __contains__(self, index: object) -> bool:
        return index in self._frames

    @property
    def nbytes(self) -> int:
        """Bytes held by the cached frames."""
        return self._bytes

    def get(self, index: int) -> np.ndarray | None:
        """The cached frame as RGB (now the most recently used), or None."""
        entry = self._frames.get(index)
        if entry is None:
            self.misses += 1
            return None
        self.hits += 1
        if isinstance(entry, np.ndarray):
            self._frames.move_to_end(index)
            return entry
        return self.put(index, entry.rgb())

    def put(self, index: int, frame: np.ndarray) -> np.ndarray:
        """Cache an RGB ``frame`` under ``index`` (read-only from now on) and return it.

        A frame larger than the whole budget is returned without being cached.
        """
        frame.flags.writeable = False
        self._store(index, frame)
        return frame

    def put_deferred(self, index: int, frame: Deferred) -> None:
        """Cache a decoded frame to be converted to RGB only if it is asked for."""
        self._store(index, frame)

    def _store(self, index: int, entry: np.ndarray | Deferred) -> None:
        old = self._frames.pop(index, None)
        if old is not None:
            self._bytes -= old.nbytes
        if entry.nbytes > self.max_bytes:
            return
        self._frames[index] = entry
        self._bytes += entry.nbytes
        while self._bytes > self.max_bytes:
            _, evicted = self._frames.popitem(last=False)
            self._bytes -= evicted.nbytes

    def clear(self) -> None:
        self._frames.clear()
        self._bytes = 0

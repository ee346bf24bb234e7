"""The decoded-frame cache: least recently used goes first; the byte budget is never exceeded."""

from __future__ import annotations

import numpy as np
import pytest

from anicurate.core.media.cache import FrameCache


def frame(value: int, nbytes: int = 100) -> np.ndarray:
    return np.full(nbytes, value, dtype=np.uint8)


def test_evicts_least_recently_used_once_over_budget() -> None:
    cache = FrameCache(300)
    for i in range(3):
        cache.put(i, frame(i))
    assert cache.get(0) is not None  # 0 is now the most recent; 1 is the oldest
    cache.put(3, frame(3))
    assert 1 not in cache
    assert [i in cache for i in (0, 2, 3)] == [True, True, True]
    assert cache.nbytes == 300 and len(cache) == 3


def test_counts_bytes_and_replaces_an_entry_in_place() -> None:
    cache = FrameCache(1000)
    cache.put(7, frame(1, 400))
    cache.put(7, frame(2, 200))
    assert cache.nbytes == 200 and len(cache) == 1
    got = cache.get(7)
    assert got is not None and int(got[0]) == 2


def test_cached_frames_are_read_only() -> None:
    cache = FrameCache(1000)
    stored = cache.put(0, frame(5))
    with pytest.raises(ValueError):
        stored[0] = 1


def test_a_frame_larger_than_the_budget_is_returned_but_not_kept() -> None:
    cache = FrameCache(50)
    big = frame(9, 100)
    assert cache.put(0, big) is big
    assert 0 not in cache and cache.nbytes == 0


def test_zero_budget_keeps_nothing_and_counts_hits_and_misses() -> None:
    cache = FrameCache(0)
    cache.put(0, frame(1))
    assert cache.get(0) is None and cache.misses == 1 and cache.hits == 0


class Decoded:
    """Stands in for a decoded frame: 50 bytes as decoded, 100 bytes once converted."""

    def __init__(self, value: int) -> None:
        self.value = value
        self.conversions = 0

    @property
    def nbytes(self) -> int:
        return 50

    def rgb(self) -> np.ndarray:
        self.conversions += 1
        return frame(self.value)


def test_deferred_frames_are_converted_once_on_first_use() -> None:
    cache = FrameCache(1000)
    decoded = Decoded(4)
    cache.put_deferred(2, decoded)
    assert cache.nbytes == 50 and decoded.conversions == 0
    first = cache.get(2)
    assert first is not None and int(first[0]) == 4 and not first.flags.writeable
    assert cache.get(2) is first and decoded.conversions == 1
    assert cache.nbytes == 100


def test_deferred_and_converted_frames_share_one_budget() -> None:
    cache = FrameCache(200)
    cache.put_deferred(0, Decoded(0))
    cache.put_deferred(1, Decoded(1))
    cache.put(2, frame(2))  # 50 + 50 + 100 fills it
    assert len(cache) == 3
    cache.get(0)  # converting 0 makes it 100 bytes: 1, the least recently used, goes
    assert 1 not in cache and 0 in cache and 2 in cache and cache.nbytes == 200


def test_clear_empties_it() -> None:
    cache = FrameCache(1000)
    cache.put(0, frame(0))
    cache.clear()
    assert len(cache) == 0 and cache.nbytes == 0 and cache.get(0) is None

"""The playback clock without Qt: the frame due at a time, frames newly due, the next look,
looping the in/out range both ways, shuttle speeds and time labels (exact numbers)."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

from anicurate.core.media.index import FrameIndex
from anicurate.ui.player.clock import MAX_WAIT_MS, PlaybackClock, Tick, shuttle_speed, time_text


def constant_index(frames: int = 10, fps: int = 24) -> FrameIndex:
    pts = np.arange(frames, dtype=np.int64)
    return FrameIndex(pts, np.ones(frames, dtype=bool), Fraction(1, fps), last_duration=1)


def test_the_frame_due_follows_the_time_forwards() -> None:
    clock = PlaybackClock(constant_index())
    clock.start(0, 1.0, now=100.0)
    assert clock.tick(100.0, 0, 9) == Tick(0, 0, 42)  # frame 0 ends at 1/24 s: 41.7 ms
    assert clock.tick(100.1, 0, 9) == Tick(2, 2, 26)  # 2/24 <= 0.1 < 3/24; two frames due
    assert clock.tick(100.11, 0, 9) == Tick(2, 0, 16)  # the same frame: nothing new


def test_double_speed_and_backwards() -> None:
    clock = PlaybackClock(constant_index())
    clock.start(0, 2.0, now=0.0)
    assert clock.tick(0.1, 0, 9).frame == 4  # media time 0.2 s
    clock.start(5, -1.0, now=0.0)  # just before frame 5's end
    assert clock.tick(0.0, 0, 9).frame == 5
    tick = clock.tick(1 / 24, 0, 9)
    assert (tick.frame, tick.newly_due) == (4, 1)


def test_playback_loops_the_in_out_range_both_ways() -> None:
    clock = PlaybackClock(constant_index())
    clock.start(5, 1.0, now=0.0)
    tick = clock.tick(1 / 24 + 0.001, 2, 5)  # past frame 5's end: back to frame 2
    assert (tick.frame, tick.newly_due) == (2, 1)
    clock.start(2, -1.0, now=0.0)
    tick = clock.tick(1 / 24 + 0.001, 2, 5)  # before frame 2's start: back to frame 5
    assert (tick.frame, tick.newly_due) == (5, 1)


def test_variable_frame_durations_and_the_longest_wait() -> None:
    pts = np.array([0, 1, 3, 6], dtype=np.int64)
    index = FrameIndex(pts, np.ones(4, dtype=bool), Fraction(1, 10), last_duration=4)
    clock = PlaybackClock(index)
    clock.start(0, 1.0, now=0.0)
    assert clock.tick(0.15, 0, 3) == Tick(1, 1, 151)  # frame 1 shows 0.1-0.3 s
    assert clock.tick(0.35, 0, 3) == Tick(2, 1, MAX_WAIT_MS)  # 0.25 s left: capped


@pytest.mark.parametrize(
    ("speed", "direction", "expected"),
    [(0, 1, 1), (1, 1, 2), (4, 1, 8), (8, 1, 8), (2, -1, 1), (1, -1, -1), (0, -1, -1),
     (-4, 1, -2), (-1, 1, 1), (3, 0, 0)],
)  # fmt: skip
def test_shuttle_speeds(speed: float, direction: int, expected: float) -> None:
    assert shuttle_speed(speed, direction) == expected


def test_time_text() -> None:
    assert time_text(65.2) == "01:05.20"
    assert time_text(59.999) == "01:00.00"
    assert time_text(-1) == "00:00.00"


def test_the_clock_module_loads_no_qt() -> None:
    code = (
        "import sys, anicurate.ui.player.clock; print([m for m in sys.modules if 'PySide6' in m])"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"

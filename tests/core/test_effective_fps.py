"""Effective fps, computed in one place (core/analysis/metrics.py): drawings per second, the
first frame always a drawing, zero when the frames take no time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from anicurate.core.analysis import analyze_source
from anicurate.core.analysis.metrics import effective_fps
from tests.helpers.analysis_samples import DAY, Layout, Timeline


def test_held_frames_count_once() -> None:
    durations = np.full(48, 1 / 24)
    twos = np.arange(48) % 2 == 1  # every second frame repeats the one before
    assert effective_fps(durations, twos) == pytest.approx(12.0)
    assert effective_fps(durations, np.zeros(48, bool)) == pytest.approx(24.0)
    threes_first_held = np.arange(48) % 3 != 0
    threes_first_held[0] = True  # ignored: a first frame is a drawing
    assert effective_fps(durations, threes_first_held) == pytest.approx(8.0)


def test_variable_durations_and_degenerate_input() -> None:
    # 3 drawings over 0.5 s (a GIF with uneven delays)
    assert effective_fps(np.array([0.1, 0.1, 0.2, 0.1]), np.array([False, True, False, False])) == (
        pytest.approx(6.0)
    )
    assert effective_fps(np.zeros(5), np.zeros(5, bool)) == 0.0
    assert effective_fps(np.array([]), np.array([], bool)) == 0.0


def test_clip_metrics_use_it(tmp_path: Path) -> None:
    tl = Timeline().shot(48, DAY, Layout(figure_x=0.2, walk_speed=7), hold=3)
    a = analyze_source(tl.write(tmp_path / "threes.mp4"))
    expected = effective_fps(np.asarray(a.signals["duration"]), a.events.held)
    assert a.metrics.effective_fps == round(expected, 2) == 8.0

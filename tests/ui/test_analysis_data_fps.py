"""The player's timeline shows the effective fps the core computes (one function for both)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from anicurate.core.analysis import analyze_source
from anicurate.core.media.writer import write_video
from anicurate.ui.player.analysis_data import compute_timeline_data


def test_timeline_effective_fps_is_the_core_metric(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    drawings = [rng.integers(0, 256, (64, 96, 3), dtype=np.uint8) for _ in range(12)]
    path = write_video(tmp_path / "twos.mp4", [d for d in drawings for _ in range(2)], 24)
    data = compute_timeline_data(path)
    assert data is not None and data.effective_fps is not None
    metric = analyze_source(path).metrics.effective_fps
    assert data.effective_fps == pytest.approx(metric, abs=0.005)
    assert metric == 12.0

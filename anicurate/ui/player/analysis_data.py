"""Timeline data from the analysis core: its per-frame signals and detected events, as arrays.

The timeline itself takes plain arrays; this is the one place that knows which analysis signals
it draws (the HSV content change as "difference", the optical-flow magnitude as "motion").
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from anicurate.core.analysis import Events, Signals, compute_signals, detect, load_signals
from anicurate.core.analysis.detect import CUT_MIN_CONTENT
from anicurate.core.analysis.metrics import effective_fps
from anicurate.core.errors import AnicurateError
from anicurate.core.project import Project
from anicurate.ui.player.timeline import TimelineData

log = logging.getLogger(__name__)

DIFFERENCE_SIGNAL = "content"
MOTION_SIGNAL = "motion"


def timeline_data(signals: Signals, events: Events) -> TimelineData:
    """Timeline data from an analysis ``Signals`` and its ``Events``."""
    n = int(signals.frames)
    held = np.asarray(events.held, bool)
    fps = effective_fps(np.asarray(signals["duration"], np.float64), held) if n > 1 else 0.0
    return TimelineData(
        frames=n,
        difference=np.asarray(signals[DIFFERENCE_SIGNAL], np.float64),
        motion=np.asarray(signals[MOTION_SIGNAL], np.float64),
        cuts=[int(c) for c in events.cuts],
        transitions=[(int(a), int(b)) for a, b in events.transitions],
        flashes=[(int(a), int(b)) for a, b in events.flashes],
        held=held,
        threshold=CUT_MIN_CONTENT,
        effective_fps=fps if fps > 0 else None,
    )


def compute_timeline_data(path: Path) -> TimelineData | None:
    """Analyse ``path`` now (one decoding pass), or None when the file cannot be analysed."""
    try:
        _info, signals = compute_signals(path)
    except AnicurateError as err:
        log.warning("no timeline data for %s: %s", path, err)
        return None
    return timeline_data(signals, detect(signals))


def stored_timeline_data(project: Project, source_id: int) -> TimelineData | None:
    """The stored analysis of a source as timeline data, or None while it is missing or stale."""
    stored = load_signals(project, source_id)
    return None if stored is None else timeline_data(*stored)

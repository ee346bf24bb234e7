"""Analysis: per-frame signals, cut/fade/flash detection, clip metrics and flags.

One streaming decode per source yields :class:`Signals`; everything after (events, clip metrics,
flags) is computed from stored signals, so thresholds, trims and splits never decode again.
"""

from anicurate.core.analysis.detect import Events, detect
from anicurate.core.analysis.flags import Flag, FlagKind, Thresholds
from anicurate.core.analysis.metrics import ClipMetrics, clip_metrics
from anicurate.core.analysis.run import (
    FileResult,
    ProjectAnalysis,
    SourceAnalysis,
    analyze_files,
    analyze_project,
    analyze_source,
    reflag_project,
)
from anicurate.core.analysis.signals import SIGNAL_NAMES, Signals, compute_signals
from anicurate.core.analysis.store import (
    DETECTOR_VERSION,
    SIGNALS_VERSION,
    ClipResult,
    flags_outdated,
    load_results,
    load_signals,
    reflag,
    set_thresholds,
    stale_sources,
    thresholds_of,
)

__all__ = [
    "DETECTOR_VERSION",
    "SIGNALS_VERSION",
    "SIGNAL_NAMES",
    "ClipMetrics",
    "ClipResult",
    "Events",
    "FileResult",
    "Flag",
    "FlagKind",
    "ProjectAnalysis",
    "Signals",
    "SourceAnalysis",
    "Thresholds",
    "analyze_files",
    "analyze_project",
    "analyze_source",
    "clip_metrics",
    "compute_signals",
    "detect",
    "flags_outdated",
    "load_results",
    "load_signals",
    "reflag",
    "reflag_project",
    "set_thresholds",
    "stale_sources",
    "thresholds_of",
]

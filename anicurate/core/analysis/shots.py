"""Split at cuts: clips cut into their shots from the stored analysis, fades and flashes left out.

Shared by the window's Split at Cuts and ``anicurate split --at-cuts``; one undoable edit for
all the clips, then flags are recomputed for the new ranges.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from anicurate.core.analysis.metrics import ClipMetrics
from anicurate.core.analysis.store import load_results, reflag
from anicurate.core.project.catalogue import Project
from anicurate.core.project.edits import shot_ranges, split_ranges


@dataclass(frozen=True, slots=True)
class SplitReport:
    """What split at cuts did: pieces by clip id (only clips that were split), and the clips it
    could not split because they have no analysis."""

    pieces: dict[int, list[tuple[int, int]]]
    unanalysed: list[int]
    label: str = "Split at cuts"


def clip_shots(metrics: ClipMetrics, drop: int = 0) -> list[tuple[int, int]]:
    """A clip's shots from its stored metrics (source frame numbers)."""
    return shot_ranges(
        metrics.first, metrics.last, metrics.cuts, [*metrics.transitions, *metrics.flashes], drop
    )


def split_at_cuts(project: Project, clip_ids: Iterable[int], drop: int = 0) -> SplitReport:
    """Split the clips at their cuts, fades and flashes (one undoable edit), then re-flag."""
    results = load_results(project)
    wanted = list(dict.fromkeys(clip_ids))
    clips = {c.id: c for c, _source in project.clips_by_id(wanted)}
    pieces: dict[int, list[tuple[int, int]]] = {}
    unanalysed: list[int] = []
    for cid in wanted:
        clip, result = clips.get(cid), results.get(cid)
        if clip is None:
            continue
        if result is None or (result.metrics.first, result.metrics.last) != (
            clip.first_frame,
            clip.last_frame,
        ):
            unanalysed.append(cid)
            continue
        ranges = clip_shots(result.metrics, drop)
        if ranges and ranges != [(clip.first_frame, clip.last_frame)]:
            pieces[cid] = ranges
    if pieces:
        n = len(pieces)
        label = f"Split {'clip' if n == 1 else f'{n} clips'} at cuts"
        split_ranges(project, pieces, label)
        reflag(project)
        return SplitReport(pieces, unanalysed, label)
    return SplitReport(pieces, unanalysed)

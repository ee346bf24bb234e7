"""Edits of many clips at once, each one undoable step: split a selection at given frames (its
cuts), or give a selection the largest centred crop of the training ratio.

They are generators (one Progress per clip) so a large selection can run as a job; the whole
batch is one transaction and one journal entry, so a cancelled batch changes nothing and one
undo restores every clip. The caller knows the cut frames (they come from the analysis, which
sits above this package).
"""

from __future__ import annotations

import time
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field

from anicurate.core.crop import CropGeometry
from anicurate.core.jobs import Progress
from anicurate.core.project.catalogue import Clip, Project
from anicurate.core.project.edits import edit

Crop = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """What a batch did: the clips it changed and the clips it made (ids), and those it left."""

    changed: list[int] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # nothing to do (no split point inside ...)

    @property
    def label(self) -> str:
        n = len(self.changed)
        return f"{n} clip{'' if n == 1 else 's'}"


def split_ranges(clip: Clip, at: Sequence[int], drop: int = 0) -> list[tuple[int, int]]:
    """The pieces (first, last) splitting ``clip`` before each frame of ``at`` gives, ``drop``
    frames left out on both sides of each split (as ``edits.split``); [] when nothing splits."""
    points = sorted({p for p in at if clip.first_frame < p <= clip.last_frame})
    if not points:
        return []
    bounds = [clip.first_frame, *points, clip.last_frame + 1]
    ranges = []
    for k in range(len(bounds) - 1):
        start = bounds[k] + (drop if k > 0 else 0)
        stop = bounds[k + 1] - 1 - (drop if k < len(bounds) - 2 else 0)
        if start <= stop:
            ranges.append((start, stop))
    if not ranges:
        return []
    return ranges if len(ranges) > 1 or ranges[0] != (clip.first_frame, clip.last_frame) else []


def split_many(
    project: Project, points: Mapping[int, Sequence[int]], drop: int = 0
) -> Generator[Progress, None, BatchOutcome]:
    """Split each clip of ``points`` (clip id -> frames) before its frames, in one edit labelled
    "Split N clips at cuts". The first piece keeps the clip's id, tags and status; new pieces
    start unreviewed with its crop and note. Clips with nothing to split are skipped."""
    clips = {c.id: c for c in project.clips()}
    todo = [(clips[i], list(at)) for i, at in points.items() if i in clips]
    outcome = BatchOutcome(skipped=[i for i in points if i not in clips])
    plans = [(clip, split_ranges(clip, at, drop)) for clip, at in todo]
    for clip, ranges in plans:
        (outcome.changed if ranges else outcome.skipped).append(clip.id)
    total = len(plans)
    yield Progress(0, total)
    if not outcome.changed:
        return outcome
    with edit(project, f"Split {outcome.label} at cuts") as rec:
        conn = project.connection
        rec.touch_clips(outcome.changed)
        now = time.time()
        for done, (clip, ranges) in enumerate(plans, 1):
            if ranges:
                (first, last), *rest = ranges
                conn.execute(
                    "UPDATE clips SET first_frame = ?, last_frame = ?, updated_at = ? WHERE id = ?",
                    (first, last, now, clip.id),
                )
                for start, stop in rest:
                    cur = conn.execute(
                        "INSERT INTO clips (source_id, first_frame, last_frame, crop_x, crop_y,"
                        " crop_w, crop_h, status, note, created_at, updated_at)"
                        " SELECT source_id, ?, ?, crop_x, crop_y, crop_w, crop_h, 'unreviewed',"
                        " note, ?, ? FROM clips WHERE id = ?",
                        (start, stop, now, now, clip.id),
                    )
                    assert cur.lastrowid is not None
                    rec.inserted("clips", cur.lastrowid)
                    outcome.created.append(cur.lastrowid)
            yield Progress(done, total, clip.label(project.source(clip.source_id)))
    return outcome


def centre_crops(project: Project, clip_ids: Sequence[int]) -> dict[int, Crop]:
    """The largest centred crop of the training ratio for each clip (stills and videos alike);
    clips whose source has no known size are left out."""
    settings = project.settings()
    out: dict[int, Crop] = {}
    wanted = set(clip_ids)
    for clip, source in project.clips_with_sources():
        info = source.info
        if clip.id not in wanted or info is None or info.width < 1 or info.height < 1:
            continue
        rules = CropGeometry(info.width, info.height, settings.train_width, settings.train_height)
        out[clip.id] = rules.fit().as_tuple()
    return out


def crop_many(
    project: Project, crops: Mapping[int, Crop | None], label: str = "Crop"
) -> Generator[Progress, None, BatchOutcome]:
    """Set each clip's crop (None clears it) in one edit labelled "``label`` N clips"; clips
    that already have that crop are skipped."""
    clips = {c.id: c for c in project.clips()}
    outcome = BatchOutcome()
    for clip_id, crop in crops.items():
        clip = clips.get(clip_id)
        same = clip is None or clip.crop == (tuple(crop) if crop is not None else None)
        (outcome.skipped if same else outcome.changed).append(clip_id)
    total = len(outcome.changed)
    yield Progress(0, total)
    if not outcome.changed:
        return outcome
    with edit(project, f"{label} {outcome.label}") as rec:
        rec.touch("clips", outcome.changed)
        now = time.time()
        for done, clip_id in enumerate(outcome.changed, 1):
            crop = crops[clip_id]
            values = list(crop) if crop is not None else [None] * 4
            project.connection.execute(
                "UPDATE clips SET crop_x = ?, crop_y = ?, crop_w = ?, crop_h = ?, updated_at = ?"
                " WHERE id = ?",
                (*values, now, clip_id),
            )
            yield Progress(done, total)
    return outcome

"""Batch edits on the browser's selection: Split at Cuts and Centre Crop, each one undoable step.

Both call the same core edits as ``anicurate split --at-cuts`` and ``anicurate crop --fit``
(core/analysis/shots.py, core/project/edits.py). A small selection is edited at once; a large
one runs as a job in the one job area. Each batch is one transaction, so a cancelled job
changes nothing; the clips are re-flagged afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from anicurate.core.analysis import reflag
from anicurate.core.analysis.shots import split_at_cuts
from anicurate.core.jobs import Progress
from anicurate.core.project import Project
from anicurate.core.project.edits import CropMode, crop_clips
from anicurate.ui.jobs import JobKind, JobQueue
from anicurate.ui.session import ProjectSession
from anicurate.ui.shell import Shell

BATCH = JobKind("batch edit", "editing", waits=False, min_interval_s=0.05)
#: From this many clips on a batch runs as a job with progress; below, it is instant.
JOB_MIN_CLIPS = 200
CENTRE_CROP_LABEL = "Centre crop"


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """What a batch did: how many clips it changed, and the pieces it made (split only)."""

    changed: int
    created: list[tuple[int, int]] = field(default_factory=list)  # ranges of the new clips
    unanalysed: int = 0

    @property
    def label(self) -> str:
        return f"{self.changed} clip{'' if self.changed == 1 else 's'}"


Batch = Callable[[Project], BatchOutcome]


def split_batch(clip_ids: Sequence[int], drop: int) -> Batch:
    """Split the clips into their shots (cuts, fades and flashes left out)."""

    def run(project: Project) -> BatchOutcome:
        report = split_at_cuts(project, clip_ids, drop)
        created = [r for ranges in report.pieces.values() for r in ranges[1:]]
        return BatchOutcome(len(report.pieces), created, len(report.unanalysed))

    return run


def centre_crop_batch(clip_ids: Sequence[int]) -> Batch:
    """The largest centred crop of the training ratio for each clip."""

    def run(project: Project) -> BatchOutcome:
        changed = crop_clips(project, clip_ids, CropMode.FIT)
        if changed:
            reflag(project)
        return BatchOutcome(changed)

    return run


class ReviewHost(Protocol):
    """What a batch needs of the review actions (:class:`ReviewActions` is one)."""

    shell: Shell
    session: ProjectSession
    jobs: JobQueue
    cut_drop: int

    def flush_player_edits(self) -> None: ...

    def update_actions(self, *_args: object) -> None: ...


class BatchEdits:
    """Runs a batch edit for the review actions, inline or as a job by the selection's size."""

    def __init__(self, actions: ReviewHost) -> None:
        self.actions = actions
        self.job_min_clips = JOB_MIN_CLIPS
        self.last: BatchOutcome | None = None  # the last batch's outcome (scripts, tests)

    def split_at_cuts(self, clip_ids: list[int]) -> bool:
        """Split every selected clip at the cuts, fades and flashes the analysis found in it."""
        rows = {r.clip.id: r for r in self.actions.session.clip_model.rows() if r.clip is not None}
        chosen = [rows[i] for i in clip_ids if i in rows]
        if not any(r.result is not None and r.result.metrics.cuts for r in chosen):
            unanalysed = any(r.result is None for r in chosen)
            why = "analyse the project first" if unanalysed else "the selected clips have no cuts"
            self.actions.shell.show_message(f"Split at cuts: {why}.", 6000)
            return False
        ids = [r.clip.id for r in chosen if r.clip is not None]
        return self._run(
            len(ids), "Split at cuts", split_batch(ids, self.actions.cut_drop), _split_text
        )

    def centre_crop(self, clip_ids: list[int]) -> bool:
        """Give every selected clip the largest centred crop of the training ratio."""
        if not clip_ids:
            return False
        return self._run(
            len(clip_ids),
            CENTRE_CROP_LABEL,
            centre_crop_batch(list(clip_ids)),
            lambda o: f"Centre-cropped {o.label}" if o.changed else "Already centre-cropped",
        )

    def _run(
        self, size: int, title: str, batch: Batch, text: Callable[[BatchOutcome], str]
    ) -> bool:
        actions = self.actions
        actions.flush_player_edits()
        session = actions.session
        if session.project is None:
            return False
        if size < self.job_min_clips:
            try:
                outcome = batch(session.project)
            except Exception as err:
                self._ended(f"{title} stopped: {err}")
                return False
            self._done(title, outcome, text)
            return True
        path = session.project.path
        worker = actions.jobs.submit(
            BATCH,
            lambda: _batch_job(path, batch),
            text=f"{title.lower()}: {size} clips\u2026",
            on_finished=lambda o: self._done(title, o, text),
            on_failed=lambda m: self._ended(f"{title} stopped: {m}"),
            on_cancelled=lambda: self._ended(f"{title} cancelled; nothing was changed."),
        )
        return worker is not None

    def _done(self, title: str, outcome: BatchOutcome, text: Callable[[BatchOutcome], str]) -> None:
        self.last = outcome
        session = self.actions.session
        session.refresh()
        self.actions.update_actions()
        if outcome.changed:
            session.edited.emit(title)
        self.actions.shell.show_message(text(outcome), 5000)

    def _ended(self, message: str) -> None:
        self.actions.session.refresh()
        self.actions.shell.show_message(message, 8000)


def _split_text(outcome: BatchOutcome) -> str:
    if not outcome.changed:
        return "Split at cuts: nothing to split"
    return f"Split {outcome.label} at cuts into {outcome.changed + len(outcome.created)} clips"


def _batch_job(path: Path, batch: Batch) -> Generator[Progress, None, BatchOutcome]:
    """The batch on the job's own connection: one transaction, so all or nothing."""
    with Project.open(path) as project:
        yield Progress(0, 1)
        outcome = batch(project)
        yield Progress(1, 1)
        return outcome

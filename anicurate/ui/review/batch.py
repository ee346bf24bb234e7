"""Batch edits on the browser's selection: Split at Cuts and Centre Crop, each one undoable step.

A small selection is edited at once; a large one runs as a job in the one job area (progress,
Cancel: a cancelled batch changes nothing), then the clips are re-flagged from stored signals.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any, Protocol

from anicurate.core.analysis import reflag
from anicurate.core.jobs import Progress
from anicurate.core.project import Project
from anicurate.core.project.batch import BatchOutcome, centre_crops, crop_many, split_many
from anicurate.ui.jobs import JobKind, JobQueue
from anicurate.ui.session import ProjectSession
from anicurate.ui.shell import Shell

BATCH = JobKind("batch edit", "editing", waits=False, min_interval_s=0.05)
#: From this many clips on a batch runs as a job with progress; below, it is instant.
JOB_MIN_CLIPS = 200
CENTRE_CROP_LABEL = "Centre crop"

Batch = Callable[[Project], Generator[Progress, None, BatchOutcome]]


class ReviewHost(Protocol):
    """What a batch needs of the review actions (:class:`ReviewActions` is one)."""

    shell: Shell
    session: ProjectSession
    jobs: JobQueue
    cut_drop: int

    def flush_player_edits(self) -> None: ...

    def apply_edit(self, label: str, action: Callable[[Project], object]) -> bool: ...

    def update_actions(self, *_args: object) -> None: ...


class BatchEdits:
    """Runs a batch edit for the review actions, inline or as a job by the selection's size."""

    def __init__(self, actions: ReviewHost) -> None:
        self.actions = actions
        self.job_min_clips = JOB_MIN_CLIPS
        self.last: BatchOutcome | None = None  # the last batch's outcome (scripts, tests)

    def split_at_cuts(self, clip_ids: list[int]) -> bool:
        """Split every selected clip at the cuts the analysis found in it."""
        rows = {r.clip.id: r for r in self.actions.session.clip_model.rows() if r.clip is not None}
        chosen = [rows[i] for i in clip_ids if i in rows]
        points = {
            r.clip.id: list(r.result.metrics.cuts)
            for r in chosen
            if r.clip is not None and r.result is not None and r.result.metrics.cuts
        }
        if not points:
            unanalysed = any(r.result is None for r in chosen)
            why = "analyse the project first" if unanalysed else "the selected clips have no cuts"
            self.actions.shell.show_message(f"Split at cuts: {why}.", 6000)
            return False
        drop = self.actions.cut_drop
        return self._run(
            len(points), "Split at cuts", lambda p: split_many(p, points, drop), _split_text
        )

    def centre_crop(self, clip_ids: list[int]) -> bool:
        """Give every selected clip the largest centred crop of the training ratio."""
        if not clip_ids:
            return False
        ids = list(clip_ids)
        return self._run(
            len(ids),
            CENTRE_CROP_LABEL,
            lambda p: crop_many(p, centre_crops(p, ids), CENTRE_CROP_LABEL),
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
            outcome: BatchOutcome | None = None

            def apply(project: Project) -> None:
                nonlocal outcome
                outcome = _drain(batch(project))

            if not actions.apply_edit(title, apply) or outcome is None:
                return False
            self._done(outcome, text)
            return True
        path = session.project.path
        worker = actions.jobs.submit(
            BATCH,
            lambda: _batch_job(path, batch),
            text=f"{title.lower()}: {size} clips\u2026",
            on_finished=lambda o: self._job_done(title, o, text),
            on_failed=lambda m: self._job_ended(f"{title} stopped: {m}"),
            on_cancelled=lambda: self._job_ended(f"{title} cancelled; nothing was changed."),
        )
        return worker is not None

    def _done(self, outcome: BatchOutcome, text: Callable[[BatchOutcome], str]) -> None:
        self.last = outcome
        self.actions.shell.show_message(text(outcome), 5000)

    def _job_done(
        self, title: str, outcome: BatchOutcome, text: Callable[[BatchOutcome], str]
    ) -> None:
        session = self.actions.session
        session.refresh()
        self.actions.update_actions()
        session.edited.emit(title)
        self._done(outcome, text)

    def _job_ended(self, message: str) -> None:
        self.actions.session.refresh()
        self.actions.shell.show_message(message, 8000)


def _split_text(outcome: BatchOutcome) -> str:
    made = len(outcome.created)
    return f"Split {outcome.label} at cuts into {made + len(outcome.changed)} clips"


def _drain(job: Generator[Progress, None, Any]) -> Any:
    while True:
        try:
            next(job)
        except StopIteration as stop:
            return stop.value


def _batch_job(path: Path, batch: Batch) -> Generator[Progress, None, BatchOutcome]:
    """The batch on the job's own connection, then re-flagging (frames or sizes changed)."""
    with Project.open(path) as project:
        outcome = yield from batch(project)
        if outcome.changed:
            reflag(project)
        return outcome

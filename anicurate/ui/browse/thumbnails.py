"""Makes the clips' own thumbnails in the background (after a split or a trim), through the one
job queue, and has the browser repaint them once stored; the core decides which are missing."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject

from anicurate.core.project.thumbnails import make_clip_thumbnails, missing_clip_thumbnails
from anicurate.ui.jobs import JobKind, JobQueue
from anicurate.ui.session import ProjectSession

THUMBNAILS = JobKind("thumbnails", "making thumbnails", min_interval_s=0.1)


class ClipThumbnails(QObject):
    """Starts a thumbnail job whenever the clips changed and some clip lacks its own picture,
    once no other writer runs; each clip is tried once per opened project."""

    def __init__(self, session: ProjectSession, jobs: JobQueue) -> None:
        super().__init__(session)
        self.setObjectName("clipThumbnails")
        self.session, self.jobs = session, jobs
        self._tried: set[int] = set()  # clip ids a job was started for
        session.project_changed.connect(self._on_project_changed)
        session.clips_changed.connect(self.start)
        jobs.changed.connect(self.start)

    def _on_project_changed(self, _path: object) -> None:
        self._tried.clear()
        self.start()

    def start(self) -> bool:
        """Submit a job for the clips still missing a thumbnail; False when none is needed or
        another writer runs (it starts once that one ends)."""
        project = self.session.project
        if project is None or self.jobs.is_busy(THUMBNAILS.name):
            return False
        if self.jobs.blocker(THUMBNAILS) is not None or self.jobs.is_busy():
            return False
        shown = [(r.clip, r.source) for r in self.session.clip_model.rows() if r.clip is not None]
        todo = [i for i in missing_clip_thumbnails(project, shown) if i not in self._tried]
        if not todo:
            return False
        self._tried.update(todo)
        path = project.path
        return (
            self.jobs.submit(
                THUMBNAILS,
                lambda: make_clip_thumbnails(path, todo),
                on_finished=self._on_finished,
                on_failed=self._on_failed,
                on_cancelled=self.session.clip_model.thumbnails_updated,
            )
            is not None
        )

    def _on_finished(self, _made: Any) -> None:
        self.session.clip_model.thumbnails_updated()

    def _on_failed(self, message: str) -> None:
        self.session.clip_model.thumbnails_updated()
        self.session.message.emit(f"Thumbnails: {message}", 6000)

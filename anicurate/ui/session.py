"""The open project of the window: :class:`ProjectSession` owns the one core :class:`Project`
(GUI thread only), opens, closes and re-reads it into the clip and problem models, and says so
by signals. The shell and every feature talk to it, never to each other.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from anicurate.core.errors import AnicurateError
from anicurate.core.listing import Listing, read_listing
from anicurate.core.project import Project
from anicurate.ui.browse.clip_model import ClipListModel
from anicurate.ui.browse.problems import ProblemListModel, problems_from
from anicurate.ui.common.messages import describe_error
from anicurate.ui.common.settings import AppSettings

log = logging.getLogger(__name__)

PROJECT_SUFFIX = ".anicurate"
PROJECT_FILTER = "anicurate projects (*.anicurate)"
REFRESH_INTERVAL_MS = 300  # shortest pause between re-reads of the clip list during an import


class ProjectSession(QObject):
    """The open project, its clip and problem models, and what happens to it.

    ``interactive=False`` (tests, scripts) only changes what listeners do with
    :attr:`error_reported`: the shell shows a dialog when interactive.
    """

    project_changed = Signal(object)  # Path | None: a project was opened or closed
    closing_project = Signal()  # the open project is about to close: save or stop what uses it
    clips_changed = Signal()  # the models were re-read from the catalogue
    edited = Signal(str)  # an edit (or undo/redo) was saved; its label
    reflagged = Signal()  # flags were recomputed from stored signals (thresholds, settings)
    error_reported = Signal(str, str)  # title, message for a person
    message = Signal(str, int)  # a line for the status bar and its timeout in ms

    def __init__(
        self, settings: AppSettings, *, interactive: bool = True, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("projectSession")
        self.settings = settings
        self.interactive = interactive
        self.project: Project | None = None
        self.clip_model = ClipListModel(self)
        self.problem_model = ProblemListModel(self)
        # Files the last import could not read, (path, message), for the Problems list.
        self.import_failures: list[tuple[str, str]] = []
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_INTERVAL_MS)
        self._refresh_timer.timeout.connect(self.refresh)

    @property
    def path(self) -> Path | None:
        return self.project.path if self.project is not None else None

    def open(self, path: Path, *, create: bool = False) -> bool:
        """Open (with ``create``: make) the project at ``path``; False after a reported error.

        The open project is closed only once the new one is open: a failed open changes nothing.
        """
        path = Path(path)
        if create and path.suffix != PROJECT_SUFFIX:
            path = path.with_name(path.name + PROJECT_SUFFIX)
        if not create and not path.is_file():
            self.report_error("Cannot open project", f"There is no project file at {path}.")
            self.settings.remove_recent(path)
            return False
        try:
            project = Project.open(path, create=create)
        except (AnicurateError, OSError) as err:
            self.report_error("Cannot open project", describe_error(err))
            return False
        started = time.perf_counter()
        try:  # a damaged file fails here, before any view is reset; damaged rows do not
            listing = read_listing(project)
        except AnicurateError as err:
            project.close()
            self.report_error("Cannot open project", describe_error(err))
            return False
        self._close_quietly()
        self.project = project
        self.import_failures = []
        self.clip_model.set_project(project, listing.rows)
        self.settings.add_recent(project.path)
        self.settings.set_last_dir(project.path.parent)
        self._show(listing, started)
        self.message.emit(f"Opened {project.path}", 5000)
        self.project_changed.emit(project.path)
        return True

    def close(self) -> None:
        """Close the open project (its jobs stop first) and say so."""
        if self.project is None:
            return
        self._close_quietly()
        self.project_changed.emit(None)

    def _close_quietly(self) -> None:
        if self.project is None:
            return
        self.closing_project.emit()
        self._refresh_timer.stop()
        self.clip_model.set_project(None)
        self.problem_model.set_problems([])
        try:
            self.project.close()
        except AnicurateError as err:  # nothing unsaved: every edit is its own transaction
            log.warning("closing project: %s", err)
        self.project = None

    def refresh(self) -> None:
        """Re-read clips and problems from the catalogue (cheap: only differences reach views)."""
        self._refresh_timer.stop()
        if self.project is None:
            return
        started = time.perf_counter()
        try:
            listing = read_listing(self.project)
        except AnicurateError as err:
            self.report_error("Cannot read the project", describe_error(err))
            return
        self.clip_model.refresh(listing.rows)
        self._show(listing, started)

    def _show(self, listing: Listing, started: float) -> None:
        """Problems from ``listing`` (its rows are in the clip model already), and the next
        automatic re-read's interval from what reading it cost since ``started``."""
        errors, damage = listing.errors, listing.damage
        self.problem_model.set_problems(problems_from(errors, self.import_failures, damage))
        # Re-read at most ~1/5 of the time during an import: big catalogues refresh less often.
        cost_ms = int((time.perf_counter() - started) * 1000)
        self._refresh_timer.setInterval(max(REFRESH_INTERVAL_MS, 5 * cost_ms))
        self.clips_changed.emit()

    def schedule_refresh(self) -> None:
        """Re-read the catalogue soon (during a job), unless a re-read is already due."""
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def report_error(self, title: str, message: str) -> None:
        """Tell the user (the shell shows it); logged as a warning."""
        log.warning("%s: %s", title, message)
        self.error_reported.emit(title, message)

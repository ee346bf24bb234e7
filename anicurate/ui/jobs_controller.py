"""The window's background jobs: imports (queued while one runs) and the analysis that starts by
itself after them, reported in the status bar's job area with a Cancel button.

Only the window's public members are used (``project``, ``pool``, ``make_import_job``,
``make_analysis_job``, ``ask_new_project_path``, ``open_project``, ``statusBar()``, ``refresh``,
``schedule_refresh``, ``update_actions``, ``reload_timeline``, ``report_error``,
``problems_dock`` and the import/analysis signals).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from anicurate.core.jobs import Progress
from anicurate.ui.common.messages import import_summary_text, progress_text
from anicurate.ui.common.progress import JobStatusWidget
from anicurate.ui.workers import JobWorker

if TYPE_CHECKING:
    from anicurate.ui.main_window import MainWindow


class JobsController(QObject):
    """Runs one import or analysis at a time for a :class:`MainWindow`; adds the job area."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("jobsController")
        self.window = window
        self.job: JobWorker | None = None
        self._job_last: Progress | None = None
        self._pending_imports: list[list[Path]] = []
        self.analysis_wanted = False
        # Files the last import could not read, (path, message), for the Problems list.
        self.last_failed: list[tuple[str, str]] = []
        self.job_status = JobStatusWidget()
        window.statusBar().addWidget(self.job_status, 1)
        self.job_status.cancel_requested.connect(self.cancel)

    # -- importing ---------------------------------------------------------------------------

    def import_paths(self, paths: Sequence[Path]) -> JobWorker | None:
        """Import files and folders in the background; returns the started worker.

        Without a project, one is created where the window's ``ask_new_project_path`` says
        (None aborts). While another import runs the paths are queued and None is returned.
        """
        window = self.window
        paths = [Path(p) for p in paths]
        if not paths:
            return None
        if window.project is None:
            target = window.ask_new_project_path(paths)
            if target is None or not window.open_project(target, create=True):
                window.statusBar().showMessage("Nothing imported: no project to import into.", 5000)
                return None
        assert window.project is not None
        if self.job is not None:
            self._pending_imports.append(paths)
            window.statusBar().showMessage(
                f"Queued {len(paths)} item(s); they import when the current import is done.", 4000
            )
            return None
        worker = JobWorker(window.make_import_job(window.project.path, paths), name="import")
        signals = worker.signals
        signals.progress.connect(functools.partial(self._on_job_progress, worker, "importing"))
        signals.finished.connect(functools.partial(self._on_import_finished, worker))
        signals.failed.connect(functools.partial(self._on_import_failed, worker))
        signals.cancelled.connect(functools.partial(self._on_import_cancelled, worker))
        self.job = worker
        self._job_last = None
        window.statusBar().clearMessage()
        self.job_status.begin("importing: looking for files\u2026")
        window.update_actions()
        window.import_started.emit(worker)  # before start: listeners may connect to its signals
        worker.start(window.pool)
        return worker

    def cancel(self) -> None:
        """Stop the running import (or analysis) after its current file; what was done stays."""
        self._pending_imports.clear()
        self.analysis_wanted = False
        if self.job is not None:
            self.job.cancel()

    # -- analysing ---------------------------------------------------------------------------

    def start_analysis(self) -> JobWorker | None:
        """Analyse the project's files that have no current analysis, in the background.

        While another job runs the analysis is queued and None is returned.
        """
        window = self.window
        if window.project is None:
            return None
        if self.job is not None:
            self.analysis_wanted = True
            return None
        self.analysis_wanted = False
        worker = JobWorker(
            window.make_analysis_job(window.project.path), name="analysis", min_interval_s=0.1
        )
        signals = worker.signals
        signals.progress.connect(functools.partial(self._on_job_progress, worker, "analysing"))
        signals.finished.connect(functools.partial(self._on_analysis_finished, worker))
        signals.failed.connect(functools.partial(self._on_analysis_failed, worker))
        signals.cancelled.connect(functools.partial(self._on_analysis_cancelled, worker))
        self.job = worker
        self._job_last = None
        self.job_status.begin("analysing: looking for new files\u2026")
        window.update_actions()
        window.analysis_started.emit(worker)  # before start: listeners may connect to its signals
        worker.start(window.pool)
        return worker

    def _on_analysis_finished(self, worker: JobWorker, result: Any) -> None:
        if worker is not self.job:
            return
        window = self.window
        self._end_job()
        window.reload_timeline()
        analysed, failed = int(result.analysed), list(result.failed)
        flagged = sum(1 for r in result.results.values() if r.flags)
        if analysed or failed:
            text = f"Analysis finished: {analysed} file{'' if analysed == 1 else 's'} analysed"
            text += f", {flagged} clip{'' if flagged == 1 else 's'} flagged"
            text += f", {len(failed)} failed" if failed else ""
            window.statusBar().showMessage(text)
        window.analysis_ended.emit("finished")
        self._start_pending()

    def _on_analysis_failed(self, worker: JobWorker, message: str) -> None:
        if worker is not self.job:
            return
        self._end_job()
        self.window.report_error("Analysis stopped", f"{message}\nWhat was analysed before stays.")
        self.window.analysis_ended.emit("failed")
        self._start_pending()

    def _on_analysis_cancelled(self, worker: JobWorker) -> None:
        if worker is not self.job:
            return
        window = self.window
        self._end_job()
        window.reload_timeline()
        window.statusBar().showMessage(
            "Analysis cancelled; the files it finished keep their results."
        )
        window.analysis_ended.emit("cancelled")
        self._start_pending()

    # -- reports -----------------------------------------------------------------------------

    def _on_job_progress(self, worker: JobWorker, verb: str, progress: Progress) -> None:
        if worker is not self.job:
            return
        self._job_last = progress
        self.job_status.update_progress(progress, progress_text(verb, progress))
        if progress.done:
            self.window.schedule_refresh()

    def _on_import_finished(self, worker: JobWorker, summary: Any) -> None:
        if worker is not self.job:
            return
        window = self.window
        self.last_failed = [(str(p), str(m)) for p, m in summary.failed]
        self._end_job()
        window.statusBar().showMessage(import_summary_text(summary))
        if summary.failed:
            window.problems_dock.show()
            window.problems_dock.raise_()
        window.import_ended.emit("finished")
        if not self._pending_imports:
            self.analysis_wanted = True  # analysis starts by itself once the imports are done
        self._start_pending()

    def _on_import_failed(self, worker: JobWorker, message: str) -> None:
        if worker is not self.job:
            return
        self._pending_imports.clear()
        self._end_job()
        self.window.report_error(
            "Import stopped", f"{message}\nFiles imported before this stay in the project."
        )
        self.window.import_ended.emit("failed")

    def _on_import_cancelled(self, worker: JobWorker) -> None:
        if worker is not self.job:
            return
        last = self._job_last
        self._end_job()
        done = f" after {last.done} of {last.total} files" if last and last.total else ""
        self.window.statusBar().showMessage(f"Import cancelled{done}; what was imported is kept.")
        self.window.import_ended.emit("cancelled")

    # -- the queue ---------------------------------------------------------------------------

    def _end_job(self) -> None:
        self.job = None
        self._job_last = None
        self.job_status.end()
        self.window.update_actions()
        self.window.refresh()

    def _start_pending(self) -> None:
        if self.job is not None or self.window.project is None:
            return
        if self._pending_imports:
            self.import_paths(self._pending_imports.pop(0))
        elif self.analysis_wanted:
            self.start_analysis()

    def stop(self) -> None:
        """Cancel the running job and wait for its thread (bounded by one file's work)."""
        self._pending_imports.clear()
        self.analysis_wanted = False
        job = self.job
        if job is None:
            return
        job.cancel()
        self.window.pool.waitForDone(30_000)
        self.job = None  # its queued signals are ignored from now on
        self._job_last = None
        self.job_status.end()
        self.window.update_actions()

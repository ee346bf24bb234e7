"""Importing files into the project and the analysis that starts by itself after the imports,
run through the :class:`~anicurate.ui.jobs.JobQueue` (imports queue behind a running writer).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from anicurate.core.analysis import analyze_project, flags_outdated, reflag_project
from anicurate.core.jobs import Progress
from anicurate.core.media.formats import MEDIA_EXTENSIONS
from anicurate.core.project import import_paths as core_import_paths
from anicurate.ui.common.messages import import_summary_text
from anicurate.ui.jobs import ANALYSIS, IMPORT, Job, JobQueue, JobWorker
from anicurate.ui.session import PROJECT_FILTER, PROJECT_SUFFIX, ProjectSession


def analysis_workers() -> int:
    """Decoding processes for a background analysis: leave a core for the window."""
    return max(1, min(4, (os.cpu_count() or 2) - 1))


def analysis_job(path: Path, cluster: str) -> Job:
    """Analyse the project here, or on the Ray cluster at ``cluster`` when one is set."""
    if not cluster:
        return analyze_project(path, workers=analysis_workers())
    return _on_cluster(path, cluster)


def _on_cluster(path: Path, cluster: str) -> Generator[Progress, None, object]:
    yield Progress(0, 0, f"connecting to the Ray cluster at {cluster}")
    from anicurate.core.distributed import analysis_runner

    return (yield from analyze_project(path, runner=analysis_runner(cluster)))


class ImportController(QObject):
    """Imports (queued while one runs) and the analysis after them, for one session."""

    import_started = Signal(object)  # JobWorker
    import_ended = Signal(str)  # "finished" | "failed" | "cancelled"
    analysis_started = Signal(object)  # JobWorker
    analysis_ended = Signal(str)  # "finished" | "failed" | "cancelled"
    failures_found = Signal()  # the last import could not read some files (see Problems)
    analysed = Signal()  # an analysis ended: stored signals changed

    def __init__(self, session: ProjectSession, jobs: JobQueue) -> None:
        super().__init__(session)
        self.setObjectName("importController")
        self.session = session
        self.jobs = jobs
        # Where to create a project for files dropped without one (None: nothing is imported);
        # the shell sets a dialog, tests a function.
        self.ask_new_project_path: Callable[[Sequence[Path]], Path | None] = lambda _p: None
        # The core jobs; tests and the screenshot tool wrap them (e.g. to pause).
        self.make_import_job: Callable[[Path, Sequence[Path]], Job] = core_import_paths
        self.make_analysis_job: Callable[[Path], Job] = lambda path: analysis_job(
            path, session.settings.cluster_address()
        )
        self._last: Progress | None = None
        self._waiting_paths: list[Path] = []
        jobs.started.connect(self._announce)

    def _announce(self, worker: JobWorker) -> None:
        if worker.name == IMPORT.name:
            self.import_started.emit(worker)
        elif worker.name == ANALYSIS.name:
            self.analysis_started.emit(worker)

    def _on_progress(self, progress: Progress) -> None:
        self._last = progress
        if progress.done:
            self.session.schedule_refresh()

    # -- importing ---------------------------------------------------------------------------

    def import_paths(self, paths: Sequence[Path]) -> JobWorker | None:
        """Import files and folders in the background; returns the started worker.

        Without a project, one is created where :attr:`ask_new_project_path` says (None aborts).
        While another writer runs the paths wait and None is returned.
        """
        session = self.session
        paths = [Path(p) for p in paths]
        if not paths:
            return None
        if session.project is None:
            target = self.ask_new_project_path(paths)
            if target is None or not session.open(target, create=True):
                session.message.emit("Nothing imported: no project to import into.", 5000)
                return None
        assert session.project is not None
        project_path = session.project.path
        if self.jobs.is_waiting(IMPORT.name):
            # One import waits at a time: it takes these paths too.
            self._waiting_paths.extend(paths)
            return None
        self._waiting_paths = paths
        return self.jobs.submit(
            IMPORT,
            lambda: self.make_import_job(project_path, self._take_waiting()),
            text="importing: looking for files\u2026",
            on_progress=self._on_progress,
            on_finished=self._on_import_finished,
            on_failed=self._on_import_failed,
            on_cancelled=self._on_import_cancelled,
        )

    def _take_waiting(self) -> list[Path]:
        self._last = None
        paths, self._waiting_paths = self._waiting_paths, []
        return paths

    def _on_import_finished(self, summary: Any) -> None:
        self.session.import_failures = [(str(p), str(m)) for p, m in summary.failed]
        self.session.refresh()
        self.session.message.emit(import_summary_text(summary), 0)
        if summary.failed:
            self.failures_found.emit()
        self.import_ended.emit("finished")
        if not self.jobs.is_waiting(IMPORT.name):
            self.start_analysis()  # the analysis starts by itself once the imports are done

    def _on_import_failed(self, message: str) -> None:
        self.jobs.cancel(IMPORT.name)  # drop the imports waiting behind it
        self.session.refresh()
        self.session.report_error(
            "Import stopped", f"{message}\nFiles imported before this stay in the project."
        )
        self.import_ended.emit("failed")

    def _on_import_cancelled(self) -> None:
        last = self._last
        self.session.refresh()
        done = f" after {last.done} of {last.total} files" if last and last.total else ""
        self.session.message.emit(f"Import cancelled{done}; what was imported is kept.", 0)
        self.import_ended.emit("cancelled")

    # -- analysing ---------------------------------------------------------------------------

    def start_analysis(self) -> JobWorker | None:
        """Analyse the project's files that have no current analysis, in the background.

        While another writer runs the analysis waits and None is returned.
        """
        project = self.session.project
        if project is None:
            return None
        path = project.path
        return self._submit(lambda: self.make_analysis_job(path), "looking for new files")

    def reflag_if_outdated(self) -> JobWorker | None:
        """Bring the open project's flags up to this version's detector (stored signals only,
        seconds for thousands of clips), so that an update never leaves clips looking
        unanalysed; None when they are current."""
        project = self.session.project
        if project is None or not flags_outdated(project):
            return None
        path = project.path
        return self._submit(lambda: reflag_project(path), "updating flags for this version")

    def _submit(self, make: Callable[[], Job], doing: str) -> JobWorker | None:
        """Queue an analysis job; its progress and end are reported as every analysis's."""
        return self.jobs.submit(
            ANALYSIS,
            make,
            text=f"analysing: {doing}\u2026",
            on_progress=self._on_progress,
            on_finished=self._on_analysis_finished,
            on_failed=self._on_analysis_failed,
            on_cancelled=self._on_analysis_cancelled,
        )

    def _on_analysis_finished(self, result: Any) -> None:
        self.session.refresh()
        self.analysed.emit()
        analysed, failed = int(result.analysed), list(result.failed)
        flagged = sum(1 for r in result.results.values() if r.flags)
        if analysed or failed:
            text = f"Analysis finished: {analysed} file{'' if analysed == 1 else 's'} analysed"
            text += f", {flagged} clip{'' if flagged == 1 else 's'} flagged"
            text += f", {len(failed)} failed" if failed else ""
            self.session.message.emit(text, 0)
        self.analysis_ended.emit("finished")

    def _on_analysis_failed(self, message: str) -> None:
        self.session.refresh()
        self.session.report_error("Analysis stopped", f"{message}\nWhat was analysed before stays.")
        self.analysis_ended.emit("failed")

    def _on_analysis_cancelled(self) -> None:
        self.session.refresh()
        self.analysed.emit()
        self.session.message.emit(
            "Analysis cancelled; the files it finished keep their results.", 0
        )
        self.analysis_ended.emit("cancelled")


def suggest_project_path(paths: Sequence[Path]) -> Path:
    """Where to offer a new project for dropped files: next to the first folder, named after it."""
    first = paths[0]
    folder = first if first.is_dir() else first.parent
    return folder.parent / f"{folder.name or 'clips'}{PROJECT_SUFFIX}"


def ask_new_project_path(parent: QWidget, paths: Sequence[Path]) -> Path | None:
    """Ask where to create a project for files dropped without one (None: cancelled)."""
    path, _ = QFileDialog.getSaveFileName(
        parent, "Create a project for the dropped files", str(suggest_project_path(paths)),
        PROJECT_FILTER,
    )  # fmt: skip
    return Path(path) if path else None


def import_files_dialog(parent: QWidget, imports: ImportController) -> None:
    """Ask for media files and import them."""
    settings = imports.session.settings
    patterns = " ".join(f"*{ext}" for ext in sorted(MEDIA_EXTENSIONS))
    files, _ = QFileDialog.getOpenFileNames(
        parent, "Import files", str(settings.last_dir()),
        f"Media files ({patterns});;All files (*)",
    )  # fmt: skip
    if files:
        settings.set_last_dir(Path(files[0]).parent)
        imports.import_paths([Path(f) for f in files])


def import_folder_dialog(parent: QWidget, imports: ImportController) -> None:
    """Ask for a folder and import every media file in it and its subfolders."""
    settings = imports.session.settings
    folder = QFileDialog.getExistingDirectory(
        parent, "Import folder (with subfolders)", str(settings.last_dir())
    )
    if folder:
        settings.set_last_dir(Path(folder))
        imports.import_paths([Path(folder)])

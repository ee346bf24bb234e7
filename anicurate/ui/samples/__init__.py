"""Compare training runs in the window: Tools ▸ Compare Samples opens the samples workspace
(prompts x runs, synchronised playback, verdicts, Trace to the clips behind a prompt)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QVBoxLayout, QWidget

from anicurate.core.errors import AnicurateError
from anicurate.core.samples import (
    Sample,
    SampleImport,
    import_samples,
    samples,
    set_verdict,
    trace,
    write_ab_set,
)
from anicurate.ui.common.actions import make_action
from anicurate.ui.common.messages import describe_error
from anicurate.ui.jobs import JobQueue
from anicurate.ui.samples.workspace import SampleCell, SamplesWorkspace
from anicurate.ui.session import ProjectSession
from anicurate.ui.shell import Shell

__all__ = ["SampleCell", "SamplesUi", "SamplesWorkspace", "install"]


class SamplesUi(QObject):
    """The workspace window and its actions; made by :func:`install`."""

    def __init__(self, shell: Shell, session: ProjectSession, jobs: JobQueue) -> None:
        super().__init__(shell.widget())
        self.setObjectName("samplesUi")
        self.shell, self.session, self.jobs = shell, session, jobs
        self.window = QWidget(shell.widget(), Qt.WindowType.Window)
        self.window.setWindowTitle("Compare Samples")
        self.window.resize(1100, 700)
        self.workspace = SamplesWorkspace()
        QVBoxLayout(self.window).addWidget(self.workspace)
        self.act_compare = make_action(
            shell.widget(), "Compare &Samples\u2026", self.show, None,
            "Import the trainer's sample videos and compare runs, prompt by prompt",
        )  # fmt: skip
        shell.menu("tools").addAction(self.act_compare)
        self.workspace.import_requested.connect(self.import_dialog)
        self.workspace.ab_requested.connect(self.ab_dialog)
        self.workspace.verdict_changed.connect(self.save_verdict)
        self.workspace.trace_requested.connect(self.trace)
        self.workspace.open_clip_requested.connect(self.open_clip)
        session.project_changed.connect(lambda _p: self.reload())
        shell.closing.connect(self.window.close)
        self.reload()

    def show(self) -> None:
        self.reload()
        self.window.show()
        self.window.raise_()

    def reload(self) -> None:
        """Re-read the project's samples into the grid."""
        project = self.session.project
        self.act_compare.setEnabled(project is not None)
        if project is None:
            self.workspace.set_samples([], "")
            self.window.hide()
            return
        try:
            self.workspace.set_samples(samples(project), project.settings().trigger_tag)
        except AnicurateError as err:
            self.session.report_error("Cannot read the samples", describe_error(err))

    def import_run(self, folder: Path, run: str, prompt_file: Path | None = None
                   ) -> SampleImport | None:  # fmt: skip
        project = self.session.project
        if project is None:
            return None
        try:
            report = import_samples(project, folder, run, prompt_file)
        except AnicurateError as err:
            self.session.report_error("Cannot import samples", describe_error(err))
            return None
        self.shell.show_message("; ".join(report.summary_lines()), 8000)
        self.reload()
        return report

    def import_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, "Sample Folder of a Run")
        if not folder:
            return
        ask = "A label for this run (e.g. base, fine-tuned):"
        run, ok = QInputDialog.getText(self.window, "Run", ask, text=Path(folder).name)
        if ok and run.strip():
            self.import_run(Path(folder), run)

    def save_verdict(self, sample_id: int, verdict: str, note: str) -> None:
        project = self.session.project
        if project is None:
            return
        try:
            set_verdict(project, sample_id, verdict, note)
        except AnicurateError as err:
            self.session.report_error("Cannot save the verdict", describe_error(err))

    def trace(self, sample: Sample) -> None:
        project = self.session.project
        if project is None:
            return
        try:
            hits = trace(project, sample.prompt)
        except AnicurateError as err:
            self.session.report_error("Cannot trace the prompt", describe_error(err))
            return
        self.workspace.show_trace(sample, hits)

    def open_clip(self, clip_id: int) -> bool:
        """Make ``clip_id`` the browser's current clip (and so the player's)."""
        browser = self.shell.browser
        if not browser.select_clip(clip_id):
            self.shell.filter_edit.clear()  # a filter may hide it
            if not browser.select_clip(clip_id):
                return False
        self.shell.widget().raise_()
        self.shell.widget().activateWindow()
        return True

    def ab_dialog(self) -> None:
        project = self.session.project
        if project is None:
            return
        config, _ = QFileDialog.getOpenFileName(
            self.window, "Trainer Config to Fill (Cancel: only the text file)", "",
            "Trainer config (*.yaml *.yml)",
        )  # fmt: skip
        out = QFileDialog.getExistingDirectory(self.window, "Folder for the A/B Prompt Set")
        if not out:
            return
        prompts = list(dict.fromkeys(s.prompt for s in self.workspace.samples))
        try:
            written = write_ab_set(out, prompts, project.settings().trigger_tag, config or None)
        except AnicurateError as err:
            self.session.report_error("Cannot write the prompt set", describe_error(err))
            return
        self.shell.show_message(f"Wrote {len(written)} files in {out}", 8000)


def install(shell: Shell, session: ProjectSession, jobs: JobQueue) -> SamplesUi:
    """Add Tools ▸ Compare Samples and its workspace window (once)."""
    found = shell.widget().findChild(SamplesUi, "samplesUi")
    return found if isinstance(found, SamplesUi) else SamplesUi(shell, session, jobs)

"""Sentence captions in the window: File ▸ Import Captions (a caption file or a folder of them)
and Tags ▸ Describe Clips (a vision-language model the user runs, as a job of the queue)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from anicurate.core.captions.describe import (
    DEFAULT_INSTRUCTION,
    DescribeOptions,
    DescribeSummary,
    describe_project,
)
from anicurate.core.captions.importer import ImportReport, import_captions
from anicurate.core.errors import AnicurateError
from anicurate.ui.common.actions import make_action
from anicurate.ui.common.messages import describe_error, progress_text
from anicurate.ui.jobs import JobKind, JobQueue, JobWorker
from anicurate.ui.session import ProjectSession
from anicurate.ui.shell import Shell

DESCRIBE = JobKind("describe", "describing", waits=False, min_interval_s=0.1)
CAPTION_FILTER = "Caption files (*.json *.jsonl *.txt);;All files (*)"
UNMATCHED_SHOWN = 20


def report_text(report: ImportReport) -> str:
    """The import's summary lines, then what did not match and what could not be read."""
    lines = list(report.summary_lines())
    if report.unmatched:
        lines += ["", "Not matched to any source:"]
        lines += [f"  {media}: {why}" for media, why in report.unmatched[:UNMATCHED_SHOWN]]
        if len(report.unmatched) > UNMATCHED_SHOWN:
            lines.append(f"  \u2026 and {len(report.unmatched) - UNMATCHED_SHOWN} more")
    if report.errors:
        lines += ["", "Unreadable:"] + [f"  {f}: {m}" for f, m in report.errors[:UNMATCHED_SHOWN]]
    return "\n".join(lines)


class DescribeDialog(QDialog):
    """Where the model runs and what to ask it; remembered between sessions."""

    def __init__(self, parent: QWidget, store: QSettings) -> None:
        super().__init__(parent)
        self.setWindowTitle("Describe Clips")
        self.store = store
        form = QFormLayout(self)
        self.url = QLineEdit(str(store.value("describe/url", "http://127.0.0.1:8080/v1")))
        self.url.setToolTip("An OpenAI-compatible server: llama.cpp, Ollama, vLLM, LM Studio")
        self.model = QLineEdit(str(store.value("describe/model", "")))
        self.instruction = QPlainTextEdit(str(store.value("describe/instruction",
                                                          DEFAULT_INSTRUCTION)))  # fmt: skip
        self.instruction.setMaximumHeight(90)
        self.concurrency = QSpinBox()
        self.concurrency.setRange(1, 32)
        self.concurrency.setValue(int(store.value("describe/concurrency", 2)))  # type: ignore[call-overload]
        self.missing_only = QCheckBox("Only clips without a sentence")
        self.missing_only.setChecked(True)
        form.addRow("Server URL", self.url)
        form.addRow("Model", self.model)
        form.addRow("Instruction", self.instruction)
        form.addRow("Requests at once", self.concurrency)
        form.addRow("", self.missing_only)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Describe")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def options(self) -> DescribeOptions:
        """The options as typed (and remembered for next time)."""
        for key, value in (("url", self.url.text().strip()), ("model", self.model.text().strip()),
                           ("instruction", self.instruction.toPlainText().strip()),
                           ("concurrency", self.concurrency.value())):  # fmt: skip
            self.store.setValue(f"describe/{key}", value)
        return DescribeOptions(
            url=self.url.text().strip(), model=self.model.text().strip(),
            instruction=self.instruction.toPlainText().strip() or DEFAULT_INSTRUCTION,
            concurrency=self.concurrency.value(), missing_only=self.missing_only.isChecked(),
        )  # fmt: skip


class CaptionsUi(QObject):
    """The caption actions; made by the tagging feature, so it shares its dock and menu."""

    def __init__(self, shell: Shell, session: ProjectSession, jobs: JobQueue) -> None:
        super().__init__(shell.widget())
        self.setObjectName("captionsUi")
        self.shell, self.session, self.jobs = shell, session, jobs
        self.last_report: ImportReport | None = None
        self.last_summary: DescribeSummary | None = None
        window = shell.widget()
        self.act_import = make_action(window, "Import &Captions\u2026", self.import_file_dialog,
                                      None, "Import sentence captions from a Video-BLIP2 JSON, "
                                      "a JSONL file or a .txt sidecar")  # fmt: skip
        self.act_import_folder = make_action(
            window, "Import Captions from Fol&der\u2026", self.import_folder_dialog, None,
            "Import every caption file in a folder (.txt beside the media, JSON, JSONL)",
        )  # fmt: skip
        self.act_describe = make_action(
            window, "&Describe Clips\u2026", self.describe_dialog, None,
            "Ask a vision-language model you run (OpenAI-compatible server) for a sentence "
            "per selected clip (or all)",
        )  # fmt: skip
        shell.menu("file").addActions([self.act_import, self.act_import_folder])
        shell.menu("tags").addSeparator()
        shell.menu("tags").addAction(self.act_describe)
        session.project_changed.connect(self._update_actions)
        jobs.changed.connect(self._update_actions)
        self._update_actions()

    def _update_actions(self, *_args: object) -> None:
        has = self.session.project is not None
        for action in (self.act_import, self.act_import_folder):
            action.setEnabled(has)
        self.act_describe.setEnabled(has and not self.jobs.is_busy(DESCRIBE.name))

    # -- import ------------------------------------------------------------------------------

    def import_file_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.shell.widget(), "Import Captions", "",
                                              CAPTION_FILTER)  # fmt: skip
        if path:
            self.import_path(Path(path))

    def import_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.shell.widget(), "Import Captions")
        if folder:
            self.import_path(Path(folder))

    def import_path(self, path: Path) -> ImportReport | None:
        """Import the captions in ``path``, re-read the views and show the report."""
        project = self.session.project
        if project is None:
            return None
        try:
            report = import_captions(project, path)
        except AnicurateError as err:
            self.session.report_error("Cannot import captions", describe_error(err))
            return None
        self.last_report = report
        self.session.refresh()
        self.session.edited.emit("Import captions")
        self.shell.show_message(report.summary_lines()[0], 8000)
        QMessageBox.information(self.shell.widget(), "Import Captions", report_text(report))
        return report

    # -- describe ----------------------------------------------------------------------------

    def describe_dialog(self) -> None:
        dialog = DescribeDialog(self.shell.widget(), self.session.settings.store)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            options = dialog.options()
            if not options.model:
                self.session.report_error("Cannot describe clips", "Name the model to ask.")
                return
            self.describe(options, self.shell.browser.selected_clip_ids() or None)

    def describe(self, options: DescribeOptions, clip_ids: list[int] | None) -> JobWorker | None:
        """Run describe_project through the job queue (progress and Cancel in the status bar)."""
        path = self.session.path
        if path is None:
            return None
        return self.jobs.submit(
            DESCRIBE, lambda: describe_project(path, options, clip_ids),
            text="Describing clips\u2026",
            describe=lambda p: progress_text("Describing", p),
            on_progress=lambda _p: self.session.schedule_refresh(),
            on_finished=self._on_finished,
            on_failed=lambda m: self.session.report_error("Describing clips failed", m),
            on_cancelled=self.session.refresh,
        )  # fmt: skip

    def _on_finished(self, summary: Any) -> None:
        self.session.refresh()
        if isinstance(summary, DescribeSummary):
            self.last_summary = summary
            text = f"Described {summary.described} clips"
            if summary.skipped:
                text += f", {summary.skipped} already had a sentence"
            if summary.failed:
                text += f", {len(summary.failed)} failed (first: {summary.failed[0][1]})"
            self.shell.show_message(text, 10000)

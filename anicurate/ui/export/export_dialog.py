"""The export dialog: choose a trainer layout, folder, training numbers and caption template, see
what the export will write (counts, clips whose tags were trimmed to 75 CLIP tokens, the first
caption, skipped clips with reasons, warnings) before rendering, then render it as a
job with progress and Cancel, and end with a summary naming the config and manifest.

The preview is :func:`plan_export` run in the thread pool (debounced, newest request wins); the
export itself is :func:`export_project` (plan again, then render) so it always matches the
catalogue at the moment Export is pressed.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Generator
from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from anicurate.core.captions.template import CaptionTemplate, TemplateError
from anicurate.core.captions.tokens import BUDGET, count_tokens
from anicurate.core.export import (
    TARGETS,
    ExportOptions,
    ExportPlan,
    ExportResult,
    Include,
    Target,
    export_project,
    plan_export,
)
from anicurate.core.export.include import DEFAULT_INCLUDE
from anicurate.core.export.render import auto_workers
from anicurate.core.jobs import Progress
from anicurate.core.project import PRESETS, ProjectSettings
from anicurate.ui.common.messages import export_cancelled_text, export_summary_text
from anicurate.ui.export.caption_box import CaptionTemplateBox
from anicurate.ui.export.models import SkippedColumn, SkippedModel
from anicurate.ui.jobs import EXPORT, PREVIEW, Job, JobQueue, JobWorker

PREVIEW_DELAY_MS = 250  # pause after the last change before the preview is planned again

INCLUDES: dict[Include, str] = {
    Include.ACCEPTED: "Accepted clips",
    Include.UNFLAGGED: "Accepted + unreviewed without flags",
    Include.ALL: "All clips not rejected",
}
COUNT_LABELS = (
    ("chosen", "Clips chosen"),
    ("clips", "Clips exported"),
    ("files", "Files"),
    ("videos", "Videos"),
    ("stills", "Stills"),
    ("frames", "Frames"),
    ("to_render", "To render"),
    ("up_to_date", "Up to date"),
    ("skipped", "Skipped"),
    ("trimmed", "Tags trimmed"),  # clips whose tags gave way to fit 75 CLIP tokens
)

#: Plans and renders in the worker thread; the dialog's :attr:`make_job` (tests wrap it).
ExportJobFactory = Callable[[Path, ExportOptions, int], Job]


def _plan_job(project_path: Path, options: ExportOptions) -> Generator[Progress, None, ExportPlan]:
    """The preview as a job with no steps, so it runs in the pool like every other job."""
    if False:  # pragma: no cover - makes this a generator
        yield Progress(0, 0)
    return plan_export(project_path, options)


def _align_labels(*forms: QFormLayout) -> None:
    """One label column width for stacked forms, so their fields line up."""
    labels = [
        item.widget()
        for form in forms
        for row in range(form.rowCount())
        if (item := form.itemAt(row, QFormLayout.ItemRole.LabelRole)) is not None
    ]
    width = max((w.sizeHint().width() for w in labels if w is not None), default=0)
    for w in labels:
        if w is not None:
            w.setMinimumWidth(width)


class ExportDialog(QDialog):
    """Settings left, preview right, progress and the summary below; non-modal.

    ``preview_updated`` carries the new ExportPlan or an error message (str); ``export_ended``
    says how an export ended ("finished" | "failed" | "cancelled") once the dialog shows it.
    """

    preview_updated = Signal(object)  # ExportPlan | str
    caption_template_changed = Signal(object)  # CaptionTemplate, when a new one is planned
    export_started = Signal(object)  # JobWorker
    export_ended = Signal(str)

    def __init__(
        self,
        project_path: Path,
        settings: ProjectSettings,
        *,
        jobs: JobQueue | None = None,
        out_dir: Path | None = None,
        caption_template: CaptionTemplate | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export for training")
        self.project_path = Path(project_path)
        self.project_settings = settings
        self.jobs = jobs or JobQueue(parent=self)
        self.make_job: ExportJobFactory = export_project
        # Opens the export folder; tests replace it to see the URL without a file manager.
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self.plan: ExportPlan | None = None
        self.preview_error: str | None = None
        self.last_result: ExportResult | None = None
        self.job: JobWorker | None = None
        self._preview_job: JobWorker | None = None
        self._generation = 0
        self._last: Progress | None = None

        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.update_preview)

        form_box = self._build_form(out_dir)
        self.caption_box = CaptionTemplateBox()
        self.caption_box.set_template(caption_template or CaptionTemplate())
        self._remembered = self.caption_box.template()  # what the caller keeps already
        _align_labels(self.form, self.caption_box.form)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(form_box)
        left_layout.addWidget(self.caption_box)
        left_layout.addStretch(1)
        preview_box = self._build_preview()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(preview_box)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([430, 560])

        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self._build_run_area())
        layout.addLayout(self._build_buttons())
        self.resize(1040, 780)
        self._load_values(settings)
        self._connect_changes()
        self._set_running(False)
        self.schedule_preview(0)

    # -- building ----------------------------------------------------------------------------

    def _build_form(self, out_dir: Path | None) -> QGroupBox:
        box = QGroupBox("Export")
        form = self.form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.target_combo = QComboBox()
        self.target_combo.setObjectName("exportTarget")
        for target, spec in TARGETS.items():
            self.target_combo.addItem(spec.label, target)
            self.target_combo.setItemData(
                self.target_combo.count() - 1, spec.summary, Qt.ItemDataRole.ToolTipRole
            )
        self.target_hint = QLabel()
        self.target_hint.setObjectName("exportTargetHint")
        self.target_hint.setWordWrap(True)
        self.target_hint.setEnabled(False)  # drawn dimmed: an explanation, not a value
        form.addRow("Target", self.target_combo)
        form.addRow("", self.target_hint)

        self.dir_edit = QLineEdit(str(out_dir or self.default_out_dir()))
        self.dir_edit.setObjectName("exportDir")
        self.browse_button = QPushButton("Browse\u2026")
        self.browse_button.clicked.connect(self.choose_directory)
        row = QHBoxLayout()
        row.addWidget(self.dir_edit, 1)
        row.addWidget(self.browse_button)
        form.addRow("Folder", row)

        self.include_combo = QComboBox()
        self.include_combo.setObjectName("exportInclude")
        for include, label in INCLUDES.items():
            self.include_combo.addItem(label, include)
        # The default the CLI's --include has too (one constant for both).
        self.include_combo.setCurrentIndex(self.include_combo.findData(DEFAULT_INCLUDE))
        form.addRow("Include", self.include_combo)

        self.preset_combo = QComboBox()
        self.preset_combo.setObjectName("exportPreset")
        self.preset_combo.addItem("Project settings", None)
        for name in PRESETS:
            self.preset_combo.addItem(name, name)
        self.preset_combo.setToolTip(
            "Fill the numbers below from the project's training settings or a known trainer "
            "config; the config template follows the project's preset."
        )
        form.addRow("Preset", self.preset_combo)

        def spin(name: str, low: int, high: int, step: int = 1, suffix: str = "") -> QSpinBox:
            box = QSpinBox()
            box.setObjectName(name)
            box.setRange(low, high)
            box.setSingleStep(step)
            box.setSuffix(suffix)
            box.setKeyboardTracking(False)  # re-plan once a typed number is complete
            return box

        self.width_spin = spin("exportWidth", 16, 4096, 8)
        self.height_spin = spin("exportHeight", 16, 4096, 8)
        size = QHBoxLayout()
        size.addWidget(self.width_spin, 1)
        size.addWidget(QLabel("\u00d7"))
        size.addWidget(self.height_spin, 1)
        form.addRow("Size", size)
        self.fps_spin = spin("exportFps", 1, 240, 1, " fps")
        form.addRow("Frame rate", self.fps_spin)
        self.frames_spin = spin("exportFrames", 1, 1024)
        self.frames_spin.setToolTip("n_sample_frames: frames in one training sample")
        form.addRow("Frames", self.frames_spin)
        self.step_spin = spin("exportFrameStep", 1, 64)
        self.step_spin.setToolTip("frame_step: every n-th frame makes a sample (t2v JSON)")
        form.addRow("Frame step", self.step_spin)
        self.bucketing_check = QCheckBox("Keep the aspect (bucketing)")
        self.bucketing_check.setObjectName("exportBucketing")
        form.addRow("", self.bucketing_check)
        self.fallback_edit = QLineEdit()
        self.fallback_edit.setObjectName("exportFallback")
        self.fallback_edit.setPlaceholderText("caption for clips without tags")
        form.addRow("Fallback prompt", self.fallback_edit)
        self.workers_spin = spin("exportWorkers", 1, max(1, os.cpu_count() or 1))
        self.workers_spin.setValue(auto_workers())
        self.workers_spin.setToolTip("Clips rendered at the same time")
        form.addRow("Parallel clips", self.workers_spin)
        return box

    def _build_preview(self) -> QGroupBox:
        box = QGroupBox("Preview")
        layout = QVBoxLayout(box)
        self.preview_state = QLabel("Planning\u2026")
        self.preview_state.setObjectName("exportPreviewState")
        self.preview_state.setWordWrap(True)
        self.preview_state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.preview_state)

        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        self.count_labels: dict[str, QLabel] = {}
        for n, (key, title) in enumerate(COUNT_LABELS):
            value = QLabel("\u2013")
            value.setObjectName(f"exportCount_{key}")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            font = value.font()
            font.setBold(True)
            value.setFont(font)
            self.count_labels[key] = value
            r, c = divmod(n, 3)
            grid.addWidget(QLabel(title), r, 2 * c)
            grid.addWidget(value, r, 2 * c + 1)
        for c in range(3):
            grid.setColumnStretch(2 * c, 1)
        layout.addLayout(grid)

        self.settings_label = QLabel()
        self.settings_label.setObjectName("exportSettingsLine")
        self.settings_label.setWordWrap(True)
        layout.addWidget(self.settings_label)

        self.example_label = QLabel()
        self.example_label.setObjectName("exportCaptionExample")
        self.example_label.setWordWrap(True)
        self.example_label.setTextFormat(Qt.TextFormat.PlainText)
        self.example_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.example_label.setToolTip("The first exported clip's caption, as the trainer reads it")
        layout.addWidget(self.example_label)

        self.warnings_label = QLabel()
        self.warnings_label.setObjectName("exportWarnings")
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setTextFormat(Qt.TextFormat.PlainText)
        self.warnings_label.setStyleSheet("color: #d08a2c;")
        layout.addWidget(self.warnings_label)

        self.skipped_title = QLabel("Skipped clips")
        layout.addWidget(self.skipped_title)
        self.skipped_model = SkippedModel(self)
        self.skipped_view = QTableView()
        self.skipped_view.setObjectName("exportSkipped")
        self.skipped_view.setModel(self.skipped_model)
        self.skipped_view.verticalHeader().setVisible(False)
        self.skipped_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.skipped_view.setWordWrap(True)  # reasons are sentences: wrap, never cut
        self.skipped_view.setAlternatingRowColors(True)
        header = self.skipped_view.horizontalHeader()
        header.setSectionResizeMode(SkippedColumn.SOURCE, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(SkippedColumn.FRAMES, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.skipped_view.setColumnWidth(SkippedColumn.SOURCE, 150)
        layout.addWidget(self.skipped_view, 1)
        layout.addStretch(0)
        return box

    def _build_run_area(self) -> QWidget:
        area = QFrame()
        area.setObjectName("exportRunArea")
        layout = QVBoxLayout(area)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.progress_label = QLabel()
        self.progress_label.setObjectName("exportProgressLabel")
        self.progress_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("exportCancel")
        self.cancel_button.clicked.connect(self.cancel_export)
        row.addWidget(self.progress_label, 1)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)

        self.summary_box = QFrame()
        self.summary_box.setObjectName("exportSummary")
        self.summary_box.setFrameShape(QFrame.Shape.StyledPanel)
        summary = QHBoxLayout(self.summary_box)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("exportSummaryText")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.summary_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.open_button = QPushButton("Open Folder")
        self.open_button.setObjectName("exportOpenFolder")
        self.open_button.clicked.connect(self.open_folder)
        summary.addWidget(self.summary_label, 1)
        summary.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.summary_box)
        self.summary_box.setVisible(False)
        return area

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addStretch(1)
        self.export_button = QPushButton("Export")
        self.export_button.setObjectName("exportRun")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start_export)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        row.addWidget(self.export_button)
        row.addWidget(self.close_button)
        return row

    def _connect_changes(self) -> None:
        for combo in (self.target_combo, self.include_combo):
            combo.currentIndexChanged.connect(self._on_changed)
        self.target_combo.currentIndexChanged.connect(self._update_target_hint)
        self.preset_combo.currentIndexChanged.connect(self._on_preset)
        for box in (
            self.width_spin,
            self.height_spin,
            self.fps_spin,
            self.frames_spin,
            self.step_spin,
        ):
            box.valueChanged.connect(self._on_changed)
        self.bucketing_check.toggled.connect(self._on_changed)
        self.dir_edit.textChanged.connect(self._on_changed)
        self.fallback_edit.textChanged.connect(self._on_changed)
        self.caption_box.changed.connect(self._on_changed)
        self._update_target_hint()

    # -- values ------------------------------------------------------------------------------

    def default_out_dir(self) -> Path:
        """Next to the project, named after it: ``dataset-export``."""
        return self.project_path.parent / f"{self.project_path.stem}-export"

    def out_dir(self) -> Path:
        """The folder typed or chosen."""
        return Path(self.dir_edit.text().strip()).expanduser()

    def _load_values(self, s: ProjectSettings) -> None:
        self.width_spin.setValue(s.train_width)
        self.height_spin.setValue(s.train_height)
        self.fps_spin.setValue(s.fps)
        self.frames_spin.setValue(s.n_sample_frames)
        self.step_spin.setValue(s.frame_step)
        self.bucketing_check.setChecked(s.use_bucketing)

    def _on_preset(self) -> None:
        name = self.preset_combo.currentData()
        preset = self.project_settings if name is None else PRESETS[name]
        blockers = [
            QSignalBlocker(w)
            for w in (
                self.width_spin,
                self.height_spin,
                self.fps_spin,
                self.frames_spin,
                self.step_spin,
                self.bucketing_check,
            )
        ]
        self._load_values(preset)
        del blockers
        self.schedule_preview()

    def set_target(self, target: Target | str) -> None:
        self.target_combo.setCurrentIndex(self.target_combo.findData(Target(target)))

    def set_include(self, include: Include | str) -> None:
        self.include_combo.setCurrentIndex(self.include_combo.findData(Include(include)))

    def options(self) -> ExportOptions:
        """What the dialog shows, as the core's options; TemplateError for a bad template."""
        return ExportOptions(
            target=Target(self.target_combo.currentData()),
            out_dir=self.out_dir(),
            include=Include(self.include_combo.currentData()),
            width=self.width_spin.value(),
            height=self.height_spin.value(),
            fps=self.fps_spin.value(),
            n_sample_frames=self.frames_spin.value(),
            frame_step=self.step_spin.value(),
            use_bucketing=self.bucketing_check.isChecked(),
            fallback_prompt=self.fallback_edit.text(),
            caption_template=self.caption_box.template(),
        )

    def choose_directory(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Export into folder", self.dir_edit.text() or str(self.project_path.parent)
        )
        if folder:
            self.dir_edit.setText(folder)

    def _update_target_hint(self) -> None:
        spec = TARGETS[Target(self.target_combo.currentData())]
        self.target_hint.setText(spec.summary)
        self.step_spin.setEnabled(spec.uses_frame_step)

    # -- preview -----------------------------------------------------------------------------

    def _on_changed(self, *_args: object) -> None:
        self.schedule_preview()

    def schedule_preview(self, delay_ms: int = PREVIEW_DELAY_MS) -> None:
        """Plan again ``delay_ms`` after the last change (the newest plan wins)."""
        self._generation += 1
        self.preview_state.setText("Planning\u2026")
        self.export_button.setEnabled(False)
        self._preview_timer.start(delay_ms)

    def update_preview(self) -> None:
        """Start planning the current options in the pool now."""
        self._preview_timer.stop()
        generation = self._generation
        if not self.dir_edit.text().strip():
            self._show_preview_error(generation, "Choose a folder to export into.")
            return
        try:
            options = self.options()
        except TemplateError:  # named under the template field as it is typed
            self._show_preview_error(generation, "the caption template is not valid.")
            return
        if options.caption_template != self._remembered:
            self._remembered = options.caption_template
            self.caption_template_changed.emit(options.caption_template)
        self._preview_job = self.jobs.run_silently(
            PREVIEW,
            _plan_job(self.project_path, options),
            functools.partial(self._show_plan, generation),
            functools.partial(self._show_preview_error, generation),
        )

    def _show_plan(self, generation: int, plan: ExportPlan) -> None:
        if generation != self._generation:
            return  # the options changed since: a newer plan is on its way
        self.plan, self.preview_error = plan, None
        counts = plan.counts()
        for key, label in self.count_labels.items():
            label.setText(f"{counts[key]:,}")
        s = plan.settings
        self.preview_state.setText(f"{s.target} into {plan.out_dir}")
        aspect = " (aspect kept)" if s.keep_aspect else ""
        self.settings_label.setText(
            f"{s.width}\u00d7{s.height}{aspect}, {s.fps} fps, window {s.window_frames} frames "
            f"(a clip needs {s.min_frames}); config template: {s.preset}"
        )
        self.example_label.setText(self._example_text(plan))
        self.warnings_label.setText("\n".join(f"\u26a0 {w}" for w in plan.warnings))
        self.warnings_label.setVisible(bool(plan.warnings))
        self.skipped_model.set_items(plan.skipped)
        self.skipped_title.setText(
            f"Skipped clips ({len(plan.skipped)})" if plan.skipped else "Skipped clips: none"
        )
        self.skipped_view.setVisible(bool(plan.skipped))
        self.skipped_view.resizeRowsToContents()
        self._set_running(self.job is not None)
        self.preview_updated.emit(plan)

    @staticmethod
    def _example_text(plan: ExportPlan) -> str:
        """The first file's caption with its CLIP token count, or why there is none."""
        if not plan.items:
            return ""
        item = plan.items[0]
        where = f"{Path(item.source_path).name} [{item.first_frame}-{item.last_frame}]"
        if not item.caption:
            return f"Caption of {where}: none"
        tokens = count_tokens(item.caption)
        return f"Caption of {where} ({tokens}/{BUDGET} tokens):\n{item.caption}"

    def _show_preview_error(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self.plan, self.preview_error = None, message
        self.preview_state.setText(f"Cannot export: {message}")
        for label in self.count_labels.values():
            label.setText("\u2013")
        self.settings_label.setText("")
        self.example_label.setText("")
        self.warnings_label.setVisible(False)
        self.skipped_model.set_items([])
        self.skipped_title.setText("")
        self.skipped_view.setVisible(False)
        self._set_running(self.job is not None)
        self.preview_updated.emit(message)

    # -- exporting ---------------------------------------------------------------------------

    def start_export(self) -> JobWorker | None:
        """Plan and render the current options in the pool; None when it cannot start."""
        if self.job is not None or self.plan is None:
            return None
        try:
            options, workers = self.options(), self.workers_spin.value()
        except TemplateError:
            return None  # named under the field; the preview has Export disabled already
        worker = self.jobs.submit(
            EXPORT,
            lambda: self.make_job(self.project_path, options, workers),
            text="exporting: planning\u2026",
            on_progress=self._on_progress,
            on_finished=self._on_finished,
            on_failed=self._on_failed,
            on_cancelled=self._on_cancelled,
        )
        if worker is None:
            return None  # refused: the queue said why
        self.job, self.last_result, self._last = worker, None, None
        self.summary_box.setVisible(False)
        # Its progress shows in the window's one job area (the status bar), not here.
        self.progress_label.setText("Exporting\u2026 (progress in the window's status bar)")
        self._set_running(True)
        self.export_started.emit(worker)
        return worker

    def cancel_export(self) -> None:
        """Stop after the files being rendered; finished files stay for the next run."""
        if self.job is None:
            return
        self.jobs.cancel(EXPORT.name)
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Cancelling\u2026")
        self.progress_label.setText("cancelling after the files being rendered\u2026")

    def _on_progress(self, progress: Progress) -> None:
        self._last = progress
        if self.job is not None and self.job.cancel_requested:
            return
        self.progress_label.setText(
            f"Exporting\u2026 {progress.done} of {progress.total} files "
            "(progress in the window's status bar)"
            if progress.total
            else "Exporting\u2026 (progress in the window's status bar)"
        )

    def _on_finished(self, result: ExportResult) -> None:
        self._end_job()
        self.last_result = result
        lines = [export_summary_text(result)]
        if result.config_path is not None:
            lines.append(f"Config: {result.config_path}")
        if result.manifest_path is not None:
            lines.append(f"Manifest: {result.manifest_path}")
        lines += [f"Failed: {label}: {message}" for label, message in result.failed]
        lines += [f"Left as is, changed since the last export: {rel}" for rel in result.kept]
        self._show_summary("\n".join(lines))
        self.schedule_preview(0)  # everything is up to date now
        self.export_ended.emit("finished")

    def _on_failed(self, message: str) -> None:
        self._end_job()
        self._show_summary(
            f"Export stopped: {message}\nFinished files are kept; exporting again completes it."
        )
        self.export_ended.emit("failed")

    def _on_cancelled(self) -> None:
        last = self._last
        self._end_job()
        self._show_summary(
            export_cancelled_text(last.done if last else 0, last.total if last else 0)
        )
        self.schedule_preview(0)
        self.export_ended.emit("cancelled")

    def _end_job(self) -> None:
        self.job = None
        self._set_running(False)

    def _show_summary(self, text: str) -> None:
        self.progress_label.setText("")
        self.summary_label.setText(text)
        self.summary_box.setVisible(True)
        out = self.out_dir()
        self.open_button.setEnabled(out.is_dir())

    def open_folder(self) -> None:
        """Show the export folder in the desktop's file manager."""
        folder = self.last_result.plan.out_dir if self.last_result is not None else self.out_dir()
        self.open_url(QUrl.fromLocalFile(str(folder)))

    def _set_running(self, running: bool) -> None:
        for widget in (
            self.target_combo,
            self.dir_edit,
            self.browse_button,
            self.include_combo,
            self.preset_combo,
            self.width_spin,
            self.height_spin,
            self.fps_spin,
            self.frames_spin,
            self.bucketing_check,
            self.fallback_edit,
            self.workers_spin,
            self.caption_box,
        ):
            widget.setEnabled(not running)
        if not running:
            self._update_target_hint()
        else:
            self.step_spin.setEnabled(False)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.cancel_button.setText("Cancel")
        self.export_button.setEnabled(
            not running and self.plan is not None and bool(self.plan.items)
        )
        self.close_button.setText("Close")

    @property
    def running(self) -> bool:
        return self.job is not None

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Cancel a running export and wait for the pool (the window is closing)."""
        self._preview_timer.stop()
        self._generation += 1
        if self.job is not None:
            self.job.cancel()
        self.jobs.pool.waitForDone(timeout_ms)
        self.job = None

"""Project settings: what the trainer asks of each clip, and where metrics turn into flags."""

from __future__ import annotations

from dataclasses import fields, replace
from math import gcd
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from anicurate.core.analysis import Thresholds, set_thresholds, thresholds_of
from anicurate.core.errors import AnicurateError
from anicurate.core.project import PRESETS, ProjectSettings
from anicurate.ui.common.actions import make_action
from anicurate.ui.session import ProjectSession
from anicurate.ui.shell import Shell

CUSTOM = "custom"

#: Each threshold: label, unit/hint, (minimum, maximum, step, decimals).
THRESHOLD_FIELDS: dict[str, tuple[str, str, tuple[float, float, float, int]]] = {
    "cut_min_content": ("Cut threshold", "colour change at a cut", (0.5, 100, 0.5, 2)),
    "motion_p95_max": ("Large motion above", "% of width per frame (p95)", (0.1, 100, 0.5, 2)),
    "effective_fps_min": ("Low fps below", "drawings per second", (0.5, 60, 0.5, 1)),
    "blur_min": ("Blurry below", "sharpness (Laplacian variance)", (0, 5000, 5, 1)),
    "noise_max": ("Noisy above", "noise sigma, grey levels", (0, 50, 0.25, 2)),
    "static_held_ratio": ("Static from", "share of held frames", (0.05, 1, 0.05, 2)),
    "duplicate_bits": ("Near-duplicate within", "of 64 hash bits", (0, 32, 1, 0)),
    "resolution_min": ("Low resolution below", "of the training size", (0.1, 4, 0.05, 2)),
    "aspect_tolerance": ("Aspect tolerance", "without bucketing", (0, 4, 0.05, 2)),
    "aspect_tolerance_bucketed": ("Aspect tolerance", "with bucketing", (0, 4, 0.05, 2)),
}


def ratio_text(width: int, height: int) -> str:
    """``16:9 (1.78)``: the reduced ratio and its value."""
    if width <= 0 or height <= 0:
        return ""
    g = gcd(width, height)
    return f"{width // g}:{height // g} ({width / height:.2f})"


class SettingsDialog(QDialog):
    """Preset, training size (ratio shown), frames, fps, step, trigger tag, bucketing, thresholds.

    The dialog only edits values; the caller saves :meth:`project_settings` and
    :meth:`thresholds` when it is accepted.
    """

    def __init__(
        self, settings: ProjectSettings, thresholds: Thresholds, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Project settings")
        self._thresholds = thresholds
        self._loading = False

        training = QGroupBox("Training")
        form = QFormLayout(training)
        self.preset = QComboBox()
        self.preset.setObjectName("presetCombo")
        for name in PRESETS:
            self.preset.addItem(name, name)
        self.preset.addItem("custom (edited)", CUSTOM)
        self.preset.currentIndexChanged.connect(self._on_preset)
        form.addRow("Preset", self.preset)

        self.width_spin = self._int_spin(8, 4096, 8)
        self.height_spin = self._int_spin(8, 4096, 8)
        self.ratio = QLabel()
        self.ratio.setObjectName("ratioLabel")
        size = QHBoxLayout()
        size.addWidget(self.width_spin)
        size.addWidget(QLabel("\u00d7"))
        size.addWidget(self.height_spin)
        size.addWidget(self.ratio, 1)
        form.addRow("Size (w \u00d7 h)", size)
        self.frames = self._int_spin(1, 1024, 1)
        form.addRow("Frames per sample", self.frames)
        self.fps = self._int_spin(1, 240, 1)
        form.addRow("Export fps", self.fps)
        self.step = self._int_spin(1, 64, 1)
        form.addRow("Frame step", self.step)
        self.span = QLabel()
        self.span.setObjectName("fieldName")
        form.addRow("", self.span)
        self.trigger = QLineEdit()
        self.trigger.setPlaceholderText("e.g. anime (put first in every caption)")
        self.trigger.textChanged.connect(self._edited)
        form.addRow("Trigger tag", self.trigger)
        self.bucketing = QCheckBox("Bucket by aspect ratio (keep each clip's shape)")
        self.bucketing.toggled.connect(self._edited)
        form.addRow("", self.bucketing)

        flags = QGroupBox("Analysis thresholds (re-flag on OK, nothing is decoded again)")
        tform = QFormLayout(flags)
        self.threshold_spins: dict[str, QDoubleSpinBox | QSpinBox] = {}
        for name, (label, hint, (lo, hi, step, decimals)) in THRESHOLD_FIELDS.items():
            spin: QDoubleSpinBox | QSpinBox
            if decimals == 0:
                spin = QSpinBox()
                spin.setRange(int(lo), int(hi))
                spin.setValue(int(getattr(thresholds, name)))
            else:
                spin = QDoubleSpinBox()
                spin.setRange(lo, hi)
                spin.setSingleStep(step)
                spin.setDecimals(decimals)
                spin.setValue(float(getattr(thresholds, name)))
            spin.setObjectName(f"threshold_{name}")
            spin.setToolTip(hint)
            row = QHBoxLayout()
            row.addWidget(spin)
            unit = QLabel(hint)
            unit.setObjectName("fieldName")
            row.addWidget(unit, 1)
            tform.addRow(label, row)
            self.threshold_spins[name] = spin

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        restore = buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        restore.setText("Default thresholds")
        restore.clicked.connect(self._default_thresholds)
        self.buttons = buttons

        layout = QVBoxLayout(self)
        layout.addWidget(training)
        layout.addWidget(flags)
        layout.addWidget(buttons)
        self.set_values(settings)

    def _int_spin(self, lo: int, hi: int, step: int) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(lo, hi)
        spin.setSingleStep(step)
        spin.valueChanged.connect(self._edited)
        return spin

    # -- values ------------------------------------------------------------------------------

    def set_values(self, settings: ProjectSettings) -> None:
        """Show ``settings`` (the preset combo follows its preset name)."""
        self._loading = True
        try:
            self.width_spin.setValue(settings.train_width)
            self.height_spin.setValue(settings.train_height)
            self.frames.setValue(settings.n_sample_frames)
            self.fps.setValue(settings.fps)
            self.step.setValue(settings.frame_step)
            self.trigger.setText(settings.trigger_tag)
            self.bucketing.setChecked(settings.use_bucketing)
            index = self.preset.findData(settings.preset if settings.preset in PRESETS else CUSTOM)
            self.preset.setCurrentIndex(index)
        finally:
            self._loading = False
        self._update_labels()

    def project_settings(self) -> ProjectSettings:
        """The edited settings (ValueError when the size is not a multiple of 8)."""
        preset = self.preset.currentData()
        return ProjectSettings(
            train_width=self.width_spin.value(),
            train_height=self.height_spin.value(),
            n_sample_frames=self.frames.value(),
            fps=self.fps.value(),
            frame_step=self.step.value(),
            trigger_tag=self.trigger.text().strip(),
            use_bucketing=self.bucketing.isChecked(),
            preset=preset if preset in PRESETS else CUSTOM,
        )

    def thresholds(self) -> Thresholds:
        values: dict[str, Any] = {}
        known = {f.name for f in fields(Thresholds)}
        for name, spin in self.threshold_spins.items():
            if name in known:
                values[name] = spin.value()
        return replace(self._thresholds, **values)

    # -- reactions ---------------------------------------------------------------------------

    def _on_preset(self, _index: int) -> None:
        name = self.preset.currentData()
        if self._loading or name not in PRESETS:
            return
        self.set_values(PRESETS[name])

    def _edited(self, *_args: object) -> None:
        self._update_labels()
        if self._loading:
            return
        name = self.preset.currentData()
        if name in PRESETS and self.project_settings_or_none() != PRESETS[name]:
            self._loading = True
            self.preset.setCurrentIndex(self.preset.findData(CUSTOM))
            self._loading = False

    def project_settings_or_none(self) -> ProjectSettings | None:
        try:
            settings = self.project_settings()
        except ValueError:
            return None
        preset = self.preset.currentData()
        return replace(settings, preset=preset) if preset in PRESETS else settings

    def _update_labels(self) -> None:
        w, h = self.width_spin.value(), self.height_spin.value()
        ok = w % 8 == 0 and h % 8 == 0
        self.ratio.setText(ratio_text(w, h) if ok else "must be multiples of 8")
        self.ratio.setStyleSheet("" if ok else "color: #ff8a7a")
        ok_button = (
            self.buttons.button(QDialogButtonBox.StandardButton.Ok)
            if hasattr(self, "buttons")
            else None
        )
        if ok_button is not None:
            ok_button.setEnabled(ok)
        span = (self.frames.value() - 1) * self.step.value() + 1
        seconds = span / max(self.fps.value(), 1)
        self.span.setText(f"a sample covers {span} source frames ({seconds:.2f} s at export fps)")

    def _default_thresholds(self) -> None:
        defaults = Thresholds()
        for name, spin in self.threshold_spins.items():
            value = getattr(defaults, name)
            if isinstance(spin, QSpinBox):
                spin.setValue(int(value))
            else:
                spin.setValue(float(value))


class ProjectSettingsUi(QObject):
    """Edit > Project Settings… (Ctrl+,): edits the training settings and thresholds, then
    re-flags every clip from stored signals; the player and inspector follow the training size."""

    def __init__(self, shell: Shell, session: ProjectSession) -> None:
        super().__init__(session)
        self.shell, self.session = shell, session
        self.act_settings = make_action(shell.widget(),
            "Project &Settings\u2026", self.settings_dialog, "Ctrl+,",
            "Training size, frames, fps and analysis thresholds",
        )  # fmt: skip
        shell.menu("edit").addSeparator()
        shell.menu("edit").addAction(self.act_settings)
        session.project_changed.connect(self._on_project_changed)
        self._on_project_changed(session.path)

    def _on_project_changed(self, path: object) -> None:
        self.act_settings.setEnabled(path is not None)
        self.apply_training_size()

    def settings_dialog(self) -> SettingsDialog | None:
        """Edit the project's training settings and thresholds (modal when interactive)."""
        project = self.session.project
        if project is None:
            return None
        dialog = SettingsDialog(
            project.settings(), thresholds_of(project), parent=self.shell.widget()
        )
        dialog.accepted.connect(lambda: self.apply_settings_dialog(dialog))
        if self.session.interactive:
            dialog.exec()
        return dialog

    def apply_settings_dialog(self, dialog: SettingsDialog) -> None:
        """Save the dialog's values to the project and re-flag every clip from stored signals."""
        project = self.session.project
        if project is None:
            return
        try:
            project.set_settings(dialog.project_settings())
            set_thresholds(project, dialog.thresholds())
        except (AnicurateError, ValueError) as err:
            self.session.report_error("Cannot save the settings", str(err))
            return
        self.apply_training_size()
        self.session.refresh()
        self.shell.show_message("Settings saved; flags updated.", 4000)
        self.session.reflagged.emit()

    def apply_training_size(self) -> None:
        project = self.session.project
        if project is None:
            return
        settings = project.settings()
        self.shell.player_panel.player.set_training_size(
            settings.train_width, settings.train_height
        )
        self.shell.inspector.set_training_size(
            settings.train_width, settings.train_height, bucketing=settings.use_bucketing
        )

"""Clip ▸ Fix…: the fix of the selected clips, pre-filled with the current fix or the suggestion
from the flags."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from anicurate.core.fix import FixSpec, Interpolation, list_models
from anicurate.core.fix.store import describe_fix

DEFAULT = "(default)"
# Interpolation choices: label -> (mode, value); value None for the window (from the settings).
INTERPOLATIONS: dict[str, tuple[str, float | None] | None] = {
    "none": None,
    "2x frames": ("factor", 2),
    "3x frames": ("factor", 3),
    "4x frames": ("factor", 4),
    "reach 24 fps": ("fps", 24),
    "reach the training window": ("window", None),
}


class FixDialog(QDialog):
    """Upscale, denoise and interpolation for ``count`` clips; ``cleared`` when Clear Fix."""

    def __init__(self, count: int, spec: FixSpec, suggestion: FixSpec | None, window: int,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("fixDialog")
        self.setWindowTitle("Fix clips")
        self.window_frames = window
        self.cleared = False
        self.suggestion = suggestion
        form = QFormLayout(self)
        noun = "clip" if count == 1 else f"{count} clips"
        intro = QLabel(
            f"Applied to {noun} when the project is exported; the files are never changed."
            + (f"\nSuggested from the flags: {describe_fix(suggestion)}." if suggestion else "")
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        models = list_models()

        def names(kind: str) -> list[str]:
            return [DEFAULT] + [m.name for m in models if m.kind == kind]

        self.upscale = _combo("fixUpscale")
        self.upscale.addItems(["off", "2x", "4x"])
        self.upscale_model = _combo("fixUpscaleModel")
        self.upscale_model.addItems(names("upscale"))
        self.denoise = _combo("fixDenoise")
        self.denoise.addItems(["off", "1 (light)", "2", "3 (strong)"])
        self.interpolate = _combo("fixInterpolate")
        self.interpolate.addItems(list(INTERPOLATIONS))
        self.interp_model = _combo("fixInterpModel")
        self.interp_model.addItems(names("interpolate"))
        self.smooth = QCheckBox("Smooth holds: drop held drawings, then interpolate")
        form.addRow("Upscale", self.upscale)
        form.addRow("Upscale model", self.upscale_model)
        form.addRow("Denoise", self.denoise)
        form.addRow("Interpolation", self.interpolate)
        form.addRow("Interpolation model", self.interp_model)
        form.addRow(self.smooth)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.suggest_button = QPushButton("Suggested")
        self.suggest_button.setEnabled(suggestion is not None)
        self.clear_button = QPushButton("Clear Fix")
        buttons.addButton(self.suggest_button, QDialogButtonBox.ButtonRole.ResetRole)
        buttons.addButton(self.clear_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.suggest_button.clicked.connect(lambda: self.set_spec(suggestion or FixSpec()))
        self.clear_button.clicked.connect(self._clear)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.set_spec(spec)

    def _clear(self) -> None:
        self.cleared = True
        self.accept()

    def set_spec(self, spec: FixSpec) -> None:
        """Show ``spec`` in the fields."""
        self.upscale.setCurrentIndex({1: 0, 2: 1, 4: 2}[spec.upscale])
        self.denoise.setCurrentIndex(spec.denoise)
        _pick(self.upscale_model, spec.upscale_model)
        _pick(self.interp_model, spec.interp_model)
        itp = spec.interpolate
        label = "none"
        if itp is not None:
            for name, choice in INTERPOLATIONS.items():
                if (
                    choice is not None
                    and choice[0] == itp.mode
                    and (itp.mode == "window" or choice[1] == itp.value)
                ):
                    label = name
        self.interpolate.setCurrentText(label)
        self.smooth.setChecked(spec.smooth_holds)

    def spec(self) -> FixSpec:
        """The fix the fields say."""
        choice = INTERPOLATIONS[self.interpolate.currentText()]
        itp = None
        if choice is not None:
            mode, value = choice
            itp = Interpolation(mode, float(self.window_frames if value is None else value))  # type: ignore[arg-type]
        return FixSpec(
            upscale=(1, 2, 4)[self.upscale.currentIndex()],
            upscale_model=_name(self.upscale_model),
            denoise=self.denoise.currentIndex(),
            interpolate=itp,
            interp_model=_name(self.interp_model),
            smooth_holds=self.smooth.isChecked(),
        )


def _combo(name: str) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    return box


def _pick(box: QComboBox, name: str | None) -> None:
    index = box.findText(name or DEFAULT)
    box.setCurrentIndex(max(index, 0))


def _name(box: QComboBox) -> str | None:
    text = box.currentText()
    return None if text == DEFAULT else text

"""Batch tagging from the window: the job, the "Tag Clips" dialog, and the provider badge.

The job loads the tagger in the worker thread (a real model takes seconds) and announces the
provider that really loaded before the first clip, so a fallback to CPU is on screen while the
job runs, not only in its summary.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from anicurate import paths
from anicurate.core.jobs import Progress
from anicurate.core.tagging.discovery import TaggerLocation, is_tagger_dir
from anicurate.core.tagging.model import PROVIDER_LABELS, ProviderChoice, Tagger, load_tagger
from anicurate.core.tagging.run import DEFAULT_BATCH, TagSummary, tag_project
from anicurate.ui.common.messages import TAGGER_FOLDER_HINT, provider_text
from anicurate.ui.common.progress import ElidedLabel
from anicurate.ui.tagging.choices import PROVIDERS, remember_folder

if TYPE_CHECKING:
    from anicurate.core.distributed import TaggingRunner

LOADING = "loading the tagger"


@dataclass(frozen=True, slots=True)
class LoadedTagger:
    """What the window shows about the loaded tagger (plain values: it crosses threads)."""

    name: str
    provider: str
    label: str
    fallback: str | None


def tagging_job(
    project_path: Path,
    folder: Path,
    provider: ProviderChoice,
    *,
    clip_ids: Sequence[int] | None,
    force: bool = False,
    batch: int = DEFAULT_BATCH,
    announce: Callable[[LoadedTagger], None] = lambda _t: None,
    cluster: str = "",
) -> Generator[Progress, None, TagSummary]:
    """Load the tagger, ``announce`` it (from the worker thread), then tag the clips; with a
    ``cluster`` address, on the Ray cluster's actors (announced as such once they loaded)."""
    yield Progress(0, 0, LOADING)
    if cluster:
        return (yield from _on_cluster(project_path, folder, provider, clip_ids, force, batch,
                                       announce, cluster))  # fmt: skip
    tagger: Tagger = load_tagger(folder, provider)
    announce(LoadedTagger(tagger.name, tagger.provider, tagger.provider_label, tagger.fallback))
    summary: TagSummary = yield from tag_project(
        project_path, tagger, batch=batch, clip_ids=clip_ids, force=force
    )
    return summary


def _on_cluster(
    project_path: Path,
    folder: Path,
    provider: ProviderChoice,
    clip_ids: Sequence[int] | None,
    force: bool,
    batch: int,
    announce: Callable[[LoadedTagger], None],
    cluster: str,
) -> Generator[Progress, None, TagSummary]:
    from anicurate.core.distributed import TaggingRunner

    tagger = load_tagger(folder, "cpu", threads=1)  # here it only names the model
    runner = TaggingRunner(cluster, folder, provider)
    job = tag_project(project_path, tagger, batch=batch, clip_ids=clip_ids, force=force,
                      runner=runner)  # fmt: skip
    announced = False
    try:
        while True:
            progress = next(job)
            if not announced and runner.workers:  # the actors are up: say where they run
                announced = True
                announce(_cluster_tagger(tagger.name, runner))
            yield progress
    except StopIteration as stop:
        summary: TagSummary = stop.value
    finally:
        job.close()
    return summary


def _cluster_tagger(name: str, runner: TaggingRunner) -> LoadedTagger:
    """The providers the cluster's actors really loaded, as the status bar shows them."""
    providers = sorted({w.provider for w in runner.workers})
    labels = ", ".join(PROVIDER_LABELS.get(p, p) for p in providers)
    fallback = next((w.fallback for w in runner.workers if w.fallback), None)
    return LoadedTagger(name, ",".join(providers), f"Ray cluster: {labels}", fallback)


class TaggerAnnouncer(QObject):
    """Carries the loaded tagger from the worker thread to the window (a queued signal)."""

    loaded = Signal(object)  # LoadedTagger

    def announce(self, tagger: LoadedTagger) -> None:
        self.loaded.emit(tagger)


class ProviderBadge(ElidedLabel):
    """``provider: CPU`` in the status bar; a warning colour when CUDA was wanted but not run."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__("", parent)
        self.setObjectName("providerBadge")
        self.fallback: str | None = None
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.setVisible(False)

    def show_loading(self) -> None:
        self._set("provider: loading the tagger\u2026", None, "")

    def show_provider(self, label: str, fallback: str | None) -> None:
        tip = (
            f"The tagger runs on {label}.\n{fallback}.\nTagging is much slower on the CPU; "
            "`anicurate doctor` says what is missing."
            if fallback
            else f"The tagger runs on {label}."
        )
        self._set(provider_text(label, fallback), fallback, tip)

    def _set(self, text: str, fallback: str | None, tip: str) -> None:
        self.fallback = fallback
        self.setText(text)
        self.setToolTip(tip)
        warn = "background: #5a3d0c; color: #ffd58a; border: 1px solid #b07a1c;"
        calm = "color: #c9c9cf; border: 1px solid #45464d;"
        self.setStyleSheet(
            f"QLabel#providerBadge {{ {warn if fallback else calm} border-radius: 3px;"
            " padding: 1px 6px; }"
        )
        self.setFixedWidth(min(self.fontMetrics().horizontalAdvance(text) + 16, 520))
        self.setVisible(True)


@dataclass(frozen=True, slots=True)
class TagRequest:
    """What the dialog asks for: None ``clip_ids`` means every clip not rejected."""

    clip_ids: list[int] | None
    model: Path
    provider: ProviderChoice
    force: bool


CHOOSE_FOLDER = "Choose folder\u2026"


class TagClipsDialog(QDialog):
    """Scope (selection or all), tagger (found ones or a chosen folder), provider, re-tag."""

    def __init__(
        self,
        *,
        selected: Sequence[int],
        total: int,
        found: Sequence[TaggerLocation],
        model: Path | None,
        provider: ProviderChoice,
        settings: QSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Tag clips")
        self.setMinimumWidth(520)
        self.settings = settings
        self._selected = list(selected)
        # Chooses a folder; replaced in tests (returns None when cancelled).
        self.ask_folder: Callable[[], Path | None] = self._ask_folder

        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        scope_box = QWidget()
        scope_layout = QVBoxLayout(scope_box)
        scope_layout.setContentsMargins(0, 0, 0, 0)
        n = len(self._selected)
        self.selected_radio = QRadioButton(f"The selected clip{'' if n == 1 else 's'} ({n})")
        self.all_radio = QRadioButton(f"All clips ({total}; rejected ones are skipped)")
        self.scope = QButtonGroup(self)
        self.scope.addButton(self.selected_radio)
        self.scope.addButton(self.all_radio)
        self.selected_radio.setEnabled(n > 0)
        (self.selected_radio if n > 0 else self.all_radio).setChecked(True)
        scope_layout.addWidget(self.selected_radio)
        scope_layout.addWidget(self.all_radio)
        form.addRow("Tag", scope_box)

        self.model_combo = QComboBox()
        self.model_combo.setObjectName("modelCombo")
        for loc in found:
            self._add_model(loc.name, loc.path, loc.origin)
        self.model_combo.addItem(CHOOSE_FOLDER, None)
        if model is not None:
            self.select_model(model)
        elif found:
            self.model_combo.setCurrentIndex(0)
        self._last_index = self.model_combo.currentIndex()
        self.model_combo.activated.connect(self._on_model_activated)
        form.addRow("Tagger", self.model_combo)

        self.provider_combo = QComboBox()
        self.provider_combo.setObjectName("providerCombo")
        for key, label in PROVIDERS:
            self.provider_combo.addItem(label, key)
        self.provider_combo.setCurrentIndex(max(0, self.provider_combo.findData(provider)))
        form.addRow("Run on", self.provider_combo)

        self.force_check = QCheckBox("Re-tag clips whose frames and settings did not change")
        form.addRow("", self.force_check)
        layout.addLayout(form)

        self.note = QLabel(
            "Tags you added, removed or reordered by hand are kept when clips are re-tagged."
        )
        self.note.setObjectName("emptyHint")
        self.note.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setObjectName("errorBox")
        self.problem.setWordWrap(True)
        layout.addWidget(self.note)
        layout.addWidget(self.problem)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Tag")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._check()

    # -- model choice ------------------------------------------------------------------------

    def _add_model(self, name: str, path: Path, origin: str) -> int:
        index = self.model_combo.count()
        if self.model_combo.count() and self.model_combo.itemData(index - 1) is None:
            index -= 1  # keep "Choose folder…" last
        self.model_combo.insertItem(index, f"{name}  ({origin})", str(path))
        self.model_combo.setItemData(index, str(path), 3)  # Qt.ToolTipRole
        return index

    def select_model(self, folder: Path) -> None:
        """Select ``folder`` (adding it to the list when it was not found by the search)."""
        index = self.model_combo.findData(str(folder))
        if index < 0:
            index = self._add_model(folder.name, folder, "chosen")
        self.model_combo.setCurrentIndex(index)
        self._last_index = index
        self._check()

    def _on_model_activated(self, index: int) -> None:
        if self.model_combo.itemData(index) is not None:
            self._last_index = index
            self._check()
            return
        folder = self.ask_folder()
        if folder is None:
            self.model_combo.setCurrentIndex(self._last_index)
            return
        remember_folder(self.settings, folder)
        self.select_model(folder)

    def _ask_folder(self) -> Path | None:
        start = paths.bundled_models_dir()
        folder = QFileDialog.getExistingDirectory(
            self, "Choose a tagger folder (model.onnx + selected_tags.csv)", str(start)
        )
        return Path(folder) if folder else None

    def _check(self) -> None:
        model = self.model()
        problem = ""
        if model is None:
            problem = (
                "No tagger found. Put a tagger folder under "
                f"{paths.bundled_models_dir()} or {paths.user_models_dir()}, or choose one. "
                + TAGGER_FOLDER_HINT
            )
        elif not is_tagger_dir(model):
            missing = [f for f in ("model.onnx", "selected_tags.csv") if not (model / f).is_file()]
            problem = f"{model} has no {' or '.join(missing)}. {TAGGER_FOLDER_HINT}"
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)

    # -- result ------------------------------------------------------------------------------

    def model(self) -> Path | None:
        data = self.model_combo.currentData()
        return Path(data) if data else None

    def provider(self) -> ProviderChoice:
        value = self.provider_combo.currentData()
        return value if value in ("auto", "cuda", "cpu") else "auto"

    def request(self) -> TagRequest | None:
        model = self.model()
        if model is None or not is_tagger_dir(model):
            return None
        ids = list(self._selected) if self.selected_radio.isChecked() else None
        return TagRequest(ids, model, self.provider(), self.force_check.isChecked())

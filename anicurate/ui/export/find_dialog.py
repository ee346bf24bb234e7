"""Find training clips: from a prompt (say, of a bad sample) to the exported clips whose captions
match it best, with their sources; double-click a hit to open it in the player."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from anicurate.core.errors import AnicurateError
from anicurate.core.export import Hit, find
from anicurate.ui.common.messages import describe_error
from anicurate.ui.export.models import ITEM_ROLE, HitColumn, HitModel


class FindDialog(QDialog):
    """Dataset folder and prompt above, ranked hits below; ``hit_activated`` on double-click or
    Enter with the Hit (the export UI opens it in the window's player)."""

    searched = Signal(int)  # hits shown (after a search, also an empty or failed one)
    hit_activated = Signal(object)  # Hit

    def __init__(self, dataset: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findDialog")
        self.setWindowTitle("Find training clips")
        self.error: str | None = None

        self.dataset_edit = QLineEdit(str(dataset) if dataset else "")
        self.dataset_edit.setObjectName("findDataset")
        self.dataset_edit.setPlaceholderText("an export folder (it holds manifest.json)")
        browse = QPushButton("Browse\u2026")
        browse.clicked.connect(self.choose_dataset)
        dataset_row = QHBoxLayout()
        dataset_row.addWidget(self.dataset_edit, 1)
        dataset_row.addWidget(browse)

        self.prompt_edit = QLineEdit()
        self.prompt_edit.setObjectName("findPrompt")
        self.prompt_edit.setPlaceholderText(
            "the prompt of the bad sample, e.g. 1girl, running, rain"
        )
        self.prompt_edit.returnPressed.connect(self.search)
        self.top_spin = QSpinBox()
        self.top_spin.setRange(1, 1000)
        self.top_spin.setValue(20)
        self.find_button = QPushButton("Find")
        self.find_button.setObjectName("findRun")
        self.find_button.setAutoDefault(False)
        self.find_button.clicked.connect(self.search)
        prompt_row = QHBoxLayout()
        prompt_row.addWidget(self.prompt_edit, 1)
        prompt_row.addWidget(QLabel("Show"))
        prompt_row.addWidget(self.top_spin)
        prompt_row.addWidget(self.find_button)

        form = QFormLayout()
        form.addRow("Dataset", dataset_row)
        form.addRow("Prompt", prompt_row)

        self.model = HitModel(self)
        self.view = QTableView()
        self.view.setObjectName("findHits")
        self.view.setModel(self.model)
        self.view.verticalHeader().setVisible(False)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(HitColumn.SCORE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(HitColumn.FRAMES, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        for column, width in (
            (HitColumn.FILE, 180),
            (HitColumn.SOURCE, 150),
            (HitColumn.CAPTION, 260),
        ):
            self.view.setColumnWidth(column, width)
        self.view.activated.connect(self._on_activated)

        self.status_label = QLabel(
            "Type the prompt of a sample; the clips whose captions share its rarest tags come "
            "first. Double-click a hit to open its source in the player."
        )
        self.status_label.setObjectName("findStatus")
        self.status_label.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status_label)
        self.resize(1000, 520)

    def choose_dataset(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export folder", self.dataset_edit.text())
        if folder:
            self.dataset_edit.setText(folder)

    def set_dataset(self, path: Path) -> None:
        self.dataset_edit.setText(str(path))

    def search(self, prompt: str | None = None) -> list[Hit]:
        """Rank the dataset's clips for ``prompt`` (default: the prompt field); shows the hits."""
        if isinstance(prompt, str):
            self.prompt_edit.setText(prompt)
        text = self.prompt_edit.text().strip()
        folder = self.dataset_edit.text().strip()
        hits: list[Hit] = []
        self.error = None
        if not folder or not text:
            self.status_label.setText("Choose an export folder and type a prompt.")
        else:
            try:
                hits = find(Path(folder).expanduser(), text, top=self.top_spin.value())
            except (AnicurateError, OSError) as err:
                self.error = describe_error(err)
                self.status_label.setText(self.error)
            else:
                noun = "clip matches" if len(hits) == 1 else "clips match"
                self.status_label.setText(
                    f"{len(hits)} exported {noun} \u201c{text}\u201d. Double-click one to open "
                    "its source at its frames in the player."
                    if hits
                    else f"No exported clip matches \u201c{text}\u201d."
                )
        self.model.set_items(hits)
        if hits:
            self.view.selectRow(0)
        self.searched.emit(len(hits))
        return hits

    def hits(self) -> list[Hit]:
        return self.model.items()

    def activate_row(self, row: int) -> None:
        """Open hit ``row`` as a double-click does."""
        self._on_activated(self.model.index(row, 0))

    def _on_activated(self, index: QModelIndex) -> None:
        hit = index.data(ITEM_ROLE) if index.isValid() else None
        if hit is not None:
            self.hit_activated.emit(hit)

"""The Problems dock: every file that could not be imported, and every damaged row of the project
file, with its message in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QStackedWidget, QTableView

from anicurate.ui.common.messages import explain_source_error, short_source_error
from anicurate.ui.common.table_model import ListTableModel

if TYPE_CHECKING:
    from collections.abc import Sequence

    from anicurate.core.project import Source
    from anicurate.core.project.rows import Damage

DAMAGE_EXPLANATION = (
    "This row of the project file is damaged, so anicurate leaves it out and keeps working with"
    " the rest. Run `anicurate check --repair PROJECT` to fix or drop it (a backup is kept)."
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One failed file: where it is, a one-line message, and the longer plain-words explanation."""

    path: str
    message: str
    explanation: str
    source_id: int | None = None  # None when the catalogue has no source for it


def problems_from(
    errors: list[Source], failed: list[tuple[str, str]], damage: Sequence[Damage] = ()
) -> list[Problem]:
    """Failed and damaged sources (``project.errors()``), failures of the last import that the
    catalogue does not hold (a missing path, a file type anicurate does not import), and the
    project's other damaged rows (``project.damage()``)."""
    problems = [
        Problem(
            s.path,
            short_source_error(s.error_kind, s.error),
            explain_source_error(s.error_kind, s.error),
            s.id,
        )
        for s in errors
    ]
    stored = {p.path for p in problems}
    problems += [Problem(path, msg, msg) for path, msg in failed if path not in stored]
    for d in damage:
        where = f"setting {d.key}" if d.table == "settings" else f"{d.table} row {d.rowid}"
        message = f"damaged row: {d.reason}"
        problems.append(Problem(d.path or f"(project) {where}", message,
                                f"{DAMAGE_EXPLANATION}\nDetails: {d.describe()}"))  # fmt: skip
    return sorted(problems, key=lambda p: p.path)


class ProblemListModel(ListTableModel[Problem]):
    """File name, problem and folder; the tooltip explains the problem in full."""

    headers = ("File", "Problem", "Folder")

    def set_problems(self, problems: list[Problem]) -> None:
        """Replace the list; a no-op when nothing changed so a selection survives refreshes."""
        self.set_items(problems)

    def problems(self) -> list[Problem]:
        return self.items()

    def problem_at(self, row: int) -> Problem:
        return self.item(row)

    def display(self, item: Problem, column: int) -> Any:
        path = Path(item.path)
        return (path.name, item.message, str(path.parent))[column]

    def tooltip(self, item: Problem, column: int) -> Any:
        return f"{item.path}\n{item.explanation}"


class ProblemsPanel(QStackedWidget):
    """The dock's content: the problem table, or a calm line when there is nothing wrong."""

    source_activated = Signal(int)  # a problem with a catalogue source was double-clicked

    NO_PROJECT_TEXT = "Files that cannot be imported are listed here, with the reason."
    NO_PROBLEMS_TEXT = "No problems: every imported file could be read."

    def __init__(self, model: ProblemListModel, parent: Any = None) -> None:
        super().__init__(parent)
        self.model = model
        self.table = QTableView()
        self.table.setObjectName("problemsTable")
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 240)
        header.resizeSection(1, 520)
        header.setStretchLastSection(True)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.empty = QLabel(self.NO_PROJECT_TEXT)
        self.empty.setObjectName("emptyHint")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.addWidget(self.empty)
        self.addWidget(self.table)
        model.modelReset.connect(self._update_page)
        self._update_page()

    def set_has_project(self, has_project: bool) -> None:
        self.empty.setText(self.NO_PROBLEMS_TEXT if has_project else self.NO_PROJECT_TEXT)

    def _update_page(self) -> None:
        self.setCurrentWidget(self.table if self.model.rowCount() else self.empty)

    def _on_double_clicked(self, index: QModelIndex) -> None:
        source_id = self.model.problem_at(index.row()).source_id
        if source_id is not None:
            self.source_activated.emit(source_id)

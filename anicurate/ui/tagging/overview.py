"""The Tag Overview dock: how often each tag occurs, and a checklist of emotions and actions
the dataset should show (missing ones in a warning colour). Clicking a tag asks the browser to
show the clips carrying it (``tag_clicked``)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from anicurate.core.errors import AnicurateError
from anicurate.core.project import ClipStatus, Project
from anicurate.core.tagging import store
from anicurate.ui.common.messages import describe_error
from anicurate.ui.tagging.models import (
    SORT_ROLE,
    TAG_ROLE,
    CoverageColumn,
    CoverageModel,
    FrequencyColumn,
    TagFrequencyModel,
)

SCOPES: tuple[tuple[str, tuple[ClipStatus, ...] | None], ...] = (
    ("Accepted clips", (ClipStatus.ACCEPTED,)),
    ("All clips", None),
)


def _table(name: str) -> QTableView:
    table = QTableView()
    table.setObjectName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(22)
    table.setWordWrap(False)
    table.horizontalHeader().setHighlightSections(False)
    return table


class TagOverviewPanel(QWidget):
    """Frequencies left, coverage right; both over the clips of the chosen scope."""

    tag_clicked = Signal(str)
    clear_filter_requested = Signal()
    error_reported = Signal(str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.frequency_model = TagFrequencyModel(self)
        self.coverage_model = CoverageModel(self)
        self.coverage_model.terms_edited.connect(self.set_terms)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(6)

        top = QHBoxLayout()
        top.addWidget(QLabel("Count over"))
        self.scope_combo = QComboBox()
        self.scope_combo.setObjectName("overviewScope")
        for label, _ in SCOPES:
            self.scope_combo.addItem(label)
        self.scope_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        top.addWidget(self.scope_combo)
        self.summary = QLabel()
        self.summary.setObjectName("fieldName")
        top.addWidget(self.summary, 1)
        self.filter_label = QLabel()
        self.filter_label.setObjectName("tagFilterLabel")
        self.clear_filter_button = QPushButton("Show all clips")
        self.clear_filter_button.clicked.connect(self.clear_filter_requested.emit)
        top.addWidget(self.filter_label)
        top.addWidget(self.clear_filter_button)
        layout.addLayout(top)

        # -- frequencies
        freq_box = QWidget()
        freq = QVBoxLayout(freq_box)
        freq.setContentsMargins(0, 0, 0, 0)
        freq.setSpacing(4)
        self.frequency_title = QLabel("Tag frequencies \u2014 click a tag to filter the browser")
        self.frequency_title.setObjectName("fieldName")
        self.frequency_proxy = QSortFilterProxyModel(self)
        self.frequency_proxy.setSourceModel(self.frequency_model)
        self.frequency_proxy.setSortRole(SORT_ROLE)
        self.frequency_proxy.setFilterRole(TAG_ROLE)
        self.frequency_proxy.setFilterKeyColumn(FrequencyColumn.TAG)
        self.frequency_proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.frequency_search = QLineEdit()
        self.frequency_search.setPlaceholderText("Find a tag")
        self.frequency_search.setClearButtonEnabled(True)
        self.frequency_search.textChanged.connect(self.frequency_proxy.setFilterFixedString)
        self.frequency_table = _table("frequencyTable")
        self.frequency_table.setModel(self.frequency_proxy)
        self.frequency_table.setSortingEnabled(True)
        self.frequency_table.sortByColumn(FrequencyColumn.CLIPS, Qt.SortOrder.DescendingOrder)
        self.frequency_table.setAlternatingRowColors(True)
        header = self.frequency_table.horizontalHeader()
        header.setSectionResizeMode(FrequencyColumn.TAG, QHeaderView.ResizeMode.Stretch)
        for column in (FrequencyColumn.CLIPS, FrequencyColumn.SHARE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, 70)  # room for the sort arrow
        self.frequency_table.clicked.connect(self._on_frequency_clicked)
        self.frequency_empty = QLabel()
        self.frequency_empty.setObjectName("emptyHint")
        self.frequency_empty.setWordWrap(True)
        title_row = QHBoxLayout()
        title_row.addWidget(self.frequency_title, 1)
        title_row.addWidget(self.frequency_search)
        freq.addLayout(title_row)
        freq.addWidget(self.frequency_empty)
        freq.addWidget(self.frequency_table, 1)

        # -- coverage
        cov_box = QWidget()
        cov = QVBoxLayout(cov_box)
        cov.setContentsMargins(0, 0, 0, 0)
        cov.setSpacing(4)
        self.coverage_title = QLabel()
        self.coverage_title.setObjectName("fieldName")
        self.coverage_proxy = QSortFilterProxyModel(self)
        self.coverage_proxy.setSourceModel(self.coverage_model)
        self.coverage_proxy.setSortRole(SORT_ROLE)
        self.coverage_table = _table("coverageTable")
        self.coverage_table.setModel(self.coverage_proxy)
        self.coverage_table.setSortingEnabled(True)
        self.coverage_table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # checklist order
        self.coverage_table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        cheader = self.coverage_table.horizontalHeader()
        cheader.setSectionResizeMode(CoverageColumn.TERM, QHeaderView.ResizeMode.Stretch)
        cheader.setSectionResizeMode(CoverageColumn.CLIPS, QHeaderView.ResizeMode.Fixed)
        cheader.resizeSection(CoverageColumn.CLIPS, 70)
        self.coverage_table.clicked.connect(self._on_coverage_clicked)
        edit_row = QHBoxLayout()
        edit_row.setSpacing(4)
        self.term_edit = QLineEdit()
        self.term_edit.setPlaceholderText("Add a term to check\u2026")
        self.term_edit.returnPressed.connect(self._add_from_field)
        self.add_term_button = QPushButton("Add")
        self.add_term_button.clicked.connect(self._add_from_field)
        self.remove_term_button = QPushButton("Remove")
        self.remove_term_button.clicked.connect(self._remove_selected)
        self.reset_terms_button = QPushButton("Defaults")
        self.reset_terms_button.setToolTip("Go back to the built-in list of emotions and actions")
        self.reset_terms_button.clicked.connect(
            lambda: self.set_terms(list(store.DEFAULT_COVERAGE))
        )
        edit_row.addWidget(self.term_edit, 1)
        edit_row.addWidget(self.add_term_button)
        edit_row.addWidget(self.remove_term_button)
        edit_row.addWidget(self.reset_terms_button)
        cov.addWidget(self.coverage_title)
        cov.addWidget(self.coverage_table, 1)
        cov.addLayout(edit_row)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(freq_box)
        self.splitter.addWidget(cov_box)
        self.splitter.setSizes([500, 400])
        layout.addWidget(self.splitter, 1)
        self.set_filter_tag(None)
        self.refresh()

    # -- content -----------------------------------------------------------------------------

    @property
    def statuses(self) -> tuple[ClipStatus, ...] | None:
        return SCOPES[max(0, self.scope_combo.currentIndex())][1]

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.set_filter_tag(None)
        self.refresh()

    def set_filter_tag(self, tag: str | None) -> None:
        """Show (or hide) the note that the browser shows only clips tagged ``tag``."""
        self.filter_label.setText(f"Browser: clips tagged \u201c{tag}\u201d" if tag else "")
        self.filter_label.setVisible(bool(tag))
        self.clear_filter_button.setVisible(bool(tag))

    def refresh(self) -> None:
        """Re-read frequencies and coverage from the catalogue."""
        project = self.project
        self._set_enabled(project is not None)
        if project is None:
            self.frequency_model.set_rows([], 0)
            self.coverage_model.set_items([])
            self.summary.setText("")
            self.coverage_title.setText("Coverage of emotions and actions")
            self.frequency_empty.setText("Open a project to see its tags.")
            self.frequency_empty.setVisible(True)
            return
        statuses = self.statuses
        try:
            rows = store.tag_frequencies(project, statuses)
            items = store.coverage(project, statuses=statuses)
            total = store.clip_count(project, statuses)
        except AnicurateError as err:
            self.error_reported.emit(describe_error(err))
            return
        self.frequency_model.set_rows(rows, total)
        self.coverage_model.set_items(items)
        noun = "clip" if total == 1 else "clips"
        self.summary.setText(f"{total} {noun}, {len(rows)} distinct tags")
        present = sum(1 for i in items if i.clips)
        missing = len(items) - present
        self.coverage_title.setText(
            f"Coverage: {present} of {len(items)} present"
            + (f", {missing} missing" if missing else "")
        )
        if rows:
            self.frequency_empty.setVisible(False)
        else:
            scope = "accepted clip" if statuses else "clip"
            self.frequency_empty.setText(
                f"No {scope} has tags yet. Tag clips with Tags \u25b8 Tag Clips\u2026"
                + (" and accept them, or count over all clips." if statuses else ".")
            )
            self.frequency_empty.setVisible(True)

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (
            self.scope_combo, self.term_edit, self.add_term_button, self.remove_term_button,
            self.reset_terms_button, self.frequency_search,
        ):  # fmt: skip
            widget.setEnabled(enabled)

    # -- editing the checklist ---------------------------------------------------------------

    def set_terms(self, terms: list[str]) -> None:
        if self.project is None:
            return
        try:
            store.set_coverage_terms(self.project, terms)
        except AnicurateError as err:
            self.error_reported.emit(describe_error(err))
        self.refresh()

    def add_terms(self, text: str) -> None:
        new = [t.strip() for t in text.split(",") if t.strip()]
        if new:
            self.set_terms(self.coverage_model.terms() + new)

    def _add_from_field(self) -> None:
        self.add_terms(self.term_edit.text())
        self.term_edit.clear()

    def _remove_selected(self) -> None:
        rows = {
            self.coverage_proxy.mapToSource(ix).row()
            for ix in self.coverage_table.selectionModel().selectedRows()
        }
        if rows:
            terms = self.coverage_model.terms()
            self.set_terms([t for i, t in enumerate(terms) if i not in rows])

    # -- clicks ------------------------------------------------------------------------------

    def _on_frequency_clicked(self, index: QModelIndex) -> None:
        tag = index.data(TAG_ROLE)
        if tag:
            self.tag_clicked.emit(str(tag))

    def _on_coverage_clicked(self, index: QModelIndex) -> None:
        if index.column() == CoverageColumn.CLIPS and index.data(Qt.ItemDataRole.EditRole) != 0:
            self.tag_clicked.emit(str(index.data(TAG_ROLE)))

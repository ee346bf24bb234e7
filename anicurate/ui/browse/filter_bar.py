"""The clip browser's filters (name or tag; status, flag, sort order) in a two-row header above
the browser, so they never fall off a narrow toolbar; and the status bar's clip counts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QGridLayout, QLineEdit, QSizePolicy, QWidget

from anicurate.ui.browse.clip_browser import ClipBrowser
from anicurate.ui.browse.clip_model import FLAG_STYLES, ClipListModel
from anicurate.ui.browse.filter_model import ANY_FLAG, NO_FLAGS, SORTS

STATUS_FILTERS = (
    ("All statuses", None),
    ("Unreviewed", "unreviewed"),
    ("Accepted", "accepted"),
    ("Rejected", "rejected"),
    ("Problems", "error"),
)


class FilterBar:
    """The filter widgets in :attr:`header` (put it above the browser), wired to ``browser``;
    the browser's "clear filters" resets them without re-filtering."""

    def __init__(self, browser: ClipBrowser) -> None:
        self.browser = browser
        self.header = QWidget()
        self.header.setObjectName("filterBar")
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("statusFilter")
        self.status_combo.setToolTip("Show clips with this status")
        for label, value in STATUS_FILTERS:
            self.status_combo.addItem(label, value)
        self.status_combo.currentIndexChanged.connect(
            lambda _i: browser.proxy.set_status_filter(self.status_combo.currentData())
        )
        self.flag_combo = QComboBox()
        self.flag_combo.setObjectName("flagFilter")
        self.flag_combo.setToolTip("Show clips with this flag")
        self.flag_combo.addItem("All flags", None)
        self.flag_combo.addItem("Any flag", ANY_FLAG)
        self.flag_combo.addItem("No flags", NO_FLAGS)
        for kind, style in FLAG_STYLES.items():
            self.flag_combo.addItem(style.name.capitalize(), kind)
        self.flag_combo.currentIndexChanged.connect(
            lambda _i: browser.proxy.set_flag_filter(self.flag_combo.currentData())
        )
        self.sort_combo = QComboBox()
        self.sort_combo.setObjectName("sortCombo")
        self.sort_combo.setToolTip("Order of the clips")
        self.sort_combo.addItems(list(SORTS))
        self.sort_combo.currentTextChanged.connect(browser.set_sort)
        for combo in (self.status_combo, self.flag_combo, self.sort_combo):
            combo.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            # As wide as the header gives (not as the longest flag name); the list shows all.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(8)
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            combo.view().setMinimumWidth(combo.view().sizeHintForColumn(0) + 24)
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("filterEdit")
        self.filter_edit.setPlaceholderText("Filter by name, tag or caption")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(browser.set_filter)
        layout = QGridLayout(self.header)
        layout.setContentsMargins(4, 4, 4, 2)
        layout.setSpacing(4)
        layout.addWidget(self.filter_edit, 0, 0, 1, 3)
        for column, combo in enumerate((self.status_combo, self.flag_combo, self.sort_combo)):
            layout.addWidget(combo, 1, column)
        layout.setColumnStretch(0, 1)
        layout.setColumnStretch(1, 1)
        layout.setColumnStretch(2, 1)
        browser.filters_cleared.connect(self.reset)

    @property
    def widgets(self) -> tuple[QWidget, ...]:
        return (self.filter_edit, self.status_combo, self.flag_combo, self.sort_combo)

    def setEnabled(self, enabled: bool) -> None:
        for widget in self.widgets:
            widget.setEnabled(enabled)

    def reset(self) -> None:
        """Show the unfiltered state (the browser has already cleared its filters)."""
        for widget in (self.status_combo, self.flag_combo, self.filter_edit):
            widget.blockSignals(True)
        self.status_combo.setCurrentIndex(0)
        self.flag_combo.setCurrentIndex(0)
        self.filter_edit.clear()
        for widget in (self.status_combo, self.flag_combo, self.filter_edit):
            widget.blockSignals(False)


def counts_text(model: ClipListModel, problems: int) -> str:
    """``12 clips   3 accepted   1 rejected   8 to review   2 problems`` for the status bar."""
    statuses: dict[str, int] = {}
    for row in model.rows():
        if row.clip is not None:
            status = str(row.clip.status.value)
            statuses[status] = statuses.get(status, 0) + 1
    clips = model.clip_count
    parts = [f"{clips:,} clip{'' if clips == 1 else 's'}"]
    parts += [f"{statuses.get(s, 0):,} {s}" for s in ("accepted", "rejected")]
    parts.append(f"{statuses.get('unreviewed', 0):,} to review")
    if problems:
        parts.append(f"{problems:,} problem{'' if problems == 1 else 's'}")
    return "   ".join(parts)

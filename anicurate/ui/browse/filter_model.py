"""The browser's proxy model: filter by status, flag and text (name, tags or sentence captions),
sort by any column.

Both views (grid and table) sit on one proxy, so they share filtering, sorting and selection.
Filtering reads the source model's :class:`ClipRow` objects directly (no query per row), so
re-filtering 5,000 clips is a loop over Python objects.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from anicurate.ui.browse.clip_model import SORT_ROLE, ClipListModel, ClipRow, Column

AnyIndex = QModelIndex | QPersistentModelIndex

ANY_FLAG = "any"  # flag filter: clips with at least one flag
NO_FLAGS = "none"  # flag filter: clips without flags

#: What the sort menu offers: label -> (column, order).
SORTS: dict[str, tuple[Column, Qt.SortOrder]] = {
    "Catalogue order": (Column.NAME, Qt.SortOrder.AscendingOrder),  # column -1 in practice
    "Name": (Column.NAME, Qt.SortOrder.AscendingOrder),
    "Duration (longest)": (Column.DURATION, Qt.SortOrder.DescendingOrder),
    "Motion (most)": (Column.MOTION, Qt.SortOrder.DescendingOrder),
    "Effective fps (lowest)": (Column.EFFECTIVE_FPS, Qt.SortOrder.AscendingOrder),
    "Flags (most)": (Column.FLAGS, Qt.SortOrder.DescendingOrder),
}


class ReviewFilterModel(QSortFilterProxyModel):
    """Status / flag / text filters over a :class:`ClipListModel`; numbers sort as numbers."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)
        self._status: str | None = None
        self._flag: str | None = None
        self._text = ""

    # -- filters -----------------------------------------------------------------------------

    @property
    def status_filter(self) -> str | None:
        return self._status

    @property
    def flag_filter(self) -> str | None:
        return self._flag

    @property
    def text_filter(self) -> str:
        return self._text

    def set_status_filter(self, status: str | None) -> None:
        """Only rows with this status ("accepted", "rejected", "unreviewed", "error")."""
        if status != self._status:
            self.beginFilterChange()
            self._status = status or None
            self.endFilterChange()

    def set_flag_filter(self, flag: str | None) -> None:
        """Only rows with this flag kind, or ANY_FLAG / NO_FLAGS; None shows all."""
        if flag != self._flag:
            self.beginFilterChange()
            self._flag = flag or None
            self.endFilterChange()

    def set_text_filter(self, text: str) -> None:
        """Only rows whose name, tags or sentences contain ``text`` (case-insensitive)."""
        text = text.strip().casefold()
        if text != self._text:
            self.beginFilterChange()
            self._text = text
            self.endFilterChange()

    def clear_filters(self) -> None:
        self.beginFilterChange()
        self._status, self._flag, self._text = None, None, ""
        self.endFilterChange()

    @property
    def filtering(self) -> bool:
        return bool(self._status or self._flag or self._text)

    def accepts(self, row: ClipRow) -> bool:
        """Whether ``row`` passes every filter (the proxy's rule, usable without a proxy)."""
        if self._status is not None and row.status != self._status:
            return False
        if self._flag is not None:
            kinds = {f.kind for f in row.flags}
            if self._flag == ANY_FLAG:
                if not kinds:
                    return False
            elif self._flag == NO_FLAGS:
                if kinds or row.result is None:
                    return False
            elif self._flag not in kinds:
                return False
        if self._text:
            return (self._text in row.name.casefold() or self._text in row.tags.casefold()
                    or self._text in row.sentences.casefold())  # fmt: skip
        return True

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self.sourceModel()
        if source_parent.isValid() or not isinstance(model, ClipListModel):
            return True
        return self.accepts(model.row_at(source_row))

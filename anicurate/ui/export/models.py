"""Table models of the export UI: the clips a preview skips (with why) and the hits of a find."""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from anicurate.core.export import Hit, Skipped

AnyIndex = QModelIndex | QPersistentModelIndex
#: The Hit or Skipped behind a row, for views and tests.
ITEM_ROLE = Qt.ItemDataRole.UserRole + 1


class _ListModel(QAbstractTableModel):
    """A read-only table over a list of frozen records, replaced as a whole."""

    headers: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[Any] = []

    def set_items(self, items: list[Any]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def items(self) -> list[Any]:
        return list(self._items)

    def item(self, row: int) -> Any:
        return self._items[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.headers)
        ):
            return self.headers[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        record = self._items[index.row()]
        if role == ITEM_ROLE:
            return record
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell(record, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(record, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in self.right_aligned:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    right_aligned: frozenset[int] = frozenset()

    def cell(self, record: Any, column: int) -> str:
        raise NotImplementedError

    def tooltip(self, record: Any, column: int) -> str | None:
        return None


class SkippedColumn(IntEnum):
    SOURCE = 0
    FRAMES = 1
    REASON = 2


class SkippedModel(_ListModel):
    """Clips the include rule chose that the export leaves out, with the reason."""

    headers = ("Clip", "Frames", "Reason")

    def cell(self, record: Skipped, column: int) -> str:
        if column == SkippedColumn.SOURCE:
            return Path(record.source_path).name
        if column == SkippedColumn.FRAMES:
            return f"{record.first_frame}\u2013{record.last_frame}"
        return record.reason

    def tooltip(self, record: Skipped, column: int) -> str | None:
        if column == SkippedColumn.SOURCE:
            return record.source_path
        return record.reason if column == SkippedColumn.REASON else None


class HitColumn(IntEnum):
    SCORE = 0
    FILE = 1
    SOURCE = 2
    FRAMES = 3
    CAPTION = 4
    MATCHED = 5


class HitModel(_ListModel):
    """Ranked exported clips for a prompt: score, file, source, frame range, caption, matches."""

    headers = ("Score", "Exported file", "Source", "Frames", "Caption", "Matched tags")
    right_aligned = frozenset({HitColumn.SCORE})

    def cell(self, record: Hit, column: int) -> str:
        if column == HitColumn.SCORE:
            return f"{record.score:.2f}"
        if column == HitColumn.FILE:
            return Path(record.path).name
        if column == HitColumn.SOURCE:
            return Path(record.source_path).name
        if column == HitColumn.FRAMES:
            return f"{record.frame_range[0]}\u2013{record.frame_range[1]}"
        if column == HitColumn.CAPTION:
            return record.caption
        return ", ".join(record.matched)

    def tooltip(self, record: Hit, column: int) -> str | None:
        if column == HitColumn.FILE:
            return record.path
        if column == HitColumn.SOURCE:
            return record.source_path
        if column == HitColumn.CAPTION:
            return record.caption
        return None

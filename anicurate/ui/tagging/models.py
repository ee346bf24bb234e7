"""Qt models of the tagging views: a clip's tags, tag frequencies, and the coverage checklist.

They hold plain rows read from the core (``ClipTag``, ``(tag, clips)``, ``CoverageItem``) and
never write the catalogue themselves: an edit (reorder by drag, a renamed checklist term) is
announced by a signal and the panel that owns the model applies it through the core store.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from anicurate.core.tagging.store import ClipTag, CoverageItem

AnyIndex = QModelIndex | QPersistentModelIndex

TAG_ROLE = Qt.ItemDataRole.UserRole + 1  # the tag (or term) as stored
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # a value that sorts naturally for the column
MISSING_ROLE = Qt.ItemDataRole.UserRole + 3  # coverage: True when no clip shows the term

TAG_ROWS_MIME = "application/x-anicurate-tag-rows"

MANUAL_COLOR = QColor("#8cc4ff")  # a person's tags
CHARACTER_COLOR = QColor("#e0a8ff")  # character tags stand out from general ones
DIM_COLOR = QColor("#9c9ca5")
WARNING_TEXT = QColor("#ffcf66")
WARNING_BACKGROUND = QColor("#3a3018")
OK_TEXT = QColor("#6fd08c")

_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class TagColumn(IntEnum):
    TAG = 0
    SCORE = 1
    ORIGIN = 2


_TAG_HEADERS = {TagColumn.TAG: "Tag", TagColumn.SCORE: "Score", TagColumn.ORIGIN: "Origin"}


def _header(headers: dict[Any, str], section: int, orientation: Qt.Orientation, role: int) -> Any:
    if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(headers):
        return None
    if role == Qt.ItemDataRole.DisplayRole:
        return list(headers.values())[section]
    return None


class ClipTagModel(QAbstractTableModel):
    """One clip's tags in caption order; rows can be dragged to a new place."""

    order_requested = Signal(list)  # list[str]: every tag, in the order the drop asks for

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._tags: list[ClipTag] = []

    def set_tags(self, tags: Sequence[ClipTag]) -> bool:
        """Show ``tags``; returns False (and keeps selection) when nothing changed."""
        new = list(tags)
        if new == self._tags:
            return False
        self.beginResetModel()
        self._tags = new
        self.endResetModel()
        return True

    def tags(self) -> list[ClipTag]:
        return list(self._tags)

    def names(self) -> list[str]:
        return [t.tag for t in self._tags]

    def row_of(self, tag: str) -> int | None:
        key = tag.strip().casefold()
        for i, t in enumerate(self._tags):
            if t.tag.casefold() == key:
                return i
        return None

    # -- Qt model interface ------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else len(self._tags)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(TagColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and section == TagColumn.SCORE:
            return _RIGHT
        return _header(_TAG_HEADERS, section, orientation, role)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        flag = Qt.ItemFlag
        if not index.isValid():
            return flag.ItemIsDropEnabled
        return (
            flag.ItemIsEnabled
            | flag.ItemIsSelectable
            | flag.ItemIsDragEnabled
            | flag.ItemNeverHasChildren
        )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._tags):
            return None
        tag = self._tags[index.row()]
        column = TagColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if column is TagColumn.TAG:
                return tag.tag
            if column is TagColumn.SCORE:
                return "\u2014" if tag.score is None else f"{tag.score:.2f}"
            return tag.origin
        if role == Qt.ItemDataRole.ForegroundRole:
            if column is TagColumn.TAG and tag.category == "character":
                return CHARACTER_COLOR
            if column is TagColumn.ORIGIN:
                return MANUAL_COLOR if tag.origin == "manual" else DIM_COLOR
            if column is TagColumn.SCORE:
                return DIM_COLOR if tag.score is None else None
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column is TagColumn.SCORE:
            return _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tag_tooltip(tag)
        if role == TAG_ROLE:
            return tag.tag
        return None

    # -- drag to reorder ---------------------------------------------------------------------

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [TAG_ROWS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({ix.row() for ix in indexes if ix.isValid()})
        mime = QMimeData()
        mime.setData(TAG_ROWS_MIME, QByteArray(json.dumps(rows).encode()))
        return mime

    def dropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: AnyIndex,
    ) -> bool:
        """Ask for the dragged rows to go before ``row`` (or the row dropped on); the owner
        applies it (``order_requested``) and reloads, so the view never removes rows itself."""
        if action == Qt.DropAction.IgnoreAction:
            return True
        if not data.hasFormat(TAG_ROWS_MIME):
            return False
        try:
            rows = [int(r) for r in json.loads(bytes(data.data(TAG_ROWS_MIME).data()).decode())]
        except (ValueError, TypeError):
            return False
        if parent.isValid():
            row = parent.row()
        if row < 0:
            row = len(self._tags)
        order = reordered(self.names(), rows, row)
        if order != self.names():
            self.order_requested.emit(order)
        return True


def reordered(names: Sequence[str], rows: Sequence[int], before: int) -> list[str]:
    """``names`` with the items at ``rows`` moved (in their order) to just before ``before``."""
    picked = [names[r] for r in sorted(set(rows)) if 0 <= r < len(names)]
    rest = [n for i, n in enumerate(names) if i not in set(rows)]
    at = before - sum(1 for r in set(rows) if 0 <= r < before)
    at = max(0, min(at, len(rest)))
    return rest[:at] + picked + rest[at:]


def _tag_tooltip(tag: ClipTag) -> str:
    lines = [tag.tag]
    if tag.category:
        lines.append(f"category: {tag.category}")
    if tag.origin == "manual":
        lines.append("added or kept by you: re-tagging keeps it")
    else:
        lines.append(f"from the tagger, score {tag.score:.3f}" if tag.score is not None else "auto")
    return "\n".join(lines)


class FrequencyColumn(IntEnum):
    TAG = 0
    CLIPS = 1
    SHARE = 2


_FREQ_HEADERS = {
    FrequencyColumn.TAG: "Tag",
    FrequencyColumn.CLIPS: "Clips",
    FrequencyColumn.SHARE: "Share",
}


class TagFrequencyModel(QAbstractTableModel):
    """``(tag, clips carrying it)`` rows with each tag's share of the clips counted."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, int]] = []
        self._total = 0

    def set_rows(self, rows: Sequence[tuple[str, int]], total_clips: int) -> None:
        new = list(rows)
        if new == self._rows and total_clips == self._total:
            return
        self.beginResetModel()
        self._rows, self._total = new, total_clips
        self.endResetModel()

    def rows(self) -> list[tuple[str, int]]:
        return list(self._rows)

    @property
    def total_clips(self) -> int:
        return self._total

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(FrequencyColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and section != FrequencyColumn.TAG:
            return _RIGHT
        return _header(_FREQ_HEADERS, section, orientation, role)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flag = Qt.ItemFlag
        return flag.ItemIsEnabled | flag.ItemIsSelectable | flag.ItemNeverHasChildren

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        tag, clips = self._rows[index.row()]
        column = FrequencyColumn(index.column())
        share = clips / self._total if self._total else 0.0
        if role == Qt.ItemDataRole.DisplayRole:
            if column is FrequencyColumn.TAG:
                return tag
            if column is FrequencyColumn.CLIPS:
                return str(clips)
            return f"{share:.0%}"
        if role == Qt.ItemDataRole.TextAlignmentRole and column is not FrequencyColumn.TAG:
            return _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{tag}: {clips} of {self._total} clips \u2014 click to show them in the browser"
        if role == TAG_ROLE:
            return tag
        if role == SORT_ROLE:
            return tag.casefold() if column is FrequencyColumn.TAG else clips
        return None


class CoverageColumn(IntEnum):
    TERM = 0
    CLIPS = 1


_COVERAGE_HEADERS = {CoverageColumn.TERM: "Emotion / action", CoverageColumn.CLIPS: "Clips"}


class CoverageModel(QAbstractTableModel):
    """The checklist: each term with the clips showing it; missing ones in a warning colour.

    Terms are editable in place; an edit is announced by ``terms_edited`` (the whole new list).
    """

    terms_edited = Signal(list)  # list[str]

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[CoverageItem] = []

    def set_items(self, items: Sequence[CoverageItem]) -> None:
        new = list(items)
        if new == self._items:
            return
        self.beginResetModel()
        self._items = new
        self.endResetModel()

    def items(self) -> list[CoverageItem]:
        return list(self._items)

    def terms(self) -> list[str]:
        return [i.term for i in self._items]

    def missing(self) -> list[str]:
        return [i.term for i in self._items if i.clips == 0]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(CoverageColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and section == CoverageColumn.CLIPS:
            return _RIGHT
        return _header(_COVERAGE_HEADERS, section, orientation, role)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flag = Qt.ItemFlag
        base = flag.ItemIsEnabled | flag.ItemIsSelectable | flag.ItemNeverHasChildren
        return base | flag.ItemIsEditable if index.column() == CoverageColumn.TERM else base

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        column = CoverageColumn(index.column())
        missing = item.clips == 0
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column is CoverageColumn.TERM:
                return item.term
            if role == Qt.ItemDataRole.EditRole:
                return item.clips
            return "missing" if missing else str(item.clips)
        if role == Qt.ItemDataRole.ForegroundRole:
            if missing:
                return WARNING_TEXT
            return OK_TEXT if column is CoverageColumn.CLIPS else None
        if role == Qt.ItemDataRole.BackgroundRole:
            return WARNING_BACKGROUND if missing else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column is CoverageColumn.CLIPS:
            return _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            if missing:
                return f"No clip shows \u201c{item.term}\u201d yet: the model will not learn it."
            noun = "clip" if item.clips == 1 else "clips"
            return f"{item.clips} {noun} tagged \u201c{item.term}\u201d"
        if role == TAG_ROLE:
            return item.term
        if role == MISSING_ROLE:
            return missing
        if role == SORT_ROLE:
            return item.term.casefold() if column is CoverageColumn.TERM else item.clips
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            role != Qt.ItemDataRole.EditRole
            or not index.isValid()
            or index.column() != CoverageColumn.TERM
            or not 0 <= index.row() < len(self._items)
        ):
            return False
        text = str(value).strip()
        if not text or text == self._items[index.row()].term:
            return False
        terms = self.terms()
        terms[index.row()] = text
        self.terms_edited.emit(terms)
        return True

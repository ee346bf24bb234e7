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

from PySide6.QtCore import QByteArray, QMimeData, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from anicurate.core.tagging.store import ClipTag, CoverageItem
from anicurate.ui.common.table_model import AnyIndex, ListTableModel

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


class TagColumn(IntEnum):
    TAG = 0
    SCORE = 1
    ORIGIN = 2


class ClipTagModel(ListTableModel[ClipTag]):
    """One clip's tags in caption order; rows can be dragged to a new place."""

    order_requested = Signal(list)  # list[str]: every tag, in the order the drop asks for

    headers = ("Tag", "Score", "Origin")
    right_aligned = frozenset({TagColumn.SCORE})

    def set_tags(self, tags: Sequence[ClipTag]) -> bool:
        """Show ``tags``; returns False (and keeps selection) when nothing changed."""
        return self.set_items(tags)

    def tags(self) -> list[ClipTag]:
        return self.items()

    def names(self) -> list[str]:
        return [t.tag for t in self._items]

    def row_of(self, tag: str) -> int | None:
        key = tag.strip().casefold()
        for i, t in enumerate(self._items):
            if t.tag.casefold() == key:
                return i
        return None

    # -- Qt model interface ------------------------------------------------------------------

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return super().flags(index) | Qt.ItemFlag.ItemIsDragEnabled

    def display(self, item: ClipTag, column: int) -> Any:
        if column == TagColumn.TAG:
            return item.tag
        if column == TagColumn.SCORE:
            return "\u2014" if item.score is None else f"{item.score:.2f}"
        return item.origin

    def tooltip(self, item: ClipTag, column: int) -> Any:
        return _tag_tooltip(item)

    def item_data(self, item: ClipTag, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == TagColumn.TAG and item.category == "character":
                return CHARACTER_COLOR
            if column == TagColumn.ORIGIN:
                return MANUAL_COLOR if item.origin == "manual" else DIM_COLOR
            if column == TagColumn.SCORE:
                return DIM_COLOR if item.score is None else None
            return None
        if role == TAG_ROLE:
            return item.tag
        return super().item_data(item, column, role)

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
            row = len(self._items)
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


class TagFrequencyModel(ListTableModel[tuple[str, int]]):
    """``(tag, clips carrying it)`` rows with each tag's share of the clips counted."""

    headers = ("Tag", "Clips", "Share")
    right_aligned = frozenset({FrequencyColumn.CLIPS, FrequencyColumn.SHARE})

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._total = 0

    def set_rows(self, rows: Sequence[tuple[str, int]], total_clips: int) -> None:
        if total_clips == self._total:
            self.set_items(rows)
            return
        self.beginResetModel()
        self._items, self._total = list(rows), total_clips
        self.endResetModel()

    def rows(self) -> list[tuple[str, int]]:
        return self.items()

    @property
    def total_clips(self) -> int:
        return self._total

    def display(self, item: tuple[str, int], column: int) -> Any:
        tag, clips = item
        if column == FrequencyColumn.TAG:
            return tag
        if column == FrequencyColumn.CLIPS:
            return str(clips)
        return f"{clips / self._total if self._total else 0.0:.0%}"

    def tooltip(self, item: tuple[str, int], column: int) -> Any:
        tag, clips = item
        return f"{tag}: {clips} of {self._total} clips \u2014 click to show them in the browser"

    def item_data(self, item: tuple[str, int], column: int, role: int) -> Any:
        tag, clips = item
        if role == TAG_ROLE:
            return tag
        if role == SORT_ROLE:
            return tag.casefold() if column == FrequencyColumn.TAG else clips
        return super().item_data(item, column, role)


class CoverageColumn(IntEnum):
    TERM = 0
    CLIPS = 1


class CoverageModel(ListTableModel[CoverageItem]):
    """The checklist: each term with the clips showing it; missing ones in a warning colour.

    Terms are editable in place; an edit is announced by ``terms_edited`` (the whole new list).
    """

    terms_edited = Signal(list)  # list[str]

    headers = ("Emotion / action", "Clips")
    right_aligned = frozenset({CoverageColumn.CLIPS})

    def terms(self) -> list[str]:
        return [i.term for i in self._items]

    def missing(self) -> list[str]:
        return [i.term for i in self._items if i.clips == 0]

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == CoverageColumn.TERM:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def display(self, item: CoverageItem, column: int) -> Any:
        if column == CoverageColumn.TERM:
            return item.term
        return "missing" if item.clips == 0 else str(item.clips)

    def tooltip(self, item: CoverageItem, column: int) -> Any:
        if item.clips == 0:
            return f"No clip shows \u201c{item.term}\u201d yet: the model will not learn it."
        noun = "clip" if item.clips == 1 else "clips"
        return f"{item.clips} {noun} tagged \u201c{item.term}\u201d"

    def item_data(self, item: CoverageItem, column: int, role: int) -> Any:
        missing = item.clips == 0
        if role == Qt.ItemDataRole.EditRole:
            return item.term if column == CoverageColumn.TERM else item.clips
        if role == Qt.ItemDataRole.ForegroundRole:
            if missing:
                return WARNING_TEXT
            return OK_TEXT if column == CoverageColumn.CLIPS else None
        if role == Qt.ItemDataRole.BackgroundRole:
            return WARNING_BACKGROUND if missing else None
        if role == TAG_ROLE:
            return item.term
        if role == MISSING_ROLE:
            return missing
        if role == SORT_ROLE:
            return item.term.casefold() if column == CoverageColumn.TERM else item.clips
        return super().item_data(item, column, role)

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

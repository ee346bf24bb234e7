"""Table models of the export UI: the clips a preview skips (with why) and the hits of a find."""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path

from PySide6.QtCore import Qt

from anicurate.core.export import Hit, Skipped
from anicurate.ui.common.table_model import ListTableModel

#: The Hit or Skipped behind a row, for views and tests.
ITEM_ROLE = Qt.ItemDataRole.UserRole + 1


class SkippedColumn(IntEnum):
    SOURCE = 0
    FRAMES = 1
    REASON = 2


class SkippedModel(ListTableModel[Skipped]):
    """Clips the include rule chose that the export leaves out, with the reason."""

    headers = ("Clip", "Frames", "Reason")
    item_role = ITEM_ROLE

    def display(self, record: Skipped, column: int) -> str:
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


class HitModel(ListTableModel[Hit]):
    """Ranked exported clips for a prompt: score, file, source, frame range, caption, matches."""

    headers = ("Score", "Exported file", "Source", "Frames", "Caption", "Matched tags")
    right_aligned = frozenset({HitColumn.SCORE})
    align_headers = False
    item_role = ITEM_ROLE

    def display(self, record: Hit, column: int) -> str:
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

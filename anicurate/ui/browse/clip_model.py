"""Qt item model over a project's clips (and the sources that failed to import).

One table model serves both views: the thumbnail grid shows column 0, the detail table every
column, and because it is the same model the two views can share one selection. Rows are read
on the GUI thread from the window's own :class:`Project`; :meth:`ClipListModel.refresh` re-reads
them and applies the difference as row inserts/removals/changes, so selection and scroll position
survive an import that lands files while the user looks.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from enum import IntEnum
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap

from anicurate.core.analysis.flags import FlagKind

# Re-exported: the browser, inspector and feature packages import ClipRow and ERROR_STATUS here.
from anicurate.core.listing import ERROR_STATUS as ERROR_STATUS
from anicurate.core.listing import ClipRow as ClipRow
from anicurate.core.listing import list_clips
from anicurate.core.project.thumbnails import clip_thumbnail
from anicurate.ui.common.formatting import (
    duration_text,
    fps_text,
    frame_range_text,
    kind_label,
    resolution_text,
)
from anicurate.ui.common.messages import explain_source_error
from anicurate.ui.common.table_model import ListTableModel

if TYPE_CHECKING:
    from anicurate.core.project import Project

# Custom roles; every column answers them, so delegates and the inspector need no column logic.
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the ClipRow
THUMBNAIL_ROLE = Qt.ItemDataRole.UserRole + 2  # QPixmap | None, full stored size
STATUS_ROLE = Qt.ItemDataRole.UserRole + 3  # "accepted" / "rejected" / "unreviewed" / "error"
ERROR_ROLE = Qt.ItemDataRole.UserRole + 4  # one-line error text or None
META_ROLE = Qt.ItemDataRole.UserRole + 5  # "1920×1080 · 0:02.0" under a grid thumbnail
BADGE_ROLE = Qt.ItemDataRole.UserRole + 6  # "GIF", "STILL", ... (None for plain video)
SORT_ROLE = Qt.ItemDataRole.UserRole + 7  # a value that sorts naturally for the column
FLAGS_ROLE = Qt.ItemDataRole.UserRole + 8  # list[Flag] of the clip's stored analysis


class Column(IntEnum):
    NAME = 0
    KIND = 1
    RESOLUTION = 2
    FPS = 3
    FRAMES = 4
    DURATION = 5
    EFFECTIVE_FPS = 6
    MOTION = 7
    FLAGS = 8
    STATUS = 9
    ERROR = 10


HEADERS = {
    Column.NAME: "Name",
    Column.KIND: "Kind",
    Column.RESOLUTION: "Resolution",
    Column.FPS: "FPS",
    Column.FRAMES: "Frames",
    Column.DURATION: "Duration",
    Column.EFFECTIVE_FPS: "Eff. fps",
    Column.MOTION: "Motion",
    Column.FLAGS: "Flags",
    Column.STATUS: "Status",
    Column.ERROR: "Problem",
}

_RIGHT_ALIGNED = {
    Column.FPS, Column.FRAMES, Column.DURATION, Column.EFFECTIVE_FPS, Column.MOTION,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class FlagStyle:
    """How the browser, inspector and filter show one flag kind."""

    short: str  # badge on grid tiles and the table's Flags column
    name: str  # a person's name for it, for filter menus and the inspector
    color: str  # badge colour: editing red, motion/timing amber, picture violet, sameness blue


_EDIT, _TIMING, _PICTURE, _SAME = "#c7463f", "#b7791f", "#7b5cc4", "#3d7fa6"
#: Every flag kind's style (a test checks none is missing).
FLAG_STYLES: dict[FlagKind, FlagStyle] = {
    FlagKind.CUT: FlagStyle("CUT", "contains a cut", _EDIT),
    FlagKind.FADE: FlagStyle("FADE", "contains a fade, dissolve or wipe", _EDIT),
    FlagKind.FLASH: FlagStyle("FLASH", "contains a flash", _EDIT),
    FlagKind.LARGE_MOTION: FlagStyle("MOTION", "large motion", _TIMING),
    FlagKind.LOW_FPS: FlagStyle("LOW FPS", "low effective fps", _TIMING),
    FlagKind.TOO_FEW_FRAMES: FlagStyle("SHORT", "too few frames", _TIMING),
    FlagKind.LOW_RESOLUTION: FlagStyle("LOW RES", "below training resolution", _PICTURE),
    FlagKind.ASPECT: FlagStyle("ASPECT", "aspect ratio differs", _PICTURE),
    FlagKind.BLURRY: FlagStyle("BLUR", "blurry", _PICTURE),
    FlagKind.NOISY: FlagStyle("NOISE", "noisy", _PICTURE),
    FlagKind.STATIC: FlagStyle("STATIC", "static", _TIMING),
    FlagKind.DUPLICATE: FlagStyle("DUPLICATE", "near-duplicate", _SAME),
    FlagKind.OVERLAP: FlagStyle("OVERLAP", "shares frames with another clip", _SAME),
    FlagKind.TEXT_OVERLAY: FlagStyle("TEXT", "text over the picture", _PICTURE),
}


# Status words in the table, coloured like the grid's badges but light enough for dark rows.
STATUS_TEXT_COLORS = {"accepted": "#6fd08c", "rejected": "#ff8a7a", ERROR_STATUS: "#ff8a7a"}

# Table icons share one box, so names line up whatever the clip's aspect ratio.
ICON_BOX = QSize(96, 54)


class ClipListModel(ListTableModel[ClipRow]):
    """Rows of :class:`ClipRow`; thumbnails are decoded lazily from the catalogue and cached."""

    THUMBNAIL_CACHE_SIZE = 800  # decoded pixmaps kept; a screenful of the grid is ~50

    headers = tuple(HEADERS[c] for c in Column)
    right_aligned = frozenset(_RIGHT_ALIGNED)
    item_role = ROW_ROLE

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._project: Project | None = None
        self._thumbs: OrderedDict[tuple[object, ...], QPixmap | None] = OrderedDict()
        self._icons: OrderedDict[tuple[object, ...], QIcon] = OrderedDict()

    # -- content ---------------------------------------------------------------------------

    @property
    def project(self) -> Project | None:
        return self._project

    def set_project(self, project: Project | None, rows: list[ClipRow] | None = None) -> None:
        """Show ``project`` (or nothing); resets the model and forgets cached thumbnails.
        ``rows``: its rows, where the caller has just read them."""
        self.beginResetModel()
        self._project = project
        if rows is None:
            rows = list_clips(project) if project is not None else []
        self._items = list(rows)
        self._thumbs.clear()
        self._icons.clear()
        self.endResetModel()

    def refresh(self, rows: list[ClipRow] | None = None) -> None:
        """Re-read the project (``rows``: read already) and apply only what changed (keeps
        selection and scroll)."""
        if self._project is None:
            return
        self.apply_rows(list_clips(self._project) if rows is None else rows)

    def rows(self) -> list[ClipRow]:
        return list(self._items)

    def row_at(self, row: int) -> ClipRow:
        return self._items[row]

    def row_of_key(self, key: tuple[str, int]) -> int | None:
        for i, r in enumerate(self._items):
            if r.key == key:
                return i
        return None

    def row_of_source(self, source_id: int) -> int | None:
        """The first row showing ``source_id`` (its first clip, or its failed entry)."""
        for i, r in enumerate(self._items):
            if r.source.id == source_id:
                return i
        return None

    @property
    def clip_count(self) -> int:
        return sum(1 for r in self._items if r.clip is not None)

    @property
    def error_count(self) -> int:
        return sum(1 for r in self._items if r.error is not None)

    def apply_rows(self, new_rows: list[ClipRow]) -> None:
        """Turn the current rows into ``new_rows`` with removes, a reorder, inserts and changes."""
        root = QModelIndex()
        new_keys = [r.key for r in new_rows]
        new_pos = {k: i for i, k in enumerate(new_keys)}

        # 1. removals, last run first so earlier row numbers stay valid
        gone = [i for i, r in enumerate(self._items) if r.key not in new_pos]
        for start, end in reversed(_runs(gone)):
            self.beginRemoveRows(root, start, end)
            del self._items[start : end + 1]
            self.endRemoveRows()

        # 2. a relinked file can move; reorder the survivors with persistent indexes kept
        if any(new_pos[a.key] > new_pos[b.key] for a, b in pairwise(self._items)):
            self.layoutAboutToBeChanged.emit()
            order = sorted(range(len(self._items)), key=lambda i: new_pos[self._items[i].key])
            moved_to = {old: new for new, old in enumerate(order)}
            self._items = [self._items[i] for i in order]
            old_indexes = self.persistentIndexList()
            self.changePersistentIndexList(
                old_indexes,
                [self.index(moved_to[ix.row()], ix.column()) for ix in old_indexes],
            )
            self.layoutChanged.emit()

        # 3. insertions: the survivors are now a subsequence of new_rows in the same order
        have = {r.key for r in self._items}
        i = 0
        while i < len(new_rows):
            if new_keys[i] in have:
                i += 1
                continue
            j = i
            while j < len(new_rows) and new_keys[j] not in have:
                j += 1
            self.beginInsertRows(root, i, j - 1)
            self._items[i:i] = new_rows[i:j]
            self.endInsertRows()
            i = j

        # 4. changed content (status, relinked path, re-probed info)
        changed = [i for i, (a, b) in enumerate(zip(self._items, new_rows, strict=True)) if a != b]
        for start, end in _runs(changed):
            self._items[start : end + 1] = new_rows[start : end + 1]
            self.dataChanged.emit(self.index(start, 0), self.index(end, len(Column) - 1))

    # -- Qt model interface ------------------------------------------------------------------

    def display(self, item: ClipRow, column: int) -> Any:
        return _cell_text(item, Column(column))

    def tooltip(self, item: ClipRow, column: int) -> Any:
        return tooltip_text(item)

    def item_data(self, item: ClipRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(item) if column == Column.NAME else None
        if role == Qt.ItemDataRole.ForegroundRole and column in (Column.STATUS, Column.ERROR):
            color = STATUS_TEXT_COLORS.get(item.status)
            return QColor(color) if color else None
        if role == THUMBNAIL_ROLE:
            return self.thumbnail(item)
        if role == STATUS_ROLE:
            return item.status
        if role == ERROR_ROLE:
            return item.error
        if role == META_ROLE:
            return _meta_line(item)
        if role == BADGE_ROLE:
            info = item.source.info
            return None if info is None or info.kind.value == "video" else kind_label(info)
        if role == SORT_ROLE:
            return _sort_key(item, Column(column))
        if role == FLAGS_ROLE:
            return item.flags
        return super().item_data(item, column, role)

    # -- thumbnails --------------------------------------------------------------------------

    def thumbnail(self, row: ClipRow) -> QPixmap | None:
        """The row's stored JPEG thumbnail (the clip's own, else its source's), decoded once
        (LRU-cached)."""
        key = _thumb_key(row)
        if key in self._thumbs:
            self._thumbs.move_to_end(key)
            return self._thumbs[key]
        pixmap: QPixmap | None = None
        data = None
        if self._project is not None:
            data = (
                clip_thumbnail(self._project, row.clip, row.source)
                if row.clip is not None
                else self._project.thumbnail(row.source.id)
            )
        if data:
            image = QImage.fromData(data)
            if not image.isNull():
                pixmap = QPixmap.fromImage(image)
        self._thumbs[key] = pixmap
        if len(self._thumbs) > self.THUMBNAIL_CACHE_SIZE:
            self._thumbs.popitem(last=False)
        return pixmap

    def thumbnails_updated(self) -> None:
        """Clips' own thumbnails were stored: forget the decoded ones and repaint."""
        self._thumbs.clear()
        self._icons.clear()
        if self._items:
            roles = [Qt.ItemDataRole.DecorationRole, THUMBNAIL_ROLE]
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._items) - 1, 0), roles)

    def _icon(self, row: ClipRow) -> QIcon:
        """The table's icon: the thumbnail letterboxed into ICON_BOX (a warning sign if none)."""
        key = _thumb_key(row)
        icon = self._icons.get(key)
        if icon is None:
            icon = self._icons[key] = QIcon(_boxed(self.thumbnail(row)))
            if len(self._icons) > self.THUMBNAIL_CACHE_SIZE:
                self._icons.popitem(last=False)
        return icon


def _thumb_key(row: ClipRow) -> tuple[object, ...]:
    """What a row's picture depends on: its source's content and, for a clip, its range."""
    clip = row.clip
    frames = (clip.id, clip.first_frame, clip.last_frame) if clip is not None else ()
    return (row.source.id, row.source.hash, *frames)


def _boxed(pixmap: QPixmap | None) -> QPixmap:
    box = QPixmap(ICON_BOX)
    box.fill(QColor("#0c0c0e"))
    painter = QPainter(box)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    if pixmap is not None:
        size = pixmap.size().scaled(ICON_BOX, Qt.AspectRatioMode.KeepAspectRatio)
        target = QRect(QPoint(0, 0), size)
        target.moveCenter(box.rect().center())
        painter.drawPixmap(target, pixmap)
    else:
        painter.fillRect(box.rect(), QColor(120, 30, 26, 140))
        font = painter.font()
        font.setPixelSize(ICON_BOX.height() // 2)
        painter.setFont(font)
        painter.setPen(QColor("#ff8a7a"))
        painter.drawText(box.rect(), Qt.AlignmentFlag.AlignCenter, "\u26a0")
    painter.end()
    return box


def _runs(indexes: list[int]) -> list[tuple[int, int]]:
    """Sorted indexes grouped into inclusive (start, end) runs of consecutive numbers."""
    runs: list[tuple[int, int]] = []
    for i in indexes:
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _cell_text(row: ClipRow, column: Column) -> str:
    info = row.source.info
    if column is Column.NAME:
        return row.name
    if column is Column.STATUS:
        return row.status
    if column is Column.ERROR:
        return row.error or ""
    if column is Column.FLAGS:
        return ", ".join(FLAG_STYLES[f.kind].short.lower() for f in row.flags)
    metrics = row.result.metrics if row.result is not None else None
    if column is Column.EFFECTIVE_FPS:
        return f"{metrics.effective_fps:.1f}" if metrics and metrics.frames > 1 else ""
    if column is Column.MOTION:
        return f"{metrics.motion_p95:.2f}" if metrics and metrics.frames > 1 else ""
    if info is None:
        return ""
    if column is Column.KIND:
        return kind_label(info).lower()
    if column is Column.RESOLUTION:
        return resolution_text(info.width, info.height)
    if column is Column.FRAMES:
        return str(row.frame_count)
    if info.frame_count <= 1:
        return ""  # a still has no rate and no duration
    if column is Column.FPS:
        return fps_text(info.fps) + (" (VFR)" if info.vfr else "")
    if column is Column.DURATION:
        return duration_text(row.duration or 0.0)
    return ""


def _sort_key(row: ClipRow, column: Column) -> Any:
    info = row.source.info
    if column is Column.NAME:
        return row.name.casefold()
    if column in (Column.STATUS, Column.ERROR):
        return _cell_text(row, column)
    if column is Column.FLAGS:
        return len(row.flags)
    metrics = row.result.metrics if row.result is not None else None
    if column is Column.EFFECTIVE_FPS:
        return metrics.effective_fps if metrics is not None else -1.0
    if column is Column.MOTION:
        return metrics.motion_p95 if metrics is not None else -1.0
    if info is None:
        return -1 if column is not Column.KIND else ""
    if column is Column.KIND:
        return kind_label(info)
    if column is Column.RESOLUTION:
        return info.width * info.height
    if column is Column.FPS:
        return float(info.fps)
    if column is Column.FRAMES:
        return row.frame_count or 0
    return row.duration or 0.0


def _meta_line(row: ClipRow) -> str:
    """The small line under a grid thumbnail: size and length, or what went wrong.

    The error kind is already written on the tile, so only the detail after it is repeated.
    """
    info = row.source.info
    if info is None:
        error = row.error or ""
        kind = row.source.error_kind
        if kind and error.startswith(f"{kind}: "):
            return error[len(kind) + 2 :]
        return error
    parts = [resolution_text(info.width, info.height)]
    if info.frame_count > 1:
        parts.append(duration_text(row.duration or 0.0))
    return " \u00b7 ".join(parts)


def tooltip_text(row: ClipRow) -> str:
    """Several lines of metadata for hovering an item, errors explained in plain words."""
    lines = [row.name, row.source.path]
    info = row.source.info
    if info is not None:
        fps = fps_text(info.fps) + (" VFR" if info.vfr else "")
        lines.append(
            f"{kind_label(info).lower()} \u00b7 {info.codec} \u00b7 "
            f"{resolution_text(info.width, info.height)} \u00b7 {fps} fps"
        )
        if row.clip is not None:
            lines.append(
                f"frames {frame_range_text(row.clip.first_frame, row.clip.last_frame)} \u00b7 "
                f"{duration_text(row.duration or 0.0)}"
            )
    lines.append(f"status: {row.status}")
    lines += [f"\u26a0 {FLAG_STYLES[f.kind].name}: {f.reason}" for f in row.flags]
    if row.error is not None:
        lines.append(explain_source_error(row.source.error_kind, row.source.error))
    return "\n".join(lines)

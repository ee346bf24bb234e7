"""The clip browser: a thumbnail grid and a detail table over one model, sharing one selection.

The grid uses uniform item sizes and a painting delegate (no widget per item), so it stays fast
with thousands of clips; thumbnails are decoded only for the items Qt asks to paint.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QPushButton,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from anicurate.ui.browse.clip_model import (
    BADGE_ROLE,
    ERROR_ROLE,
    ERROR_STATUS,
    FLAG_STYLES,
    FLAGS_ROLE,
    META_ROLE,
    ROW_ROLE,
    STATUS_ROLE,
    THUMBNAIL_ROLE,
    ClipListModel,
    ClipRow,
    Column,
)
from anicurate.ui.browse.filter_model import SORTS, ReviewFilterModel

AnyIndex = QModelIndex | QPersistentModelIndex

# Badge colours: saturated enough to read on any thumbnail, always with white text.
STATUS_COLORS = {
    "accepted": QColor("#2f9e55"),
    "rejected": QColor("#c7463f"),
    ERROR_STATUS: QColor("#d0392b"),
}
STATUS_LABELS = {"accepted": "ACCEPTED", "rejected": "REJECTED", ERROR_STATUS: "ERROR"}


class BrowserMode(IntEnum):
    GRID = 0
    TABLE = 1


class ClipDelegate(QStyledItemDelegate):
    """Paints one grid cell: thumbnail (letterboxed), badges, name and a line of metadata."""

    CELL = QSize(208, 170)
    THUMB = QSize(192, 108)
    PAD = 8

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        return self.CELL

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        palette: QPalette = option.palette
        state = option.state
        rect: QRect = option.rect
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)

        card = rect.adjusted(3, 3, -3, -3)
        selected = bool(state & QStyle.StateFlag.State_Selected)
        if selected:
            fill = QColor(palette.color(QPalette.ColorRole.Highlight))
            fill.setAlpha(110)
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 2))
            painter.setBrush(fill)
            painter.drawRoundedRect(card, 6, 6)
        elif state & QStyle.StateFlag.State_MouseOver:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.color(QPalette.ColorRole.AlternateBase))
            painter.drawRoundedRect(card, 6, 6)

        thumb = QRect(
            rect.left() + (rect.width() - self.THUMB.width()) // 2,
            rect.top() + self.PAD,
            self.THUMB.width(),
            self.THUMB.height(),
        )
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#0c0c0e"))
        painter.drawRoundedRect(thumb, 4, 4)

        error = index.data(ERROR_ROLE)
        pixmap = index.data(THUMBNAIL_ROLE)
        if pixmap is not None and not pixmap.isNull():
            size = pixmap.size().scaled(thumb.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(thumb.center())
            painter.drawPixmap(target, pixmap)
        else:
            self._paint_placeholder(painter, thumb, error)

        status = index.data(STATUS_ROLE)
        if status in STATUS_LABELS:
            self._paint_badge(
                painter,
                thumb.topLeft().x() + 5,
                thumb.top() + 5,
                STATUS_LABELS[status],
                STATUS_COLORS[status],
                left=True,
            )
        badge = index.data(BADGE_ROLE)
        if badge:
            self._paint_badge(
                painter,
                thumb.right() - 5,
                thumb.top() + 5,
                badge,
                QColor(0, 0, 0, 170),
                left=False,
            )
        self._paint_flags(painter, thumb, index.data(FLAGS_ROLE) or [])

        text_rect = QRect(
            rect.left() + self.PAD, thumb.bottom() + 6, rect.width() - 2 * self.PAD, 18
        )
        centered = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
        font = QFont(option.font)
        painter.setFont(font)
        metrics = QFontMetrics(font)
        name = metrics.elidedText(
            index.data(Qt.ItemDataRole.DisplayRole) or "",
            Qt.TextElideMode.ElideMiddle,
            text_rect.width(),
        )
        # The selected card is a translucent tint, so plain text colour reads in both themes.
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        painter.drawText(text_rect, centered, name)

        small = QFont(font)
        small.setPointSizeF(max(font.pointSizeF() * 0.85, 7.0))
        painter.setFont(small)
        meta_rect = text_rect.translated(0, 18)
        meta = QFontMetrics(small).elidedText(
            index.data(META_ROLE) or "", Qt.TextElideMode.ElideRight, meta_rect.width()
        )
        meta_color = palette.color(QPalette.ColorRole.PlaceholderText)
        painter.setPen(QColor("#ff8a7a") if error else meta_color)
        painter.drawText(meta_rect, centered, meta)
        painter.restore()

    def _paint_placeholder(self, painter: QPainter, box: QRect, error: str | None) -> None:
        """An empty thumbnail box: a warning sign and the error kind, or a neutral note."""
        font = painter.font()
        if error:
            painter.setBrush(QColor(120, 30, 26, 90))
            painter.drawRoundedRect(box, 4, 4)
            big = QFont(font)
            big.setPointSizeF(font.pointSizeF() * 2.2)
            painter.setFont(big)
            painter.setPen(QColor("#ff8a7a"))
            sign_box = box.adjusted(0, 6, 0, -box.height() // 3)
            painter.drawText(sign_box, Qt.AlignmentFlag.AlignCenter, "\u26a0")
            painter.setFont(font)
            kind = error.split(":", 1)[0]
            painter.setPen(QColor("#f1d0cb"))
            painter.drawText(
                box.adjusted(6, box.height() // 2, -6, -6), Qt.AlignmentFlag.AlignCenter, kind
            )
        else:
            painter.setPen(QColor("#77777d"))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, "no thumbnail")

    def _paint_flags(self, painter: QPainter, thumb: QRect, flags: list[Any]) -> None:
        """Small coloured chips along the thumbnail's bottom edge, one per flag kind."""
        kinds = list(dict.fromkeys(f.kind for f in flags))
        if not kinds:
            return
        font = QFont(painter.font())
        font.setBold(True)
        font.setPointSizeF(max(font.pointSizeF() * 0.7, 6.0))
        metrics = QFontMetrics(font)
        h = metrics.height() + 1
        x, y = thumb.left() + 4, thumb.bottom() - h - 3
        right = thumb.right() - 4
        for n, kind in enumerate(kinds):
            text = FLAG_STYLES[kind].short
            w = metrics.horizontalAdvance(text) + 8
            rest = len(kinds) - n
            more = f"+{rest}"
            if x + w > right or (rest > 1 and x + w + metrics.horizontalAdvance(more) + 12 > right):
                text, w = more, metrics.horizontalAdvance(more) + 8
                self._chip(painter, QRect(x, y, w, h), text, QColor(0, 0, 0, 190), font)
                break
            color = QColor(FLAG_STYLES[kind].color)
            self._chip(painter, QRect(x, y, w, h), text, color, font)
            x += w + 3

    def _chip(self, painter: QPainter, box: QRect, text: str, color: QColor, font: QFont) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawRoundedRect(box, 3, 3)
        old = painter.font()
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        painter.setFont(old)

    def _paint_badge(
        self, painter: QPainter, x: int, y: int, text: str, color: QColor, *, left: bool
    ) -> None:
        font = QFont(painter.font())
        font.setBold(True)
        font.setPointSizeF(max(font.pointSizeF() * 0.75, 6.5))
        metrics = QFontMetrics(font)
        w = metrics.horizontalAdvance(text) + 10
        h = metrics.height() + 2
        badge = QRect(x if left else x - w, y, w, h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawRoundedRect(badge, 3, 3)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
        painter.setFont(QFont(font))


class ClipBrowser(QStackedWidget):
    """Grid / table of clips, or a page that says how to get started when there is nothing."""

    current_changed = Signal(object)  # ClipRow | None
    new_project_requested = Signal()
    open_project_requested = Signal()
    import_files_requested = Signal()
    import_folder_requested = Signal()
    filters_cleared = Signal()  # select_model_row had to clear the filters to show a row

    def __init__(self, model: ClipListModel, parent: Any = None) -> None:
        super().__init__(parent)
        self.model = model
        self.proxy = ReviewFilterModel(self)
        self.proxy.setSourceModel(model)
        self._has_project = False

        self.grid = QListView()
        self.grid.setObjectName("clipGrid")
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setUniformItemSizes(True)
        self.grid.setGridSize(ClipDelegate.CELL)
        self.grid.setItemDelegate(ClipDelegate(self.grid))
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        # Whole rows, as the table selects: a Shift+click range then counts as selected clips.
        self.grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.grid.setDragEnabled(False)
        self.grid.setWordWrap(False)
        self.grid.setMouseTracking(True)
        self.grid.setModel(self.proxy)
        # Two columns at least: a narrow window squeezes the player, not the grid to one column.
        scroll_bar = self.grid.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        frame = 2 * self.grid.frameWidth()
        self.grid.setMinimumWidth(2 * ClipDelegate.CELL.width() + scroll_bar + frame + 2)

        self.table = QTableView()
        self.table.setObjectName("clipTable")
        self.table.setModel(self.proxy)
        # One selection for both views: switching views keeps what the user picked.
        self.table.setSelectionModel(self.grid.selectionModel())
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # catalogue order until a click
        self.table.setIconSize(QSize(48, 27))
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(32)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        widths = {
            Column.NAME: 280,
            Column.KIND: 70,
            Column.RESOLUTION: 100,
            Column.FPS: 90,
            Column.FRAMES: 70,
            Column.DURATION: 80,
            Column.EFFECTIVE_FPS: 70,
            Column.MOTION: 70,
            Column.FLAGS: 140,
            Column.STATUS: 90,
        }
        for column, width in widths.items():
            header.resizeSection(column, width)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)

        for view in (self.grid, self.table):
            view.setAcceptDrops(False)  # drops go to the main window, which imports them
            view.viewport().setAcceptDrops(False)

        self.empty = self._build_empty_page()
        self.addWidget(self.empty)
        self.addWidget(self.grid)
        self.addWidget(self.table)
        self._mode = BrowserMode.GRID

        self.grid.selectionModel().currentChanged.connect(self._on_current_changed)
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved):
            signal.connect(self._update_page)
        # A reset clears the current item silently, and a change may touch the shown clip.
        model.modelReset.connect(self._announce_current)
        model.dataChanged.connect(self._announce_current)
        self._update_page()

    # -- public ------------------------------------------------------------------------------

    @property
    def mode(self) -> BrowserMode:
        return self._mode

    def set_mode(self, mode: BrowserMode) -> None:
        """Show the grid or the table; the selection and current clip carry over."""
        self._mode = BrowserMode(mode)
        self._update_page()
        view = self.current_view()
        current = view.selectionModel().currentIndex()
        if current.isValid():
            view.scrollTo(current)

    def current_view(self) -> QAbstractItemView:
        return self.grid if self._mode is BrowserMode.GRID else self.table

    def set_has_project(self, has_project: bool) -> None:
        self._has_project = has_project
        self._update_page()

    def set_filter(self, text: str) -> None:
        """Show only clips whose name or tags contain ``text``."""
        self.proxy.set_text_filter(text)

    def set_sort(self, label: str) -> None:
        """Sort both views as the sort menu entry ``label`` says (see filter_model.SORTS)."""
        column, order = SORTS.get(label, (Column.NAME, Qt.SortOrder.AscendingOrder))
        if label not in SORTS or label == next(iter(SORTS)):
            self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
            self.proxy.sort(-1)
        else:
            self.table.sortByColumn(column, order)
        current = self.grid.selectionModel().currentIndex()
        if current.isValid():
            self.current_view().scrollTo(current)

    def selected_clip_ids(self) -> list[int]:
        """Ids of the selected clips (in view order), or of the current clip when none is."""
        ids = [r.clip.id for r in self.selected_rows() if r.clip is not None]
        if not ids:
            row = self.current_row()
            if row is not None and row.clip is not None:
                ids = [row.clip.id]
        return ids

    def move_current(self, step: int) -> bool:
        """Make the clip ``step`` rows further in view order current (N/P); False at an end."""
        selection = self.grid.selectionModel()
        current = selection.currentIndex()
        count = self.proxy.rowCount()
        if not count:
            return False
        row = 0 if not current.isValid() else current.row() + step
        if not 0 <= row < count:
            return False
        index = self.proxy.index(row, 0)
        flag = QItemSelectionModel.SelectionFlag
        selection.setCurrentIndex(index, flag.ClearAndSelect | flag.Rows)
        self.current_view().scrollTo(index)
        return True

    def select_clip(self, clip_id: int) -> bool:
        """Make the row of ``clip_id`` current and selected."""
        row = self.model.row_of_key(("clip", clip_id))
        if row is None:
            return False
        self.select_model_row(row)
        return True

    def current_row(self) -> ClipRow | None:
        index = self.grid.selectionModel().currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def selected_rows(self) -> list[ClipRow]:
        rows = self.grid.selectionModel().selectedRows(Column.NAME)
        return [ix.data(ROW_ROLE) for ix in sorted(rows, key=lambda ix: ix.row())]

    def select_model_row(self, row: int) -> None:
        """Make model row ``row`` current and selected, and scroll to it."""
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():  # hidden by a filter: clear them so the user sees the item
            self.proxy.clear_filters()
            self.filters_cleared.emit()
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        flag = QItemSelectionModel.SelectionFlag
        self.grid.selectionModel().setCurrentIndex(index, flag.ClearAndSelect | flag.Rows)
        self.current_view().scrollTo(index)

    # -- internals ---------------------------------------------------------------------------

    def _build_empty_page(self) -> QWidget:
        page = QWidget()
        page.setObjectName("emptyPage")
        layout = QVBoxLayout(page)
        layout.addStretch(2)
        self.empty_title = QLabel()
        self.empty_title.setObjectName("emptyTitle")
        self.empty_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_text = QLabel()
        self.empty_text.setObjectName("emptyHint")
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_text.setWordWrap(True)
        layout.addWidget(self.empty_title)
        layout.addWidget(self.empty_text)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.empty_buttons: dict[str, QPushButton] = {}
        for key, label, signal in (
            ("new", "New Project\u2026", self.new_project_requested),
            ("open", "Open Project\u2026", self.open_project_requested),
            ("folder", "Import Folder\u2026", self.import_folder_requested),
            ("files", "Import Files\u2026", self.import_files_requested),
        ):
            button = QPushButton(label)
            button.clicked.connect(signal.emit)
            buttons.addWidget(button)
            self.empty_buttons[key] = button
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addStretch(3)
        return page

    def _update_page(self) -> None:
        if self.model.rowCount() == 0:
            if self._has_project:
                self.empty_title.setText("No clips yet")
                self.empty_text.setText(
                    "Drop video files, GIFs, images or whole folders anywhere on this window, "
                    "or use the buttons below. Your files are never modified."
                )
            else:
                self.empty_title.setText("No project open")
                self.empty_text.setText(
                    "A project is one .anicurate file that remembers your clips and decisions. "
                    "Create or open one, or drop a folder of clips here to start a new one."
                )
            for key, button in self.empty_buttons.items():
                button.setVisible((key in ("folder", "files")) == self._has_project)
            self.setCurrentWidget(self.empty)
        else:
            self.setCurrentWidget(self.grid if self._mode is BrowserMode.GRID else self.table)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.current_changed.emit(current.data(ROW_ROLE) if current.isValid() else None)

    def _announce_current(self, *_args: object) -> None:
        self.current_changed.emit(self.current_row())

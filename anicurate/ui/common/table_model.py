"""One base for the UI's read-only table models over a list of plain records (one per row)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

AnyIndex = QModelIndex | QPersistentModelIndex
T = TypeVar("T")

#: Alignment of numeric columns (their cells, and by default their headers).
RIGHT_ALIGNED = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class ListTableModel(QAbstractTableModel, Generic[T]):
    """A flat table over ``list[T]``; subclasses give ``headers`` and per-role hooks.

    ``display``/``tooltip`` answer their roles; ``item_data`` is the hook for any other role.
    """

    headers: tuple[str, ...] = ()
    right_aligned: frozenset[int] = frozenset()  # columns whose cells are right-aligned
    align_headers = True  # right-align the headers of ``right_aligned`` columns too
    item_role: int | None = None  # a role answered with the row's record itself

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[T] = []

    def set_items(self, items: Iterable[T]) -> bool:
        """Replace the rows; a no-op (False) when nothing changed, so a selection survives."""
        new = list(items)
        if new == self._items:
            return False
        self.beginResetModel()
        self._items = new
        self.endResetModel()
        return True

    def items(self) -> list[T]:
        return list(self._items)

    def item(self, row: int) -> T:
        return self._items[row]

    # -- hooks -------------------------------------------------------------------------------

    def display(self, item: T, column: int) -> Any:
        return None

    def tooltip(self, item: T, column: int) -> Any:
        return None

    def item_data(self, item: T, column: int, role: int) -> Any:
        """What ``data`` answers for a valid cell; override to add roles, then call super."""
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(item, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(item, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self.right_aligned:
            return RIGHT_ALIGNED
        if self.item_role is not None and role == self.item_role:
            return item
        return None

    # -- Qt model interface ------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.headers):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        if (
            role == Qt.ItemDataRole.TextAlignmentRole
            and self.align_headers
            and section in self.right_aligned
        ):
            return RIGHT_ALIGNED
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flag = Qt.ItemFlag
        return flag.ItemIsEnabled | flag.ItemIsSelectable | flag.ItemNeverHasChildren

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        return self.item_data(self._items[index.row()], index.column(), role)

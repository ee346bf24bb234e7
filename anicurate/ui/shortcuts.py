"""Help ▸ Keyboard Shortcuts: every action of the window that has keys, listed from the actions
themselves (grouped by the menu that holds them, the player's under "Player"), so the list can
never drift from what the keys do.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

PLAYER_GROUP = "Player"
OTHER_GROUP = "Window"


@dataclass(frozen=True, slots=True)
class ShortcutRow:
    """One action with keys: the group it is listed under, its name and its keys as shown."""

    group: str
    name: str
    keys: str


def action_name(action: QAction) -> str:
    """The action's text as a person reads it: no mnemonic ampersand, no trailing ellipsis."""
    text = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
    return text.removesuffix("\u2026").removesuffix("...").strip()


def shortcut_rows(window: QWidget) -> list[ShortcutRow]:
    """Every action under ``window`` with at least one key, in menu-bar order, then the rest."""
    groups: dict[int, str] = {}
    menu_order: list[QAction] = []

    def walk(menu: QMenu, title: str) -> None:
        for action in menu.actions():
            sub = action.menu()
            if isinstance(sub, QMenu):
                walk(sub, title)
            elif id(action) not in groups:
                groups[id(action)] = title
                menu_order.append(action)

    for menu in window.findChildren(QMenu):
        if menu.parent() is not None and not isinstance(menu.parent(), QMenu):
            walk(menu, action_name(menu.menuAction()))
    rows: list[ShortcutRow] = []
    seen: set[int] = set()
    for action in [*menu_order, *window.findChildren(QAction)]:
        if id(action) in seen or not action.shortcuts():
            continue
        seen.add(id(action))
        group = groups.get(id(action))
        if group is None:
            group = PLAYER_GROUP if action.objectName().startswith("player_") else OTHER_GROUP
        keys = ", ".join(
            s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()
        )
        rows.append(ShortcutRow(group, action_name(action), keys))
    return rows


class ShortcutsDialog(QDialog):
    """A searchable-by-eye tree: group, then each action with its keys."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard Shortcuts")
        self.rows = shortcut_rows(window)
        self.tree = QTreeWidget()
        self.tree.setObjectName("shortcutsTree")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Action", "Keys"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        parents: dict[str, QTreeWidgetItem] = {}
        for row in self.rows:
            parent = parents.get(row.group)
            if parent is None:
                parent = parents[row.group] = QTreeWidgetItem(self.tree, [row.group, ""])
                font = parent.font(0)
                font.setBold(True)
                parent.setFont(0, font)
                parent.setFirstColumnSpanned(True)
            QTreeWidgetItem(parent, [row.name, row.keys])
        self.tree.expandAll()
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
        self.resize(480, 560)

"""What a feature package may ask of the window: :class:`Shell`, a protocol the main window
implements. Features get it with the session and the job queue in ``install(shell, session,
jobs)``; none imports the main window.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QLineEdit, QMenu, QWidget

from anicurate.ui.browse.clip_browser import ClipBrowser
from anicurate.ui.browse.current import CurrentClip
from anicurate.ui.browse.inspector import InspectorPanel
from anicurate.ui.player.panel import PlayerPanel

# The menus the shell makes, in menu-bar order; features add to them by name.
MenuName = Literal["file", "edit", "clip", "view", "tags", "tools", "help"]


class Shell(Protocol):
    """The window as features see it: places for their widgets and actions, the shared views,
    and a signal when it closes."""

    browser: ClipBrowser
    inspector: InspectorPanel
    player_panel: PlayerPanel
    current: CurrentClip
    filter_edit: QLineEdit
    inspector_dock: QDockWidget
    problems_dock: QDockWidget

    @property
    def closing(self) -> SignalInstance:
        """Emitted once when the window closes, before its jobs stop and the project closes."""
        ...

    def widget(self) -> QWidget:
        """The window as the parent of a feature's dialogs."""
        ...

    def add_dock(
        self,
        title: str,
        name: str,
        widget: QWidget,
        area: Qt.DockWidgetArea,
        *,
        tabify_with: QDockWidget | None = None,
    ) -> QDockWidget:
        """A dock (``name``: its unique object name, for the saved layout) in ``area``."""
        ...

    def menu(self, name: MenuName) -> QMenu:
        """The menu called ``name``; the shell's own closing items come after a feature's."""
        ...

    def add_toolbar_actions(self, actions: Sequence[QAction]) -> None:
        """A group of actions on the main toolbar, before the filters."""
        ...

    def show_message(self, text: str, timeout_ms: int = 0) -> None:
        """A line in the status bar."""
        ...

    def add_status_widget(self, widget: QWidget) -> None:
        """A permanent widget at the right of the status bar."""
        ...

"""The one way the window and its feature packages make menu and toolbar actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence


def make_action(
    parent: QObject,
    text: str,
    slot: Callable[[], Any],
    shortcut: QKeySequence | str | None = None,
    tip: str = "",
) -> QAction:
    """An action calling ``slot`` with no arguments (``triggered`` passes ``checked``)."""
    action = QAction(text, parent)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    action.triggered.connect(lambda _checked=False: slot())
    return action

"""View > Theme: the dark and light looks, one checked, remembered for the next start."""

from __future__ import annotations

import functools

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from anicurate.ui.common.actions import make_action
from anicurate.ui.common.settings import AppSettings
from anicurate.ui.common.theme import THEMES, apply_theme, current_theme

THEME_KEY = "view/theme"


class ThemeMenu(QMenu):
    """One checkable action per theme; applies the remembered theme when made."""

    def __init__(self, settings: AppSettings, parent: QWidget) -> None:
        super().__init__("&Theme", parent)
        self.settings = settings
        self.theme_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for name in THEMES:
            action = make_action(
                parent, f"&{name.capitalize()}", functools.partial(self.set_theme, name), None
            )
            action.setCheckable(True)
            group.addAction(action)
            self.theme_actions[name] = action
        self.addActions(list(self.theme_actions.values()))
        theme = str(settings.store.value(THEME_KEY, "dark"))
        self.theme_actions.get(theme, self.theme_actions["dark"]).setChecked(True)
        app = QApplication.instance()
        if isinstance(app, QApplication) and current_theme(app) != theme:
            apply_theme(app, theme)

    def set_theme(self, name: str) -> None:
        """Switch between the dark and light looks; remembered for the next start."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, name)
        self.settings.set_value(THEME_KEY, name)
        if name in self.theme_actions:
            self.theme_actions[name].setChecked(True)

"""File > Open Recent: the remembered projects, numbered, with Clear List."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QMenu, QWidget

from anicurate.ui.common.settings import AppSettings


class RecentMenu(QMenu):
    """Filled each time it opens; a project that no longer exists is shown greyed out."""

    def __init__(
        self, settings: AppSettings, open_project: Callable[[Path], object], parent: QWidget
    ) -> None:
        super().__init__("Open &Recent", parent)
        self.settings = settings
        self.open_project = open_project
        self.aboutToShow.connect(self.fill)

    def fill(self) -> None:
        self.clear()
        recent = self.settings.recent_projects()
        for i, path in enumerate(recent, start=1):
            action = self.addAction(f"&{i % 10}  {path.name}  \u2014  {path.parent}")
            action.setEnabled(path.is_file())
            action.triggered.connect(functools.partial(self._open, path))
        if not recent:
            self.addAction("No recent projects").setEnabled(False)
        else:
            self.addSeparator()
            self.addAction("Clear List").triggered.connect(self._clear)

    def _open(self, path: Path, _checked: bool = False) -> None:
        self.open_project(path)

    def _clear(self) -> None:
        for path in self.settings.recent_projects():
            self.settings.remove_recent(path)

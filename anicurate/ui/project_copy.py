"""File > Save a Copy…: a complete copy of the open project through SQLite's backup API.

Copying the ``.anicurate`` file by hand while the app runs can miss commits still in its
``-wal`` file; this copy cannot. The window calls :func:`install_project_copy` once.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu

from anicurate.core.errors import AnicurateError
from anicurate.core.project.backup import copy_open_project
from anicurate.ui.messages import describe_error

if TYPE_CHECKING:
    from anicurate.ui.main_window import MainWindow


class ProjectCopyUi(QObject):
    """Owns the Save a Copy action; enabled while a project is open."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("projectCopyUi")
        self.window = window
        self.action = QAction("Save a &Copy\u2026", window)
        self.action.setObjectName("actionSaveCopy")
        tip = "Write a complete copy of the project to a new file (safe while working)"
        self.action.setStatusTip(tip)
        self.action.setToolTip(tip)
        self.action.triggered.connect(lambda _checked=False: self.ask_and_copy())
        for item in window.menuBar().actions():
            menu = item.menu()
            if isinstance(menu, QMenu) and item.text().replace("&", "") == "File":
                close = getattr(window, "act_close", None)
                if isinstance(close, QAction) and close in menu.actions():
                    menu.insertAction(close, self.action)
                else:
                    menu.addAction(self.action)
                break
        window.project_changed.connect(lambda _path: self._update())
        self._update()

    def _update(self) -> None:
        self.action.setEnabled(self.window.project is not None)

    def ask_and_copy(self) -> Path | None:
        """Ask for a file name (the dialog confirms replacing a file), then copy."""
        project = self.window.project
        if project is None:
            return None
        suggested = project.path.with_name(f"{project.path.stem} copy{project.path.suffix}")
        name, _ = QFileDialog.getSaveFileName(
            self.window, "Save a Copy", str(suggested), "anicurate projects (*.anicurate)"
        )
        if not name:
            return None
        # The native dialog already asked before choosing an existing file.
        return self.save_copy(Path(name), force=True)

    def save_copy(self, dest: Path, *, force: bool = False) -> Path | None:
        """Copy the open project to ``dest``; the path, or None after a reported error."""
        project = self.window.project
        if project is None:
            return None
        try:
            done = copy_open_project(project, dest, force=force)
        except AnicurateError as err:
            self.window.report_error("Cannot save a copy", describe_error(err))
            return None
        self.window.statusBar().showMessage(f"Saved a copy as {done}", 5000)
        return done


def install_project_copy(window: MainWindow) -> ProjectCopyUi:
    """Add File > Save a Copy… to ``window`` (once)."""
    found = window.findChild(ProjectCopyUi, "projectCopyUi")
    return found if isinstance(found, ProjectCopyUi) else ProjectCopyUi(window)

"""File > Save a Copy…: a complete copy of the open project through SQLite's backup API.

Copying the ``.anicurate`` file by hand while the app runs can miss commits still in its
``-wal`` file; this copy cannot.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog

from anicurate.core.errors import AnicurateError
from anicurate.core.project.backup import copy_open_project
from anicurate.ui.common.messages import describe_error
from anicurate.ui.session import PROJECT_FILTER, ProjectSession
from anicurate.ui.shell import Shell


class ProjectCopyUi(QObject):
    """Owns the Save a Copy action; enabled while a project is open."""

    def __init__(self, shell: Shell, session: ProjectSession) -> None:
        super().__init__(shell.widget())
        self.setObjectName("projectCopyUi")
        self.shell = shell
        self.session = session
        self.action = QAction("Save a &Copy\u2026", shell.widget())
        self.action.setObjectName("actionSaveCopy")
        tip = "Write a complete copy of the project to a new file (safe while working)"
        self.action.setStatusTip(tip)
        self.action.setToolTip(tip)
        self.action.triggered.connect(lambda _checked=False: self.ask_and_copy())
        shell.menu("file").addAction(self.action)
        session.project_changed.connect(lambda _path: self._update())
        self._update()

    def _update(self) -> None:
        self.action.setEnabled(self.session.project is not None)

    def ask_and_copy(self) -> Path | None:
        """Ask for a file name (the dialog confirms replacing a file), then copy."""
        project = self.session.project
        if project is None:
            return None
        suggested = project.path.with_name(f"{project.path.stem} copy{project.path.suffix}")
        name, _ = QFileDialog.getSaveFileName(
            self.shell.widget(), "Save a Copy", str(suggested), PROJECT_FILTER
        )
        if not name:
            return None
        # The native dialog already asked before choosing an existing file.
        return self.save_copy(Path(name), force=True)

    def save_copy(self, dest: Path, *, force: bool = False) -> Path | None:
        """Copy the open project to ``dest``; the path, or None after a reported error."""
        project = self.session.project
        if project is None:
            return None
        try:
            done = copy_open_project(project, dest, force=force)
        except AnicurateError as err:
            self.session.report_error("Cannot save a copy", describe_error(err))
            return None
        self.shell.show_message(f"Saved a copy as {done}", 5000)
        return done


def install(shell: Shell, session: ProjectSession) -> ProjectCopyUi:
    """Add File > Save a Copy… to the shell's File menu."""
    return ProjectCopyUi(shell, session)

"""Export in the window: the export dialog (target, folder, training numbers, a live preview of
counts, skipped clips and warnings, then rendering as a job with a summary) and the find dialog
(prompt to the exported clips behind it, opened in the player).
"""

from __future__ import annotations

from anicurate.ui.export.controller import ExportUi
from anicurate.ui.export.export_dialog import ExportDialog
from anicurate.ui.export.find_dialog import FindDialog
from anicurate.ui.jobs import JobQueue
from anicurate.ui.session import ProjectSession
from anicurate.ui.shell import Shell

__all__ = ["ExportDialog", "ExportUi", "FindDialog", "install"]


def install(shell: Shell, session: ProjectSession, jobs: JobQueue) -> ExportUi:
    """Add File > Export… (Ctrl+E) and Tools > Find Training Clips… to the shell (once)."""
    found = shell.widget().findChild(ExportUi, "exportUi")
    return found if isinstance(found, ExportUi) else ExportUi(shell, session, jobs)

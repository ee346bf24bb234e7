"""Tagging in the window: the Tags dock (a clip's tags and caption), the Tag Overview dock
(frequencies and coverage), batch tagging with the provider shown, and find and replace.
"""

from __future__ import annotations

from anicurate.ui.jobs import JobQueue
from anicurate.ui.session import ProjectSession
from anicurate.ui.shell import Shell
from anicurate.ui.tagging.controller import TaggingUi

__all__ = ["TaggingUi", "install"]


def install(shell: Shell, session: ProjectSession, jobs: JobQueue) -> TaggingUi:
    """Add the tagging docks, menu and toolbar action to the shell (once)."""
    found = shell.widget().findChild(TaggingUi, "taggingUi")
    return found if isinstance(found, TaggingUi) else TaggingUi(shell, session, jobs)

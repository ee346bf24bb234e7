"""Review in the window: accept/reject/unreviewed and clip navigation on the selection, split at
the playhead or at cuts, merge, undo/redo, the player's trim and crop, the timeline threshold.
"""

from __future__ import annotations

from anicurate.ui.jobs import JobQueue
from anicurate.ui.review.actions import ReviewActions
from anicurate.ui.session import ProjectSession
from anicurate.ui.shell import Shell

__all__ = ["ReviewActions", "install"]


def install(shell: Shell, session: ProjectSession, jobs: JobQueue) -> ReviewActions:
    """Add the review actions to the shell's menus and toolbar, wire the player's edits (once)."""
    found = shell.widget().findChild(ReviewActions, "reviewActions")
    return found if isinstance(found, ReviewActions) else ReviewActions(shell, session, jobs)

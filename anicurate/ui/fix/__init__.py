"""Fixes in the window: Clip ▸ Fix… sets upscaling, denoising and interpolation on the selected
clips (one undoable edit), previewed before/after in a dock beside the player and marked on the
timeline where frames will be synthesised."""

from __future__ import annotations

from anicurate.ui.fix.feature import FixFeature
from anicurate.ui.jobs import JobQueue
from anicurate.ui.session import ProjectSession
from anicurate.ui.shell import Shell

__all__ = ["FixFeature", "install"]


def install(shell: Shell, session: ProjectSession, jobs: JobQueue) -> FixFeature:
    """Add Clip ▸ Fix…, the preview dock and the timeline marks (once)."""
    found = shell.widget().findChild(FixFeature, "fixFeature")
    return found if isinstance(found, FixFeature) else FixFeature(shell, session, jobs)

"""Review in the window: accept/reject/unreviewed and clip navigation on the selection, split at
the playhead or at cuts, merge, undo/redo, the player's trim and crop, the timeline threshold.

The window calls :func:`install_review` while it builds its actions (its menus and toolbar
place them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from anicurate.ui.review.actions import ReviewActions

if TYPE_CHECKING:
    from anicurate.ui.main_window import MainWindow

__all__ = ["ReviewActions", "install_review", "review_actions"]


def install_review(window: MainWindow) -> ReviewActions:
    """Add the review actions, the player-edit and threshold wiring to ``window`` (once)."""
    existing = review_actions(window)
    return existing if existing is not None else ReviewActions(window)


def review_actions(window: MainWindow) -> ReviewActions | None:
    """The ReviewActions installed on ``window``, if any."""
    found = window.findChild(ReviewActions, "reviewActions")
    return found if isinstance(found, ReviewActions) else None

"""Tagging in the window: the Tags dock (a clip's tags and caption), the Tag Overview dock
(frequencies and coverage), batch tagging with the provider shown, and find and replace.

The window calls :func:`install_tagging` once after it is built; the screenshot script calls
:func:`render_tagging_screenshots`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from anicurate.ui.tagging.controller import TaggingUi
from anicurate.ui.tagging.shots import render_tagging_screenshots

if TYPE_CHECKING:
    from anicurate.ui.main_window import MainWindow

__all__ = ["TaggingUi", "install_tagging", "render_tagging_screenshots", "tagging_ui"]


def install_tagging(window: MainWindow) -> TaggingUi:
    """Add the tagging docks, menu, toolbar action and status-bar job area to ``window``."""
    existing = tagging_ui(window)
    return existing if existing is not None else TaggingUi(window)


def tagging_ui(window: MainWindow) -> TaggingUi | None:
    """The TaggingUi installed on ``window``, if any."""
    found = window.findChild(TaggingUi, "taggingUi")
    return found if isinstance(found, TaggingUi) else None

"""Export in the window: the export dialog (target, folder, training numbers, a live preview of
counts, skipped clips and warnings, then rendering with progress, Cancel and a summary) and the
find dialog (prompt to the exported clips behind it, opened in the player).

The window calls :func:`install_export` once after it is built; the screenshot script calls
:func:`render_export_screenshots`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from anicurate.ui.export.controller import ExportUi
from anicurate.ui.export.export_dialog import ExportDialog
from anicurate.ui.export.find_dialog import FindDialog
from anicurate.ui.export.shots import render_export_screenshots

if TYPE_CHECKING:
    from anicurate.ui.main_window import MainWindow

__all__ = [
    "ExportDialog",
    "ExportUi",
    "FindDialog",
    "export_ui",
    "install_export",
    "render_export_screenshots",
]


def install_export(window: MainWindow) -> ExportUi:
    """Add File > Export… (Ctrl+E) and Tools > Find Training Clips… to ``window`` (once)."""
    existing = export_ui(window)
    return existing if existing is not None else ExportUi(window)


def export_ui(window: MainWindow) -> ExportUi | None:
    """The ExportUi installed on ``window``, if any."""
    found = window.findChild(ExportUi, "exportUi")
    return found if isinstance(found, ExportUi) else None

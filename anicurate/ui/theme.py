"""The default dark look: Fusion style, a dark palette, and resources/style.qss on top."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from anicurate.paths import resources_dir

_COLORS = {
    QPalette.ColorRole.Window: "#232428",
    QPalette.ColorRole.WindowText: "#e6e6ea",
    QPalette.ColorRole.Base: "#1a1b1e",
    QPalette.ColorRole.AlternateBase: "#27282d",
    QPalette.ColorRole.ToolTipBase: "#2d2e33",
    QPalette.ColorRole.ToolTipText: "#e6e6ea",
    QPalette.ColorRole.PlaceholderText: "#9c9ca5",
    QPalette.ColorRole.Text: "#e6e6ea",
    QPalette.ColorRole.Button: "#2f3035",
    QPalette.ColorRole.ButtonText: "#e6e6ea",
    QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Light: "#3a3b41",
    QPalette.ColorRole.Midlight: "#303136",
    QPalette.ColorRole.Mid: "#26272b",
    QPalette.ColorRole.Dark: "#151518",
    QPalette.ColorRole.Shadow: "#000000",
    QPalette.ColorRole.Link: "#6aa7ff",
    QPalette.ColorRole.Highlight: "#3b6fc4",
    QPalette.ColorRole.HighlightedText: "#ffffff",
}
_DISABLED = {
    QPalette.ColorRole.WindowText: "#74747c",
    QPalette.ColorRole.Text: "#74747c",
    QPalette.ColorRole.ButtonText: "#74747c",
    QPalette.ColorRole.Highlight: "#3a3b41",
}


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, color in _COLORS.items():
        palette.setColor(role, QColor(color))
    for role, color in _DISABLED.items():
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(color))
    return palette


def apply_dark_theme(app: QApplication) -> None:
    """Fusion with the dark palette; style.qss adds accents when the resources are present."""
    app.setStyle("Fusion")
    app.setPalette(dark_palette())
    qss = resources_dir() / "style.qss"
    if qss.is_file():
        app.setStyleSheet(qss.read_text(encoding="utf-8"))

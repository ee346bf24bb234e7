"""The looks: Fusion style with a dark (default) or light palette, and resources/style.qss on top.

style.qss is written for the dark palette; the light theme maps its colours to light ones.
"""

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


_LIGHT_COLORS = {
    QPalette.ColorRole.Window: "#eeeef1",
    QPalette.ColorRole.WindowText: "#1d1d22",
    QPalette.ColorRole.Base: "#ffffff",
    QPalette.ColorRole.AlternateBase: "#f3f3f6",
    QPalette.ColorRole.ToolTipBase: "#ffffff",
    QPalette.ColorRole.ToolTipText: "#1d1d22",
    QPalette.ColorRole.PlaceholderText: "#6c6c75",
    QPalette.ColorRole.Text: "#1d1d22",
    QPalette.ColorRole.Button: "#e4e4e9",
    QPalette.ColorRole.ButtonText: "#1d1d22",
    QPalette.ColorRole.BrightText: "#c0392b",
    QPalette.ColorRole.Light: "#ffffff",
    QPalette.ColorRole.Midlight: "#f0f0f3",
    QPalette.ColorRole.Mid: "#c4c4cc",
    QPalette.ColorRole.Dark: "#9c9ca5",
    QPalette.ColorRole.Shadow: "#5a5a60",
    QPalette.ColorRole.Link: "#2a62c9",
    QPalette.ColorRole.Highlight: "#3b6fc4",
    QPalette.ColorRole.HighlightedText: "#ffffff",
}
_LIGHT_DISABLED = {
    QPalette.ColorRole.WindowText: "#9c9ca5",
    QPalette.ColorRole.Text: "#9c9ca5",
    QPalette.ColorRole.ButtonText: "#9c9ca5",
    QPalette.ColorRole.Highlight: "#c4c4cc",
}
# style.qss colours (dark) -> their light counterparts; picture backgrounds stay dark.
_QSS_LIGHT = {
    "#e6e6ea": "#1d1d22",
    "#2d2e33": "#ffffff",
    "#4a4b52": "#b4b4bd",
    "#34353b": "#d0d0d7",
    "#2a2b30": "#e2e2e8",
    "#45464d": "#b9b9c2",
    "#1a1b1e": "#ffffff",
    "#a4a4ad": "#5c5c66",
    "#c9c9cf": "#3a3a42",
    "#3b1f1d": "#fbe6e3",
    "#8a3a32": "#d9827a",
    "#f4d6d2": "#6b1d16",
}

THEMES = ("dark", "light")


def _palette(
    colors: dict[QPalette.ColorRole, str], disabled: dict[QPalette.ColorRole, str]
) -> QPalette:
    palette = QPalette()
    for role, color in colors.items():
        palette.setColor(role, QColor(color))
    for role, color in disabled.items():
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(color))
    return palette


def dark_palette() -> QPalette:
    return _palette(_COLORS, _DISABLED)


def light_palette() -> QPalette:
    return _palette(_LIGHT_COLORS, _LIGHT_DISABLED)


def style_sheet(name: str) -> str:
    """resources/style.qss for theme ``name`` ("" when the resources are missing)."""
    qss = resources_dir() / "style.qss"
    if not qss.is_file():
        return ""
    text = qss.read_text(encoding="utf-8")
    if name == "light":
        for dark, light in _QSS_LIGHT.items():
            text = text.replace(dark, light)
    return text


def apply_theme(app: QApplication, name: str) -> None:
    """Fusion with the ``name`` palette ("dark" or "light") and the matching style sheet."""
    name = name if name in THEMES else "dark"
    app.setStyle("Fusion")
    app.setPalette(light_palette() if name == "light" else dark_palette())
    app.setStyleSheet(style_sheet(name))
    app.setProperty("anicurateTheme", name)


def current_theme(app: QApplication) -> str:
    value = app.property("anicurateTheme")
    return str(value) if value in THEMES else "dark"


def apply_dark_theme(app: QApplication) -> None:
    """Fusion with the dark palette; style.qss adds accents when the resources are present."""
    apply_theme(app, "dark")

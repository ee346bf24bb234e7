"""Small layout helpers the shell uses to assemble its panels."""

from __future__ import annotations

from PySide6.QtWidgets import QScrollArea, QVBoxLayout, QWidget


def stacked(*widgets: QWidget) -> QWidget:
    """Widgets stacked top to bottom without margins (the filters above the browser)."""
    column = QWidget()
    layout = QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    for widget in widgets:
        layout.addWidget(widget)
    return column


def scrolling(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless scroll area: as short as its dock is made, scrolled then."""
    area = QScrollArea()
    area.setObjectName(f"{widget.objectName() or 'dock'}Scroll")
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(widget)
    return area

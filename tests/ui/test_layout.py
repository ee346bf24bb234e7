"""The window at 1280x720: every filter (the sort box too) is visible inside the window, the grid
keeps two columns, the toolbar needs no overflow, the Problems dock stays short and the central
splitter's handle is wide enough for its whole grip."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QToolButton, QWidget
from pytestqt.qtbot import QtBot

from anicurate.ui.main_window import MainWindow


def on_screen(window: MainWindow, widget: QWidget) -> bool:
    """Whether ``widget`` is shown with all of it inside the window."""
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    return (
        widget.isVisible() and window.rect().contains(rect) and not widget.visibleRegion().isEmpty()
    )


def test_the_window_fits_1280_by_720(qtbot: QtBot, window: MainWindow, project_path: Path) -> None:
    assert window.open_project(project_path)
    window.resize(1280, 720)
    with qtbot.waitExposed(window):
        window.show()
    qtbot.waitUntil(lambda: window.size().toTuple() == (1280, 720))
    for widget in window.filter_bar.widgets:
        assert on_screen(window, widget), widget.objectName()
    assert window.sort_combo.width() >= window.sort_combo.minimumSizeHint().width()

    grid = window.browser.grid
    proxy = window.browser.proxy
    first, second = (grid.visualRect(proxy.index(i, 0)) for i in (0, 1))
    assert second.top() == first.top() and second.left() > first.right()  # two columns
    assert second.right() <= grid.viewport().width()

    extension = window.toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert extension is None or not extension.isVisible()  # no action pushed off the toolbar
    assert window.problems_dock.height() <= 130
    assert window.splitter.handleWidth() >= 6
    assert on_screen(window, window.player.buttons["zoom_fit"])

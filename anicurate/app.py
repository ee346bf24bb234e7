"""The one place that builds the QApplication and the main window (the GUI's composition root)."""

from __future__ import annotations

import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from anicurate import __version__
from anicurate.paths import resources_dir
from anicurate.ui.common.settings import APPLICATION, ORGANIZATION


def create_application(argv: Sequence[str] | None = None) -> QApplication:
    """The process's QApplication with names (for QSettings) and the dark theme; reused if any."""
    from anicurate.ui.common.theme import apply_dark_theme

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        QCoreApplication.setOrganizationName(ORGANIZATION)
        QCoreApplication.setApplicationName(APPLICATION)
        QCoreApplication.setApplicationVersion(__version__)
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
        app.setDesktopFileName("anicurate")
        app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "anicurate.svg")))
        apply_dark_theme(app)
        configure_pyqtgraph()
    collect_garbage_in_gui_thread()
    return app


_collector: object | None = None


def collect_garbage_in_gui_thread() -> None:
    """Collect reference cycles on a GUI-thread timer instead of wherever the interpreter
    happens to (pyqtgraph's GarbageCollector). A collection that runs in a worker thread may
    destroy Qt objects there, which crashes Qt: the fix preview's first import of ncnn, in its
    worker, did so about one run in eight. Once per process; call with a QApplication."""
    global _collector
    if _collector is None:
        from pyqtgraph.util.garbage_collector import GarbageCollector

        _collector = GarbageCollector(interval=1.0)


def configure_pyqtgraph() -> None:
    """Row-major images (numpy's H x W order, as frames are) and no antialiasing: the timeline
    draws thousands of points and must stay fluid."""
    import pyqtgraph as pg

    pg.setConfigOptions(imageAxisOrder="row-major", antialias=False, foreground="#a4a4ad")


def run_gui(project: Path | None) -> int:
    """Open the main window on ``project`` (or the last one used) and run until it closes.

    A missing ``*.anicurate`` path is created as a new project. Returns the event loop's exit
    code; a project that cannot be opened is reported in the window, which shows its start page.
    """
    from anicurate.ui.main_window import MainWindow

    app = create_application()
    # Ctrl+C in the terminal quits; a timer lets Python see the signal while Qt's loop runs.
    previous_handler = signal.signal(signal.SIGINT, lambda *_: app.quit())
    heartbeat = QTimer()
    heartbeat.timeout.connect(lambda: None)
    heartbeat.start(250)

    window = MainWindow()
    window.show()
    if project is not None:
        project = Path(project)
        window.open_project(project, create=project.suffix == ".anicurate" and not project.exists())
    else:
        recent = window.settings.recent_projects()
        if recent and recent[0].is_file():
            window.open_project(recent[0])
    try:
        code = app.exec()
    finally:
        heartbeat.stop()
        signal.signal(signal.SIGINT, previous_handler)
    return int(code)

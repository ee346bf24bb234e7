"""run_gui: the composition root opens (or creates) a project and returns the loop's exit code."""

from __future__ import annotations

import signal
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from anicurate.app import run_gui
from anicurate.ui.main_window import MainWindow


def test_run_gui_creates_a_missing_project_and_exits_cleanly(qtbot: QtBot, tmp_path: Path) -> None:
    # run_gui uses the user's settings; point them at a temporary folder for this test.
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    seen: list[str] = []

    def close_window() -> None:
        (window,) = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        seen.append(window.windowTitle())
        window.close()
        QApplication.exit(0)  # exit() ends exec() now; quit() would post an event that lingers

    handler = signal.getsignal(signal.SIGINT)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)  # only our exit() ends this loop
    QTimer.singleShot(0, close_window)
    try:
        assert run_gui(tmp_path / "fresh.anicurate") == 0
    finally:
        app.setQuitOnLastWindowClosed(True)
    assert seen == ["fresh \u2014 anicurate"]
    assert (tmp_path / "fresh.anicurate").is_file()
    assert signal.getsignal(signal.SIGINT) is handler


def test_reference_cycles_are_collected_on_the_gui_thread_only(qtbot: QtBot) -> None:
    # A collection in a worker thread may destroy Qt objects there and crash Qt (the fix
    # preview's first ncnn import did, about one run in eight): the interpreter's own
    # collector is off, and a GUI-thread timer collects instead.
    import gc
    import threading
    import weakref

    from anicurate.app import create_application

    create_application()
    assert not gc.isenabled()

    class Node:
        pass

    threads: list[str] = []
    a, b = Node(), Node()
    a.other, b.other = b, a  # type: ignore[attr-defined]
    gone = weakref.finalize(a, lambda: threads.append(threading.current_thread().name))
    del a, b
    young = [Node() for _ in range(gc.get_threshold()[0] + 1)]  # enough for the next check
    del young
    qtbot.waitUntil(lambda: not gone.alive, timeout=5000)
    assert threads == [threading.main_thread().name]

"""JobWorker: runs a core generator off the GUI thread, reports by signals, cancels by closing."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Generator

from PySide6.QtCore import QThread, QThreadPool
from pytestqt.qtbot import QtBot

from anicurate.core.errors import MediaError, MediaErrorKind
from anicurate.core.jobs import Progress
from anicurate.ui.common.messages import describe_error
from anicurate.ui.jobs import JobWorker


def counting_job(n: int, log: dict[str, object]) -> Generator[Progress, None, str]:
    log["thread"] = threading.current_thread()
    try:
        for i in range(1, n + 1):
            yield Progress(i, n, f"item{i}")
        return "all done"
    finally:
        log["closed_in"] = threading.current_thread()


def test_progress_then_finished_on_the_gui_thread(qtbot: QtBot) -> None:
    log: dict[str, object] = {}
    worker = JobWorker(counting_job(3, log))
    seen: list[tuple[Progress, bool]] = []
    gui_thread = QThread.currentThread()
    worker.signals.progress.connect(
        lambda p: seen.append((p, QThread.currentThread() == gui_thread))
    )
    with qtbot.waitSignal(worker.signals.finished, timeout=10_000) as blocker:
        worker.start()
    assert blocker.args == ["all done"]
    assert [p for p, _ in seen] == [Progress(i, 3, f"item{i}") for i in (1, 2, 3)]
    assert all(on_gui for _, on_gui in seen)
    assert log["thread"] is not threading.main_thread()
    qtbot.waitUntil(lambda: worker.is_done, timeout=10_000)


def test_an_exception_becomes_a_failed_message(qtbot: QtBot) -> None:
    error = MediaError("/x/bad.mp4", MediaErrorKind.CORRUPT, "no frames decoded")

    def job() -> Generator[Progress, None, None]:
        yield Progress(1, 2, "a")
        raise error

    worker = JobWorker(job())
    with qtbot.waitSignal(worker.signals.failed, timeout=10_000) as blocker:
        worker.start()
    assert blocker.args == [describe_error(error)]


def test_cancel_closes_the_generator_in_the_worker_thread(qtbot: QtBot) -> None:
    log: dict[str, object] = {}
    reached: list[int] = []
    in_second_step = threading.Event()
    resume = threading.Event()

    def job() -> Generator[Progress, None, str]:
        log["thread"] = threading.current_thread()
        try:
            for i in range(1, 100):
                if i == 2:  # hold step 2 in flight until the test has pressed cancel
                    in_second_step.set()
                    resume.wait(10)
                reached.append(i)
                yield Progress(i, 99, str(i))
            return "not reached"
        finally:
            log["closed_in"] = threading.current_thread()

    worker = JobWorker(job())
    finished: list[object] = []
    worker.signals.finished.connect(finished.append)
    worker.start()
    qtbot.waitUntil(in_second_step.is_set, timeout=10_000)
    with qtbot.waitSignal(worker.signals.cancelled, timeout=10_000):
        worker.cancel()
        resume.set()
    assert reached == [1, 2]  # the step in flight completes, nothing after it starts
    assert log["closed_in"] is log["thread"]
    assert log["thread"] is not threading.main_thread()
    assert finished == []


def test_cancel_before_start_never_runs_the_job(qtbot: QtBot) -> None:
    log: dict[str, object] = {}
    worker = JobWorker(counting_job(3, log))
    worker.cancel()
    with qtbot.waitSignal(worker.signals.cancelled, timeout=10_000):
        worker.start(QThreadPool.globalInstance())
    assert log == {}


def test_rate_limit_keeps_errors_and_the_last_report(qtbot: QtBot) -> None:
    def job() -> Generator[Progress, None, int]:
        for i in range(1, 51):
            yield Progress(i, 50, str(i), "bad" if i == 20 else None)
        return 50

    worker = JobWorker(job(), min_interval_s=3600)
    seen: list[int] = []
    worker.signals.progress.connect(lambda p: seen.append(p.done))
    with qtbot.waitSignal(worker.signals.finished, timeout=10_000):
        worker.start()
    assert seen == [1, 20, 50]


def test_workers_module_does_not_load_widgets() -> None:
    """A worker cannot touch widgets it never imported: the module loads QtCore only."""
    code = (
        "import sys, anicurate.ui.jobs; "
        "print(sorted(m for m in sys.modules if m.startswith('PySide6.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert "PySide6.QtWidgets" not in out
    assert "PySide6.QtGui" not in out
    assert "PySide6.QtCore" in out

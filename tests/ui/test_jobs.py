"""JobQueue: one writer at a time (others wait or are refused), readers beside it, one progress
area with Cancel, and stop() that waits for the threads and calls no handler."""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator

import pytest
from PySide6.QtCore import QCoreApplication
from pytestqt.qtbot import QtBot

from anicurate.core.jobs import Progress
from anicurate.ui.jobs import ANALYSIS, EXPORT, IMPORT, TAGGING, JobQueue

TIMEOUT_MS = 10_000


def held_job(release: threading.Event, result: str) -> Generator[Progress, None, str]:
    """Reports one step, then waits (in its worker thread) until ``release`` is set."""
    yield Progress(1, 2, "first")
    release.wait(TIMEOUT_MS / 1000)
    yield Progress(2, 2, "second")
    return result


def quick_job(result: str) -> Generator[Progress, None, str]:
    yield Progress(1, 1, "only")
    return result


@pytest.fixture
def queue(qtbot: QtBot) -> Iterator[JobQueue]:
    jobs = JobQueue()
    qtbot.addWidget(jobs.status)
    yield jobs
    jobs.shutdown()


def test_a_waiting_writer_starts_when_the_running_writer_ends(
    qtbot: QtBot, queue: JobQueue
) -> None:
    release = threading.Event()
    results: list[str] = []
    first = queue.submit(IMPORT, lambda: held_job(release, "import"), on_finished=results.append)
    assert first is not None and queue.current() is first
    assert not queue.status.isHidden()
    with qtbot.waitSignal(queue.message) as told:
        waiting = queue.submit(ANALYSIS, lambda: quick_job("analysis"), on_finished=results.append)
    assert waiting is None and queue.is_waiting("analysis")
    assert told.args == ["Analysis waits until importing is done.", 4000]
    with qtbot.waitSignal(queue.started, timeout=TIMEOUT_MS) as started:
        release.set()
    assert started.args[0].name == "analysis"
    qtbot.waitUntil(lambda: not queue.is_busy(), timeout=TIMEOUT_MS)
    assert results == ["import", "analysis"]
    assert queue.status.isHidden()


def test_a_writer_that_does_not_wait_is_refused_with_a_reason(
    qtbot: QtBot, queue: JobQueue
) -> None:
    release = threading.Event()
    made: list[str] = []
    assert queue.submit(IMPORT, lambda: held_job(release, "import")) is not None

    def make_tagging() -> Generator[Progress, None, str]:
        made.append("tagging")
        return quick_job("tagging")

    with qtbot.waitSignal(queue.message) as told:
        assert queue.submit(TAGGING, make_tagging) is None
    assert told.args[0] == "Cannot start tagging while importing: wait for it or cancel it."
    assert made == [] and not queue.is_waiting("tagging")  # the job was never even made
    release.set()
    qtbot.waitUntil(lambda: not queue.is_busy(), timeout=TIMEOUT_MS)


def test_a_reader_runs_beside_a_writer_but_not_beside_itself(qtbot: QtBot, queue: JobQueue) -> None:
    release, release_export = threading.Event(), threading.Event()
    assert queue.submit(IMPORT, lambda: held_job(release, "import")) is not None
    export = queue.submit(EXPORT, lambda: held_job(release_export, "export"))
    assert export is not None and queue.current("export") is export
    assert queue.submit(EXPORT, lambda: quick_job("again")) is None
    release.set()
    release_export.set()
    qtbot.waitUntil(lambda: not queue.is_busy(), timeout=TIMEOUT_MS)


def test_cancel_stops_the_running_job_and_drops_the_waiting_ones(
    qtbot: QtBot, queue: JobQueue
) -> None:
    release = threading.Event()
    ended: list[str] = []
    queue.submit(IMPORT, lambda: held_job(release, "import"),
                 on_cancelled=lambda: ended.append("cancelled"))  # fmt: skip
    queue.submit(ANALYSIS, lambda: quick_job("analysis"), on_finished=ended.append)
    with qtbot.waitSignal(queue.ended, timeout=TIMEOUT_MS) as done:
        queue.status.cancel_button.click()
        assert queue.status.cancel_button.text() == "Cancelling\u2026"
        release.set()
    assert done.args[1] == "cancelled"
    assert ended == ["cancelled"] and not queue.is_busy()  # the analysis never started
    assert queue.status.isHidden()


def test_stop_waits_for_the_thread_and_calls_no_handler(qtbot: QtBot, queue: JobQueue) -> None:
    release, entered, closed = threading.Event(), threading.Event(), threading.Event()
    called: list[str] = []

    def job() -> Generator[Progress, None, str]:
        try:
            entered.set()
            yield from held_job(release, "import")
        finally:
            closed.set()
        return "import"

    worker = queue.submit(IMPORT, job, on_finished=called.append,
                          on_cancelled=lambda: called.append("cancelled"))  # fmt: skip
    assert worker is not None
    qtbot.waitUntil(entered.is_set, timeout=TIMEOUT_MS)
    release.set()  # the held step returns; the job stops at its next step (or ends)
    queue.stop()
    assert worker.is_done and closed.is_set()  # its finally ran before stop() returned
    assert not queue.is_busy() and queue.status.isHidden()
    QCoreApplication.processEvents()  # deliver the worker's queued signals: all ignored
    assert called == []

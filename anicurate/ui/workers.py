"""Run a core job generator on the thread pool and report back to the GUI thread by signals.

A job is any generator yielding :class:`~anicurate.core.jobs.Progress` and returning a result
(the core's convention). The worker never touches a widget or a Qt model: it only emits signals,
which Qt queues to receivers living in the GUI thread. Cancelling closes the generator *in the
worker thread*, so the job's ``finally`` blocks (closing files and its own SQLite connection)
run in the thread that opened them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Generator
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from anicurate.core.jobs import Progress
from anicurate.ui.common.messages import describe_error

log = logging.getLogger(__name__)

Job = Generator[Progress, None, Any]


class JobSignals(QObject):
    """What a :class:`JobWorker` reports; exactly one of finished/failed/cancelled ends a run."""

    started = Signal()
    progress = Signal(object)  # Progress
    finished = Signal(object)  # the generator's return value
    failed = Signal(str)  # a message for a person (see messages.describe_error)
    cancelled = Signal()


class JobWorker(QRunnable):
    """A QRunnable that drives one job generator; cancel with :meth:`cancel` from any thread.

    Progress is rate-limited to one signal per ``min_interval_s`` so a per-frame job cannot flood
    the event loop; reports with an error and the last report are always delivered.
    """

    def __init__(self, job: Job, *, name: str = "job", min_interval_s: float = 0.0) -> None:
        super().__init__()
        # Python keeps the object; Qt must not delete it behind the wrapper after run().
        self.setAutoDelete(False)
        self.name = name
        self.signals = JobSignals()
        self._job = job
        self._min_interval = min_interval_s
        self._cancel = threading.Event()
        self._done = threading.Event()

    def cancel(self) -> None:
        """Ask the job to stop after the step it is in; it ends with ``cancelled``."""
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    @property
    def is_done(self) -> bool:
        """True once ``run`` has returned (its last signal emitted, perhaps not yet delivered)."""
        return self._done.is_set()

    def start(self, pool: QThreadPool | None = None) -> None:
        """Queue the worker on ``pool`` (the global pool by default)."""
        (pool or QThreadPool.globalInstance()).start(self)

    def run(self) -> None:
        """Iterate the job in a pool thread; emits signals only, never touches Qt objects."""
        signals = self.signals
        pending: Progress | None = None
        last_emit = float("-inf")  # the first report always goes out
        try:
            signals.started.emit()
            while True:
                if self._cancel.is_set():
                    self._job.close()  # raises GeneratorExit inside the job: its finally runs
                    if pending is not None:
                        signals.progress.emit(pending)
                    signals.cancelled.emit()
                    return
                try:
                    step = next(self._job)
                except StopIteration as stop:
                    if pending is not None:
                        signals.progress.emit(pending)
                    signals.finished.emit(stop.value)
                    return
                now = time.monotonic()
                if step.error is not None or now - last_emit >= self._min_interval:
                    signals.progress.emit(step)
                    pending, last_emit = None, now
                else:
                    pending = step
        except Exception as err:  # a job's bug or a typed core error: report it, do not crash
            log.exception("job %s failed", self.name)
            signals.failed.emit(describe_error(err))
        finally:
            self._done.set()

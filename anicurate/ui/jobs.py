"""The one place that runs core job generators: :class:`JobWorker` drives one generator on the
thread pool, :class:`JobQueue` decides what may run together, shows the one progress area (with
Cancel) in the status bar and stops every job when the window closes.

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
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from anicurate.core.jobs import Progress
from anicurate.ui.common.messages import describe_error, progress_text

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


@dataclass(frozen=True, slots=True)
class JobKind:
    """A kind of job and the rules it runs by.

    ``writes``: it changes the project's catalogue, so it never runs beside another writer.
    ``waits``: a writer blocked by another one is queued (True) or refused with a message.
    """

    name: str  # "import", "analysis", ...
    verb: str  # the progress area's word: "importing"
    writes: bool = True
    waits: bool = True
    min_interval_s: float = 0.0  # rate limit of its progress signals
    silent: bool = False  # runs without the progress area (e.g. the export preview)


IMPORT = JobKind("import", "importing")
ANALYSIS = JobKind("analysis", "analysing", min_interval_s=0.1)
TAGGING = JobKind("tagging", "tagging", waits=False, min_interval_s=0.1)
EXPORT = JobKind("export", "exporting", writes=False, waits=False, min_interval_s=0.05)
PREVIEW = JobKind("preview", "planning", writes=False, silent=True)

Describe = Callable[[Progress], str | None]  # a progress report's text; None leaves the area as is


@dataclass(slots=True)
class _Entry:
    """A submitted job: how to make it and who hears how it ends (called on the GUI thread)."""

    kind: JobKind
    make: Callable[[], Job]
    text: str
    describe: Describe | None
    on_progress: Callable[[Progress], None] | None
    on_finished: Callable[[Any], None] | None
    on_failed: Callable[[str], None] | None
    on_cancelled: Callable[[], None] | None
    worker: JobWorker | None = None


class JobQueue(QObject):
    """Runs the window's jobs: at most one writer at a time (others wait or are refused), one
    job of a kind at a time, one progress area with Cancel; :meth:`shutdown` stops them all.

    A job's handlers run on the GUI thread once the queue has forgotten the job, so they may
    submit the next one; jobs stopped by :meth:`stop` call no handler.
    """

    started = Signal(object)  # JobWorker, before it starts: listeners may connect to it
    ended = Signal(object, str)  # JobWorker, "finished" | "failed" | "cancelled"
    changed = Signal()  # what runs or waits changed (enable or disable actions)
    message = Signal(str, int)  # a line for the status bar and its timeout in ms

    def __init__(self, pool: QThreadPool | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("jobQueue")
        self.pool = pool or QThreadPool(self)
        # Imported here: a worker's module loads QtCore only (it can't touch widgets).
        from anicurate.ui.common.progress import JobStatusWidget

        self.status = JobStatusWidget()
        self.status.setObjectName("jobStatus")
        self.status.cancel_requested.connect(self.cancel)
        self._running: list[_Entry] = []
        self._pending: list[_Entry] = []

    # -- asking ------------------------------------------------------------------------------

    def current(self, name: str | None = None) -> JobWorker | None:
        """The newest running job (of kind ``name``), if any."""
        for entry in reversed(self._running):
            if name is None or entry.kind.name == name:
                return entry.worker
        return None

    def is_busy(self, name: str | None = None) -> bool:
        """Whether a job (of kind ``name``) runs or waits."""
        return any(name is None or e.kind.name == name for e in self._running + self._pending)

    def is_waiting(self, name: str) -> bool:
        return any(e.kind.name == name for e in self._pending)

    def blocker(self, kind: JobKind) -> JobKind | None:
        """The running job's kind that keeps ``kind`` from starting now, if any."""
        for entry in self._running:
            if entry.kind.name == kind.name or (kind.writes and entry.kind.writes):
                return entry.kind
        return None

    # -- running -----------------------------------------------------------------------------

    def submit(
        self,
        kind: JobKind,
        make: Callable[[], Job],
        *,
        text: str = "",
        describe: Describe | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        on_finished: Callable[[Any], None] | None = None,
        on_failed: Callable[[str], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
    ) -> JobWorker | None:
        """Start the job ``make()`` returns, or queue it when ``kind`` waits for a running
        writer, or refuse it (a message says why). Returns the started worker, else None.

        ``make`` is called only when the job starts, so it reads the project as it is then.
        """
        entry = _Entry(
            kind, make, text or f"{kind.verb}\u2026", describe,
            on_progress, on_finished, on_failed, on_cancelled,
        )  # fmt: skip
        blocker = self.blocker(kind)
        if blocker is None:
            return self._start(entry)
        if kind.waits:
            if not self.is_waiting(kind.name):
                self._pending.append(entry)
                self.changed.emit()
            self.message.emit(f"{kind.name.capitalize()} waits until {blocker.verb} is done.", 4000)
        else:
            self.message.emit(
                f"Cannot start {kind.verb} while {blocker.verb}: wait for it or cancel it.", 6000
            )
        return None

    def run_silently(self, kind: JobKind, job: Job, on_finished: Callable[[Any], None],
                     on_failed: Callable[[str], None]) -> JobWorker:  # fmt: skip
        """Run a short read-only job (a preview) beside anything, without the progress area."""
        worker = JobWorker(job, name=kind.name, min_interval_s=kind.min_interval_s)
        worker.signals.finished.connect(on_finished)
        worker.signals.failed.connect(on_failed)
        worker.start(self.pool)
        return worker

    def _start(self, entry: _Entry) -> JobWorker:
        kind = entry.kind
        worker = JobWorker(entry.make(), name=kind.name, min_interval_s=kind.min_interval_s)
        entry.worker = worker
        signals = worker.signals
        signals.progress.connect(lambda p: self._on_progress(entry, p))
        signals.finished.connect(lambda result: self._on_end(entry, "finished", result))
        signals.failed.connect(lambda message: self._on_end(entry, "failed", message))
        signals.cancelled.connect(lambda: self._on_end(entry, "cancelled", None))
        self._running.append(entry)
        self.status.begin(entry.text)
        self.changed.emit()
        self.started.emit(worker)
        worker.start(self.pool)
        return worker

    def _on_progress(self, entry: _Entry, progress: Progress) -> None:
        if entry not in self._running:
            return
        if entry.on_progress is not None:
            entry.on_progress(progress)
        if entry is self._running[-1]:
            describe = entry.describe or (lambda p: progress_text(entry.kind.verb, p))
            text = describe(progress)
            if text is not None:
                self.status.update_progress(progress, text)

    def _on_end(self, entry: _Entry, how: str, value: Any) -> None:
        if entry not in self._running:
            return  # stopped: nobody waits for it any more
        self._running.remove(entry)
        if self._running:
            self.status.begin(self._running[-1].text)
        else:
            self.status.end()
        self.changed.emit()
        if how == "finished" and entry.on_finished is not None:
            entry.on_finished(value)
        elif how == "failed" and entry.on_failed is not None:
            entry.on_failed(value)
        elif how == "cancelled" and entry.on_cancelled is not None:
            entry.on_cancelled()
        assert entry.worker is not None
        self.ended.emit(entry.worker, how)
        self._start_pending()

    def _start_pending(self) -> None:
        for entry in list(self._pending):
            if self.blocker(entry.kind) is None:
                self._pending.remove(entry)
                self._start(entry)
        self.changed.emit()

    # -- stopping ----------------------------------------------------------------------------

    def cancel(self, name: str | None = None) -> None:
        """Stop the running jobs (of kind ``name``) after their current step and drop the
        waiting ones; what they finished stays."""
        self._pending = [e for e in self._pending if name is not None and e.kind.name != name]
        for entry in self._running:
            if (name is None or entry.kind.name == name) and entry.worker is not None:
                entry.worker.cancel()
        self.changed.emit()

    def stop(self, timeout_ms: int = 30_000) -> None:
        """Cancel everything and wait for the threads (a project closes); no handler runs."""
        self._pending.clear()
        running, self._running = self._running, []
        for entry in running:
            if entry.worker is not None:
                entry.worker.cancel()
        if running:
            self.pool.waitForDone(timeout_ms)
        self.status.end()
        self.changed.emit()

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """The window closes: stop every job and wait for every thread (previews too)."""
        self.stop(timeout_ms)
        self.pool.waitForDone(timeout_ms)

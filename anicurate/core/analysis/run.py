"""Analysis jobs: files without a project, or a project's stale sources with a process pool."""

from __future__ import annotations

import math
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

from anicurate.core.analysis.detect import Events, detect
from anicurate.core.analysis.flags import Flag, Thresholds, clip_flags
from anicurate.core.analysis.metrics import ClipMetrics, clip_metrics
from anicurate.core.analysis.signals import Signals, decode_signals
from anicurate.core.analysis.store import ClipResult, reflag, save_many, stale_sources
from anicurate.core.errors import AnicurateError
from anicurate.core.jobs import Progress
from anicurate.core.media.hardware import CPU, Decoder, Decoding
from anicurate.core.media.info import MediaInfo
from anicurate.core.media.limits import DEFAULT_MAX_PIXELS
from anicurate.core.project.catalogue import Project
from anicurate.core.project.settings import DEFAULT_PRESET, PRESETS, ProjectSettings


@dataclass(frozen=True, slots=True)
class SourceAnalysis:
    """One analysed file: its probe info, signals, events, the metrics and flags of the whole
    file taken as one clip, and the decoder that decoded it."""

    info: MediaInfo
    signals: Signals
    events: Events
    metrics: ClipMetrics
    flags: list[Flag]
    decoding: Decoding = CPU


@dataclass(frozen=True, slots=True)
class FileResult:
    """The outcome for one input file: an analysis, or the error that stopped it; ``decoding``
    says which decoder ran ("cpu"/"cuda") and why not CUDA where it was asked for or chosen."""

    path: str
    analysis: SourceAnalysis | None = None
    error: str | None = None

    @property
    def decoding(self) -> Decoding | None:
        return None if self.analysis is None else self.analysis.decoding

    def to_json(self) -> dict[str, Any]:
        """The ``analyze --json`` line of this file."""
        row: dict[str, Any] = {"path": self.path}
        a = self.analysis
        if a is not None:
            m = a.metrics
            row.update(
                frames=a.info.frame_count,
                fps=round(float(a.info.fps), 6),
                duration=round(a.info.duration, 6),
                width=a.info.width,
                height=a.info.height,
                vfr=a.info.vfr,
                cuts=a.events.cuts,
                transitions=[list(t) for t in a.events.transitions],
                flashes=a.events.flash_starts,
                effective_fps=m.effective_fps,
                held_ratio=m.held_ratio,
                hold_pattern=m.hold_pattern,
                motion={"mean": m.motion_mean, "p95": m.motion_p95},
                blur=m.blur,
                noise=m.noise,
                flags=[f.to_json() for f in a.flags],
                decoder=a.decoding.decoder,
                decoder_fallback=a.decoding.fallback,
            )
        row["error"] = self.error
        return row


def analyze_source(
    path: str | Path,
    *,
    threads: int = 0,
    settings: ProjectSettings | None = None,
    thresholds: Thresholds | None = None,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    decoder: Decoder = "auto",
) -> SourceAnalysis:
    """Decode one file once and analyse it; raises MediaError when it cannot be read.

    ``decoder``: "cpu", "cuda" or "auto" (see core/media/hardware.py); the result says which ran.
    """
    info, sig, decoding = decode_signals(
        path, threads=threads, max_pixels=max_pixels, decoder=decoder
    )
    events = detect(sig)
    metrics = clip_metrics(sig, events, 0, sig.frames - 1)
    flags = clip_flags(
        metrics,
        width=info.width,
        height=info.height,
        settings=settings or PRESETS[DEFAULT_PRESET],
        thresholds=thresholds or Thresholds(),
    )
    return SourceAnalysis(info, sig, events, metrics, flags, decoding)


def _work(path: str, threads: int, max_pixels: int | None, decoder: Decoder) -> FileResult:
    """A pool task: never raises for a bad file (exceptions with extra state do not pickle)."""
    try:
        analysis = analyze_source(path, threads=threads, max_pixels=max_pixels, decoder=decoder)
        return FileResult(path, analysis)
    except AnicurateError as err:
        return FileResult(path, error=str(err))
    except (OSError, ValueError) as err:
        return FileResult(path, error=f"cannot analyse: {err}")


# Results are stored in one transaction per this many files, or per this many seconds, whichever
# comes first: a commit (a sync to disk) per file adds up over thousands of short clips. A killed
# run loses at most these, which the next run analyses again.
SAVE_BATCH = 64
SAVE_EVERY_S = 1.0

# How often a pool worker checks that the process that started it is still there.
PARENT_POLL_S = 0.5


def _die_with_parent(parent: int) -> None:
    """Pool initializer: end this worker soon after its parent dies, even by kill -9.

    A killed parent never shuts its pool down, and a pool worker waiting for tasks would wait
    forever. An orphan is re-parented (its ``getppid()`` changes), which a daemon thread polls
    for on every POSIX system. (Linux's PR_SET_PDEATHSIG is not used: it fires when the
    *thread* that started the worker ends, which a job runner's thread may do at any time.)
    The resource tracker then exits by itself: its pipe closes with the last worker.
    """
    if os.name != "posix":  # Windows: no re-parenting to watch; the pipes break instead
        return
    if os.getppid() != parent:  # died while this worker was starting
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watch", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(PARENT_POLL_S)
        if os.getppid() != parent:
            os._exit(1)  # no cleanup: the task in hand is lost either way, nothing is half-written


#: At most this many processes where the number is left to anicurate (``workers`` 0): each holds
#: a decoder's frames, 100-300 MB at 1080p.
AUTO_WORKERS = 8
#: What starting a pool process costs, by how it starts: a fork copies a loaded process, a spawned
#: one imports Python, numpy, OpenCV and PyAV anew.
START_COST_S = {"fork": 0.02, "spawn": 0.2}
#: A process more for each this many times its start cost of work. On 2 cores, two spawned
#: processes beat one for a folder of 16 short clips (1.8 s of work: 1.36 s against 1.83 s) and
#: two 600-frame 1080p files (0.91 of the time), and lost for the demo set (0.3 s of work:
#: 0.59 s against 0.46 s), which two forked ones analyse in 0.43 s against 0.49 s.
WORK_PER_START = 4
#: The CPU cost of analysing a frame, to size a pool: a part per frame and a part per pixel
#: (0.6 ms a 480x270 frame, 3.2 ms a 1080p one, measured on one core).
FRAME_COST_S = 0.45e-3
PIXEL_COST_S = 1.3e-9
#: Files not probed yet weigh by their bytes: a MB of H.264 was about a CPU second of analysis
#: from 480x270 to 1080p.
FILE_BYTES_PER_S = 1e6


def pool_size(workers: int, files: int, work_s: float = math.inf) -> int:
    """Processes that analyse ``files`` files: ``workers``, or for 0 one per core, no more than
    there are files, AUTO_WORKERS, or one per WORK_PER_START process starts of the work
    (``work_s``: its estimated CPU seconds)."""
    if workers > 0:
        return workers
    per_process = WORK_PER_START * START_COST_S[_pool_context().get_start_method()]
    by_work = max(1, round(work_s / per_process)) if math.isfinite(work_s) else files
    return max(1, min(os.cpu_count() or 1, files, AUTO_WORKERS, by_work))


def sources_work_s(infos: Sequence[MediaInfo | None]) -> float:
    """Estimated CPU seconds of analysing sources with these probe infos (None: unknown,
    counted as a 10-second 1080p clip)."""
    total = 0.0
    for info in infos:
        if info is None:
            frames, pixels = 240, 1920 * 1080
        else:
            frames, pixels = info.frame_count, info.width * info.height
        total += frames * (FRAME_COST_S + pixels * PIXEL_COST_S)
    return total


def files_work_s(paths: Sequence[str]) -> float:
    """Estimated CPU seconds of analysing files not probed yet, by their size."""
    total = 0
    for path in paths:
        try:
            total += os.stat(path).st_size
        except OSError:
            continue  # analysing it says what is wrong
    return total / FILE_BYTES_PER_S


def _pool_context() -> BaseContext:
    """How pool workers start: forked where that is safe, on Linux from a process that runs no
    other thread (the command line's), so that a worker starts with numpy, OpenCV and PyAV
    loaded: a 2-worker folder of 16 short clips took 1.15 s against 1.34 s spawned. Spawned
    otherwise (the window's process runs Qt's and decoders' threads): a fork copies locks that
    other threads hold, and the child waits on them forever."""
    if sys.platform.startswith("linux") and _only_thread():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _only_thread() -> bool:
    """Whether this process runs no other thread, native ones (decoders', BLAS') included."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def _decoder_threads(workers: int) -> int:
    return 0 if workers <= 1 else max(1, (os.cpu_count() or 1) // workers)


#: Where a project's sources are analysed: (paths, workers, max_pixels, decoder) -> results in
#: completion order; closing the iterator cancels what is left. The default is this machine's
#: process pool; core/distributed.py gives one that runs on a Ray cluster.
Runner = Callable[[Sequence[str], int, "int | None", Decoder], Iterator[FileResult]]


def _results(
    paths: Sequence[str], workers: int, max_pixels: int | None, decoder: Decoder = "auto"
) -> Iterator[FileResult]:
    """Results in completion order; one worker runs in this process. ``workers``: a number
    already chosen (see :func:`pool_size`)."""
    if workers <= 1 or len(paths) <= 1:
        for p in paths:  # the decoder (and a two-part analysis) may use every core
            yield _work(p, 0, max_pixels, decoder)
        return
    threads = _decoder_threads(workers)
    pool = ProcessPoolExecutor(
        workers,
        mp_context=_pool_context(),
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    )
    try:
        pending: set[Future[FileResult]] = {
            pool.submit(_work, p, threads, max_pixels, decoder) for p in paths
        }
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield fut.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def analyze_files(
    paths: Sequence[str | Path],
    *,
    workers: int = 1,
    settings: ProjectSettings | None = None,
    thresholds: Thresholds | None = None,
    on_result: Callable[[FileResult], None] | None = None,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    decoder: Decoder = "auto",
) -> Generator[Progress, None, list[FileResult]]:
    """Analyse files without a project; returns results in the order of ``paths``.

    Flags use ``settings`` (default preset) and ``thresholds`` (defaults). ``on_result`` sees
    each result as it completes. ``workers`` 0: a process per core (see :func:`pool_size`).
    A picture over ``max_pixels`` is refused (None: no limit). ``decoder``: see
    :func:`analyze_source`.
    """
    names = [str(p) for p in paths]
    total = len(names)
    workers = pool_size(workers, total, files_work_s(names) if workers == 0 else math.inf)
    by_path: dict[str, FileResult] = {}
    yield Progress(0, total)
    for done, result in enumerate(_results(names, workers, max_pixels, decoder), start=1):
        if result.analysis is not None and (settings is not None or thresholds is not None):
            a = result.analysis
            flags = clip_flags(
                a.metrics, width=a.info.width, height=a.info.height,
                settings=settings or PRESETS[DEFAULT_PRESET], thresholds=thresholds or Thresholds(),
            )  # fmt: skip
            result = FileResult(result.path, replace(a, flags=flags))
        by_path[result.path] = result
        if on_result is not None:
            on_result(result)
        yield Progress(done, total, result.path, result.error)
    return [by_path[p] for p in names]


@dataclass(frozen=True, slots=True)
class ProjectAnalysis:
    """What ``analyze_project`` did: sources analysed, failed (path, message), clip results,
    and the sources decoded on the CPU although CUDA was asked for or chosen (path, why)."""

    analysed: int
    failed: list[tuple[str, str]]
    results: dict[int, ClipResult]
    decoder_fallbacks: list[tuple[str, str]] = field(default_factory=list)


def reflag_project(project_path: str | Path) -> Generator[Progress, None, ProjectAnalysis]:
    """Re-flag every clip from the stored signals (a detector update: nothing is decoded)."""
    yield Progress(0, 1, "updating flags for this version's detector")
    with Project.open(project_path) as project:
        results = reflag(project)
    yield Progress(1, 1)
    return ProjectAnalysis(0, [], results)


def analyze_project(
    project_path: str | Path, *, workers: int = 1, force: bool = False,
    runner: Runner | None = None,
    decoder: Decoder = "auto",
) -> Generator[Progress, None, ProjectAnalysis]:
    """Analyse the project's stale sources (all with ``force``), then re-flag every clip.

    Only sources without signals of the current analyser version are decoded; results are
    stored in batches (SAVE_BATCH files or SAVE_EVERY_S) and reported done once stored, and a
    cancelled run keeps what it finished. ``runner``: where the sources are decoded (default:
    this machine, ``workers`` processes; 0: see :func:`pool_size`). ``decoder``: see
    :func:`analyze_source`.
    """
    with Project.open(project_path) as project:
        if force:
            todo = [s for s in project.sources() if s.info is not None]
        else:
            todo = stale_sources(project)
        ids = {s.path: s.id for s in todo}
        total = len(todo)
        failed: list[tuple[str, str]] = []
        fallbacks: list[tuple[str, str]] = []
        analysed = 0
        yield Progress(0, total)
        # No pixel limit: import already held each source to the limit the user chose.
        paths = [s.path for s in todo]
        if runner is None:
            workers = pool_size(workers, total, sources_work_s([s.info for s in todo]))
        batch: list[tuple[int, Signals, Events]] = []
        unreported: list[FileResult] = []  # reported once stored: "done" means kept
        flushed, done = time.monotonic(), 0
        try:
            for result in (runner or _results)(paths, workers, None, decoder):
                if result.analysis is not None:
                    a = result.analysis
                    batch.append((ids[result.path], a.signals, a.events))
                    analysed += 1
                    if a.decoding.fallback is not None:
                        fallbacks.append((result.path, a.decoding.fallback))
                else:
                    failed.append((result.path, result.error or "failed"))
                unreported.append(result)
                last = len(unreported) + done == total
                if last or len(batch) >= SAVE_BATCH or time.monotonic() - flushed >= SAVE_EVERY_S:
                    rows, batch = batch, []  # a batch that fails to save is not tried again
                    if rows:
                        save_many(project, rows)
                    flushed = time.monotonic()
                    for r in unreported:
                        done += 1
                        yield Progress(done, total, r.path, r.error)
                    unreported.clear()
        finally:  # a cancelled run keeps what it finished
            if batch:
                save_many(project, batch)
        results = reflag(project)
    return ProjectAnalysis(analysed, failed, results, fallbacks)

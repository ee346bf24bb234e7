"""Tag a project's clips: decode and preprocess in a thread pool while the model runs batches.

Producers (one clip at a time each, own MediaReader) put preprocessed frames on a bounded
queue; the generator's thread takes whatever is ready up to the batch size, runs the model
(onnxruntime releases the GIL, so producers keep working meanwhile), and stores each clip as
soon as all its frames are scored, one transaction per clip. Closing the generator stops the
producers and keeps every clip already stored.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from anicurate.core.errors import AnicurateError
from anicurate.core.jobs import Progress
from anicurate.core.media import open_media
from anicurate.core.project.catalogue import Clip, ClipStatus, Project, Source
from anicurate.core.tagging import store
from anicurate.core.tagging.merge import merge_scores, select_tags
from anicurate.core.tagging.model import CUDA, ProviderChoice, Tagger, load_tagger
from anicurate.core.tagging.options import TaggingOptions
from anicurate.core.tagging.preprocess import crop, preprocess
from anicurate.core.tagging.sampling import sample_frames

DEFAULT_BATCH = 8
_POLL_S = 0.1


@dataclass(frozen=True, slots=True)
class TagSummary:
    """What a run did, and where its time went (``wait_s``: the model idle, waiting for frames)."""

    tagged: int
    unchanged: int
    failed: list[tuple[str, str]]  # (clip label, message)
    model: str
    provider: str
    fallback: str | None
    batch: int
    frames: int
    elapsed_s: float
    infer_s: float
    wait_s: float
    first_frame_s: float  # the part of wait_s before the first frame was ready
    store_s: float

    @property
    def wait_share(self) -> float:
        """Share of the run the model sat waiting for preprocessed frames."""
        return self.wait_s / self.elapsed_s if self.elapsed_s else 0.0

    @property
    def frames_per_s(self) -> float:
        return self.frames / self.elapsed_s if self.elapsed_s else 0.0


@dataclass(slots=True)
class _Job:
    index: int
    clip: Clip
    source: Source
    frames: list[int]
    fingerprint: str
    scores: np.ndarray | None = None
    scored: int = 0
    failed: bool = False
    label: str = field(default="")
    provider: str | None = None  # the provider that scored it, when not the driver's tagger


#: Where clips are scored: (jobs, tagger, batch) -> each job once, with ``scores`` set (and
#: ``provider`` when another process's model scored it) or an error; closing it cancels. The
#: default is this process's thread pipeline; core/distributed.py gives one on a Ray cluster.
Runner = Callable[[list[_Job], "Tagger", int], Generator[tuple[_Job, "str | None"], None, None]]


def default_workers(tagger: Tagger) -> int:
    """Preprocessing threads: on CPU the model needs the cores (preprocessing is ~1/10 of its
    cost), on a GPU frames must come as fast as the cores can decode them."""
    cores = os.cpu_count() or 2
    if tagger.provider == CUDA:
        return max(1, min(8, cores - 1))
    return max(1, min(2, cores))


def clip_label(clip: Clip, source: Source) -> str:
    return f"{Path(source.path).name} [{clip.first_frame}-{clip.last_frame}]"


def plan(
    project: Project,
    tagger: Tagger,
    options: TaggingOptions,
    *,
    clip_ids: Iterable[int] | None = None,
    force: bool = False,
    shots: Mapping[int, Sequence[int]] | None = None,
    include_rejected: bool = False,
) -> tuple[list[_Job], int]:
    """The clips that need tagging (fingerprint changed, or ``force``) and how many do not."""
    wanted = None if clip_ids is None else set(clip_ids)
    stored = store.stored_fingerprints(project)
    jobs: list[_Job] = []
    unchanged = 0
    for clip, source in project.clips_with_sources():
        if wanted is not None and clip.id not in wanted:
            continue
        if clip.status == ClipStatus.REJECTED and not include_rejected and wanted is None:
            continue
        if source.info is None:
            continue
        shot_starts = (shots or {}).get(source.id)
        frames = sample_frames(clip.first_frame, clip.last_frame, options.sampling, shot_starts)
        fp = store.clip_fingerprint(clip, source.hash, frames, tagger.identity, options)
        if not force and stored.get(clip.id) == fp:
            unchanged += 1
            continue
        jobs.append(_Job(len(jobs), clip, source, frames, fp, label=clip_label(clip, source)))
    return jobs, unchanged


def stored_shots(project: Project) -> dict[int, list[int]]:
    """First frames of the shots of every analysed source (its stored cuts), for per-shot
    sampling; sources not analysed yet count as one shot."""
    from anicurate.core.analysis import load_signals  # analysis is optional for tagging

    shots: dict[int, list[int]] = {}
    for source in project.sources():
        stored = load_signals(project, source.id) if source.info is not None else None
        if stored is not None:
            shots[source.id] = [0, *stored[1].cuts]
    return shots


def tag_project(
    project_path: str | os.PathLike[str],
    model: str | os.PathLike[str] | Tagger,
    *,
    provider: ProviderChoice = "auto",
    batch: int = DEFAULT_BATCH,
    options: TaggingOptions | None = None,
    clip_ids: Iterable[int] | None = None,
    force: bool = False,
    shots: Mapping[int, Sequence[int]] | None = None,
    include_rejected: bool = False,
    workers: int | None = None,
    threads: int | None = None,
    runner: Runner | None = None,
) -> Generator[Progress, None, TagSummary]:
    """Tag the project's clips whose frames or tagging settings changed; one Progress per clip.

    ``model``: a tagger folder (loaded on ``provider``) or a loaded Tagger (the window loads it
    first to show the provider). ``options``: None reads the project's. ``clip_ids``: only
    these clips (rejected ones included); None: every clip not rejected. ``shots``: source id
    -> first frames of its shots, for per-shot sampling. ``workers``: preprocessing threads.
    ``runner``: where the clips are scored (default: here, with ``tagger``, which then only
    names the model and its settings).
    """
    started = time.perf_counter()
    if isinstance(model, Tagger):
        tagger = model
    else:
        tagger = load_tagger(Path(model), provider, threads=threads)
    with Project.open(project_path) as project:
        opts = options if options is not None else store.load_options(project)
        if shots is None and opts.sampling.mode == "shots":
            shots = stored_shots(project)
        jobs, unchanged = plan(
            project, tagger, opts, clip_ids=clip_ids, force=force, shots=shots,
            include_rejected=include_rejected,
        )  # fmt: skip
        size = tagger.batch_size(batch)
        stats = _Stats()
        failed: list[tuple[str, str]] = []
        tagged = 0
        n_frames = sum(len(j.frames) for j in jobs)
        if jobs:
            if runner is None:
                n_workers = min(workers or default_workers(tagger), len(jobs))
                pipeline = _Pipeline(jobs, tagger, size, n_workers, stats)
                finished, stop = pipeline.finished(), pipeline.stop
            else:
                finished = runner(jobs, tagger, size)
                stop = finished.close
            try:
                for job, error in finished:
                    t0 = time.perf_counter()
                    if error is None:
                        assert job.scores is not None
                        merged = merge_scores(job.scores, opts.merge)
                        result = select_tags(merged, tagger.vocab, opts)
                        store.store_auto_tags(
                            project, job.clip.id, result, fingerprint=job.fingerprint,
                            model=tagger.name, provider=job.provider or tagger.provider,
                            frames=job.frames,
                        )  # fmt: skip
                        tagged += 1
                    else:
                        failed.append((job.label, error))
                    job.scores = None
                    stats.store_s += time.perf_counter() - t0
                    yield Progress(tagged + len(failed), len(jobs), job.label, error)
            finally:
                stop()
    return TagSummary(
        tagged=tagged,
        unchanged=unchanged,
        failed=failed,
        model=tagger.name,
        provider=tagger.provider,
        fallback=tagger.fallback,
        batch=size,
        frames=n_frames,
        elapsed_s=time.perf_counter() - started,
        infer_s=stats.infer_s,
        wait_s=stats.wait_s,
        first_frame_s=stats.first_frame_s,
        store_s=stats.store_s,
    )


@dataclass(slots=True)
class _Stats:
    infer_s: float = 0.0
    wait_s: float = 0.0
    first_frame_s: float = 0.0
    store_s: float = 0.0


# (job index, frame position, preprocessed frame or None, error message or None)
_Item = tuple[int, int, np.ndarray | None, str | None]


class _Pipeline:
    """Producer threads and the batching loop; ``finished()`` yields each clip once done."""

    def __init__(
        self, jobs: list[_Job], tagger: Tagger, batch: int, workers: int, stats: _Stats
    ) -> None:
        self.jobs, self.tagger, self.batch, self.stats = jobs, tagger, batch, stats
        self._todo: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        for job in jobs:
            self._todo.put(job)
        # Enough frames ahead to fill the next batch while one runs, and no more (memory).
        self._ready: queue.Queue[_Item] = queue.Queue(maxsize=2 * batch + 2 * workers)
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._produce, name=f"tagging-{i}", daemon=True)
            for i in range(workers)
        ]
        for t in self._threads:
            t.start()

    def stop(self) -> None:
        """Stop the producers (a frame in progress finishes) and wait for them."""
        self._stop.set()
        for t in self._threads:
            while t.is_alive():
                self._drain()
                t.join(_POLL_S)

    def _drain(self) -> None:
        try:
            while True:
                self._ready.get_nowait()
        except queue.Empty:
            pass

    def _put(self, item: _Item) -> bool:
        while not self._stop.is_set():
            try:
                self._ready.put(item, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self) -> None:
        side = self.tagger.side
        while not self._stop.is_set():
            try:
                job = self._todo.get_nowait()
            except queue.Empty:
                return
            try:
                with open_media(job.source.path, max_pixels=None) as reader:
                    for pos, index in enumerate(job.frames):
                        if self._stop.is_set():
                            return
                        frame = preprocess(crop(reader.frame_at(index), job.clip.crop), side)
                        if not self._put((job.index, pos, frame, None)):
                            return
            except AnicurateError as e:
                self._put((job.index, -1, None, str(e)))
            except Exception as e:  # a producer must never die silently: the clip would hang
                self._put((job.index, -1, None, f"{type(e).__name__}: {e}"))

    def _take(self) -> list[_Item]:
        """At least one item (waiting as needed, timed), then whatever is ready up to a batch."""
        t0 = time.perf_counter()
        while True:
            try:
                item = self._ready.get(timeout=_POLL_S)
                break
            except queue.Empty:
                if not any(t.is_alive() for t in self._threads) and self._ready.empty():
                    self.stats.wait_s += time.perf_counter() - t0
                    return []
        waited = time.perf_counter() - t0
        self.stats.wait_s += waited
        if self.stats.infer_s == 0.0 and self.stats.first_frame_s == 0.0:
            self.stats.first_frame_s = waited
        items = [item]
        while len(items) < self.batch:
            try:
                items.append(self._ready.get_nowait())
            except queue.Empty:
                break
        return items

    def finished(self) -> Generator[tuple[_Job, str | None], None, None]:
        """Run batches until every job is scored or failed; yields (job, error or None)."""
        left = len(self.jobs)
        n_tags = len(self.tagger.vocab)
        while left:
            items = self._take()
            if not items:  # producers gone with jobs unfinished: report, never hang
                for job in self.jobs:
                    if not job.failed and (job.scores is None or job.scored < len(job.frames)):
                        job.failed = True
                        left -= 1
                        yield job, "frames were not produced"
                return
            frames: list[tuple[_Job, int, np.ndarray]] = []
            for index, pos, array, error in items:
                job = self.jobs[index]
                if job.failed:
                    continue
                if error is not None:
                    job.failed = True
                    left -= 1
                    yield job, error
                elif array is not None:
                    frames.append((job, pos, array))
            if not frames:
                continue
            t0 = time.perf_counter()
            scores = self.tagger.run(np.stack([a for _, _, a in frames]))
            self.stats.infer_s += time.perf_counter() - t0
            for (job, pos, _), row in zip(frames, scores, strict=True):
                if job.failed:
                    continue
                if job.scores is None:
                    job.scores = np.empty((len(job.frames), n_tags), np.float32)
                job.scores[pos] = row
                job.scored += 1
                if job.scored == len(job.frames):
                    left -= 1
                    yield job, None

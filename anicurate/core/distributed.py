"""Analysis, tagging and export rendering on a Ray cluster, the project staying on this machine.

Each source (analysis), clip (tagging) or file (export) is one Ray task; this process, the
driver, alone writes the project and the export's state as results arrive, through the same
core generators as a local run (``runner``/``renderer`` hooks), so progress, cancel (closing the
generator cancels what is left), per-file errors and "only what is missing" are unchanged.
Tagging runs in actors that load the model once (one GPU each when the cluster has GPUs) and
report the provider they really use. Workers read sources at the same path (a shared mount);
a file a worker cannot read is sent through the object store when small, else it fails with a
message naming the host. Ray is imported only here and only when asked for (``anicurate[ray]``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import tempfile
import threading
import uuid
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from anicurate.core.analysis.run import FileResult, Runner, analyze_source
from anicurate.core.errors import AnicurateError
from anicurate.core.export.files import TMP_DIR, ExportError, replace_into
from anicurate.core.export.ownership import describe_os_error
from anicurate.core.export.plan import PlanItem
from anicurate.core.export.render import Renderer, render_item
from anicurate.core.export.results import ItemResult
from anicurate.core.media import open_media
from anicurate.core.media.hardware import Decoder
from anicurate.core.tagging.model import Tagger, load_tagger
from anicurate.core.tagging.preprocess import crop, preprocess
from anicurate.core.tagging.run import _Job

INSTALL_HINT = "running on a cluster needs Ray: pip install 'anicurate[ray]'"
#: Files up to this size go through Ray's object store when a worker cannot read them in place.
SMALL_FILE_BYTES = 8 * 2**20
#: Times Ray reruns a task whose worker died (killed, out of memory, node lost).
MAX_RETRIES = 3
#: Calls each tagging actor has in flight: one running, one queued behind it.
ACTOR_QUEUE = 2


class ClusterError(AnicurateError):
    """Ray is missing, or the cluster cannot be reached."""


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A worker's answer for a source it cannot open at the driver's path."""

    host: str
    path: str

    def message(self) -> str:
        return f"worker on host {self.host} cannot read {self.path}: shared mount?"


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """Where a tagging actor runs and the provider its model really loaded on."""

    host: str
    pid: int
    provider: str
    fallback: str | None


def _ray() -> Any:
    try:
        import ray
    except ImportError as err:
        raise ClusterError(INSTALL_HINT) from err
    return ray


def ray_available() -> bool:
    """Whether Ray can be imported (the ``ray`` extra is installed)."""
    try:
        _ray()
    except ClusterError:
        return False
    return True


def connect(address: str) -> Any:
    """Join the cluster at ``address`` (host:port, ``ray://…`` or ``auto``); returns ray."""
    ray = _ray()
    if ray.is_initialized():
        return ray
    _reachable(address)
    try:
        ray.init(address=address, log_to_driver=False, configure_logging=False)
    except (ConnectionError, RuntimeError, ValueError) as err:
        raise ClusterError(f"cannot reach the Ray cluster at {address}: {err}") from err
    return ray


#: Seconds to wait for a cluster's port to answer before saying it cannot be reached.
CONNECT_TIMEOUT_S = 10.0


def _reachable(address: str) -> None:
    """Fail fast on a host:port nobody answers on (``ray.init`` would retry for minutes)."""
    host, sep, port = address.rpartition(":")
    if not sep or "://" in address or not port.isdigit():
        return  # "auto" or ray://: Ray answers (or fails) quickly by itself
    try:
        socket.create_connection((host.strip("[]"), int(port)), CONNECT_TIMEOUT_S).close()
    except OSError as err:
        raise ClusterError(f"cannot reach the Ray cluster at {address}: {err}") from err


# ---------------------------------------------------------------- worker side (runs in Ray)


class _Local:
    """A source path this worker can read: the shared one, or a temporary copy of sent bytes."""

    def __init__(self, path: str, data: bytes | None) -> None:
        self.path, self.data = path, data
        self.tmp: str | None = None

    def __enter__(self) -> str | Unreadable:
        if os.access(self.path, os.R_OK):
            return self.path
        if self.data is None:
            return Unreadable(socket.gethostname(), self.path)
        fd, self.tmp = tempfile.mkstemp(suffix=Path(self.path).suffix, prefix="anicurate-")
        with os.fdopen(fd, "wb") as f:
            f.write(self.data)
        return self.tmp

    def __exit__(self, *exc: object) -> None:
        if self.tmp is not None:
            os.unlink(self.tmp)


def _pid_note() -> None:
    """Tests: append this worker's pid to $ANICURATE_RAY_PID_FILE (to kill it mid-task)."""
    note = os.environ.get("ANICURATE_RAY_PID_FILE")
    if note:
        with open(note, "a") as f:
            f.write(f"{os.getpid()}\n")


def analyse_task(
    path: str, data: bytes | None, max_pixels: int | None, decoder: Decoder = "auto"
) -> FileResult | Unreadable:
    """One source's analysis on a worker; bad files become error results (as locally).
    ``decoder`` is chosen on the worker: its GPU, if it has one, decodes."""
    _pid_note()
    with _Local(path, data) as local:
        if isinstance(local, Unreadable):
            return local
        try:
            analysis = analyze_source(local, threads=1, max_pixels=max_pixels, decoder=decoder)
        except AnicurateError as err:
            return FileResult(path, error=str(err).replace(local, path))
        except (OSError, ValueError) as err:
            return FileResult(path, error=f"cannot analyse: {err}")
        return FileResult(path, analysis)


class TaggerWorker:
    """A tagging actor: loads the model once, then scores the sampled frames of many clips."""

    def __init__(self, folder: str, provider: str, threads: int | None) -> None:
        self.tagger: Tagger = load_tagger(folder, provider, threads=threads)  # type: ignore[arg-type]

    def info(self) -> WorkerInfo:
        t = self.tagger
        return WorkerInfo(socket.gethostname(), os.getpid(), t.provider, t.fallback)

    def score(
        self,
        path: str,
        data: bytes | None,
        frames: list[int],
        box: tuple[int, int, int, int] | None,
        batch: int,
    ) -> tuple[np.ndarray | None, str | None, str] | Unreadable:
        """(scores per frame, None, provider) or (None, error, provider)."""
        _pid_note()
        provider = self.tagger.provider
        with _Local(path, data) as local:
            if isinstance(local, Unreadable):
                return local
            try:
                side = self.tagger.side
                with open_media(local, max_pixels=None) as reader:
                    pics = [preprocess(crop(reader.frame_at(i), box), side) for i in frames]
                rows = [
                    self.tagger.run(np.stack(pics[k : k + batch]))
                    for k in range(0, len(pics), batch)
                ]
            except AnicurateError as err:
                return None, str(err).replace(local, path), provider
            except Exception as err:
                return None, f"{type(err).__name__}: {err}", provider
        return np.concatenate(rows), None, provider


def render_task(item: PlanItem, staging: str) -> ItemResult:
    """One export file rendered on a worker into ``staging``, a private folder inside the
    export folder on the shared mount; the driver moves it into place (ownership checks)."""
    _pid_note()
    if not os.access(item.source_path, os.R_OK):
        bad = Unreadable(socket.gethostname(), item.source_path)
        return ItemResult(item, Path(staging) / item.media, True, error=bad.message())
    return render_item(item, Path(staging), 1, threading.Event())


# ---------------------------------------------------------------- driver side


def _small_bytes(path: str) -> bytes | None:
    """The file's bytes when it is small enough for the object store, else None."""
    try:
        if os.path.getsize(path) <= SMALL_FILE_BYTES:
            return Path(path).read_bytes()
    except OSError:
        return None
    return None


def _cancel(ray: Any, refs: Sequence[Any]) -> None:
    """Stop tasks still queued or running (their workers are killed: nothing is half-written
    under a final name, and the driver writes no result of theirs)."""
    for ref in refs:
        with contextlib.suppress(Exception):  # already finished, or its worker gone
            ray.cancel(ref, force=True)


def _completed(ray: Any, pending: dict[Any, Any]) -> Iterator[tuple[Any, Any]]:
    """(key, value) of each pending task as it finishes; a task that failed for good (retries
    spent) yields its exception as the value."""
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1)
        for ref in ready:
            key = pending.pop(ref)
            try:
                yield key, ray.get(ref)
            except Exception as err:  # RayTaskError, WorkerCrashedError, ...
                yield key, err


def _last_line(err: BaseException) -> str:
    """A Ray error's last line: the worker's own exception, without the remote traceback."""
    lines = str(err).strip().splitlines()
    return lines[-1] if lines else type(err).__name__


def _failure(err: BaseException) -> str:
    return f"failed on the cluster: {type(err).__name__}: {_last_line(err)}"


def analysis_runner(address: str) -> Runner:
    """An ``analyze_project`` runner: one Ray CPU task per source (``workers`` is ignored)."""
    ray = connect(address)
    task = ray.remote(num_cpus=1, max_retries=MAX_RETRIES)(analyse_task)

    def run(
        paths: Sequence[str], workers: int, max_pixels: int | None, decoder: Decoder = "auto"
    ) -> Iterator[FileResult]:
        pending: dict[Any, str] = {task.remote(p, None, max_pixels, decoder): p for p in paths}
        resent: set[str] = set()
        try:
            for path, value in _completed(ray, pending):
                if isinstance(value, Unreadable):
                    data = None if path in resent else _small_bytes(path)
                    if data is not None:
                        resent.add(path)
                        pending[task.remote(path, data, max_pixels, decoder)] = path
                        continue
                    yield FileResult(path, error=value.message())
                elif isinstance(value, BaseException):
                    yield FileResult(path, error=_failure(value))
                else:
                    yield value
        finally:
            _cancel(ray, list(pending))

    return run


class TaggingRunner:
    """A ``tag_project`` runner: clips spread over tagging actors that load ``folder`` once.

    ``workers`` lists the actors (host, pid, the provider they really loaded) after a run.
    One actor per GPU when the cluster has GPUs (``num_gpus=1``), else one per CPU (``actors``
    overrides the count).
    """

    def __init__(
        self, address: str, folder: str | Path, provider: str = "auto", actors: int | None = None
    ) -> None:
        self.ray = connect(address)
        self.folder, self.provider, self.actors = str(folder), provider, actors
        self.workers: list[WorkerInfo] = []

    def _start(self, n_jobs: int) -> list[Any]:
        ray = self.ray
        resources = ray.cluster_resources()
        gpus = int(resources.get("GPU", 0))
        count = self.actors or gpus or max(1, int(resources.get("CPU", 1)))
        count = max(1, min(count, n_jobs))
        options: dict[str, Any] = {"max_restarts": MAX_RETRIES, "max_task_retries": MAX_RETRIES}
        if gpus and self.provider != "cpu":
            options["num_gpus"] = 1
        else:
            options["num_cpus"] = 1
        cls = ray.remote(TaggerWorker).options(**options)
        threads = None if "num_gpus" in options else 1
        actors = [cls.remote(self.folder, self.provider, threads) for _ in range(count)]
        try:
            self.workers = list(ray.get([a.info.remote() for a in actors]))
        except Exception as err:  # e.g. the model folder is not on the workers' mount
            for a in actors:
                ray.kill(a)
            message = f"the tagger did not start on the cluster: {_last_line(err)}"
            raise ClusterError(message) from err
        return actors

    def __call__(
        self, jobs: list[_Job], tagger: Tagger, batch: int
    ) -> Generator[tuple[_Job, str | None], None, None]:
        ray = self.ray
        actors = self._start(len(jobs))
        todo = iter(jobs)
        pending: dict[Any, tuple[_Job, int, bool]] = {}  # ref -> (job, actor, bytes sent)

        def submit(actor: int, job: _Job, data: bytes | None = None) -> None:
            ref = actors[actor].score.remote(
                job.source.path, data, job.frames, job.clip.crop, batch
            )
            pending[ref] = (job, actor, data is not None)

        for actor in range(len(actors)):
            for _ in range(ACTOR_QUEUE):
                job = next(todo, None)
                if job is not None:
                    submit(actor, job)
        try:
            for (job, actor, sent), value in _completed(ray, pending):
                if isinstance(value, Unreadable):
                    data = None if sent else _small_bytes(job.source.path)
                    if data is not None:
                        submit(actor, job, data)
                        continue
                    yield self._fail(job, value.message())
                elif isinstance(value, BaseException):
                    yield self._fail(job, _failure(value))
                else:
                    scores, error, provider = value
                    job.provider = provider
                    if error is not None:
                        yield self._fail(job, error)
                    else:
                        job.scores, job.scored = scores, len(job.frames)
                        yield job, None
                nxt = next(todo, None)
                if nxt is not None:
                    submit(actor, nxt)
        finally:
            _cancel_actor_calls(ray, list(pending))
            for a in actors:
                ray.kill(a)

    @staticmethod
    def _fail(job: _Job, message: str) -> tuple[_Job, str]:
        job.failed = True
        return job, message


def _cancel_actor_calls(ray: Any, refs: Sequence[Any]) -> None:
    """Cancel queued actor calls (they cannot be force-cancelled; the actors are killed next)."""
    for ref in refs:
        with contextlib.suppress(Exception):
            ray.cancel(ref)


def export_renderer(address: str) -> Renderer:
    """A ``render`` renderer: one Ray CPU task per file. Workers write each file whole into a
    staging folder inside the export folder (``.anicurate-tmp/ray-*``, on the same mount) and
    return its hash; the driver, which holds the folder's lock and ownership record, renames
    it into place with ``replace_into`` as a local render does."""
    ray = connect(address)
    task = ray.remote(num_cpus=1, max_retries=MAX_RETRIES)(render_task)

    def run(items: list[PlanItem], root: Path) -> Generator[ItemResult, None, None]:
        tmp = root / TMP_DIR
        for old in tmp.glob("ray-*") if tmp.is_dir() else []:
            shutil.rmtree(old, ignore_errors=True)  # a killed driver's (the lock is ours now)
        staging = tmp / f"ray-{uuid.uuid4().hex}"
        staging.mkdir(parents=True)
        pending: dict[Any, PlanItem] = {task.remote(i, str(staging)): i for i in items}
        try:
            for item, value in _completed(ray, pending):
                final = root / item.media
                if isinstance(value, BaseException):
                    yield ItemResult(item, final, True, error=_failure(value))
                elif value.error is not None:
                    yield ItemResult(item, final, True, error=value.error)
                else:
                    try:
                        final = replace_into(value.path, root, item.media, value.hash)
                    except ExportError as err:
                        yield ItemResult(item, final, True, error=str(err))
                    except OSError as err:
                        yield ItemResult(item, final, True, error=describe_os_error(err))
                    else:
                        yield ItemResult(item, final, True, value.size, value.hash)
        finally:
            _cancel(ray, list(pending))
            shutil.rmtree(staging, ignore_errors=True)

    return run

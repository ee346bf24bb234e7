"""Render a plan: H.264 yuv420p CFR clips and PNG stills, in parallel, resumable and atomic, then
the target's index and config files and the manifest.

Each file is written under a temporary name in the export folder and renamed into place when
complete, so a killed export never leaves a partial file under a final name. A sidecar state file
keeps each finished file's fingerprint: a rerun skips files whose inputs and settings are
unchanged. Closing the generator cancels: running clips stop at their next frame.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Generator, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.video.stream
import cv2
import numpy as np

from anicurate.core.export.files import (
    ExportError,
    clean_tmp,
    inside,
    replace_into,
    tmp_path,
    write_text_atomic,
)
from anicurate.core.export.fixed import FixStopped, fixed_frames
from anicurate.core.export.manifest import write_manifest
from anicurate.core.export.ownership import Ownership, describe_os_error, open_export
from anicurate.core.export.plan import ExportOptions, ExportPlan, PlanItem, load_state, plan_export
from anicurate.core.export.results import ItemResult
from anicurate.core.export.writers import write_target
from anicurate.core.jobs import Progress
from anicurate.core.media.reader import open_media

_CACHE_BYTES = 16 * 2**20  # sequential reading needs no cache to speak of
X264_OPTIONS = {"preset": "veryfast", "crf": "17"}


class _Cancelled(Exception):
    pass


@dataclass(slots=True)
class ExportResult:
    """What an export did; ``config_path`` is the file to point the trainer at."""

    plan: ExportPlan
    results: list[ItemResult] = field(default_factory=list)
    config_path: Path | None = None
    written: list[Path] = field(default_factory=list)  # index/config files
    manifest_path: Path | None = None
    kept: list[str] = field(default_factory=list)  # files changed since the last export: left

    @property
    def rendered(self) -> int:
        return sum(1 for r in self.results if r.rendered and r.error is None)

    @property
    def unchanged(self) -> int:
        return sum(1 for r in self.results if not r.rendered and r.error is None)

    @property
    def failed(self) -> list[tuple[str, str]]:
        """(clip label, message) of every file that could not be written."""
        return [(r.item.label, r.error) for r in self.results if r.error is not None]

    @property
    def done(self) -> list[ItemResult]:
        return [r for r in self.results if r.error is None]

    def summary_lines(self) -> list[str]:
        lines = [
            f"exported {len(self.done)} files to {self.plan.out_dir}: {self.rendered} rendered, "
            f"{self.unchanged} unchanged, {len(self.failed)} failed, "
            f"{len(self.plan.skipped)} clip{'' if len(self.plan.skipped) == 1 else 's'} skipped"
        ]
        if self.config_path is not None:
            lines.append(f"config: {self.config_path}")
        if self.manifest_path is not None:
            lines.append(f"manifest: {self.manifest_path}")
        if self.kept:
            lines.append(f"left as they are, changed since the last export: {', '.join(self.kept)}")
        return lines


def hash_bytes_of(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=32)
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def transform(rgb: np.ndarray, item: PlanItem) -> np.ndarray:
    """A source frame cropped (or padded) and resized to the item's output size."""
    x, y, w, h = item.region
    part = rgb[y : y + h, x : x + w]
    if item.pad is not None:
        cw, ch, px, py = item.pad
        canvas = np.zeros((ch, cw, 3), np.uint8)
        canvas[py : py + part.shape[0], px : px + part.shape[1]] = part
        part = canvas
    if part.shape[:2] != (item.height, item.width):
        shrink = part.shape[1] > item.width
        interp = cv2.INTER_AREA if shrink else cv2.INTER_CUBIC
        part = cv2.resize(part, (item.width, item.height), interpolation=interp)
    return np.ascontiguousarray(part)


def _output_frames(item: PlanItem, threads: int, cancel: threading.Event) -> Iterator[np.ndarray]:
    """The item's output frames, decoding the source once, in order."""
    if item.fix is not None:
        yield from _fixed_output_frames(item, threads, cancel)
        return
    first, last = min(item.frames), max(item.frames)
    wanted = list(item.frames)
    pos = 0
    with open_media(
        item.source_path, cache_bytes=_CACHE_BYTES, threads=threads, max_pixels=None
    ) as reader:
        for index, rgb in enumerate(reader.frames(first, last + 1), start=first):
            if cancel.is_set():
                raise _Cancelled
            if pos < len(wanted) and wanted[pos] == index:
                out = transform(rgb, item)
                while pos < len(wanted) and wanted[pos] == index:
                    yield out
                    pos += 1
            if pos >= len(wanted):
                return


def _fixed_output_frames(
    item: PlanItem, threads: int, cancel: threading.Event
) -> Iterator[np.ndarray]:
    """The output frames of an item with a fix: its fixed clip's frames (cached, see fixed.py)."""
    assert item.fix is not None
    try:
        for rgb in fixed_frames(item.fix, item.frames, threads, cancel.is_set):
            yield transform(rgb, item)
    except FixStopped:
        raise _Cancelled from None


def _encode(item: PlanItem, tmp: Path, threads: int, cancel: threading.Event) -> None:
    rate = Fraction(item.fps)
    with av.open(str(tmp), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=rate)
        if not isinstance(stream, av.video.stream.VideoStream):  # pragma: no cover
            raise ExportError("libx264 is not a video encoder")
        stream.width, stream.height = item.width, item.height
        stream.pix_fmt = "yuv420p"
        tick = Fraction(1, item.fps)
        stream.time_base = tick
        stream.codec_context.options = dict(X264_OPTIONS)
        stream.codec_context.thread_count = max(1, threads)
        for k, rgb in enumerate(_output_frames(item, threads, cancel)):
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = k
            frame.time_base = tick
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def _still(item: PlanItem, tmp: Path, threads: int, cancel: threading.Event) -> None:
    rgb = next(_output_frames(item, threads, cancel))
    ok, data = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    if not ok:  # pragma: no cover
        raise ExportError("PNG encoding failed")
    tmp.write_bytes(data.tobytes())


def render_item(item: PlanItem, root: Path, threads: int, cancel: threading.Event) -> ItemResult:
    """Render one file to a temporary name, then rename it into place; errors become results."""
    final = inside(root, item.media)
    tmp = tmp_path(root, Path(item.media).suffix)
    try:
        if item.kind == "still":
            _still(item, tmp, threads, cancel)
        else:
            _encode(item, tmp, threads, cancel)
        size = tmp.stat().st_size
        digest = hash_bytes_of(tmp)
        replace_into(tmp, root, item.media, digest)
        return ItemResult(item, final, True, size, digest)
    except _Cancelled:
        raise
    except OSError as err:
        return ItemResult(item, final, True, error=describe_os_error(err))
    except Exception as err:
        return ItemResult(item, final, True, error=f"{type(err).__name__}: {err}")
    finally:
        tmp.unlink(missing_ok=True)


def _remove_stale(plan: ExportPlan, state: dict[str, dict[str, Any]], owner: Ownership) -> None:
    """Delete files an earlier run wrote that this plan no longer has (a clip since rejected),
    unless they changed since that run (then they are kept and reported)."""
    wanted = {i.media for i in plan.items}
    for media in [m for m in state if m not in wanted]:
        for rel in (media, Path(media).with_suffix(".txt").as_posix()):
            owner.remove(rel)
        del state[media]


def render(plan: ExportPlan, workers: int = 1) -> Generator[Progress, None, ExportResult]:
    """Write every file of ``plan``, yielding one Progress per file; close to cancel.

    Finished files stay (and are skipped next time); files of clips whose rendering failed are
    named in the result, and the index and config list only the files that exist. The folder is
    locked and only files this export wrote are replaced or deleted (ownership.py); an I/O error
    ends the export with an ExportError, keeping what is done.
    """
    sources = [i.source_path for i in plan.items]
    with open_export(plan.out_dir, plan.project_path, sources, plan.target.value) as owner:
        return (yield from _render(plan, workers, owner))


def _render(
    plan: ExportPlan, workers: int, owner: Ownership
) -> Generator[Progress, None, ExportResult]:
    root = plan.out_dir
    root.mkdir(parents=True, exist_ok=True)
    clean_tmp(root)
    state = load_state(root)
    _remove_stale(plan, state, owner)
    result = ExportResult(plan)
    total = len(plan.items)
    done = 0
    todo: list[PlanItem] = []
    for item in plan.items:
        if item.up_to_date and item.media in state:
            entry = state[item.media]
            path = inside(root, item.media)
            result.results.append(
                ItemResult(item, path, False, int(entry["size"]), str(entry.get("hash", "")))
            )
            _write_caption(root, item)
            done += 1
            yield Progress(done, total, item.media)
        else:
            todo.append(item)
    cancel = threading.Event()
    workers = max(1, min(workers, len(todo) or 1))
    threads = 0 if workers == 1 else max(1, (os.cpu_count() or 1) // workers)
    pool = ThreadPoolExecutor(workers, thread_name_prefix="export")
    try:
        queue = iter(todo)
        pending: set[Future[ItemResult]] = set()

        def top_up() -> None:
            while len(pending) < workers:
                nxt = next(queue, None)
                if nxt is None:
                    return
                pending.add(pool.submit(render_item, nxt, root, threads, cancel))

        top_up()
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                res = fut.result()
                result.results.append(res)
                if res.error is None:
                    _write_caption(root, res.item)
                    state[res.item.media] = {
                        "fingerprint": res.item.fingerprint,
                        "size": res.size,
                        "hash": res.hash,
                        "time": time.time(),
                    }
                    owner.save(state)
                done += 1
                yield Progress(done, total, res.item.media, res.error)
            top_up()
    finally:
        cancel.set()
        pool.shutdown(wait=True, cancel_futures=True)
        clean_tmp(root)
    owner.save(state)
    order = {item.media: n for n, item in enumerate(plan.items)}
    result.results.sort(key=lambda r: order[r.item.media])
    result.written = write_target(plan, result.done)
    result.config_path = result.written[0] if result.written else None
    result.manifest_path = write_manifest(plan, result.done, result.written)
    owner.save(state)
    result.kept = list(owner.kept)
    clean_tmp(root)
    return result


def _write_caption(root: Path, item: PlanItem) -> None:
    write_text_atomic(root, item.caption_file, item.caption)


def export_project(
    project_path: str | os.PathLike[str], options: ExportOptions, workers: int = 1
) -> Generator[Progress, None, ExportResult]:
    """Plan and render in one job (the CLI's path); opens its own Project."""
    plan = plan_export(project_path, options)
    return (yield from render(plan, workers))

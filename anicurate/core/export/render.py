"""Render a plan: H.264 yuv420p CFR clips and PNG stills, in parallel, resumable and atomic, then
the target's index and config files and the manifest.

Each file is written under a temporary name in the export folder and renamed into place when
complete, so a killed export never leaves a partial file under a final name. A sidecar state file
keeps each finished file's fingerprint: a rerun skips files whose inputs and settings are
unchanged. Closing the generator cancels: running clips stop at their next frame.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
import time
from collections.abc import Callable, Generator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.filter
import av.video.stream
import cv2
import numpy as np
from av.video.frame import VideoFrame

from anicurate.core.export.files import (
    ExportError,
    clean_tmp,
    file_digest,
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
from anicurate.core.media.decode import DecodedFrame
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


def transform(rgb: np.ndarray, item: PlanItem) -> np.ndarray:
    """A source frame cropped (or padded) and resized to the item's output size (the RGB path,
    for stills and for frames no FFmpeg filter can take: turned or decoded by Pillow)."""
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


class _Shaper:
    """Crops, pads and scales decoded frames to an item's output as yuv420p in one FFmpeg filter
    graph (swscale), so frames never go through RGB arrays; rebuilt when the input changes."""

    def __init__(self, item: PlanItem) -> None:
        self.item = item
        self._graph: av.filter.Graph | None = None
        self._key: tuple[str, int, int] | None = None

    def shape(self, decoded: DecodedFrame) -> VideoFrame:
        """The output frame for one decoded frame (a fresh frame the caller owns)."""
        video = decoded.video
        if video is None or decoded.rotation % 360 != 0:
            rgb = transform(decoded.rgb(), self.item)
            return VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
        key = (video.format.name, video.width, video.height)
        if key != self._key:
            self._graph, self._key = self._build(video), key
        assert self._graph is not None
        self._graph.vpush(video)
        return self._graph.vpull()

    def _build(self, video: VideoFrame) -> av.filter.Graph:
        item = self.item
        x, y, w, h = item.region
        graph = av.filter.Graph()
        chain = [graph.add_buffer(width=video.width, height=video.height,
                                  format=video.format, time_base=Fraction(1, 1000))]  # fmt: skip
        steps: list[tuple[str, str]] = []
        if (x, y, w, h) != (0, 0, video.width, video.height):
            steps.append(("crop", f"w={w}:h={h}:x={x}:y={y}:exact=1"))
        if item.pad is not None:
            cw, ch, px, py = item.pad
            steps.append(("pad", f"width={cw}:height={ch}:x={px}:y={py}:color=black"))
        out_w = item.pad[0] if item.pad is not None else w
        if (out_w, item.pad[1] if item.pad is not None else h) != (item.width, item.height):
            flags = "area" if out_w > item.width else "bicubic"
            steps.append(("scale", f"w={item.width}:h={item.height}:flags={flags}"))
        steps.append(("format", "pix_fmts=yuv420p"))
        for name, args in steps:
            chain.append(graph.add(name, args))
        chain.append(graph.add("buffersink"))
        for a, b in itertools.pairwise(chain):
            a.link_to(b)
        graph.configure()
        return graph


def _tmp_for(root: Path, item: PlanItem) -> Path:
    return tmp_path(root, Path(item.media).suffix)


class _Output:
    """One video file being encoded: libx264 yuv420p at the item's constant rate, frame k at
    pts k, to a temporary name."""

    def __init__(self, item: PlanItem, tmp: Path, threads: int) -> None:
        self.item, self.tmp = item, tmp
        self.tick = Fraction(1, item.fps)
        self.count = 0
        self.container = av.open(str(tmp), "w", format="mp4")
        stream = self.container.add_stream("libx264", rate=Fraction(item.fps))
        if not isinstance(stream, av.video.stream.VideoStream):  # pragma: no cover
            raise ExportError("libx264 is not a video encoder")
        stream.width, stream.height = item.width, item.height
        stream.pix_fmt = "yuv420p"
        stream.time_base = self.tick
        stream.codec_context.options = dict(X264_OPTIONS)
        stream.codec_context.thread_count = max(0, threads)
        self.stream = stream

    def write(self, frame: VideoFrame) -> None:
        frame.pts = self.count
        frame.time_base = self.tick
        self.count += 1
        self.container.mux(self.stream.encode(frame))

    def finish(self) -> None:
        self.container.mux(self.stream.encode(None))
        self.container.close()

    def abandon(self) -> None:
        with contextlib.suppress(Exception):  # the file is deleted either way
            self.container.close()


def _group_items(items: list[PlanItem]) -> list[list[PlanItem]]:
    """Work units: the video parts of one clip come from one decoding pass; stills alone."""
    groups: dict[tuple[int, str], list[PlanItem]] = {}
    out: list[list[PlanItem]] = []
    for item in items:
        if item.kind == "still" or item.fix is not None:  # a fix renders from its own cache
            out.append([item])
            continue
        key = (item.clip_id, item.source_path)
        if key not in groups:
            groups[key] = []
            out.append(groups[key])
        groups[key].append(item)
    return out


def _finish(root: Path, item: PlanItem, tmp: Path) -> ItemResult:
    final = inside(root, item.media)
    size = tmp.stat().st_size
    digest = file_digest(tmp)
    replace_into(tmp, root, item.media, digest)
    return ItemResult(item, final, True, size, digest)


def _failed(root: Path, item: PlanItem, err: BaseException) -> ItemResult:
    message = describe_os_error(err) if isinstance(err, OSError) else f"{type(err).__name__}: {err}"
    return ItemResult(item, inside(root, item.media), True, error=message)


def render_group(
    items: list[PlanItem], root: Path, threads: int, cancel: threading.Event
) -> list[ItemResult]:
    """Render files that show frames of one source in one decoding pass, each to a temporary
    name renamed into place when complete; errors become results."""
    if len(items) == 1:
        return [render_item(items[0], root, threads, cancel)]
    return _decode_pass(items, root, threads, cancel)


def _decode_pass(
    items: list[PlanItem], root: Path, threads: int, cancel: threading.Event
) -> list[ItemResult]:
    results: dict[str, ItemResult] = {}
    wanted = {i.media: list(i.frames) for i in items}
    pos = dict.fromkeys(wanted, 0)
    shapers: dict[tuple[Any, ...], _Shaper] = {}
    outputs: dict[str, _Output] = {}
    first = min(min(i.frames) for i in items)
    last = max(max(i.frames) for i in items)
    live = list(items)
    try:
        with open_media(
            items[0].source_path, cache_bytes=_CACHE_BYTES, threads=threads, max_pixels=None
        ) as reader:
            for index, decoded in enumerate(reader.decoded_frames(first, last + 1), start=first):
                if cancel.is_set():
                    raise _Cancelled
                for item in list(live):
                    frames, p = wanted[item.media], pos[item.media]
                    if p >= len(frames) or frames[p] != index:
                        continue
                    try:
                        geometry = (item.region, item.pad, item.width, item.height)
                        shaper = shapers.setdefault(geometry, _Shaper(item))
                        out = outputs.get(item.media)
                        if out is None:
                            out = outputs[item.media] = _Output(item, _tmp_for(root, item),
                                                                threads)  # fmt: skip
                        frame = shaper.shape(decoded)
                        while p < len(frames) and frames[p] == index:
                            out.write(frame)
                            p += 1
                        pos[item.media] = p
                        if p >= len(frames):
                            live.remove(item)
                            outputs.pop(item.media).finish()
                            results[item.media] = _finish(root, item, out.tmp)
                    except _Cancelled:
                        raise
                    except Exception as err:
                        if item in live:
                            live.remove(item)
                        broken = outputs.pop(item.media, None)
                        if broken is not None:
                            broken.abandon()
                            broken.tmp.unlink(missing_ok=True)
                        results[item.media] = _failed(root, item, err)
                if not live:
                    break
    except _Cancelled:
        raise
    except Exception as err:
        for item in live:
            results.setdefault(item.media, _failed(root, item, err))
    finally:
        for out in outputs.values():
            out.abandon()
            out.tmp.unlink(missing_ok=True)
    return [results[i.media] for i in items]


def _still(item: PlanItem, tmp: Path, threads: int, cancel: threading.Event) -> None:
    with open_media(
        item.source_path, cache_bytes=_CACHE_BYTES, threads=threads, max_pixels=None
    ) as reader:
        if cancel.is_set():
            raise _Cancelled
        rgb = transform(reader.frame_at(item.frames[0]), item)
    ok, data = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    if not ok:  # pragma: no cover
        raise ExportError("PNG encoding failed")
    tmp.write_bytes(data.tobytes())


def _fixed_pass(item: PlanItem, root: Path, threads: int, cancel: threading.Event) -> ItemResult:
    """Render an item with a fix from its fixed clip's frames (cached, see fixed.py)."""
    assert item.fix is not None
    out = _Output(item, _tmp_for(root, item), threads)
    try:
        for rgb in fixed_frames(item.fix, item.frames, threads, cancel.is_set):
            frame = VideoFrame.from_ndarray(transform(rgb, item), format="rgb24")
            out.write(frame.reformat(format="yuv420p"))
        out.finish()
    except FixStopped:
        out.abandon()
        out.tmp.unlink(missing_ok=True)
        raise _Cancelled from None
    except Exception as err:
        out.abandon()
        out.tmp.unlink(missing_ok=True)
        return _failed(root, item, err)
    return _finish(root, item, out.tmp)


def render_item(item: PlanItem, root: Path, threads: int, cancel: threading.Event) -> ItemResult:
    """Render one file to a temporary name, then rename it into place; errors become results."""
    if item.kind != "still" and item.fix is not None:
        return _fixed_pass(item, root, threads, cancel)
    if item.kind != "still":
        return _decode_pass([item], root, threads, cancel)[0]
    tmp = _tmp_for(root, item)
    try:
        _still(item, tmp, threads, cancel)
        return _finish(root, item, tmp)
    except _Cancelled:
        raise
    except Exception as err:
        return _failed(root, item, err)
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


def auto_workers() -> int:
    """Clips rendered at once where the user leaves it open: half the cores (each encode uses
    threads too), at most 4."""
    return max(1, min(4, (os.cpu_count() or 2) // 2))


def render(
    plan: ExportPlan, workers: int = 1, renderer: Renderer | None = None
) -> Generator[Progress, None, ExportResult]:
    """Write every file of ``plan``, yielding one Progress per file; close to cancel.

    Finished files stay (and are skipped next time); files of clips whose rendering failed are
    named in the result, and the index and config list only the files that exist. The folder is
    locked and only files this export wrote are replaced or deleted (ownership.py); an I/O error
    ends the export with an ExportError, keeping what is done. ``renderer``: where files are
    rendered (default: here, ``workers`` threads; 0: :func:`auto_workers`).
    """
    sources = [i.source_path for i in plan.items]
    with open_export(plan.out_dir, plan.project_path, sources, plan.target.value) as owner:
        return (yield from _render(plan, workers, owner, renderer))


def _render(
    plan: ExportPlan, workers: int, owner: Ownership, renderer: Renderer | None = None
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
    saver = _Saver(owner)
    results = (renderer or _pool_renderer(workers or auto_workers()))(todo, root)
    try:
        for res in results:
            result.results.append(res)
            if res.error is None:
                _write_caption(root, res.item)
                state[res.item.media] = {
                    "fingerprint": res.item.fingerprint,
                    "size": res.size,
                    "hash": res.hash,
                    "time": time.time(),
                }
                saver.save(state)
            done += 1
            yield Progress(done, total, res.item.media, res.error)
    finally:
        results.close()
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


class _Saver:
    """Saves the export's record after a finished file, unless saving has been taking more than
    a tenth of the time: the record holds every file, so saving it after each of 10,000 small
    files cost O(n^2). A file renamed but not yet in the record stays the export's own through
    the ownership journal; a killed run renders it again."""

    SHARE = 0.1

    def __init__(self, owner: Ownership) -> None:
        self._owner = owner
        self._due = 0.0  # monotonic time from which the next save may run

    def save(self, state: dict[str, dict[str, Any]]) -> None:
        now = time.monotonic()
        if now < self._due:
            return
        self._owner.save(state)
        took = time.monotonic() - now
        self._due = now + took / self.SHARE


#: Where the files to render are rendered: (items, export folder) -> each item's result as it
#: finishes, the file already under its final name; closing it cancels. The default is this
#: machine's threads; core/distributed.py gives one that renders on a Ray cluster.
Renderer = Callable[[list[PlanItem], Path], Generator[ItemResult, None, None]]


def _pool_renderer(workers: int) -> Renderer:
    """Render with ``workers`` threads here (a running clip stops at its next frame on close)."""

    def run(todo: list[PlanItem], root: Path) -> Generator[ItemResult, None, None]:
        cancel = threading.Event()
        groups = _group_items(todo)  # the parts of a clip come from one decoding pass
        n = max(1, min(workers, len(groups) or 1))
        threads = 0 if n == 1 else max(1, (os.cpu_count() or 1) // n)
        pool = ThreadPoolExecutor(n, thread_name_prefix="export")
        try:
            queue = iter(groups)
            pending: set[Future[list[ItemResult]]] = set()

            def top_up() -> None:
                while len(pending) < n:
                    nxt = next(queue, None)
                    if nxt is None:
                        return
                    pending.add(pool.submit(render_group, nxt, root, threads, cancel))

            top_up()
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    yield from fut.result()
                top_up()
        finally:
            cancel.set()
            pool.shutdown(wait=True, cancel_futures=True)

    return run


def _write_caption(root: Path, item: PlanItem) -> None:
    write_text_atomic(root, item.caption_file, item.caption)


def export_project(
    project_path: str | os.PathLike[str], options: ExportOptions, workers: int = 1
) -> Generator[Progress, None, ExportResult]:
    """Plan and render in one job (the CLI's path); opens its own Project."""
    plan = plan_export(project_path, options)
    return (yield from render(plan, workers))

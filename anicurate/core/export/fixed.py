"""Fixed clips at export: which frames of a fixed clip an export shows, and the fixed frames
themselves, computed once and cached by the fingerprint of clip + fix + model.

The cache lives in the per-user cache folder (``fixed/``), not in the export folder: the export
folder only ever holds files the export owns (ownership.py), its scratch folder is wiped at each
run, and one fixed clip serves every export of it (other targets, other folders). Each entry is
a lossless FFV1 file of the whole fixed clip; the folder is kept under :data:`CACHE_BYTES`
(least recently used entries go first). ``ANICURATE_FIX_CACHE`` names another folder.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from anicurate import paths
from anicurate.core.analysis.detect import Events
from anicurate.core.fix.engines import denoise_model, load_engines
from anicurate.core.fix.errors import FixError
from anicurate.core.fix.models import ModelInfo, find_model
from anicurate.core.fix.pipeline import fix_frames
from anicurate.core.fix.plan import Slot, clip_events, plan_frames
from anicurate.core.fix.spec import FixSpec, Interpolation
from anicurate.core.media.reader import open_media

#: Bump when fixing changes what a cached clip holds.
FIX_VERSION = 1
#: The cache folder is trimmed to this size after each new entry.
CACHE_BYTES = 8 * 2**30
#: Rough CPU seconds per output megapixel by engine, for the export preview's extra time
#: (models/README.md: cunet ~8, animevideov3 ~1.7, RIFE ~1.8 on a 2-core CPU). A manifest's
#: ``cost_s_per_mpix`` wins.
ENGINE_COST = {"ncnn": 8.0, "onnx": 1.8, "opencv": 0.02}

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


class FixStopped(Exception):
    """The export was cancelled while a clip was being fixed (nothing is cached)."""


@dataclass(frozen=True, slots=True)
class ItemFix:
    """How to make one export item's fixed clip: the fix as it runs, the source frames it reads,
    the plan of its output frames and the cache key."""

    spec: FixSpec
    source_path: str
    first: int
    last: int
    slots: tuple[Slot, ...]
    key: str
    cost_s: float  # expected extra seconds (CPU estimate)

    @property
    def synthesised(self) -> int:
        return sum(1 for s in self.slots if s.synthesised)


def cache_dir() -> Path:
    """Where fixed clips are cached."""
    override = os.environ.get("ANICURATE_FIX_CACHE")
    return Path(override) if override else paths.user_cache_dir() / "fixed"


def _models(spec: FixSpec) -> list[ModelInfo]:
    """The models a fix runs (raises UnknownModel / ModelBroken when one is not installed)."""
    out = []
    if spec.denoise:
        out.append(denoise_model(spec.denoise, spec.denoise_model))
    if spec.upscale > 1:
        out.append(find_model("upscale", spec.upscale_model))
    if spec.interpolate is not None:
        out.append(find_model("interpolate", spec.interp_model))
    return out


def _cost(info: ModelInfo) -> float:
    return float(info.manifest.get("cost_s_per_mpix", ENGINE_COST.get(info.engine, 2.0)))


def prepare(
    spec: FixSpec,
    *,
    source_path: str,
    source_hash: str,
    first: int,
    last: int,
    size: tuple[int, int],
    times: np.ndarray,
    durations: np.ndarray,
    events: Events | None,
    fps: int,
    min_frames: int,
) -> tuple[ItemFix, list[int]]:
    """The fix of one clip as the export runs it, and the index into the fixed clip of each
    output frame at ``fps``.

    Factor and fps interpolation keep the clip's duration (more frames in the same time);
    window interpolation makes a clip too short for the training window long enough, by
    slowing it down: its fixed frames play at the source's rate. Raises FixError (or
    UnknownModel) when the fix cannot run here.
    """
    n = last - first + 1
    start = float(times[first])
    duration = max(float(times[last] + durations[last]) - start, 1e-9)
    rate = n / duration
    have = max(1, math.floor(duration * fps + 1e-6))
    stretch = False
    itp = spec.interpolate
    if itp is not None and itp.mode == "window":
        if have >= min_frames:
            itp = Interpolation("factor", 1) if spec.smooth_holds else None
        else:
            itp = Interpolation("window", math.ceil(n * min_frames / have) + 1)
            stretch = True
        spec = replace(spec, interpolate=itp)
    ratio = spec.ratio(n, rate)
    rel = clip_events(events, first, last)
    slots = plan_frames(n, ratio, rel, spec.smooth_holds)
    m = len(slots)
    virtual = rate if stretch else rate * float(ratio)
    count = max(1, math.floor(m / virtual * fps + 1e-6))
    wanted = np.arange(count, dtype=np.float64) * virtual / fps + 1e-6
    frames = [int(i) for i in np.clip(np.floor(wanted), 0, m - 1)]
    models = _models(spec)
    key = hashlib.sha256(
        json.dumps(
            {
                "v": FIX_VERSION,
                "hash": source_hash,
                "path": source_path,
                "first": first,
                "last": last,
                "spec": spec.to_json(),
                "models": [[m.kind, m.name, m.engine, m.manifest] for m in models],
                "slots": [[s.a, s.b, round(s.t, 6)] for s in slots],
            },
            sort_keys=True,
            default=str,
        ).encode()
    ).hexdigest()
    w, h = size
    src_mpix = w * h / 1e6
    out_mpix = src_mpix * spec.upscale**2
    cost = 0.0
    for info in models:
        if info.kind == "denoise":
            cost += n * src_mpix * _cost(info)
        elif info.kind == "upscale":
            cost += n * out_mpix * _cost(info)
        else:
            cost += sum(1 for s in slots if s.synthesised) * out_mpix * _cost(info)
    fix = ItemFix(spec, source_path, first, last, tuple(slots), key, cost)
    return fix, frames


def _lock(key: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def cached_path(fix: ItemFix) -> Path:
    return cache_dir() / f"{fix.key}.mkv"


def ensure_fixed(fix: ItemFix, threads: int, stopped: Callable[[], bool]) -> Path:
    """The cached fixed clip, made now when missing (two parts of one clip make it once)."""
    from anicurate.core.media.writer import write_video

    path = cached_path(fix)
    with _lock(fix.key):
        if path.is_file():
            os.utime(path)  # recently used: trimmed last
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.{threading.get_ident()}.part.mkv")
        engines = load_engines(fix.spec)
        n = fix.last - fix.first + 1
        try:
            with open_media(
                fix.source_path, cache_bytes=16 * 2**20, threads=threads, max_pixels=None
            ) as reader:

                def source() -> Iterator[np.ndarray]:
                    for rgb in reader.frames(fix.first, fix.last + 1):
                        if stopped():
                            raise FixStopped
                        yield rgb

                out = fix_frames(source(), fix.spec, count=n, engines=engines,
                                 plan=list(fix.slots))  # fmt: skip
                write_video(tmp, out, fps=24, codec="ffv1", pix_fmt="bgr0")
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        trim_cache(keep=path)
        return path


def trim_cache(keep: Path | None = None, limit: int | None = None) -> None:
    """Delete the least recently used cached clips until the folder is under ``limit``."""
    limit = CACHE_BYTES if limit is None else limit
    entries = []
    for p in cache_dir().glob("*.mkv"):
        try:
            st = p.stat()
        except OSError:
            continue
        entries.append((st.st_mtime, st.st_size, p))
    total = sum(e[1] for e in entries)
    for _mtime, size, p in sorted(entries, key=lambda e: e[0]):
        if total <= limit:
            break
        if p == keep:
            continue
        p.unlink(missing_ok=True)
        total -= size


def fixed_frames(
    fix: ItemFix, wanted: Sequence[int], threads: int, stopped: Callable[[], bool]
) -> Iterator[np.ndarray]:
    """The fixed clip's frames at the ascending indices ``wanted`` (repeats allowed)."""
    path = ensure_fixed(fix, threads, stopped)
    if not wanted:
        return
    pos = 0
    with open_media(path, cache_bytes=16 * 2**20, threads=threads, max_pixels=None) as reader:
        if len(reader) < len(fix.slots):
            raise FixError(f"{path}: the cached fixed clip is short; delete it to remake it")
        for index, rgb in enumerate(reader.frames(wanted[0], wanted[-1] + 1), start=wanted[0]):
            if stopped():
                raise FixStopped
            while pos < len(wanted) and wanted[pos] == index:
                yield rgb
                pos += 1
            if pos >= len(wanted):
                return

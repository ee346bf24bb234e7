"""Import benchmark: 500 generated small clips into a fresh project; files per second and where
the time goes (hashing, demuxing the frame index, decoding, catalogue writes).

Run by hand: ``.venv/bin/python -m tests.benchmarks.import_speed [--files 500]``. The reference,
measured in the same run, is PyAV decoding every frame of every file once: what an import that
indexed by decoding would pay at the least.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import av
import numpy as np

from anicurate.core.media.writer import write_animation, write_still, write_video
from anicurate.core.project import Project, import_paths, importer


def frames(n: int, w: int, h: int, seed: int) -> Iterator[np.ndarray]:
    """A drawn-looking clip: flat background, a square that moves, a colour per clip."""
    colour = np.array([(seed * 53) % 256, (seed * 97) % 256, (seed * 31) % 256], np.uint8)
    for i in range(n):
        f = np.empty((h, w, 3), np.uint8)
        f[:] = colour
        x = (4 * i + seed) % (w - 24)
        f[h // 3 : h // 3 + 24, x : x + 24] = 255 - colour
        yield f


def generate(folder: Path, count: int) -> dict[str, int]:
    """Half mp4 (48 frames, 160x90), a third GIF (12 frames, uneven delays), the rest PNG stills."""
    kinds = {"mp4": 0, "gif": 0, "png": 0}
    for i in range(count):
        sub = folder / f"batch{i // 100:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        if i % 6 < 3:
            write_video(sub / f"clip{i:04d}.mp4", frames(48, 160, 90, i), 24)
            kinds["mp4"] += 1
        elif i % 6 < 5:
            delays = [80, 40, 120, 40] * 3
            write_animation(sub / f"anim{i:04d}.gif", list(frames(12, 120, 90, i)), delays)
            kinds["gif"] += 1
        else:
            write_still(sub / f"still{i:04d}.png", next(frames(1, 320, 180, i)))
            kinds["png"] += 1
    return kinds


class Timers:
    """Seconds and calls per phase, filled by the wrappers installed around importer calls."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.decoded = 0
        self.indexed_by_decoding = 0

    def add(self, phase: str, seconds: float) -> None:
        self.seconds[phase] = self.seconds.get(phase, 0.0) + seconds

    def timed(self, phase: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.add(phase, time.perf_counter() - t0)

        return wrapper


class TimedReader:
    """Wraps a MediaReader: thumbnail() counts as decoding; close counts with opening."""

    def __init__(self, reader: Any, timers: Timers) -> None:
        self._reader = reader
        self._timers = timers
        self.info = reader.info
        self.index = reader.index

    def thumbnail(self, *args: Any, **kwargs: Any) -> np.ndarray:
        return self._timers.timed("decode (thumbnail)", self._reader.thumbnail)(*args, **kwargs)

    def __enter__(self) -> TimedReader:
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._timers.decoded += self._reader.decoded_count
        self._timers.indexed_by_decoding += bool(self._reader.index.from_decode)
        self._timers.timed(OPEN, self._reader.close)()


# The module, not the function the media package re-exports under the same name.
probe_module = importlib.import_module("anicurate.core.media.probe")

OPEN = "open_media total"
# Inside open_media (anicurate.core.media.probe): timed separately where those names exist.
PROBE_PARTS = {
    "demux_index": "  of which: demux the frame index",
    "decode_index": "  of which: index by decoding",
    "_check_decodes": "  of which: decode first frame (check)",
}


def install(timers: Timers) -> None:
    real_open = importer.open_media

    def open_media(path: Path, **kwargs: Any) -> TimedReader:
        reader = timers.timed(OPEN, real_open)(path, **kwargs)
        return TimedReader(reader, timers)

    importer.hash_file = timers.timed("hash", importer.hash_file)
    importer.open_media = open_media
    for name, phase in PROBE_PARTS.items():
        if hasattr(probe_module, name):
            setattr(probe_module, name, timers.timed(phase, getattr(probe_module, name)))


def decode_everything(paths: list[Path]) -> tuple[float, int]:
    """Reference: PyAV decoding every frame of every file (no conversion)."""
    t0 = time.perf_counter()
    n = 0
    for path in paths:
        with av.open(str(path)) as container:
            for _ in container.decode(video=0):
                n += 1
    return time.perf_counter() - t0, n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=500)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="anicurate-bench-") as tmp:
        folder = Path(tmp) / "media"
        t0 = time.perf_counter()
        kinds = generate(folder, args.files)
        print(f"generated {args.files} files {kinds} in {time.perf_counter() - t0:.1f} s")
        paths = sorted(p for p in folder.rglob("*") if p.is_file())
        size_mb = sum(p.stat().st_size for p in paths) / 1e6

        timers = Timers()
        install(timers)
        project = Path(tmp) / "bench.anicurate"
        t0 = time.perf_counter()
        gen = import_paths(project, [folder])
        while True:
            try:
                next(gen)
            except StopIteration as stop:
                summary = stop.value
                break
        total = time.perf_counter() - t0
        with Project.open(project) as p:
            counts = p.counts()
            frames_total = sum(s.info.frame_count for s in p.sources() if s.info)

        t0 = time.perf_counter()
        gen = import_paths(project, [folder])
        for _ in gen:
            pass
        reimport = time.perf_counter() - t0

        ref_decode, ref_frames = decode_everything(paths)

    if summary.failed or summary.added != args.files:
        print(f"import failed for some files: {summary.failed[:5]}", file=sys.stderr)
        return 1
    print(
        f"imported {summary.added} files ({size_mb:.1f} MB, {frames_total} frames)"
        f" in {total:.2f} s: {summary.added / total:.0f} files/s; {counts['clips']} clips"
    )
    seconds = timers.seconds
    parts = [seconds.get(phase, 0.0) for phase in PROBE_PARTS.values()]
    rows = [
        ("hash (blake2b)", seconds.get("hash", 0.0)),
        ("open_media (probe + index)", seconds.get(OPEN, 0.0)),
        *((phase, seconds.get(phase, 0.0)) for phase in PROBE_PARTS.values()),
        ("  of which: open, sniff, rest", seconds.get(OPEN, 0.0) - sum(parts)),
        ("decode thumbnail (middle frame)", seconds.get("decode (thumbnail)", 0.0)),
        ("jpeg, catalogue writes, walk, rest", total - sum(
            seconds.get(k, 0.0) for k in ("hash", OPEN, "decode (thumbnail)"))),
    ]  # fmt: skip
    check = seconds.get(PROBE_PARTS["_check_decodes"], 0.0)
    decoding = seconds.get("decode (thumbnail)", 0.0) + check
    for phase, s in rows:
        print(f"  {phase:40} {s:7.3f} s  {100 * s / total:5.1f} %")
    print(f"  decoding in all (first-frame check + thumbnail): {100 * decoding / total:.1f} %")
    print(
        f"  frames decoded: {timers.decoded} of {frames_total}"
        f" ({timers.decoded / args.files:.2f} per file);"
        f" files indexed by decoding: {timers.indexed_by_decoding}"
    )
    print(
        f"reference: PyAV decoding all {ref_frames} frames takes {ref_decode:.2f} s;"
        f" import / full decode = {total / ref_decode:.2f}"
    )
    print(
        f"re-import of the unchanged folder: {reimport:.3f} s ({args.files / reimport:.0f} files/s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What every subcommand shares: exit codes, the progress bar, job driving, error lines."""

from __future__ import annotations

import errno
import sqlite3
import sys
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from pathlib import Path
from typing import TextIO, TypeVar

from anicurate.core.jobs import Progress

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2
R = TypeVar("R")


class ProgressBar:
    """A one-line bar on a terminal; on a pipe, a plain line per tenth so logs stay readable."""

    def __init__(
        self, label: str, stream: TextIO = sys.stderr, width: int = 28,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:  # fmt: skip
        self.label, self.stream, self.width = label, stream, width
        self.tty = stream.isatty()
        self._last_tenth = -1
        self._shown = False
        self._clock = clock
        self._start = clock()
        self._first: tuple[float, float] | None = None  # (time, fraction) of the first update

    def eta(self, fraction: float) -> str:
        """The time left at the rate since the first update ("" until there is a rate)."""
        now = self._clock()
        if self._first is None:
            self._first = (now, fraction)
            return ""
        t0, f0 = self._first
        if fraction <= f0 or now - t0 < 0.5 or fraction >= 1:
            return ""
        return eta_text((now - t0) * (1 - fraction) / (fraction - f0))

    def update(self, p: Progress) -> None:
        if self.tty:
            filled = int(self.width * p.fraction)
            bar = "=" * filled + " " * (self.width - filled)
            count = f"{p.done}/{p.total}" if p.total else f"{p.done}"
            eta = self.eta(p.fraction) if p.total else ""
            line = f"\r{self.label} [{bar}] {count}{f' {eta}' if eta else ''} {p.item[-32:]}"
            self.stream.write(line.ljust(100)[:100])
            self.stream.flush()
            self._shown = True
        elif p.total:
            tenth = int(10 * p.fraction)
            if tenth != self._last_tenth:
                self._last_tenth = tenth
                self.stream.write(f"{self.label}: {p.done}/{p.total}\n")

    def close(self) -> None:
        if self.tty and self._shown:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()


def run_job(job: Generator[Progress, None, R], label: str, quiet: bool = False) -> R:
    """Drive a core generator to its end with a progress bar; Ctrl+C closes it cleanly."""
    bar = None if quiet else ProgressBar(label)
    try:
        while True:
            try:
                progress = next(job)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            if bar:
                bar.update(progress)
    finally:
        job.close()
        if bar:
            bar.close()


# The words for the errors a full, locked or read-only disk gives, whatever the platform says.
_ERRNO_WORDS: dict[int, str] = {
    errno.ENOSPC: "no space left on device",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "read-only file system",
    errno.ENOENT: "no such file or folder",
    errno.EIO: "input/output error (a failing disk or a lost network share?)",
    errno.EISDIR: "is a folder",
    errno.ENOTDIR: "not a folder",
    errno.ENAMETOOLONG: "file name too long",
}
if hasattr(errno, "EDQUOT"):
    _ERRNO_WORDS[errno.EDQUOT] = "disk quota exceeded"


def os_error_line(err: OSError) -> str:
    """``<path>: no space left on device``: one line for an OSError, naming its file."""
    words = _ERRNO_WORDS.get(err.errno or -1) or err.strerror or str(err) or type(err).__name__
    where = err.filename if err.filename not in (None, "") else None
    line = f"{where}: {words}" if where is not None else str(words)
    if err.filename2 not in (None, ""):
        line += f" (-> {err.filename2})"
    return " ".join(line.split())


def sqlite_error_line(err: sqlite3.Error, project: object = None) -> str:
    """One line for a SQLite error the core let through, naming the project when known."""
    words = " ".join(str(err).split()) or type(err).__name__
    return f"{project}: {words}" if project else words


def plural(count: int, noun: str) -> str:
    """``1 clip``, ``2 clips``: counts read as a person writes them."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def eta_text(seconds: float) -> str:
    """``ETA 42 s``, ``ETA 3:07``, ``ETA 1:02:03``."""
    s = max(0, round(seconds))
    if s < 60:
        return f"ETA {s} s"
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"ETA {h}:{m:02d}:{sec:02d}" if h else f"ETA {m}:{sec:02d}"


def fail(path: str, message: str) -> None:
    print(f"anicurate: {path}: {message}", file=sys.stderr)


def expand_media(targets: Iterable[Path]) -> Iterator[Path]:
    """Files as given, folders walked for media files the way import walks them."""
    from anicurate.core.media.formats import walk_media_files  # lazy: the media stack is heavy

    for target in targets:
        if target.is_dir():
            yield from walk_media_files(target)
        else:
            yield target

"""Turn what goes wrong with a file (OS errors, FFmpeg and Pillow errors) into typed MediaErrors."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import av.error

from anicurate.core.errors import MediaError, MediaErrorKind
from anicurate.core.media.sniff import looks_truncated, read_head, sniff

# The kinds of file that are not regular, and how a person would name them.
_SPECIAL_FILES = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def regular_stat(path: Path) -> os.stat_result:
    """``path``'s stat (links followed), or a MediaError unless it is a regular file.

    Only regular files are ever opened: reading a FIFO, a socket or a device can block forever
    (a FIFO without a writer) or never end (``/dev/zero``).
    """
    try:
        st = os.stat(path)
    except OSError as exc:
        raise os_error(path, exc) from exc
    problem = not_regular(path, st)
    if problem is not None:
        raise problem
    return st


def not_regular(path: Path, st: os.stat_result) -> MediaError | None:
    """The MediaError for a stat that is not a regular file's (a folder, FIFO, device, socket)."""
    if stat.S_ISREG(st.st_mode):
        return None
    if stat.S_ISDIR(st.st_mode):
        return MediaError(path, MediaErrorKind.NOT_MEDIA, "is a folder, not a file")
    what = next((name for test, name in _SPECIAL_FILES if test(st.st_mode)), "a special file")
    if os.path.islink(path):
        what = f"links to {os.path.realpath(path)}, {what}"
    return MediaError(path, MediaErrorKind.NOT_REGULAR, what)


def check_file(path: Path) -> None:
    """Fail early, with the right kind, on a file that is missing, unreadable, not a regular
    file or empty; a FIFO or device is never opened."""
    size = regular_stat(path).st_size
    try:
        with path.open("rb") as f:
            f.read(1)
    except OSError as exc:
        raise os_error(path, exc) from exc
    if size == 0:
        raise MediaError(path, MediaErrorKind.ZERO_LENGTH, "the file is empty (0 bytes)")


def os_error(path: Path, exc: OSError) -> MediaError:
    """The MediaError for an OS-level failure to read ``path``; a dangling or looping link is
    named by its own path and target."""
    if exc.errno in (errno.ENOENT, errno.ELOOP) and os.path.islink(path):
        return broken_link(path)
    if isinstance(exc, FileNotFoundError) or exc.errno == errno.ENOENT:
        return MediaError(path, MediaErrorKind.NOT_FOUND, "no such file")
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        return MediaError(path, MediaErrorKind.PERMISSION, "the file cannot be read")
    if isinstance(exc, IsADirectoryError):
        return MediaError(path, MediaErrorKind.NOT_MEDIA, "is a folder, not a file")
    reason = exc.strerror or str(exc)
    return MediaError(path, MediaErrorKind.CORRUPT, f"the file cannot be read: {reason}")


def broken_link(path: Path) -> MediaError:
    """The MediaError for a link whose target is missing (or a loop of links), by its own path."""
    try:
        target = os.readlink(path)
    except OSError:  # gone since
        target = "?"
    return MediaError(path, MediaErrorKind.NOT_FOUND, f"broken link -> {target}")


def unreadable(path: Path, exc: BaseException | None = None, what: str = "") -> MediaError:
    """The MediaError for a file whose content cannot be used: not media, truncated or corrupt.

    The first bytes decide between "not media" and a media file that is damaged; the file's own
    structure decides whether it was cut short.
    """
    if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError):
        return os_error(path, exc)
    try:
        family = sniff(read_head(path))
    except OSError as read_exc:
        return os_error(path, read_exc)
    if family is None:
        return MediaError(path, MediaErrorKind.NOT_MEDIA, "not a video, animation or image file")
    if looks_truncated(path, family):
        detail = f"the {family} data stops before its end (an interrupted download or copy)"
        return MediaError(path, MediaErrorKind.TRUNCATED, detail)
    if isinstance(exc, av.error.EOFError) and family == "matroska":
        # A complete Matroska file whose tracks have not a single frame (no clusters).
        return MediaError(path, MediaErrorKind.NO_FRAMES, "the file holds no frames")
    return MediaError(path, MediaErrorKind.CORRUPT, what or _decoder_words(exc))


def _decoder_words(exc: BaseException | None) -> str:
    if isinstance(exc, av.error.FFmpegError) and exc.strerror:
        return f"the decoder says: {exc.strerror}"
    if exc is not None and str(exc):
        return f"the decoder says: {exc}"
    return "the data cannot be decoded"


@contextmanager
def guarded(path: Path) -> Iterator[None]:
    """Re-raise any FFmpeg or OS error escaping the block as a MediaError for ``path``."""
    try:
        yield
    except MediaError:
        raise
    except (av.error.FFmpegError, OSError) as exc:
        raise unreadable(path, exc) from exc

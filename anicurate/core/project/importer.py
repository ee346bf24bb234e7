"""Import files and folders into a project: hash, probe, thumbnail and one whole-range clip each.

Each file is committed in its own transaction, so a killed or cancelled import keeps every file
it reported as done, and running it again finishes the rest. Rules for files seen before:

- same path, size and mtime, no stored error: unchanged, not even hashed;
- same path, other size or mtime: rehashed; same content only updates size and mtime; new
  content replaces the probe info and thumbnail, drops cached analysis, clamps the clips to the
  new frame range and sets them back to unreviewed (the verdicts were about other frames);
- new path whose content equals a source whose file is gone: the file moved, so that source is
  relinked to the new path and keeps its clips, tags and analysis;
- new path whose content equals a source that still exists: a copy; it becomes a source of its
  own (the user put it there; duplicates are flagged by analysis, not hidden by the import);
- a source whose last import failed is retried every time (permissions change without
  touching mtime, and a newer anicurate may read what an older one could not).

A file that cannot be used is stored with its error kind and a message and gets no clip; the
import goes on. Files named explicitly that are missing or have no media extension are
reported as failed but not stored (there is no source to keep); inside folders, hidden files
and other extensions are skipped silently.

Hostile files: only regular files are opened. A FIFO, socket or device (or a link to one) is
reported as "not a regular file" and never read, so it cannot block the import; it is not
stored either. A picture or video whose frame has more than ``max_pixels`` pixels is stored as
"too large", refused from its header before anything is decoded.

Links: links to files and to folders are both followed. A source is stored under its real
path (links resolved), so two links to one file are one source and a folder reached twice (a
link loop, or two links to it) is walked once. A link whose target is missing, or a loop of
links, is reported by its own path as "broken link -> target"; a link to a FIFO or a device is
named by its own path too.

Two imports may run at once (two windows, or the CLI beside the UI): each file's rows are
re-read under the write lock before they are written, so the second import updates the row the
first one stored instead of failing on the unique path.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import cv2

from anicurate.core.errors import MediaError, MediaErrorKind
from anicurate.core.jobs import Progress
from anicurate.core.media import open_media
from anicurate.core.media.failures import broken_link, not_regular
from anicurate.core.media.formats import is_media_path, walk_media_files
from anicurate.core.media.info import MediaInfo
from anicurate.core.media.limits import DEFAULT_MAX_PIXELS
from anicurate.core.project.catalogue import Project, Source
from anicurate.core.project.hashing import hash_file

log = logging.getLogger(__name__)

THUMBNAIL_SIDE = 256
_JPEG_QUALITY = 85
# Below this size a file is decoded on one thread: starting frame threads costs more than the
# few frames a thumbnail needs (small clips import ~25% faster, see the import benchmark); a big
# file may need half a long GOP decoded for its middle frame, where threads pay off.
_THREADED_DECODE_FROM = 8 << 20


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What one import run did, file by file counted once; ``failed`` holds (path, message)."""

    added: int = 0
    relinked: int = 0
    unchanged: int = 0
    updated: int = 0  # known path re-read: content changed, or a failing file now works
    failed: list[tuple[str, str]] = field(default_factory=list)


class _Outcome(StrEnum):
    ADDED = "added"
    RELINKED = "relinked"
    UNCHANGED = "unchanged"
    UPDATED = "updated"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class _Item:
    """A file to import, or a problem found while walking (reported, never stored)."""

    path: Path
    problem: MediaError | None = None


@dataclass(frozen=True, slots=True)
class _Media:
    info: MediaInfo
    jpeg: bytes
    thumb_width: int
    thumb_height: int


def import_paths(
    project_path: Path,
    paths: Sequence[Path],
    *,
    create: bool = True,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
) -> Generator[Progress, None, ImportSummary]:
    """Import files and folders (recursively) into the project, one Progress per file.

    Takes plain values and opens its own Project, so it can run in a worker thread; close the
    generator to cancel between files. ``create`` makes the project file if it is missing;
    a file with frames of more than ``max_pixels`` pixels (None: no limit) fails as too large.
    """
    items = _collect(paths)
    outcomes: Counter[_Outcome] = Counter()
    failed: list[tuple[str, str]] = []
    with Project.open(project_path, create=create) as project:
        for done, item in enumerate(items, 1):
            problem: MediaError | None = item.problem
            if problem is None:
                outcome, problem = _import_file(project, item.path, max_pixels)
            else:
                outcome = _Outcome.FAILED
            outcomes[outcome] += 1
            message = None if problem is None else problem.message
            if message is not None:
                failed.append((str(item.path), message))
            yield Progress(done, len(items), str(item.path), message)
    return ImportSummary(
        added=outcomes[_Outcome.ADDED],
        relinked=outcomes[_Outcome.RELINKED],
        unchanged=outcomes[_Outcome.UNCHANGED],
        updated=outcomes[_Outcome.UPDATED],
        failed=failed,
    )


# -- walking --------------------------------------------------------------------------------


def _collect(paths: Sequence[Path]) -> list[_Item]:
    """Files to import, in argument order and sorted within folders, each path once."""
    items: dict[Path, _Item] = {}
    for given in paths:
        path = _resolve(Path(given))
        if path.is_dir():
            for item in _walk(path):
                items.setdefault(item.path, item)
            continue
        problem = None
        if os.path.islink(path) and not path.exists():
            problem = broken_link(path)
        elif not os.path.lexists(path):
            problem = MediaError(path, MediaErrorKind.NOT_FOUND, "no such file or folder")
        elif not is_media_path(path):
            what = f"'{path.suffix}' files are" if path.suffix else "a file without extension is"
            detail = f"{what} not a media type anicurate imports"
            problem = MediaError(path, MediaErrorKind.NOT_MEDIA, detail)
        items.setdefault(path, _Item(path, problem))
    return list(items.values())


def _walk(top: Path) -> Iterator[_Item]:
    """Media files under ``top``, depth first in name order; hidden entries are skipped.

    A folder that cannot be listed is reported after the files, not silently left out.
    """
    unreadable: list[OSError] = []
    for path in walk_media_files(top, unreadable):
        yield _Item(_resolve(path))
    for error in unreadable:
        folder = Path(error.filename) if error.filename else top
        yield _Item(folder, _os_error(folder, error))


def _resolve(path: Path) -> Path:
    """The path a file is stored under: its real path, links resolved, when that is a regular
    file or a folder; else (a broken link, a loop, a link to a FIFO or device) its own absolute
    path, so the error names the file the user has."""
    own = Path(os.path.abspath(path))
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, or a loop of links (RuntimeError on Python 3.11)
        return own
    return real if real.is_file() or real.is_dir() else own


# -- one file -------------------------------------------------------------------------------


def _import_file(
    project: Project, path: Path, max_pixels: int | None
) -> tuple[_Outcome, MediaError | None]:
    """Bring one file's source up to date (see the module docstring); commits what it changed."""
    key = str(path)
    known = project.source_by_path(key)
    size, mtime, digest = 0, 0.0, ""
    try:
        stat = path.stat()
        size, mtime = stat.st_size, stat.st_mtime
        special = not_regular(path, stat)  # before any read: a FIFO or /dev/zero never ends
        if special is not None:
            return _fail(project, key, size, mtime, digest, special)
        if known and known.error_kind is None and (known.size, known.mtime) == (size, mtime):
            return _Outcome.UNCHANGED, None
        digest = hash_file(path)
    except OSError as e:
        return _fail(project, key, size, mtime, digest, _os_error(path, e))

    relinked = False
    if known is None:
        known = _relink_moved(project, key, size, mtime, digest)
        relinked = known is not None
        if known is not None and known.error_kind is None:
            return _Outcome.RELINKED, None
    if known is not None and known.error_kind is None and known.hash == digest:
        with project.transaction() as conn:  # touched, same bytes
            conn.execute("UPDATE sources SET size = ?, mtime = ? WHERE id = ?",
                         (size, mtime, known.id))  # fmt: skip
        return _Outcome.UNCHANGED, None

    threads = 1 if size < _THREADED_DECODE_FROM else 0
    try:
        media = _read_media(path, threads=threads, max_pixels=max_pixels)
    except MediaError as e:
        return _fail(project, key, size, mtime, digest, e)
    except Exception as e:  # a bug or an FFmpeg surprise must not stop a 3000-file import
        log.exception("unexpected error reading %s", path)
        error = MediaError(path, MediaErrorKind.CORRUPT, f"unexpected {type(e).__name__}: {e}")
        return _fail(project, key, size, mtime, digest, error)

    now = time.time()
    info = media.info
    last = info.frame_count - 1
    with project.transaction() as conn:
        # Re-read under the write lock: another import may have stored this path meanwhile.
        stored = _stored(conn, key)
        if stored is None:
            source_id = conn.execute(
                "INSERT INTO sources (path, size, mtime, hash, kind, info, added_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key, size, mtime, digest, info.kind.value, json.dumps(info.to_dict()), now),
            ).lastrowid
            assert source_id is not None
        else:
            source_id, stored_hash = stored
            conn.execute(
                "UPDATE sources SET size = ?, mtime = ?, hash = ?, kind = ?, info = ?,"
                " error_kind = NULL, error = NULL WHERE id = ?",
                (size, mtime, digest, info.kind.value, json.dumps(info.to_dict()), source_id),
            )
            if stored_hash != digest:
                _fit_clips_to_new_content(conn, source_id, info, now)
        conn.execute(
            "INSERT OR REPLACE INTO thumbnails (source_id, jpeg, width, height)"
            " VALUES (?, ?, ?, ?)",
            (source_id, media.jpeg, media.thumb_width, media.thumb_height),
        )
        conn.execute(
            "INSERT INTO clips (source_id, first_frame, last_frame, created_at, updated_at)"
            " SELECT ?, 0, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM clips WHERE source_id = ?)",
            (source_id, last, now, now, source_id),
        )
    if stored is None:
        return _Outcome.ADDED, None
    return (_Outcome.RELINKED if relinked else _Outcome.UPDATED), None


def _stored(conn: sqlite3.Connection, key: str) -> tuple[int, str] | None:
    """(id, hash) of the source stored at ``key`` now; call inside the write transaction."""
    row = conn.execute("SELECT id, hash FROM sources WHERE path = ?", (key,)).fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


def _read_media(path: Path, threads: int, max_pixels: int | None) -> _Media:
    """Probe and index the file (demuxing) and decode its middle frame for the thumbnail."""
    with open_media(path, threads=threads, max_pixels=max_pixels) as reader:
        info = reader.info
        if info.frame_count < 1:
            raise MediaError(path, MediaErrorKind.NO_FRAMES)
        rgb = reader.thumbnail(THUMBNAIL_SIDE)
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    ok, jpeg = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, _JPEG_QUALITY])
    if not ok:
        raise MediaError(path, MediaErrorKind.CORRUPT, "could not encode a thumbnail")
    return _Media(info, jpeg.tobytes(), int(rgb.shape[1]), int(rgb.shape[0]))


def _relink_moved(
    project: Project, key: str, size: int, mtime: float, digest: str
) -> Source | None:
    """Point a source whose file is gone and whose content is this file's at the new path."""
    if size == 0:  # every empty file has the same hash; nothing to recognise
        return None
    for candidate in project.sources_with_hash(digest):
        if candidate.size == size and not os.path.exists(candidate.path):
            info = None
            if candidate.info is not None:
                info = json.dumps({**candidate.info.to_dict(), "path": key})
            with project.transaction() as conn:
                if _stored(conn, key) is not None:
                    return None  # another import stored this path meanwhile: update that one
                moved = conn.execute(
                    "UPDATE sources SET path = ?, mtime = ?, info = coalesce(?, info)"
                    " WHERE id = ? AND path = ?",
                    (key, mtime, info, candidate.id, candidate.path),
                ).rowcount
            if moved:
                return project.source(candidate.id)
    return None


def _fit_clips_to_new_content(
    conn: sqlite3.Connection, source_id: int, info: MediaInfo, now: float
) -> None:
    """After the bytes at a known path changed: keep the clips that still fit, clamped to the
    new frames and crop area, back to unreviewed; drop the analysis made of the old bytes."""
    last = info.frame_count - 1
    conn.execute("DELETE FROM analysis WHERE source_id = ?", (source_id,))
    conn.execute("DELETE FROM clips WHERE source_id = ? AND first_frame > ?", (source_id, last))
    conn.execute(
        "UPDATE clips SET crop_x = NULL, crop_y = NULL, crop_w = NULL, crop_h = NULL"
        " WHERE source_id = ? AND (crop_x + crop_w > ? OR crop_y + crop_h > ?)",
        (source_id, info.width, info.height),
    )
    conn.execute(
        "UPDATE clips SET last_frame = min(last_frame, ?), status = 'unreviewed', updated_at = ?"
        " WHERE source_id = ?",
        (last, now, source_id),
    )


def _fail(
    project: Project, key: str, size: int, mtime: float, digest: str, error: MediaError
) -> tuple[_Outcome, MediaError]:
    """Store the error on the file's source (a new row for a file never seen) and report it.

    A known source keeps its content facts, clips and verdicts: only the error is set, and the
    next import retries it. A file that vanished before it was ever stored, and a FIFO or a
    device (no content to keep), leave no row.
    """
    with project.transaction() as conn:
        stored = _stored(conn, key)  # re-read under the write lock, as for a good file
        if stored is not None:
            conn.execute("UPDATE sources SET error_kind = ?, error = ? WHERE id = ?",
                         (error.kind.value, error.message, stored[0]))  # fmt: skip
        elif error.kind not in (MediaErrorKind.NOT_FOUND, MediaErrorKind.NOT_REGULAR):
            conn.execute(
                "INSERT INTO sources (path, size, mtime, hash, error_kind, error, added_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key, size, mtime, digest, error.kind.value, error.message, time.time()),
            )
    return _Outcome.FAILED, error


def _os_error(path: Path, error: OSError) -> MediaError:
    """The MediaError a person should see for a file system failure on ``path``."""
    if error.errno in (errno.ENOENT, errno.ELOOP) and os.path.islink(path):
        return broken_link(path)
    if isinstance(error, FileNotFoundError):
        return MediaError(path, MediaErrorKind.NOT_FOUND, "the file is gone")
    if isinstance(error, PermissionError):
        return MediaError(path, MediaErrorKind.PERMISSION, "cannot read it; check its permissions")
    return MediaError(path, MediaErrorKind.CORRUPT, f"cannot read it: {error.strerror or error}")

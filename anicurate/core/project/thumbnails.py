"""Per-clip thumbnails: a clip that does not span its whole source (a shot after Split at Cuts, a
trimmed clip) gets a picture of its own middle frame, so shots of one file look different.

A clip spanning its whole source shows the source's thumbnail from the import (no decode). Own
thumbnails are made lazily by :func:`make_clip_thumbnails`, a job generator that opens the
project itself (it runs in a worker thread); one is current while the clip keeps the range and
its source the content it was taken from.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from collections.abc import Generator, Iterable, Sequence
from pathlib import Path

import cv2
import numpy as np

from anicurate.core.errors import AnicurateError
from anicurate.core.jobs import Progress
from anicurate.core.media import open_media
from anicurate.core.project.catalogue import Clip, Project, Source
from anicurate.core.project.rows import DamagedRow, need_int, need_text

log = logging.getLogger(__name__)

THUMBNAIL_SIDE = 256  # as the import's source thumbnails
_JPEG_QUALITY = 85


def spans_source(clip: Clip, source: Source) -> bool:
    """Whether the clip covers every frame of its source (then the source's picture is its)."""
    info = source.info
    return info is None or (clip.first_frame, clip.last_frame) == (0, info.frame_count - 1)


def thumbnail_frame(clip: Clip) -> int:
    """The frame a clip's own thumbnail shows: the middle of its range."""
    return (clip.first_frame + clip.last_frame) // 2


#: The query :func:`read_clip_thumbnail_row` reads the rows of.
CLIP_THUMBNAIL_SQL = (
    "SELECT clip_id, first_frame, last_frame, source_hash, jpeg, width, height FROM clip_thumbnails"
)
_JPEG_START = b"\xff\xd8"


def read_clip_thumbnail_row(row: Sequence[object]) -> bytes:
    """A stored clip thumbnail's JPEG (``CLIP_THUMBNAIL_SQL``'s columns); DamagedRow when the
    row cannot be used. The grid then shows the source's picture; ``anicurate check`` names it."""
    clip_id, first, last, source_hash, jpeg, width, height = row
    need_int(clip_id, "clip_id")
    need_int(first, "first_frame", 0)
    need_int(last, "last_frame", 0)
    need_text(source_hash, "source_hash")
    need_int(width, "width", 1)
    need_int(height, "height", 1)
    if not isinstance(jpeg, bytes) or not jpeg.startswith(_JPEG_START):
        raise DamagedRow("jpeg is not a JPEG")
    return jpeg


def clip_thumbnail(project: Project, clip: Clip, source: Source) -> bytes | None:
    """The JPEG to show for ``clip``: its own when current, else its source's (a stand-in until
    :func:`make_clip_thumbnails` has made one); None when there is neither."""
    if not spans_source(clip, source):
        rows = project.read(
            f"{CLIP_THUMBNAIL_SQL} WHERE clip_id = ? AND first_frame = ? AND last_frame = ?"
            " AND source_hash = ?",
            (clip.id, clip.first_frame, clip.last_frame, source.hash),
        )
        if rows:
            try:
                return read_clip_thumbnail_row(rows[0])
            except DamagedRow as err:  # quarantined: the source's picture stands in
                log.warning("%s: clip %d thumbnail: %s", project.path, clip.id, err)
    return project.thumbnail(source.id)


def missing_clip_thumbnails(
    project: Project, clips: Iterable[tuple[Clip, Source]] | None = None
) -> list[int]:
    """Ids of the clips that need a thumbnail of their own and have no current one.

    ``clips``: the project's clips with their sources where the caller has just read them (the
    browser, after every edit), else they are read here.
    """
    have = {
        int(r[0]): (r[1], r[2], r[3])
        for r in project.read(
            "SELECT clip_id, first_frame, last_frame, source_hash FROM clip_thumbnails"
        )
    }
    return [
        clip.id
        for clip, source in (project.clips_with_sources() if clips is None else clips)
        if source.error is None
        and not spans_source(clip, source)
        and have.get(clip.id) != (clip.first_frame, clip.last_frame, source.hash)
    ]


def make_clip_thumbnails(
    project_path: str | os.PathLike[str], clip_ids: Sequence[int] | None = None
) -> Generator[Progress, None, int]:
    """Make the missing own thumbnails (of ``clip_ids``, or all); returns how many were made.

    Each source is opened once for all its clips. A source that cannot be read is reported in
    its Progress's error and skipped: its clips keep the source's picture.
    """
    with Project.open(project_path) as project:
        wanted = set(missing_clip_thumbnails(project))
        if clip_ids is not None:
            wanted &= {int(i) for i in clip_ids}
        by_source: dict[int, list[Clip]] = defaultdict(list)
        sources: dict[int, Source] = {}
        for clip, source in project.clips_with_sources():
            if clip.id in wanted:
                by_source[source.id].append(clip)
                sources[source.id] = source
        total, done, made = len(wanted), 0, 0
        yield Progress(0, total)
        for source_id, clips in by_source.items():
            source = sources[source_id]
            name, done_before = Path(source.path).name, done
            try:
                with open_media(source.path) as reader:
                    for clip in clips:
                        rgb = reader.thumbnail(THUMBNAIL_SIDE, frame=thumbnail_frame(clip))
                        _store(project, clip, source, rgb)
                        made += 1
                        done += 1
                        yield Progress(done, total, name)
            except (AnicurateError, OSError) as err:
                log.warning("%s: no clip thumbnails: %s", source.path, err)
                done = done_before + len(clips)
                yield Progress(done, total, name, str(err))
        return made


def _store(project: Project, clip: Clip, source: Source, array: np.ndarray) -> None:
    """Encode and store one clip's thumbnail, unless the clip went away meanwhile."""
    ok, jpeg = cv2.imencode(
        ".jpg", cv2.cvtColor(array, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, _JPEG_QUALITY]
    )
    if not ok:
        return
    with project.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO clip_thumbnails"
            " (clip_id, first_frame, last_frame, source_hash, jpeg, width, height)"
            " SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM clips WHERE id = ?)",
            (clip.id, clip.first_frame, clip.last_frame, source.hash, jpeg.tobytes(),
             int(array.shape[1]), int(array.shape[0]), clip.id),
        )  # fmt: skip

"""Which files anicurate treats as media, by extension (content is checked when probing)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path


class MediaKind(StrEnum):
    VIDEO = "video"  # mp4, mkv, webm, mov, avi ...
    ANIMATION = "animation"  # GIF, animated WebP, APNG (often with uneven frame delays)
    STILL = "still"  # one-frame sources


VIDEO_EXTENSIONS = frozenset(
    {".mp4", ".m4v", ".mkv", ".webm", ".mov", ".avi", ".flv", ".wmv", ".mpg", ".mpeg", ".ts"}
)
ANIMATION_EXTENSIONS = frozenset({".gif", ".apng"})
STILL_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp"})
MEDIA_EXTENSIONS = VIDEO_EXTENSIONS | ANIMATION_EXTENSIONS | STILL_EXTENSIONS


def is_media_path(path: Path) -> bool:
    """True when the extension (any case) is one anicurate imports (.png/.webp may be animated)."""
    return path.suffix.lower() in MEDIA_EXTENSIONS


def walk_media_files(top: Path, unreadable: list[OSError] | None = None) -> Iterator[Path]:
    """Media files under ``top``, depth first in name order, hidden files and folders skipped.

    Links to files and to folders are followed alike; a folder reached a second time (a link
    loop, or two links to one folder) is walked once, known by its device and inode. Folders
    that cannot be listed are appended to ``unreadable`` so callers can report them.
    """
    onerror = unreadable.append if unreadable is not None else None
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(top, onerror=onerror, followlinks=True):
        try:
            st = os.stat(dirpath)
        except OSError as exc:
            if onerror is not None:
                onerror(exc)
            dirnames[:] = []
            continue
        if (st.st_dev, st.st_ino) in seen:
            dirnames[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath, name)
            if not name.startswith(".") and is_media_path(path):
                yield path

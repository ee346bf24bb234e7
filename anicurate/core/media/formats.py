"""Which files anicurate treats as media, by extension (content is checked when probing)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path


class MediaKind(StrEnum):
    VIDEO = "video"          # mp4, mkv, webm, mov, avi ...
    ANIMATION = "animation"  # GIF, animated WebP, APNG (often with uneven frame delays)
    STILL = "still"          # one-frame sources


VIDEO_EXTENSIONS = frozenset({".mp4", ".m4v", ".mkv", ".webm", ".mov", ".avi", ".flv", ".wmv", ".mpg", ".mpeg", ".ts"})
ANIMATION_EXTENSIONS = frozenset({".gif", ".apng"})
STILL_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp"})
MEDIA_EXTENSIONS = VIDEO_EXTENSIONS | ANIMATION_EXTENSIONS | STILL_EXTENSIONS


def is_media_path(path: Path) -> bool:
    """True when the extension (any case) is one anicurate imports; .png/.webp may turn out animated."""
    return path.suffix.lower() in MEDIA_EXTENSIONS

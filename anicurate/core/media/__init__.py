"""Media access: probe files, index their frames, read frame *i* exactly, write test media."""

from anicurate.core.media.cache import FrameCache
from anicurate.core.media.formats import MediaKind
from anicurate.core.media.index import FrameIndex
from anicurate.core.media.info import MediaInfo
from anicurate.core.media.probe import probe
from anicurate.core.media.reader import DEFAULT_CACHE_BYTES, MediaReader, open_media
from anicurate.core.media.writer import write_animation, write_still, write_video

__all__ = [
    "DEFAULT_CACHE_BYTES",
    "FrameCache",
    "FrameIndex",
    "MediaInfo",
    "MediaKind",
    "MediaReader",
    "open_media",
    "probe",
    "write_animation",
    "write_still",
    "write_video",
]
